//===- Reference.cpp - Attention on the CPU in float64 --------------------===//

#include "runtime/Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace attn::rt;

/// Query head b*H + h reads K/V head b*Hkv + h / (H/Hkv).
static int64_t kvHeadOf(const Problem &problem, int64_t head) {
  const int64_t group = problem.heads / problem.kvHeads;
  const int64_t batch = head / problem.heads, h = head % problem.heads;
  return batch * problem.kvHeads + h / group;
}

void attn::rt::referencePackedRow(const Problem &problem, const int32_t *cuQ,
                                  const int32_t *cuK, const float *q,
                                  const float *k, const float *v, int64_t head,
                                  int64_t row, double *out, double &lse,
                                  std::vector<double> &scratch) {
  // The sequence holding the row: the last offset at or before it.
  int64_t s = std::upper_bound(cuQ, cuQ + problem.sequences + 1, row) - cuQ - 1;
  s = std::clamp<int64_t>(s, 0, problem.sequences - 1);
  // One sequence as a problem of one head whose tensors start at its first
  // query and key ([1, H, N, D]: a head's rows are contiguous).
  Problem one = problem;
  one.batch = one.heads = one.kvHeads = 1;
  one.sequences = 0;
  one.seqLenQ = cuQ[s + 1] - cuQ[s];
  one.seqLenK = cuK[s + 1] - cuK[s];
  const int64_t d = problem.headDim;
  const int64_t kvHead = head / (problem.heads / problem.kvHeads);
  const int64_t qRow = head * problem.seqLenQ + cuQ[s];
  const int64_t kRow = kvHead * problem.seqLenK + cuK[s];
  referenceRow(one, q + qRow * d, k + kRow * d, v + kRow * d, 0, row - cuQ[s],
               out, lse, scratch);
}

void attn::rt::referenceRow(const Problem &problem, const float *q,
                            const float *k, const float *v, int64_t head,
                            int64_t row, double *out, double &lse,
                            std::vector<double> &scratch) {
  const int64_t nq = problem.seqLenQ, nk = problem.seqLenK;
  const int64_t d = problem.headDim;
  const double scale = problem.effectiveScale();
  const int64_t kvHead = kvHeadOf(problem, head);
  const float *qRow = q + (head * nq + row) * d;
  const float *kHead = k + kvHead * nk * d;
  const float *vHead = v + kvHead * nk * d;
  const KeyRange range = visibleKeyRange(problem, row);
  const int64_t keys = range.end - range.first;
  kHead += range.first * d;
  vHead += range.first * d;
  if (keys == 0) {
    std::fill(out, out + d, 0.0);
    lse = -std::numeric_limits<double>::infinity();
    return;
  }

  scratch.resize(size_t(keys));
  double maxScore = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < keys; ++j) {
    const float *kRow = kHead + j * d;
    double dot = 0;
    for (int64_t c = 0; c < d; ++c)
      dot += double(qRow[c]) * double(kRow[c]);
    scratch[size_t(j)] = dot * scale;
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

void attn::rt::referenceBackwardHead(const Problem &problem, const float *q,
                                     const float *k, const float *v,
                                     const float *dO, int64_t head, double *dq,
                                     double *dk, double *dv,
                                     std::vector<double> &scratch) {
  const int64_t nq = problem.seqLenQ, nk = problem.seqLenK;
  const int64_t d = problem.headDim;
  const double scale = problem.effectiveScale();
  const int64_t kvHead = kvHeadOf(problem, head);
  const float *qHead = q + head * nq * d, *dOHead = dO + head * nq * d;
  const float *kBase = k + kvHead * nk * d, *vBase = v + kvHead * nk * d;
  double *const dkBase = dk, *const dvBase = dv;

  // One row of P and of dS at a time: dV and dK add P_ij·dO_i and
  // dS_ij·Q_i, dQ_i is Σ_j dS_ij·K_j.
  scratch.resize(size_t(2 * nk));
  double *p = scratch.data(), *dp = scratch.data() + nk;
  for (int64_t i = 0; i < nq; ++i) {
    const float *qRow = qHead + i * d, *dORow = dOHead + i * d;
    double *dqRow = dq + i * d;
    std::fill(dqRow, dqRow + d, 0.0);
    // Keys [first, end) as j in [0, keys): the window's start is j = 0.
    const KeyRange range = visibleKeyRange(problem, i);
    const int64_t keys = range.end - range.first;
    if (keys == 0)
      continue;
    const float *kHead = kBase + range.first * d,
                *vHead = vBase + range.first * d;
    double *dkKeys = dkBase + range.first * d,
           *dvKeys = dvBase + range.first * d;
    double maxScore = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < keys; ++j) {
      double dot = 0;
      for (int64_t c = 0; c < d; ++c)
        dot += double(qRow[c]) * double(kHead[j * d + c]);
      p[j] = dot * scale;
      maxScore = std::max(maxScore, p[j]);
    }
    double sum = 0;
    for (int64_t j = 0; j < keys; ++j)
      sum += p[j] = std::exp(p[j] - maxScore);
    double delta = 0; // rowsum(P ∘ dP) = rowsum(dO ∘ O)
    for (int64_t j = 0; j < keys; ++j) {
      p[j] /= sum;
      double dot = 0;
      for (int64_t c = 0; c < d; ++c)
        dot += double(dORow[c]) * double(vHead[j * d + c]);
      dp[j] = dot;
      delta += p[j] * dot;
    }
    for (int64_t j = 0; j < keys; ++j) {
      double ds = p[j] * (dp[j] - delta);
      for (int64_t c = 0; c < d; ++c) {
        dvKeys[j * d + c] += p[j] * double(dORow[c]);
        dkKeys[j * d + c] += scale * ds * double(qRow[c]);
        dqRow[c] += scale * ds * double(kHead[j * d + c]);
      }
    }
  }
}
