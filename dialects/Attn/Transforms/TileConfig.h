//===- TileConfig.h - choosing and checking a tiling ------------*- C++ -*-===//
//
// The one place a tile configuration is chosen: the defaults tuned per chip,
// head dimension and element type, overridden by what the options ask for,
// and checked against the problem (the MMA step, the warps' rows, CUDA's
// grid limits, the unfused pipeline's N×N buffers). attn-select-tiling
// records the result on the op (#attn.tiling); everything after reads it.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_DIALECTS_ATTN_TRANSFORMS_TILECONFIG_H
#define ATTN_DIALECTS_ATTN_TRANSFORMS_TILECONFIG_H

#include "compiler/Target/Chip.h"
#include "dialects/Attn/IR/AttnOps.h"

#include <string>

namespace attn {

/// How a kernel is cut into tiles: a program owns `blockM` rows, steps over
/// `blockN` columns at a time, and runs `numWarps` warps. (Plain numbers,
/// for the cost model.)
struct TileConfig {
  int64_t blockM = 0;
  int64_t blockN = 0;
  int64_t numWarps = 0;
  /// Keys per program of a split forward; 0: not split.
  int64_t splitKeys = 0;
};

/// What the options ask for: 0 means "the default".
struct TilingRequest {
  PipelineKind pipeline = PipelineKind::fused;
  int64_t blockM = 0, blockN = 0, numWarps = 0, numStages = 0;
  std::string chip = "sm_90";
  MmaChoice mma = MmaChoice::Auto;
  /// Keys per program of a split forward: -1 where it pays (sizes known
  /// when compiling), 0 never.
  int64_t splitKeys = -1;
};

/// The tiling of `op` for `request`: its non-zero fields over the defaults,
/// checked against the problem. A broken rule is reported on `op`, naming
/// the option or the problem dimension.
mlir::FailureOr<TilingAttr> selectTiling(ProblemOpInterface op,
                                         const TilingRequest &request);

/// The op's #attn.tiling when it has one (checked: it must be for
/// `pipeline`), else the defaults for `pipeline` on sm_90.
mlir::FailureOr<TilingAttr> getOrSelectTiling(ProblemOpInterface op,
                                              PipelineKind pipeline);

/// Whether the fused forward packs each K/V head's group of query heads
/// into the rows of one program (grouped-query decoding): with a short
/// query side (Nq <= 16), packed Q [B, H, Nq, D] holds the same elements
/// as [B, Hkv, (H/Hkv)·Nq, D], so one program reads each K/V tile once for
/// the whole group, where H/Hkv programs of mostly padding rows each read
/// it. Only where every row sees the same keys: no window, and causal only
/// with one query (bottom-right aligned, it sees every key). Sizes known
/// when compiling (the view is of packed tensors).
bool packsQueryHeads(bool backward, bool runTimeSizes, int64_t heads,
                     int64_t kvHeads, int64_t seqLenQ, bool causal,
                     bool window);
bool packsQueryHeads(ProblemOpInterface op);

/// The numbers of a tiling, for the cost model.
TileConfig tileConfigOf(TilingAttr tiling);

} // namespace attn

#endif // ATTN_DIALECTS_ATTN_TRANSFORMS_TILECONFIG_H
