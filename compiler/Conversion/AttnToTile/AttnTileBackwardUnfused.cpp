//===- AttnTileBackwardUnfused.cpp - the textbook attention backward ------===//
//
// Rung 1 -> 2 of the unfused pipeline for the gradient: standard
// attention's backward, every N×N matrix in device memory and each step a
// kernel of its own, kept to compare with the fused one:
//
//   attn_bwd_probs       P  = exp(mask(scale·Q·Kᵀ) − lse)   [B,H,N,N]
//   attn_bwd_dv          dV = Pᵀ·dO
//   attn_bwd_dp          dP = dO·Vᵀ                          [B,H,N,N]
//   attn_bwd_delta       δ  = rowsum(P ∘ dP)  (the softmax's backward)
//   attn_bwd_ds          dS = P ∘ (dP − δ)                   [B,H,N,N]
//   attn_bwd_dq          dQ = scale·dS·K
//   attn_bwd_dk          dK = scale·dSᵀ·Q
//
// (Standard attention's forward saves P; here the backward writes it from
// the logsumexp, which is the same buffer at one more product.) δ is the
// softmax backward's, from the stored P and dP, so that a row whose P is
// one key's 1 gets dS = 0 exactly, as in PyTorch's autograd; the fused
// pipeline's rowsum(dO ∘ O) equals it only up to rounding.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/AttnToTile/BackwardKernels.h"
#include "compiler/Conversion/AttnToTile/Tilings.h"

using namespace mlir;

