//===- ReferenceTest.cpp - The float64 CPU reference ----------------------===//

#include "runtime/Reference.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace attn::rt;

namespace {

Problem problem(int64_t n, int64_t d, bool causal, double scale) {
  Problem p = Problem::attention(1, 1, n, d, DType::F32);
  p.causal = causal;
  p.scale = scale;
  return p;
}

TEST(Reference, TwoKeysByHand) {
  // N=2, D=1: q = [1, 2], k = [1, -1], v = [10, 20], scale 0.5.
  const float q[] = {1, 2}, k[] = {1, -1}, v[] = {10, 20};
  std::vector<double> scratch;
  double out = 0, lse = 0;

  Problem full = problem(2, 1, false, 0.5);
  // Row 1: scores 0.5*2*1 = 1 and 0.5*2*-1 = -1.
  referenceRow(full, q, k, v, 0, 1, &out, lse, scratch);
  double w0 = std::exp(1.0), w1 = std::exp(-1.0);
  EXPECT_NEAR(out, (10 * w0 + 20 * w1) / (w0 + w1), 1e-12);
  EXPECT_NEAR(lse, std::log(w0 + w1), 1e-12);

  // Causal row 0 sees key 0 only: its value, and lse = its score.
  Problem causal = problem(2, 1, true, 0.5);
  referenceRow(causal, q, k, v, 0, 0, &out, lse, scratch);
  EXPECT_DOUBLE_EQ(out, 10);
  EXPECT_DOUBLE_EQ(lse, 0.5);
}

TEST(Reference, EqualScoresAverageValues) {
  // q = 0 makes every score 0: output is the mean of V, lse = log(N).
  const int n = 4, d = 2;
  std::vector<float> q(n * d, 0.0f), k(n * d, 0.7f), v(n * d);
  for (int i = 0; i < n * d; ++i)
    v[size_t(i)] = float(i);
  std::vector<double> scratch;
  double out[2], lse = 0;
  referenceRow(problem(n, d, false, 1.0), q.data(), k.data(), v.data(), 0, 2,
               out, lse, scratch);
  EXPECT_DOUBLE_EQ(out[0], (0 + 2 + 4 + 6) / 4.0);
  EXPECT_DOUBLE_EQ(out[1], (1 + 3 + 5 + 7) / 4.0);
  EXPECT_NEAR(lse, std::log(4.0), 1e-15);
}

TEST(Reference, LargeScoresDoNotOverflow) {
  const float q[] = {100, 100}, k[] = {100, 99}, v[] = {1, 2};
  std::vector<double> scratch;
  double out = 0, lse = 0;
  // Scores 10000 and 9900: exp would overflow without the max shift.
  referenceRow(problem(2, 1, false, 1.0), q, k, v, 0, 1, &out, lse, scratch);
  EXPECT_NEAR(out, 1.0, 1e-12);
  EXPECT_NEAR(lse, 10000.0, 1e-9);
}

TEST(Reference, SecondHeadUsesItsOwnSlices) {
  Problem p = problem(1, 1, false, 1.0);
  p.heads = 2;
  p.kvHeads = 2;
  const float q[] = {1, 1}, k[] = {1, 1}, v[] = {3, 7};
  std::vector<double> scratch;
  double out = 0, lse = 0;
  referenceRow(p, q, k, v, 1, 0, &out, lse, scratch);
  EXPECT_DOUBLE_EQ(out, 7);
}

TEST(Reference, QueryHeadsShareTheirGroupsKeyValueHead) {
  // B=2, H=4, Hkv=2: query heads 0,1 read K/V head 0, heads 2,3 head 1 of
  // their batch; query head 7 (b=1, h=3) reads K/V head 3.
  Problem p = problem(1, 1, false, 1.0);
  p.batch = 2, p.heads = 4, p.kvHeads = 2;
  const float q[8] = {1, 1, 1, 1, 1, 1, 1, 1}, k[4] = {1, 1, 1, 1},
              v[4] = {10, 20, 30, 40};
  std::vector<double> scratch;
  double out = 0, lse = 0;
  const double expected[8] = {10, 10, 20, 20, 30, 30, 40, 40};
  for (int head = 0; head < 8; ++head) {
    referenceRow(p, q, k, v, head, 0, &out, lse, scratch);
    EXPECT_DOUBLE_EQ(out, expected[head]) << "query head " << head;
  }
}

TEST(Reference, CausalMaskIsAlignedToTheBottomRight) {
  // Nq=2 queries against Nk=3 keys: row 0 sees keys 0,1; row 1 sees 0..2.
  Problem p = problem(2, 1, true, 1.0);
  p.seqLenK = 3;
  const float q[] = {0, 0}, k[] = {0, 0, 0}, v[] = {3, 6, 12};
  std::vector<double> scratch;
  double out = 0, lse = 0;
  referenceRow(p, q, k, v, 0, 0, &out, lse, scratch);
  EXPECT_DOUBLE_EQ(out, (3 + 6) / 2.0);
  referenceRow(p, q, k, v, 0, 1, &out, lse, scratch);
  EXPECT_DOUBLE_EQ(out, (3 + 6 + 12) / 3.0);
  // Nq=3 queries against Nk=2 keys: row 0 sees none.
  p.seqLenQ = 3, p.seqLenK = 2;
  const float q3[] = {0, 0, 0};
  referenceRow(p, q3, k, v, 0, 0, &out, lse, scratch);
  EXPECT_EQ(out, 0);
  EXPECT_TRUE(std::isinf(lse) && lse < 0);
  referenceRow(p, q3, k, v, 0, 1, &out, lse, scratch);
  EXPECT_DOUBLE_EQ(out, 3);
}

} // namespace
