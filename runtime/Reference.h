//===- Reference.h - Attention on the CPU in float64 -----------*- C++ -*-===//
//
// The reference every GPU result is compared with: one output row (or, for
// the gradients, one head) at a time, in float64, from the inputs exactly as
// the device sees them (already rounded to the problem's dtype). Callers
// spread rows and heads over threads.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_REFERENCE_H
#define ATTN_RUNTIME_REFERENCE_H

#include "runtime/Problem.h"

#include <cstdint>
#include <vector>

namespace attn::rt {

/// Computes row `row` of query head `head` (b * H + h) of
/// O = softmax(scale * Q K^T [causal mask]) V into `out` (D values) and
/// the natural-log logsumexp of the scaled scores into `lse`. `q` is the
/// whole row-major [B,H,Nq,D] tensor, `k` and `v` the [B,Hkv,Nk,D] ones;
/// query head h reads K/V head h / (H/Hkv). The causal mask is aligned to
/// the bottom right (row i sees keys j <= i + Nk - Nq); a row that sees no
/// key gets zeros and lse = -inf. `scratch` is reused between calls to avoid
/// allocations.
void referenceRow(const Problem &problem, const float *q, const float *k,
                  const float *v, int64_t head, int64_t row, double *out,
                  double &lse, std::vector<double> &scratch);

/// referenceRow for packed sequences (problem.sequences > 0, B = 1): row
/// `row` of query head `head` in the packed [1, H, Nq, D] tensors, which
/// attends only to the keys of its own sequence; `cuQ` and `cuK` are the
/// S + 1 cumulative offsets. Masks are aligned to the sequence's bottom
/// right; a sequence without keys gives zeros and lse = -inf.
void referencePackedRow(const Problem &problem, const int32_t *cuQ,
                        const int32_t *cuK, const float *q, const float *k,
                        const float *v, int64_t head, int64_t row, double *out,
                        double &lse, std::vector<double> &scratch);

/// The gradients of attention for query head `head` (b * H + h) in
/// float64, from the inputs as the device sees them and the upstream
/// gradient `dO` ([B,H,Nq,D], like q): writes the head's dQ (Nq x D) to
/// `dq` and adds its contributions to dK and dV of K/V head
/// b * Hkv + h / (H/Hkv) to `dk` and `dv` (Nk x D each; the caller zeroes
/// them, and the query heads of a group add up). P is recomputed exactly
/// (the softmax of this function, not a stored one), and
/// δ = rowsum(dO ∘ O) = rowsum(P ∘ dP) with the exact O. Masking as in
/// referenceRow; `scratch` is reused between calls.
void referenceBackwardHead(const Problem &problem, const float *q,
                           const float *k, const float *v, const float *dO,
                           int64_t head, double *dq, double *dk, double *dv,
                           std::vector<double> &scratch);

} // namespace attn::rt

#endif // ATTN_RUNTIME_REFERENCE_H
