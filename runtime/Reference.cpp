//===- Reference.cpp - Attention on the CPU in float64 --------------------===//

#include "runtime/Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace attn::rt;

void attn::rt::referenceRow(const Problem &problem, const float *q,
                            const float *k, const float *v, int64_t head,
                            int64_t row, double *out, double &lse,
                            std::vector<double> &scratch) {
  const int64_t n = problem.seqLen;
  const int64_t d = problem.headDim;
  const float *qRow = q + (head * n + row) * d;
  const float *kHead = k + head * n * d;
  const float *vHead = v + head * n * d;
  // Causal: row i attends keys j <= i.
  const int64_t keys = problem.causal ? row + 1 : n;

  scratch.resize(size_t(keys));
  double maxScore = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < keys; ++j) {
    const float *kRow = kHead + j * d;
    double dot = 0;
    for (int64_t c = 0; c < d; ++c)
      dot += double(qRow[c]) * double(kRow[c]);
    scratch[size_t(j)] = dot * problem.scale;
    maxScore = std::max(maxScore, scratch[size_t(j)]);
  }

  double sum = 0;
  for (int64_t j = 0; j < keys; ++j) {
    scratch[size_t(j)] = std::exp(scratch[size_t(j)] - maxScore);
    sum += scratch[size_t(j)];
  }

  std::fill(out, out + d, 0.0);
  for (int64_t j = 0; j < keys; ++j) {
    const float *vRow = vHead + j * d;
    double weight = scratch[size_t(j)];
    for (int64_t c = 0; c < d; ++c)
      out[c] += weight * double(vRow[c]);
  }
  for (int64_t c = 0; c < d; ++c)
    out[c] /= sum;
  lse = maxScore + std::log(sum);
}
