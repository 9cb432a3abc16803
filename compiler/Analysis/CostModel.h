//===- CostModel.h - FLOPs, device-memory traffic, roofline time -*- C++
//-*-===//
//
// The analytic cost of one attention problem under either pipeline: for each
// kernel the FLOPs it executes, the bytes it reads from and writes to device
// memory, the intermediates it keeps there, and the time a roofline allows
// on a GPU given by its peak matrix rate and memory bandwidth.
//
// Accounting (the textbook's, so that its figures come out exactly):
//  * Every tensor a kernel reads is read once and every tensor it writes is
//    written once, in its element type. The unfused softmax makes three
//    passes over S; the model counts one (the compulsory traffic).
//  * FLOPs: 2 per multiply-add of a matrix product, 5 per score for the
//    softmax (max, subtract, exp, sum, divide).
//  * Unfused (S = Q·Kᵀ, P = softmax(S), O = P·V): S and P are full
//    [B,H,N,N] tensors in the element type; all N² scores are computed even
//    when causal (masked ones are set to -inf). Per head, with e bytes per
//    element: QKᵀ does 2N²d FLOPs over 2Nd·e + N²·e bytes (→ d FLOP/B for
//    N ≫ d in fp16); the softmax 5N² over 2N²·e (1.25 in fp16); PV 2N²d
//    over N²·e + 2Nd·e (→ d).
//  * Fused (FlashAttention): one kernel per (b, h, block of BLOCK_M query
//    rows) that reads its Q tile once, streams every K and V tile through
//    shared memory and writes its O tile once, so per head
//        bytes = Q + O + ⌈N/BLOCK_M⌉·(K + V)
//    (causal: each Q block reads K/V only up to its last row, rounded up to
//    BLOCK_N). With M the on-chip bytes a program's tiles occupy (the Q tile
//    and num-stages K and V tiles, rows padded by 16 bytes), BLOCK_M ≤
//    M/(d·e), so the K/V term 2N²d·e/BLOCK_M is the Θ(N²d²/M) of the IO
//    complexity with constant 2e²·M/(BLOCK_M·d·e). FLOPs: (4d + 5) per
//    (query row, key row) pair the kernel visits.
//  * Roofline time of a kernel = max(FLOPs / peak, bytes / bandwidth); the
//    larger term is the binding bound. A pipeline's time is the sum over its
//    kernels, which run one after another.
//
//  * Backward (the gradient): per (query row, key row) pair the kernels
//    visit, 10d FLOPs (five products: S recomputed or P's, dV, dP, dK, dQ;
//    2.5 times the forward's 4d) plus 5 for exp and dS. Fused
//    (FlashAttention-2): δ = rowsum(dO ∘ O) reads dO and O; the main kernel
//    reads each program's K and V block once and, per query block it
//    visits, that block's Q, dO, lse and δ, and adds its dQ part into an
//    f32 accumulator (a read and a write of block-m·d·4 bytes); the last
//    kernel converts the accumulator. With `deterministic`, a second kernel
//    over query blocks recomputes S and dP (6d per pair) and writes dQ,
//    no accumulator. Intermediates: δ and the accumulator, O(N·d).
//    Unfused (standard attention): P, dP and dS are [B,H,N,N] buffers,
//    each product a kernel reading and writing whole matrices, and δ the
//    softmax backward's rowsum(P ∘ dP), reading P and dP once more.
//
// Plain C++ on top of TileConfig; no IR needed (problemOf reads an op).
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_COSTMODEL_H
#define ATTN_COMPILER_COSTMODEL_H

#include "dialects/Attn/Transforms/TileConfig.h"
#include "runtime/Problem.h"

#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attn {
class ProblemOpInterface;
} // namespace attn

