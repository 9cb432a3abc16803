//===- PingPong.cpp - compute warpgroups take turns at the tensor cores ---===//
//
// Rung 4 -> 4 for wgmma kernels with two or more compute warpgroups,
// after attn-overlap-softmax (FlashAttention-3's inter-warpgroup overlap).
// Each loop step starts its products in one burst; making the warpgroups
// start theirs in turn (0, 1, 0, 1, ...) lines one warpgroup's products up
// with the other's softmax instead of letting both compete for the tensor
// cores and then both wait:
//
//   tile.mma_turn_start                 (once, before the loop)
//   scf.for ... {
//     tile.mma_turn_wait
//     %s = tile.dot ... async
//     %o = tile.dot ... async
//     tile.mma_turn_pass
//     ...
//   }
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

namespace attn {
#define GEN_PASS_DEF_ATTNPINGPONG
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

bool isAsyncDot(Operation &op) {
  auto dot = dyn_cast<DotOp>(op);
  return dot && dot.getAsync();
}

struct AttnPingPongPass : attn::impl::AttnPingPongBase<AttnPingPongPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<SmallVector<func::FuncOp>> kernels = getTileKernels(
        module, "attn-pingpong", "rung 4, after attn-overlap-softmax");
    if (failed(kernels))
      return signalPassFailure();
    for (func::FuncOp fn : *kernels) {
      ConfigAttr config = getKernelConfig(fn);
      if (config.getMma() != MmaFamily::wgmma || config.computeWarps() < 8)
        continue;
      fn.walk([&](WarpSpecializeOp ws) {
        bool started = false;
        ws.getCompute().walk([&](scf::ForOp loop) {
          Block *body = loop.getBody();
          auto first = llvm::find_if(*body, isAsyncDot);
          if (first == body->end())
            return;
          Operation *last = &*first;
          for (Operation &op : *body)
            if (isAsyncDot(op))
              last = &op;
          if (!started) {
            OpBuilder b(&ws.getCompute().front(),
                        ws.getCompute().front().begin());
            MmaTurnStartOp::create(b, ws.getLoc());
            started = true;
          }
          OpBuilder b(&*first);
          MmaTurnWaitOp::create(b, first->getLoc());
          b.setInsertionPointAfter(last);
          MmaTurnPassOp::create(b, last->getLoc());
        });
      });
    }
  }
};

} // namespace
