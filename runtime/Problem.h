//===- Problem.h - One attention problem, for every layer ------*- C++ -*-===//
//
// The one description of an attention problem that the compiler (manifest,
// cost model), the runtime, the JIT and the tools share:
//
//   forward:  O = softmax(scale * Q K^T [causal mask]) V, and optionally the
//             f32 natural-log logsumexp of each row of the scaled scores;
//   backward: dQ, dK, dV from dO, Q, K, V, O and the forward's logsumexp.
//
// Tensors are [B, H, Nq, D] for the query side (q, o, do, dq) and
// [B, Hkv, Nk, D] for the key side (k, v, dk, dv); lse is f32 [B, H, Nq].
// H is a multiple of Hkv (grouped-query attention shares one K/V head among
// H/Hkv query heads). When causal and Nq != Nk, the mask is aligned to the
// bottom right: query row i sees keys j <= i + Nk - Nq. A sliding window
// (left, right) further limits row i to keys i + Nk - Nq - left <= j <=
// i + Nk - Nq + right (-1: unbounded on that side).
//
// Plain C++17: no CUDA, no LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_PROBLEM_H
#define ATTN_RUNTIME_PROBLEM_H

#include "runtime/DType.h"
#include "runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attn::rt {

enum class Direction { Forward, Backward };
/// How the problem is cut into kernels: one FlashAttention kernel, or the
/// textbook's three with S and P in device memory.
enum class PipelineKind { Fused, Unfused };

/// What a tensor is to the problem. Inputs and outputs depend on the
/// direction: lse is an output of the forward and an input of the backward.
/// The tensors of a problem; CuQ and CuK are the i32 offsets of packed
/// sequences (S + 1 each).
enum class TensorRole { Q, K, V, O, Lse, DO, DQ, DK, DV, CuQ, CuK };
constexpr int kNumTensorRoles = 11;

/// The problem's sizes, by the names the manifest uses for them; S, the
/// number of packed sequences, only of a problem that packs them (their
/// offsets are [S+1]).
enum class ProblemField { B, H, Hkv, Nq, Nk, D, S };
constexpr int kNumProblemFields = 7;

/// "forward", "backward"; "fused", "unfused"; "q", ..., "dv"; "B", ..., "S".
const char *nameOf(Direction direction);
const char *nameOf(PipelineKind pipeline);
const char *nameOf(TensorRole role);
const char *nameOf(ProblemField field);
std::optional<Direction> parseDirection(std::string_view text);
std::optional<PipelineKind> parsePipelineKind(std::string_view text);
std::optional<TensorRole> parseTensorRole(std::string_view text);
std::optional<ProblemField> parseProblemField(std::string_view text);

/// The largest element count of one tensor or buffer (2^40).
constexpr int64_t kMaxElements = int64_t(1) << 40;
/// A size known only at launch: a kernel compiled for run-time sizes takes
/// them from the tensors it is given ("?" in the manifest).
constexpr int64_t kDynamicSize = -1;

struct Problem {
  Direction direction = Direction::Forward;
  int64_t batch = 1;    ///< B
  int64_t heads = 1;    ///< H, query heads
  int64_t kvHeads = 1;  ///< Hkv, key/value heads; H is a multiple of it
  int64_t seqLenQ = 1;  ///< Nq, query rows
  int64_t seqLenK = 1;  ///< Nk, key/value rows
  int64_t headDim = 64; ///< D
  DType dtype = DType::F16;
  bool causal = false;
  /// Sliding window: keys at most windowLeft before and windowRight after
  /// the row's diagonal; -1 leaves that side unbounded.
  int64_t windowLeft = -1;
  int64_t windowRight = -1;
  /// Softmax scale; unset means 1/sqrt(D).
  std::optional<double> scale;
  /// Forward: whether the kernels also write lse. A backward problem reads
  /// lse and must say so.
  bool lse = false;
  PipelineKind pipeline = PipelineKind::Fused;
  /// Packed sequences of different lengths (attn.attention sequences(...)):
  /// their number S, with B = 1 and Nq, Nk the totals; kDynamicSize when
  /// known at launch; 0 for a dense batch.
  int64_t sequences = 0;