namespace attn::cost {

/// A GPU as the roofline sees it.
struct GpuModel {
  std::string name;
  double peakFlops = 0; ///< FLOP/s of the matrix units (fp16/bf16 dense).
  double bandwidth = 0; ///< Bytes/s of device memory.
  /// FLOP/B at which the two bounds meet.
  double balance() const { return peakFlops / bandwidth; }
};

/// The built-in models: "a100" (312 TFLOP/s, 2.0 TB/s) and "h100" (990
/// TFLOP/s, 3.35 TB/s); nullopt for any other name.
std::optional<GpuModel> builtinGpu(llvm::StringRef name);

/// The problem, as the runtime and the JIT describe it (runtime/Problem.h).
/// The model estimates forward problems.
using Problem = rt::Problem;

/// Bytes of Q, K, V and O together (and dO, dQ, dK, dV for a backward).
uint64_t ioBytes(const Problem &problem);
/// Bytes of one [B,H,Nq,Nk] matrix (S or P) in the element type.
uint64_t scoresBytes(const Problem &problem);

/// The problem of an attn.attention (forward) or attn.attention_backward
/// (backward, reading lse) op; the pipeline field is left at fused.
Problem problemOf(ProblemOpInterface op);

enum class Pipeline { Fused, Unfused };
llvm::StringRef nameOf(Pipeline pipeline);

/// Which bound limits a kernel.
enum class Bound { Memory, Compute };
llvm::StringRef nameOf(Bound bound);

struct Roofline {
  double seconds = 0;
  Bound bound = Bound::Memory;
};
/// max(flops / peak, bytes / bandwidth) and which term is larger.
Roofline roofline(double flops, double bytes, const GpuModel &gpu);

struct KernelCost {
  std::string name;
  uint64_t flops = 0;
  uint64_t bytesRead = 0;
  uint64_t bytesWritten = 0;
  /// Bytes of the device-memory intermediates (S, P) live while it runs.
  uint64_t intermediateBytes = 0;

  uint64_t bytes() const { return bytesRead + bytesWritten; }
  /// FLOP per byte of device-memory traffic.
  double intensity() const { return double(flops) / double(bytes()); }
};

struct PipelineCost {
  Pipeline pipeline = Pipeline::Fused;
  TileConfig config;
  int64_t numStages = 0;
  /// M: shared-memory bytes of one program's tiles (fused only, else 0).
  uint64_t onChipBytes = 0;
  /// Kernels in launch order.
  std::vector<KernelCost> kernels;
  /// The most device memory the pipeline holds beyond Q, K, V, O (and lse).
  uint64_t peakIntermediateBytes = 0;

  uint64_t flops() const;
  uint64_t bytesRead() const;
  uint64_t bytesWritten() const;
  uint64_t bytes() const { return bytesRead() + bytesWritten(); }
  /// Sum of the kernels' roofline times.
  double seconds(const GpuModel &gpu) const;
};

/// The cost of `problem` under `pipeline` cut into tiles by `config` (as
/// chooseFusedConfig / chooseUnfusedConfig return it) with `numStages`
/// shared-memory buffers per K/V tile. The unfused pipeline has no
/// logsumexp output; `problem.lse` is ignored for it. The query side
/// (rows of Q, O, lse) counts Nq rows, the key side (K, V) Nk; a causal
/// mask is aligned to the bottom right as the runtime's reference does. A
/// backward problem is costed as the backward's kernels, with dQ computed
/// without atomics when `deterministic`.
PipelineCost estimate(const Problem &problem, Pipeline pipeline,
                      TileConfig config, int64_t numStages,
                      bool deterministic = false);

/// "256 KB", "1.5 GB", "0.977 MB": binary units (1 KB = 1024 B) below 1000
/// of the unit, at most 3 significant digits, trailing zeros dropped.
std::string formatBytes(double bytes);
/// "1.07 GFLOP"-style decimal prefixes for a count with a unit.
std::string formatDecimal(double value, llvm::StringRef unit);
/// "12.3 ms", "850 us".
std::string formatSeconds(double seconds);
/// `value` with 3 significant digits ("64.0", "1.25", "296").
std::string formatSignificant(double value);

} // namespace attn::cost

#endif // ATTN_COMPILER_COSTMODEL_H
