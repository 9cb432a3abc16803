//===- AttnTileUnfused.cpp - attn.attention -> three tiled kernels --------===//
//
// Rung 1 -> 2 of the unfused ("standard attention") pipeline:
//   S = mask(scale·Q·Kᵀ)   [B,H,Nq,Nk] in device memory
//   P = softmax(S)         [B,H,Nq,Nk] in device memory
//   O = P·V
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/AttnToTile/KernelBuilder.h"
#include "compiler/Conversion/AttnToTile/Tilings.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Attn/Transforms/TileConfig.h"

#include "llvm/Support/MathExtras.h"
#include <cmath>

namespace attn {
#define GEN_PASS_DEF_ATTNTILEUNFUSED
#include "compiler/Conversion/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;

namespace {

/// What the three kernels share: element type and head dimension, the
/// memref types of Q/O, K/V and S/P, and the tiling.
struct Shapes {
  int64_t d;
  Type elt;
  MemRefType query, keyValue, scores;
  TilingAttr tiling;
};

/// The grid of a kernel over (B·H, row blocks, `z`), from the host's sizes.
SmallVector<OpFoldResult> hostGrid(OpBuilder &host, Location loc,
                                   const KernelSizes &sizes, TileConfig c,
                                   OpFoldResult z) {
  return {productOf(host, loc, sizes.batch, sizes.heads),
          blocksOf(host, loc, sizes.nq, c.blockM), z};
}

/// S[b,h,rows,cols] = mask(scale · Q[rows]·K[cols]ᵀ), one tile per program.
func::FuncOp buildScoresKernel(AttentionOp op, const Shapes &s, TileConfig c,
                               ArrayRef<OpFoldResult> grid) {
  KernelBuilder kb(op, "attn_scores", {s.query, s.keyValue, s.scores},
                   kernelConfig(s.tiling, configGrid(grid)));
  OpBuilder &b = kb.builder();
  KernelSizes sizes = kb.sizes(kb.arg(0), kb.arg(1));
  auto [bIdx, hIdx] = kb.batchAndHead(sizes.heads);
  Value row0 = kb.mul(kb.programId(1), kb.index(c.blockM));
  Value col0 = kb.mul(kb.programId(2), kb.index(c.blockN));
  Value c0 = kb.index(0);
  Value q = kb.load(kb.arg(0), {bIdx, hIdx}, row0, c0, c.blockM, s.d);
  Value k = kb.load(kb.arg(1), {bIdx, kb.kvHead(hIdx, sizes)}, col0, c0,
                    c.blockN, s.d);
  auto type = RankedTensorType::get({c.blockM, c.blockN}, b.getF32Type());
  Value scores = tile::DotOp::create(b, op.getLoc(), type, q, k, Value(),
                                     /*transpose_lhs=*/false,
                                     /*transpose_rhs=*/true);
  scores =
      kb.mulf(scores, kb.splat({c.blockM, c.blockN}, op.getEffectiveScale()));
  KeyMask mask = KeyMask::of(op);
  scores = kb.applyMask(scores, mask, sizes,
                        kb.maskRowOffset(mask, sizes, row0), col0);
  kb.store(kb.convert(scores, s.elt), kb.arg(2), {bIdx, hIdx, row0, col0});
  return kb.kernel();
}

/// P = softmax(S) row by row: three passes over each block of rows (row
/// maximum, sum of exponentials, normalized write), scores in log2 domain.
/// A row without keys (hasRowsWithoutKeys) gets zeros.
func::FuncOp buildSoftmaxKernel(AttentionOp op, const Shapes &s, TileConfig c,
                                ArrayRef<OpFoldResult> grid) {
  KernelBuilder kb(op, "attn_softmax", {s.scores, s.scores},
                   kernelConfig(s.tiling, configGrid(grid)));
  OpBuilder &b = kb.builder();
  Location loc = op.getLoc();
  // S is [B, H, Nq, Nk]; K's heads are not needed here.
  Value scoresArg = kb.arg(0);
  KernelSizes sizes{kb.dim(scoresArg, 0), kb.dim(scoresArg, 1), OpFoldResult(),
                    kb.dim(scoresArg, 2), kb.dim(scoresArg, 3)};
  auto [bIdx, hIdx] = kb.batchAndHead(sizes.heads);
  Value row0 = kb.mul(kb.programId(1), kb.index(c.blockM));
  Value c0 = kb.index(0), step = kb.index(c.blockN), end = kb.value(sizes.nk);
  bool noKeyRows = hasRowsWithoutKeys(KeyMask::of(op), sizes);

  // Reads one tile of S as f32 log2-domain scores; columns past Nk are -inf.
  auto readScores = [&](Value col0) {
    Value t = kb.load(kb.arg(0), {bIdx, hIdx}, row0, col0, c.blockM, c.blockN);
    t = kb.mulf(kb.convert(t, b.getF32Type()),
                kb.splat({c.blockM, c.blockN}, M_LOG2E));
    return tile::MaskOp::create(b, loc, t.getType(), t, row0, col0, sizes.nk,
                                false);
  };

  auto maxLoop = scf::ForOp::create(
      b, loc, c0, end, step,
      ValueRange{kb.splat({c.blockM}, noKeyRows ? kLowestScore : -INFINITY)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(maxLoop.getBody());
    Value x = readScores(maxLoop.getInductionVar());
    Value m = arith::MaximumFOp::create(b, loc, maxLoop.getRegionIterArg(0),
                                        kb.reduce(tile::ReduceKind::max, x));
    scf::YieldOp::create(b, loc, m);
  }
  Value mRows = kb.broadcast(maxLoop.getResult(0), c.blockN);

  auto sumLoop = scf::ForOp::create(b, loc, c0, end, step,
                                    ValueRange{kb.splat({c.blockM}, 0.0)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(sumLoop.getBody());
    Value p = kb.exp2(kb.subf(readScores(sumLoop.getInductionVar()), mRows));
    scf::YieldOp::create(b, loc,
                         kb.addf(sumLoop.getRegionIterArg(0),
                                 kb.reduce(tile::ReduceKind::sum, p)));
  }
  Value l = sumLoop.getResult(0);
  if (noKeyRows)
    l = arith::MaximumFOp::create(b, loc, l,
                                  kb.splat({c.blockM}, kSmallestSum));
  Value lRows = kb.broadcast(l, c.blockN);

  auto writeLoop = scf::ForOp::create(b, loc, c0, end, step);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(writeLoop.getBody()->getTerminator());
    Value j = writeLoop.getInductionVar();
    Value p = kb.exp2(kb.subf(readScores(j), mRows));
    p = arith::DivFOp::create(b, loc, p, lRows);
    kb.store(kb.convert(p, s.elt), kb.arg(1), {bIdx, hIdx, row0, j});
  }
  return kb.kernel();
}

/// O[rows] = Σ_j P[rows, j-tile] · V[j-tile].
func::FuncOp buildOutputKernel(AttentionOp op, const Shapes &s, TileConfig c,
                               ArrayRef<OpFoldResult> grid) {
  KernelBuilder kb(op, "attn_pv", {s.scores, s.keyValue, s.query},
                   kernelConfig(s.tiling, configGrid(grid)));
  OpBuilder &b = kb.builder();
  Location loc = op.getLoc();
  KernelSizes sizes = kb.sizes(kb.arg(2), kb.arg(1));
  auto [bIdx, hIdx] = kb.batchAndHead(sizes.heads);
  Value kvHead = kb.kvHead(hIdx, sizes);
  Value row0 = kb.mul(kb.programId(1), kb.index(c.blockM));
  Value c0 = kb.index(0);
  Value zero = kb.splat({c.blockM, s.d}, 0.0);
  auto loop = scf::ForOp::create(b, loc, c0, kb.value(sizes.nk),
                                 kb.index(c.blockN), ValueRange{zero});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value j = loop.getInductionVar();
    Value p = kb.load(kb.arg(0), {bIdx, hIdx}, row0, j, c.blockM, c.blockN);
    Value v = kb.load(kb.arg(1), {bIdx, kvHead}, j, c0, c.blockN, s.d);
    Value acc = tile::DotOp::create(b, loc, zero.getType(), p, v,
                                    loop.getRegionIterArg(0));
    scf::YieldOp::create(b, loc, acc);
  }
  kb.store(kb.convert(loop.getResult(0), s.elt), kb.arg(2),
           {bIdx, hIdx, row0, c0});
  return kb.kernel();
}

LogicalResult tileUnfused(AttentionOp op, TilingAttr tiling) {
  TileConfig c = tileConfigOf(tiling);
  if (op.getLse())
    return op.emitOpError()
           << "the unfused pipeline does not produce the logsumexp result; "
              "use the fused pipeline";
  OpBuilder host(op);
  Location loc = op.getLoc();
  Value query = op.getQuery(), key = op.getKey();
  KernelSizes sizes{hostSize(host, loc, query, 0),
                    hostSize(host, loc, query, 1), hostSize(host, loc, key, 1),
                    hostSize(host, loc, query, 2), hostSize(host, loc, key, 2)};
  Shapes s{op.getHeadDim(), op.getElementType(),
           memrefFor(query.getType()), memrefFor(key.getType()), {}, tiling};
  // S and P: [B, H, Nq, Nk].
  SmallVector<OpFoldResult> scoreSizes = {sizes.batch, sizes.heads, sizes.nq,
                                          sizes.nk};
  auto scoresTensor = RankedTensorType::get(configGrid(scoreSizes), s.elt);
  s.scores = memrefFor(scoresTensor);

  SmallVector<OpFoldResult> scoresGrid =
      hostGrid(host, loc, sizes, c, blocksOf(host, loc, sizes.nk, c.blockN));
  SmallVector<OpFoldResult> rowsGrid =
      hostGrid(host, loc, sizes, c, host.getIndexAttr(1));
  func::FuncOp scores = buildScoresKernel(op, s, c, scoresGrid);
  func::FuncOp softmax = buildSoftmaxKernel(op, s, c, rowsGrid);
  func::FuncOp output = buildOutputKernel(op, s, c, rowsGrid);

  auto launch = [&](func::FuncOp callee, ValueRange in, Type out,
                    ArrayRef<OpFoldResult> grid,
                    ArrayRef<OpFoldResult> outSizes,
                    ArrayRef<StringRef> names) {
    return tile::LaunchOp::create(host, loc, TypeRange{out},
                                  callee.getSymName(), in, dynamicValues(grid),
                                  dynamicValues(outSizes), names,
                                  tile::getKernelConfig(callee))
        .getResult(0);
  };
  Value sv = launch(scores, {query, key}, scoresTensor, scoresGrid, scoreSizes,
                    {"q", "k", "s"});
  Value pv = launch(softmax, {sv}, scoresTensor, rowsGrid, scoreSizes,
                    {"s", "p"});
  SmallVector<OpFoldResult> outputSizes = {sizes.batch, sizes.heads, sizes.nq};
  Value o = launch(output, {pv, op.getValue()}, op.getOutput().getType(),
                   rowsGrid, outputSizes, {"p", "v", "o"});
  op.getOutput().replaceAllUsesWith(o);
  op->erase();
  return success();
}

struct AttnTileUnfusedPass
    : attn::impl::AttnTileUnfusedBase<AttnTileUnfusedPass> {
  using AttnTileUnfusedBase::AttnTileUnfusedBase;
  void runOnOperation() override {
    SmallVector<ProblemOpInterface> ops;
    getOperation()->walk([&](ProblemOpInterface op) { ops.push_back(op); });
    if (ops.empty()) {
      getOperation().emitError()
          << "attn-tile-unfused: the module holds no attn.attention or "
             "attn.attention_backward (the pass runs on rung 1)";
      return signalPassFailure();
    }
    for (ProblemOpInterface op : ops) {
      FailureOr<TilingAttr> tiling =
          getOrSelectTiling(op, PipelineKind::unfused);
      if (failed(tiling))
        return signalPassFailure();
      if (auto backward = dyn_cast<AttentionBackwardOp>(op.getOperation()))
        tileBackwardUnfused(backward, *tiling);
      else if (failed(
                   tileUnfused(cast<AttentionOp>(op.getOperation()), *tiling)))
        return signalPassFailure();
    }
  }
};

} // namespace
