//===- BackwardKernels.cpp - tile kernels of the backward pass ------------===//
#include "compiler/Conversion/AttnToTile/BackwardKernels.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;

namespace attn {

BackwardShapes::BackwardShapes(AttentionBackwardOp op, TilingAttr tiling)
    : op(op), tiling(tiling), c(tileConfigOf(tiling)), batch(op.getBatch()),
      heads(op.getNumHeads()), n(op.getQuerySeqLen()), d(op.getHeadDim()),
      elt(op.getElementType()) {
  Type f32 = Float32Type::get(op.getContext());
  qkv = MemRefType::get({batch, heads, n, d}, elt);
  rows = MemRefType::get({batch, heads, n}, f32);
  accumulator = MemRefType::get({batch, heads, n, d}, f32);
  scores = MemRefType::get({batch, heads, n, n}, elt);
}

int64_t BackwardShapes::rowBlocks() const {
  return llvm::divideCeilSigned(n, c.blockM);
}
int64_t BackwardShapes::rowWarps() const {
  int64_t warps = c.numWarps;
  while (warps > 1 && c.blockM % (16 * warps) != 0)
    warps /= 2;
  return warps;
}
tile::ConfigAttr BackwardShapes::rowKernelConfig(ArrayRef<int64_t> grid) const {
  auto sync =
      TilingAttr::get(tiling.getContext(), tiling.getPipeline(), c.blockM,
                      c.blockN, c.numWarps, tiling.getStages(),
                      tiling.getChip(), MmaKind::sync, tiling.getSplitKeys());
  return kernelConfig(sync, grid, rowWarps());
}
int64_t BackwardShapes::keyBlocks() const {
  return llvm::divideCeilSigned(n, c.blockN);
}
double BackwardShapes::scaleLog2() const {
  return op.getEffectiveScale() * M_LOG2E;
}

RankedTensorType tensorFor(MemRefType type) {
  return RankedTensorType::get(type.getShape(), type.getElementType());
}

func::FuncOp buildProbabilitiesKernel(const BackwardShapes &s) {
  KernelBuilder kb(
      s.op, "attn_bwd_probs", {s.qkv, s.qkv, s.rows, s.scores},
      s.rowKernelConfig({s.batch * s.heads, s.rowBlocks(), s.keyBlocks()}));
  OpBuilder &b = kb.builder();
  Location loc = s.op.getLoc();
  auto [bIdx, hIdx] = kb.batchAndHead(s.heads);
  SmallVector<Value> bh = {bIdx, hIdx};
  int64_t m = s.c.blockM, nb = s.c.blockN;
  Value row0 = kb.mul(kb.programId(1), kb.index(m));
  Value col0 = kb.mul(kb.programId(2), kb.index(nb));
  Value c0 = kb.index(0);
  Value q = kb.load(kb.arg(0), bh, row0, c0, m, s.d);
  Value k = kb.load(kb.arg(1), bh, col0, c0, nb, s.d);
  // exp2(x·log2 e − lse·log2 e) = exp(x − lse), masked entries 0.
  Value scores = kb.mulf(kb.dot(q, k, Value(), false, /*transposeRhs=*/true),
                         kb.splat({m, nb}, s.scaleLog2()));
  scores = tile::MaskOp::create(b, loc, scores.getType(), scores, row0, col0,
                                s.n, s.op.getCausal());
  Value lse =
      kb.mulf(kb.loadRow(kb.arg(2), bh, row0, m), kb.splat({m}, M_LOG2E));
  Value p = kb.exp2(kb.subf(scores, kb.broadcast(lse, nb)));
  kb.store(kb.convert(p, s.elt), kb.arg(3), {bIdx, hIdx, row0, col0});
  return kb.kernel();
}

func::FuncOp buildPreprocessKernel(const BackwardShapes &s,
                                   bool zeroAccumulator) {
  SmallVector<Type> args = {s.qkv, s.qkv, s.rows};
  if (zeroAccumulator)
    args.push_back(s.accumulator);
  KernelBuilder kb(s.op, "attn_bwd_preprocess", args,
                   s.rowKernelConfig({s.rowBlocks(), s.heads, s.batch}));
  Type f32 = kb.builder().getF32Type();
  Value bIdx = kb.programId(2), hIdx = kb.programId(1);
  SmallVector<Value> bh = {bIdx, hIdx};
  int64_t m = s.c.blockM;
  Value row0 = kb.mul(kb.programId(0), kb.index(m));
  Value c0 = kb.index(0);
  Value dO = kb.convert(kb.load(kb.arg(0), bh, row0, c0, m, s.d), f32);
  Value o = kb.convert(kb.load(kb.arg(1), bh, row0, c0, m, s.d), f32);
  Value delta = kb.reduce(tile::ReduceKind::sum, kb.mulf(dO, o));
  kb.store(delta, kb.arg(2), {bIdx, hIdx, row0});
  if (zeroAccumulator)
    kb.store(kb.splat({m, s.d}, 0.0), kb.arg(3), {bIdx, hIdx, row0, c0});
  return kb.kernel();
}

ValueRange launchKernel(Operation *op, func::FuncOp kernel, ValueRange inputs,
                        TypeRange outputs, ArrayRef<StringRef> names) {
  OpBuilder host(op);
  return tile::LaunchOp::create(host, op->getLoc(), outputs,
                                kernel.getSymName(), inputs, names,
                                tile::getKernelConfig(kernel))
      .getResults();
}

} // namespace attn
