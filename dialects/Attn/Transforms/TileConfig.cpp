//===- TileConfig.cpp - choosing and checking a tiling --------------------===//
#include "dialects/Attn/Transforms/TileConfig.h"

#include "compiler/Target/Chip.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace attn {

namespace {
struct Defaults {
  int64_t blockM, blockN, numWarps;
  /// Shared-memory buffers per pipelined tile; 0: the usual 2.
  int64_t stages = 0;
};
} // namespace

/// Tuned on an H100 (bench/NOTES.md).
static Defaults fusedDefaults(int64_t headDim, Type elementType) {
  // f32 operands take twice the registers and shared memory, and the TF32
  // split three times the MMAs: one 16-row atom per warp, narrow K/V tiles.
  if (elementType.isF32() || headDim > 128)
    return {64, 32, 4};
  // Two 16-row atoms per warp let each K/V fragment read from shared memory
  // feed two MMAs; for D = 128 a 32-wide K/V step keeps that in registers
  // (bf16, N=4096: 283 TFLOP/s against 245 for one atom per warp).
  if (headDim <= 64)
    return {128, 64, 4};
  return {128, 32, 4};
}

/// The wgmma path: two compute warpgroups of 64 query rows each over
/// 128-key steps (FlashAttention-3's causal D = 128 tile); 64 keys for
/// D = 256, whose output accumulator alone takes 128 registers a thread.
/// D = 64 up to N = 4096 runs one compute warpgroup per program and two
/// programs per SM: its steps are short, and a second program hides one's
/// waits (H100, bf16: +4-14% at N = 1024 and 4096, -3-5% at N = 16384).
static Defaults wgmmaDefaults(int64_t headDim, int64_t keySeqLen) {
  if (headDim > 128)
    return {128, 64, 8};
  if (headDim <= 64 && keySeqLen <= 4096)
    return {64, 128, 4};
  return {128, 128, 8};
}

/// The fused backward: a program owns block-n keys (its dK and dV rows, two
/// f32 accumulators) and steps over block-m query rows. 128 keys on 8
/// warps halve the steps, barriers and dQ atomics per key of 64 on 4 (H100,
/// bf16, N = 16384: D = 64 39.9 -> 26.5 ms, D = 128 42.5 -> 29.3 ms). With
/// the keys along the rows, D = 128 steps over 64 queries: Sᵀ and dPᵀ take
/// 32 registers each beside dK and dV's 64 (128 spilled), and Q and dO fit
/// two buffers each.
/// f32 tiles take twice the shared memory and registers: D > 64 keeps 32
/// keys on two warps.
static Defaults backwardDefaults(int64_t headDim, Type elementType) {
  if (elementType.isF32())
    return headDim > 64 ? Defaults{64, 32, 2} : Defaults{64, 64, 4};
  if (headDim > 128)
    return {64, 64, 4};
  // (64-query steps need dQ's rows, D, to fill the warps: D = 128.)
  if (headDim > 64)
    return headDim % 128 == 0 ? Defaults{64, 128, 8} : Defaults{128, 128, 8, 1};
  return {128, 128, 8};
}

static bool hasSequences(ProblemOpInterface op) {
  auto forward = dyn_cast<AttentionOp>(op.getOperation());
  return forward && forward.hasSequences();
}

bool packsQueryHeads(bool backward, bool runTimeSizes, int64_t heads,
                     int64_t kvHeads, int64_t seqLenQ, bool causal,
                     bool window) {
  return !backward && !runTimeSizes && kvHeads > 0 && heads > kvHeads &&
         seqLenQ <= 16 && !window && (!causal || seqLenQ == 1);
}

bool packsQueryHeads(ProblemOpInterface op) {
  if (op.isBackward() || op.hasRunTimeSizes() || hasSequences(op))
    return false;
  return packsQueryHeads(false, false, op.getNumHeads(), op.getKvHeads(),
                         op.getQuerySeqLen(), op.getCausal(),
                         op.getWindowLeft() || op.getWindowRight());
}

/// Keys per program of the split forward (flash-decoding) of a short query
/// side, where it pays: when `programs` fill at most half of the programs
/// the chip holds at once (`resident`), split the keys so that one wave
/// runs them all, as many splits as fit (at most 16, for the combining
/// kernel), each program stepping over at least four key blocks (its loads
/// still overlap the products). 0 where that leaves one split. On the H100
/// (bf16, D = 128, H = 32, Hkv = 8, Nq = 1; bench/NOTES.md, 2026-12-06)
/// B = 1 ran best with 8 splits at Nk = 4096 and 16 at Nk = 131072; the
/// combining kernel took 10 us for 16 splits but 130 us for 32.
static int64_t autoSplitKeys(int64_t programs, int64_t keyBlocks,
                             int64_t blockN, int64_t resident) {
  int64_t splits = std::min<int64_t>(
      {16, resident / std::max<int64_t>(programs, 1), keyBlocks / 4});
  if (splits < 2)
    return 0;
  return llvm::divideCeil(keyBlocks, splits) * blockN;
}