namespace attn {

namespace {

/// out[rows] = factor · Σ_j op(a)[rows, j] · b[j]: a [.., N, N] matrix
/// times a [.., N, D] one, one block-m×D tile of the result per program over
/// (B·H, row blocks); op(a) = aᵀ with `transposeA`. Arguments: a, b, out.
func::FuncOp buildProductKernel(const BackwardShapes &s, StringRef name,
                                bool transposeA, double factor) {
  KernelBuilder kb(
      s.op, name, {s.scores, s.qkv, s.qkv},
      kernelConfig(s.tiling, {s.batch * s.heads, s.rowBlocks(), 1}));
  OpBuilder &b = kb.builder();
  Location loc = s.op.getLoc();
  int64_t m = s.c.blockM, nb = s.c.blockN, d = s.d;
  auto [bIdx, hIdx] = kb.batchAndHead(s.heads);
  SmallVector<Value> bh = {bIdx, hIdx};
  Value row0 = kb.mul(kb.programId(1), kb.index(m));
  Value c0 = kb.index(0);
  Value zero = kb.splat({m, d}, 0.0);
  auto loop = scf::ForOp::create(b, loc, c0, kb.index(s.n), kb.index(nb),
                                 ValueRange{zero});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value j = loop.getInductionVar();
    Value a = transposeA ? kb.load(kb.arg(0), bh, j, row0, nb, m)
                         : kb.load(kb.arg(0), bh, row0, j, m, nb);
    Value rhs = kb.load(kb.arg(1), bh, j, c0, nb, d);
    scf::YieldOp::create(
        b, loc, kb.dot(a, rhs, loop.getRegionIterArg(0), transposeA, false));
  }
  Value out = loop.getResult(0);
  if (factor != 1.0)
    out = kb.mulf(out, kb.splat({m, d}, factor));
  kb.store(kb.convert(out, s.elt), kb.arg(2), {bIdx, hIdx, row0, c0});
  return kb.kernel();
}

/// δ[rows] = Σ_j P[rows, j]·dP[rows, j] in f32, one block of rows per
/// program over (B·H, row blocks), block-n columns per step. Arguments: p,
/// dp, delta.
func::FuncOp buildSoftmaxDeltaKernel(const BackwardShapes &s) {
  KernelBuilder kb(
      s.op, "attn_bwd_delta", {s.scores, s.scores, s.rows},
      kernelConfig(s.tiling, {s.batch * s.heads, s.rowBlocks(), 1}));
  OpBuilder &b = kb.builder();
  Location loc = s.op.getLoc();
  int64_t m = s.c.blockM, nb = s.c.blockN;
  Type f32 = b.getF32Type();
  auto [bIdx, hIdx] = kb.batchAndHead(s.heads);
  SmallVector<Value> bh = {bIdx, hIdx};
  Value row0 = kb.mul(kb.programId(1), kb.index(m));
  auto loop = scf::ForOp::create(b, loc, kb.index(0), kb.index(s.n),
                                 kb.index(nb), ValueRange{kb.splat({m}, 0.0)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value j = loop.getInductionVar();
    Value p = kb.convert(kb.load(kb.arg(0), bh, row0, j, m, nb), f32);
    Value dp = kb.convert(kb.load(kb.arg(1), bh, row0, j, m, nb), f32);
    scf::YieldOp::create(
        b, loc,
        kb.addf(loop.getRegionIterArg(0),
                kb.reduce(tile::ReduceKind::sum, kb.mulf(p, dp))));
  }
  kb.store(loop.getResult(0), kb.arg(2), {bIdx, hIdx, row0});
  return kb.kernel();
}

/// One block-m×block-n tile of a [.., N, N] matrix per program over (B·H,
/// row blocks, key blocks); `body` computes it from (b, h), its first row
/// and its first column.
template <typename Body>
func::FuncOp buildScoresShapedKernel(const BackwardShapes &s, StringRef name,
                                     TypeRange args, Body body) {
  KernelBuilder kb(s.op, name, args,
                   kernelConfig(s.tiling, {s.batch * s.heads, s.rowBlocks(),
                                           s.keyBlocks()}));
  auto [bIdx, hIdx] = kb.batchAndHead(s.heads);
  Value row0 = kb.mul(kb.programId(1), kb.index(s.c.blockM));
  Value col0 = kb.mul(kb.programId(2), kb.index(s.c.blockN));
  Value tile = body(kb, SmallVector<Value>{bIdx, hIdx}, row0, col0);
  kb.store(kb.convert(tile, s.elt), kb.arg(args.size() - 1),
           {bIdx, hIdx, row0, col0});
  return kb.kernel();
}

} // namespace

void tileBackwardUnfused(AttentionBackwardOp op, TilingAttr tiling) {
  BackwardShapes s(op, tiling);
  int64_t m = s.c.blockM, nb = s.c.blockN;
  Type f32 = Float32Type::get(op.getContext());
  // dP = dO·Vᵀ: (do, v, dp).
  func::FuncOp dpKernel = buildScoresShapedKernel(
      s, "attn_bwd_dp", {s.qkv, s.qkv, s.scores},
      [&](KernelBuilder &kb, ValueRange bh, Value row0, Value col0) {
        Value c0 = kb.index(0);
        Value dO = kb.load(kb.arg(0), bh, row0, c0, m, s.d);
        Value v = kb.load(kb.arg(1), bh, col0, c0, nb, s.d);
        return kb.dot(dO, v, Value(), false, /*transposeRhs=*/true);
      });
  // dS = P ∘ (dP − δ): (p, dp, delta, ds).
  func::FuncOp dsKernel = buildScoresShapedKernel(
      s, "attn_bwd_ds", {s.scores, s.scores, s.rows, s.scores},
      [&](KernelBuilder &kb, ValueRange bh, Value row0, Value col0) {
        Value p = kb.convert(kb.load(kb.arg(0), bh, row0, col0, m, nb), f32);
        Value dp = kb.convert(kb.load(kb.arg(1), bh, row0, col0, m, nb), f32);
        Value delta = kb.loadRow(kb.arg(2), bh, row0, m);
        return kb.mulf(p, kb.subf(dp, kb.broadcast(delta, nb)));
      });
  double scale = op.getEffectiveScale();

  Value dO = op.getGradOutput(), q = op.getQuery(), k = op.getKey(),
        v = op.getValue();
  Type grad = op.getGradQuery().getType();
  Type scores = tensorFor(s.scores);
  Value p = launchKernel(op, buildProbabilitiesKernel(s), {q, k, op.getLse()},
                         {scores}, {"q", "k", "lse", "p"})[0];
  Value dv = launchKernel(op, buildProductKernel(s, "attn_bwd_dv", true, 1.0),
                          {p, dO}, {grad}, {"p", "do", "dv"})[0];
  Value dp =
      launchKernel(op, dpKernel, {dO, v}, {scores}, {"do", "v", "dp"})[0];
  Value delta = launchKernel(op, buildSoftmaxDeltaKernel(s), {p, dp},
                             {tensorFor(s.rows)}, {"p", "dp", "delta"})[0];
  Value ds = launchKernel(op, dsKernel, {p, dp, delta}, {scores},
                          {"p", "dp", "delta", "ds"})[0];
  Value dq =
      launchKernel(op, buildProductKernel(s, "attn_bwd_dq", false, scale),
                   {ds, k}, {grad}, {"ds", "k", "dq"})[0];
  Value dk = launchKernel(op, buildProductKernel(s, "attn_bwd_dk", true, scale),
                          {ds, q}, {grad}, {"ds", "q", "dk"})[0];
  op->replaceAllUsesWith(ValueRange{dq, dk, dv});
  op->erase();
}

} // namespace attn
