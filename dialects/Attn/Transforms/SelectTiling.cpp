//===- SelectTiling.cpp - record the tiling of every attn.attention -------===//
#include "dialects/Attn/Transforms/Passes.h"
#include "dialects/Attn/Transforms/TileConfig.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Debug.h"

namespace attn {
#define GEN_PASS_DEF_ATTNSELECTTILING
#include "dialects/Attn/Transforms/Passes.h.inc"
} // namespace attn

#define DEBUG_TYPE "attn-select-tiling"

using namespace mlir;
using namespace attn;

namespace {

struct AttnSelectTilingPass
    : attn::impl::AttnSelectTilingBase<AttnSelectTilingPass> {
  using AttnSelectTilingBase::AttnSelectTilingBase;

  void runOnOperation() override {
    std::optional<PipelineKind> kind = symbolizePipelineKind(pipeline);
    if (!kind) {
      getOperation().emitError() << "attn-select-tiling: pipeline '" << pipeline
                                 << "' is not valid: use fused or unfused";
      return signalPassFailure();
    }
    SmallVector<ProblemOpInterface> ops;
    getOperation().walk([&](ProblemOpInterface op) { ops.push_back(op); });
    if (ops.empty()) {
      getOperation().emitError()
          << "attn-select-tiling: the module holds no attn.attention or "
             "attn.attention_backward (the pass runs on rung 1)";
      return signalPassFailure();
    }
    std::optional<MmaChoice> choice =
        llvm::StringSwitch<std::optional<MmaChoice>>(mma)
            .Case("auto", MmaChoice::Auto)
            .Case("sync", MmaChoice::Sync)
            .Case("wgmma", MmaChoice::Wgmma)
            .Default(std::nullopt);
    if (!choice) {
      getOperation().emitError() << "attn-select-tiling: mma '" << mma
                                 << "' is not valid: use auto, sync or wgmma";
      return signalPassFailure();
    }
    TilingRequest request{*kind,     blockM, blockN,  numWarps,
                          numStages, chip,   *choice, splitKeys};
    for (ProblemOpInterface op : ops) {
      FailureOr<TilingAttr> tiling = selectTiling(op, request);
      if (failed(tiling))
        return signalPassFailure();
      LLVM_DEBUG(llvm::dbgs() << "attn-select-tiling: " << op.getLoc() << " -> "
                              << *tiling << "\n");
      op.setTilingAttr(*tiling);
    }
  }
};

} // namespace