static Defaults unfusedDefaults(int64_t headDim) {
  if (headDim > 128)
    return {64, 64, 4};
  return {128, 64, 8};
}

/// Packed sequences of different lengths (sequences(...)) are compiled by
/// the fused forward, unsplit, so far: the split's workspaces are of whole
/// tensors.
static LogicalResult checkSequences(ProblemOpInterface op,
                                    PipelineKind pipeline, int64_t splitKeys) {
  if (!hasSequences(op))
    return success();
  if (pipeline != PipelineKind::fused)
    return op.emitError() << "sequences(...): packed variable-length batches "
                             "are compiled by the fused pipeline only";
  if (splitKeys > 0)
    return op.emitError() << "sequences(...): packed variable-length batches "
                             "do not split their keys (split-keys 0 or -1)";
  return success();
}

FailureOr<TilingAttr> selectTiling(ProblemOpInterface op,
                                   const TilingRequest &request) {
  std::optional<Chip> chip = parseChip(request.chip);
  if (!chip)
    return op.emitError() << "chip '" << request.chip
                          << "' is not supported: use " << supportedChipNames();
  int64_t headDim = op.getHeadDim();
  Type elt = op.getElementType();
  bool fused = request.pipeline == PipelineKind::fused;
  const ChipInfo &info = chipInfo(*chip);
  bool backward = op.isBackward();
  bool wgmmaFits =
      fused && canUseWgmma(info, elt.isF16() || elt.isBF16(), headDim);
  // The backward takes wgmma by default up to D = 128 (H100, bf16, the
  // backward alone: D = 128 1.30-1.54x mma.sync, D = 64 1.17-1.21x); beyond,
  // dK and dV alone would fill a compute warpgroup's registers.
  bool wgmmaByDefault = wgmmaFits && (!backward || headDim <= 128);
  bool wgmma = request.mma == MmaChoice::Wgmma ||
               (request.mma == MmaChoice::Auto && wgmmaByDefault);
  if (failed(checkSequences(op, request.pipeline, request.splitKeys)))
    return failure();
  if (wgmma && !wgmmaFits)
    return op.emitError()
           << "mma=wgmma: the wgmma path needs the fused pipeline, chip "
              "sm_90a, f16 or bf16 elements and a head dimension that is a "
              "multiple of 64 up to 256; this is the "
           << stringifyPipelineKind(request.pipeline) << " pipeline on "
           << info.name << " with " << elt << " and D = " << headDim;
  Defaults d =
      !fused     ? unfusedDefaults(headDim)
      : backward ? backwardDefaults(headDim, elt)
      // Run-time sizes take the tiling of short sequences (H100,
      // D = 64: 0.94-0.96x the length-specialized kernels up to
      // N = 4096, where the long one's is 0.81-0.87x).
      : wgmma
          ? wgmmaDefaults(headDim, op.hasRunTimeSizes() ? 0 : op.getKeySeqLen())
          : fusedDefaults(headDim, elt);
  // A short query side (decoding, a few draft tokens) takes 64-row tiles of
  // one warpgroup: the products of more rows would be padding.
  if (fused && !backward && !op.hasRunTimeSizes() &&
      op.getQuerySeqLen() <= 16) {
    d.blockM = 64;
    d.numWarps = 4;
  }
  int64_t blockM = request.blockM ? request.blockM : d.blockM;
  int64_t blockN = request.blockN ? request.blockN : d.blockN;
  int64_t warps = request.numWarps ? request.numWarps : d.numWarps;
  int64_t stages = request.numStages ? request.numStages
                   : d.stages        ? d.stages
                                     : 2;
  // The wgmma backward: each warpgroup owns 64 of the program's keys; dSᵀ
  // (block-n × block-m) is staged in a 128-byte-swizzled buffer of 64-query
  // column blocks; dQ has block-m rows (dS·K) where they fill the
  // warpgroups, else D rows (dQᵀ = Kᵀ·dSᵀ).
  auto wgmmaBackwardTiles = [&] {
    if (warps != 4 && warps != 8)
      return false;
    int64_t slab = 16 * warps;
    return blockM % 64 == 0 && blockN % slab == 0 &&
           (blockM % slab == 0 || headDim % slab == 0);
  };
  // mma=auto keeps mma.sync for a backward tiling wgmma cannot take.
  if (backward && wgmma && request.mma == MmaChoice::Auto &&
      !wgmmaBackwardTiles())
    wgmma = false;

  // The MMA contraction step: m16n8k16 for 16-bit types, m16n8k8 for TF32.
  int64_t k = elt.isF32() ? 8 : 16;
  if (headDim % k != 0)
    return op.emitError() << "head dimension " << headDim
                          << " is not a multiple of " << k
                          << ", the MMA contraction step for " << elt;
  if (warps < 1 || warps > 16 || (warps & (warps - 1)))
    return op.emitError() << "num-warps must be 1, 2, 4, 8 or 16, got "
                          << warps;
  // A warpgroup of producers comes on top of the compute warps: 512 threads
  // at most.
  if (wgmma && (warps < 4 || warps > 8))
    return op.emitError() << "num-warps " << warps
                          << ": the wgmma path computes on 1 or 2 warpgroups "
                             "(num-warps 4 or 8)";
  // The fused backward's main kernel has its keys along the rows: block-m
  // may then be any multiple of 16 when the head dimension fills the warps
  // (its dQ is computed transposed, D rows of block-m).
  bool queryColumns =
      fused && backward && blockM % 16 == 0 && headDim % (16 * warps) == 0;
  if (blockM < 16 || blockM > 256 ||
      (blockM % (16 * warps) != 0 && !queryColumns))
    return op.emitError() << "block-m " << blockM
                          << " must be a multiple of 16 x num-warps ("
                          << 16 * warps << ") and at most 256"
                          << (fused && backward
                                  ? " (or of 16, for the backward, when the "
                                    "head dimension is a multiple of 16 x "
                                    "num-warps)"
                                  : "");
  if (blockN < 16 || blockN > 256 || blockN % 16 != 0)
    return op.emitError() << "block-n " << blockN
                          << " must be a multiple of 16 in [16, 256]";
  // The fused backward's programs own block-n keys, split among the warps
  // as the forward's split block-m queries.
  if (fused && backward && blockN % (16 * warps) != 0)
    return op.emitError() << "block-n " << blockN
                          << " must be a multiple of 16 x num-warps ("
                          << 16 * warps
                          << ") for the backward, whose programs own block-n "
                             "keys";
  if (wgmma && backward && !wgmmaBackwardTiles())
    return op.emitError() << "mma=wgmma backward: block-m " << blockM
                          << " must be a multiple of 64 and block-n " << blockN
                          << " of " << 16 * warps
                          << " (64 keys per warpgroup), and block-m or the "
                          << "head dimension (" << headDim
                          << "), dQ's rows, of " << 16 * warps;
  if (stages < 1 || stages > 8)
    return op.emitError() << "num-stages " << stages << " must be in [1, 8]";
  int64_t splitKeys = request.splitKeys;
  if (splitKeys > 0 && (!fused || backward))
    return op.emitError() << "split-keys " << splitKeys
                          << ": only the fused forward splits its keys";
  if (splitKeys > 0 && splitKeys % blockN != 0)
    return op.emitError() << "split-keys " << splitKeys
                          << " must be a multiple of block-n (" << blockN
                          << ")";
  if (splitKeys < 0) // Where it pays, for sizes known here.
    splitKeys = 0;

  // CUDA's launch limits: x < 2^31, y and z <= 65535. The fused kernel
  // runs row blocks x heads x batches; the unfused kernels B·H x row blocks
  // (x key blocks for the scores). Run-time sizes are checked by the
  // runtime, at each launch.
  if (op.hasRunTimeSizes())
    return TilingAttr::get(op.getContext(), request.pipeline, blockM, blockN,
                           warps, stages, info.name,
                           wgmma ? MmaKind::wgmma : MmaKind::sync, splitKeys);
  int64_t bh = op.getBatch() * op.getNumHeads();
  int64_t nq = op.getQuerySeqLen(), nk = op.getKeySeqLen();
  int64_t rowBlocks = llvm::divideCeil(nq, blockM);
  // Packed sequences: the row blocks of every sequence, floor(Nq/block-m)
  // + S (attn-tile).
  if (auto forward = dyn_cast<AttentionOp>(op.getOperation());
      forward && forward.hasSequences()) {
    int64_t offsets =
        cast<ShapedType>(forward.getQuerySeqOffsets().getType()).getDimSize(0);
    if (!ShapedType::isDynamic(offsets))
      rowBlocks = nq / blockM + offsets - 1;
  }
  int64_t keyBlocks = llvm::divideCeil(nk, blockN);
  constexpr int64_t maxX = (int64_t(1) << 31) - 1, maxYZ = 65535;
  // Decoding: few queries against many keys.
  // Not with a left window bound: the splits cover all Nk keys, and most
  // would hold none the window reaches.
  if (fused && !backward && request.splitKeys < 0 && nq <= 16 &&
      !hasSequences(op) && !op.getWindowLeft()) {
    // Packed, a program's rows are its K/V head's group of query heads.
    int64_t programs = packsQueryHeads(op)
                           ? llvm::divideCeil(nq * op.getGroupSize(), blockM) *
                                 op.getKvHeads() * op.getBatch()
                           : rowBlocks * op.getNumHeads() * op.getBatch();
    // One program per SM where two do not fit in its shared memory: a
    // block-m tile of Q and `stages` K and V tiles.
    int64_t smem = (blockM + 2 * stages * blockN) * headDim *
                   (elt.getIntOrFloatBitWidth() / 8);
    int64_t perSM = 2 * smem <= info.maxSharedBytes ? 2 : 1;
    splitKeys = autoSplitKeys(programs, keyBlocks, blockN,
                              perSM * info.multiprocessors);
  }
  if (fused) {
    // A split forward runs batches x splits along z.
    int64_t splits = splitKeys ? llvm::divideCeil(nk, splitKeys) : 1;
    if (op.getBatch() * splits > maxYZ)
      return op.emitError() << "batch " << op.getBatch() << " x " << splits
                            << " key splits of split-keys " << splitKeys
                            << " run along grid z; CUDA allows at most "
                            << maxYZ << ": use larger splits";
    // The backward's main kernel runs key blocks along x; its other
    // kernels row blocks, as the forward.
    if (rowBlocks > maxX || (backward && keyBlocks > maxX))
      return op.emitError()
             << "sequence length " << (rowBlocks > maxX ? "Nq = " : "Nk = ")
             << (rowBlocks > maxX ? nq : nk) << " needs "
             << std::max(rowBlocks, keyBlocks)
             << " programs along grid x; CUDA allows at most " << maxX;
    if (op.getNumHeads() > maxYZ || op.getBatch() > maxYZ)
      return op.emitError()
             << "batch " << op.getBatch() << " x heads " << op.getNumHeads()
             << ": the fused kernel runs heads along grid y "
                "and batches along z; CUDA allows at most "
             << maxYZ << " each";
  } else {
    if (bh > maxX)
      return op.emitError()
             << "batch x heads = " << bh
             << " programs along grid x; CUDA allows at most " << maxX;
    if (rowBlocks > maxYZ)
      return op.emitError() << "sequence length Nq = " << nq << " needs "
                            << rowBlocks << " programs of block-m " << blockM
                            << " along grid y; CUDA allows at most " << maxYZ;
    if (keyBlocks > maxYZ)
      return op.emitError() << "sequence length Nk = " << nk << " needs "
                            << keyBlocks << " programs of block-n " << blockN
                            << " along grid z of the scores kernel; CUDA "
                               "allows at most 65535";
    // S and P (the backward's P, dP and dS): B·H·Nq·Nk elements each; the
    // runtime allocates at most 2^40.
    double scores = double(bh) * double(nq) * double(nk);
    if (scores > double(int64_t(1) << 40))
      return op.emitError() << "the unfused pipeline's "
                            << (backward ? "P, dP and dS" : "S and P")
                            << " would each hold B·H·Nq·Nk = " << scores
                            << " elements, more than 2^40; use the fused "
                               "pipeline";
  }
  return TilingAttr::get(op.getContext(), request.pipeline, blockM, blockN,
                         warps, stages, info.name,
                         wgmma ? MmaKind::wgmma : MmaKind::sync, splitKeys);
}

FailureOr<TilingAttr> getOrSelectTiling(ProblemOpInterface op,
                                        PipelineKind pipeline) {
  if (TilingAttr tiling = op.getTilingAttr()) {
    if (failed(checkSequences(op, tiling.getPipeline(), tiling.getSplitKeys())))
      return failure();
    if (tiling.getPipeline() != pipeline)
      return op.emitError()
             << "the tiling " << tiling << " was selected for "
             << "the " << stringifyPipelineKind(tiling.getPipeline())
             << " pipeline, not the " << stringifyPipelineKind(pipeline)
             << " one";
    return tiling;
  }
  TilingRequest request;
  request.pipeline = pipeline;
  request.splitKeys = 0;
  return selectTiling(op, request);
}

TileConfig tileConfigOf(TilingAttr tiling) {
  return {tiling.getBlockM(), tiling.getBlockN(), tiling.getWarps(),
          tiling.getSplitKeys()};
}

} // namespace attn