  /// Self-attention of one sequence length: Hkv = H, Nq = Nk = N.
  static Problem attention(int64_t batch, int64_t heads, int64_t seqLen,
                           int64_t headDim, DType dtype);

  /// Whether either side of the sliding window is bounded.
  bool hasWindow() const { return windowLeft >= 0 || windowRight >= 0; }

  /// Whether B, H, Hkv, Nq or Nk is kDynamicSize (D never is).
  bool hasDynamicSizes() const;

  double effectiveScale() const;
  /// The value of a size field.
  int64_t field(ProblemField field) const;

  /// The roles of this problem in canonical order: inputs first.
  std::vector<TensorRole> roles() const;
  bool hasRole(TensorRole role) const;
  /// Whether the kernels write tensors of this role.
  bool isOutput(TensorRole role) const;

  /// [B,H,Nq,D], [B,Hkv,Nk,D] or [B,H,Nq] by role.
  std::vector<int64_t> shape(TensorRole role) const;
  /// "B,H,Nq,D": the names of shape(role)'s dimensions.
  static const char *dimNames(TensorRole role);
  /// f32 for lse, the problem's dtype for the others.
  DType dtypeOf(TensorRole role) const;
  /// Row-major strides (in elements) of a packed tensor of shape(role).
  std::vector<int64_t> packedStrides(TensorRole role) const;
  int64_t elements(TensorRole role) const;
  uint64_t bytes(TensorRole role) const;
  /// Elements of one [B,H,Nq,Nk] score matrix (the unfused S or P).
  int64_t scoreElements() const;

  /// FLOPs of the forward: 4*B*H*Nq*Nk*D (two matrix products of 2 FLOPs
  /// per multiply-add), halved when causal. Halving is the convention of
  /// FlashAttention's benchmarks, kept from the first version of this
  /// runtime; the pairs a causal mask really visits are Nq*(Nq+1)/2 for
  /// Nq = Nk, slightly more than half. With a sliding window the count is
  /// of the (row, key) pairs the mask lets through, as FlashAttention's
  /// benchmarks count local attention.
  double forwardFlops() const;
  /// FLOPs of this problem: forwardFlops(), or 2.5 times it for the
  /// backward (FlashAttention's count: five matrix products to the
  /// forward's two).
  double flops() const;

  /// Success, or an InvalidArgument error naming the field and the rule:
  /// sizes at least 1 (or kDynamicSize, but D), H a multiple of Hkv, every
  /// tensor at most kMaxElements elements (the rules on sizes checked where
  /// the sizes are known), a finite positive scale, lse for a backward.
  Status validate() const;
  /// "forward fused bf16 B=2 H=4 Hkv=4 Nq=128 Nk=128 D=64 causal=1" ("?"
  /// for a size known at launch), for one-line reports.
  std::string describe() const;
};

/// The keys [first, end) query row `row` sees: all Nk, or fewer when causal
/// (aligned to the bottom right: row i sees keys j <= i + Nk - Nq) or
/// within a sliding window; possibly none. Sizes must be known.
struct KeyRange {
  int64_t first = 0, end = 0;
};
KeyRange visibleKeyRange(const Problem &problem, int64_t row);
/// How many keys query row `row` sees.
int64_t visibleKeys(const Problem &problem, int64_t row);

/// Equality of every field; an unset scale equals its value 1/sqrt(D).
bool operator==(const Problem &a, const Problem &b);
inline bool operator!=(const Problem &a, const Problem &b) { return !(a == b); }

} // namespace attn::rt

#endif // ATTN_RUNTIME_PROBLEM_H
