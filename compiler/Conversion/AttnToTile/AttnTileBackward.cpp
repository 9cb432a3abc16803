//===- AttnTileBackward.cpp - attn.attention_backward -> tiled kernels ----===//
//
// Rung 1 -> 2 of the fused pipeline for the gradient, FlashAttention-2's
// schedule with P still read from memory (attn-recompute-probabilities
// rewrites those reads into recomputation on chip, rung 3):
//
//   attn_bwd_preprocess  δ = rowsum(dO ∘ O); zeroes dQ's f32 accumulator
//   attn_bwd_probs       P = exp(mask(scale·Q·Kᵀ) − lse)   [B,H,N,N]
//   attn_bwd_dkdv        one program per block of block-n keys, looping
//                        over block-m query rows, its tiles transposed
//                        (keys along the rows): dV += Pᵀ·dO,
//                        dPᵀ = V·dOᵀ, dSᵀ = Pᵀ ∘ (dPᵀ − δ), dK += dSᵀ·Q,
//                        and dQ += dS·K added atomically into the
//                        accumulator
//   attn_bwd_dq_convert  dQ = scale · accumulator, in the element type
//
// With `deterministic`, dQ is not accumulated with atomics: attn_bwd_dq, one
// program per block of query rows looping over the keys, computes it
// (recomputing dP and dS), and the result is reproducible bit for bit.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/AttnToTile/BackwardKernels.h"
#include "compiler/Conversion/AttnToTile/Tilings.h"

using namespace mlir;

namespace attn {

namespace {

/// The rows a causal key block at `kv0` is seen by start at its first key:
/// the loop over query blocks starts at the block holding row kv0.
Value firstQueryBlock(KernelBuilder &kb, const BackwardShapes &s, Value kv0) {
  if (!s.op.getCausal())
    return kb.index(0);
  OpBuilder &b = kb.builder();
  Value m = kb.index(s.c.blockM);
  return kb.mul(arith::DivUIOp::create(b, s.op.getLoc(), kv0, m), m);
}

/// dS = P ∘ (dO·Vᵀ − δ) for one block-m×block-n tile, in f32, from the P
/// tile in the element type (read back as f32).
Value gradScores(KernelBuilder &kb, const BackwardShapes &s, Value p, Value dO,
                 Value v, Value delta, bool skipDelta) {
  Value dp = kb.dot(dO, v, Value(), false, /*transposeRhs=*/true);
  Value pf = kb.convert(p, kb.builder().getF32Type());
  if (skipDelta) // Testing only: a wrong gradient.
    return kb.mulf(pf, dp);
  return kb.mulf(pf, kb.subf(dp, kb.broadcast(delta, s.c.blockN)));
}

/// attn_bwd_dkdv: (q, k, v, do, delta, p [, dq_acc]) -> (dk, dv); it adds
/// into dq_acc, an input, in place. Its tiles have the program's keys along
/// the rows (FlashAttention-3's layout): Sᵀ, Pᵀ, dPᵀ and dSᵀ are
/// block-n × block-m, so Pᵀ and dSᵀ are the A operands of dV += Pᵀ·dO and
/// dK += dSᵀ·Q straight from registers, and the warps, which split the
/// rows, each own rows of dK and dV. dQ is dS·K (dSᵀ read transposed) when
/// block-m rows fill the warps, else dQᵀ = Kᵀ·dSᵀ, added transposed.
func::FuncOp buildKeyValueKernel(const BackwardShapes &s, bool atomicDq,
                                 bool skipDelta) {
  SmallVector<Type> args = {s.qkv, s.qkv, s.qkv, s.qkv, s.rows, s.scores};
  if (atomicDq)
    args.push_back(s.accumulator);
  args.append({s.qkv, s.qkv});
  KernelBuilder kb(s.op, "attn_bwd_dkdv", args,
                   kernelConfig(s.tiling, {s.keyBlocks(), s.heads, s.batch}));
  OpBuilder &b = kb.builder();
  Location loc = s.op.getLoc();
  int64_t m = s.c.blockM, nb = s.c.blockN, d = s.d;
  Value bIdx = kb.programId(2), hIdx = kb.programId(1);
  SmallVector<Value> bh = {bIdx, hIdx};
  Value kv0 = kb.mul(kb.programId(0), kb.index(nb));
  Value c0 = kb.index(0);
  Value k = kb.load(kb.arg(1), bh, kv0, c0, nb, d);
  Value v = kb.load(kb.arg(2), bh, kv0, c0, nb, d);
  Value zero = kb.splat({nb, d}, 0.0);
  auto loop =
      scf::ForOp::create(b, loc, firstQueryBlock(kb, s, kv0), kb.index(s.n),
                         kb.index(m), ValueRange{zero, zero});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value i0 = loop.getInductionVar();
    Value q = kb.load(kb.arg(0), bh, i0, c0, m, d);
    Value dO = kb.load(kb.arg(3), bh, i0, c0, m, d);
    Value delta = kb.loadRow(kb.arg(4), bh, i0, m);
    Value pT = kb.transpose(kb.load(kb.arg(5), bh, i0, kv0, m, nb));
    Value dv = kb.dot(pT, dO, loop.getRegionIterArg(1), false, false);
    // dSᵀ = Pᵀ ∘ (V·dOᵀ − δ down the rows), in f32.
    Value dpT = kb.dot(v, dO, Value(), false, /*transposeRhs=*/true);
    Value pf = kb.convert(pT, b.getF32Type());
    Value dsT = skipDelta // Testing only: a wrong gradient.
                    ? kb.mulf(pf, dpT)
                    : kb.mulf(pf, kb.subf(dpT, kb.broadcastDown(delta, nb)));
    dsT = kb.convert(dsT, s.elt);
    Value dk = kb.dot(dsT, q, loop.getRegionIterArg(0), false, false);
    if (atomicDq) {
      SmallVector<Value> at = {bIdx, hIdx, i0, c0};
      if (m % (16 * s.c.numWarps) == 0)
        kb.atomicAdd(kb.dot(dsT, k, Value(), /*transposeLhs=*/true, false),
                     kb.arg(6), at);
      else
        kb.atomicAdd(kb.dot(k, dsT, Value(), /*transposeLhs=*/true, false),
                     kb.arg(6), at, /*transpose=*/true);
    }
    scf::YieldOp::create(b, loc, ValueRange{dk, dv});
  }
  Value dk =
      kb.mulf(loop.getResult(0), kb.splat({nb, d}, s.op.getEffectiveScale()));
  unsigned out = atomicDq ? 7 : 6;
  kb.store(kb.convert(dk, s.elt), kb.arg(out), {bIdx, hIdx, kv0, c0});
  kb.store(kb.convert(loop.getResult(1), s.elt), kb.arg(out + 1),
           {bIdx, hIdx, kv0, c0});
  return kb.kernel();
}

/// attn_bwd_dq: (k, v, do, delta, p) -> dq, one program per block of query
/// rows, no atomics.
func::FuncOp buildQueryKernel(const BackwardShapes &s, bool skipDelta) {
  KernelBuilder kb(s.op, "attn_bwd_dq",
                   {s.qkv, s.qkv, s.qkv, s.rows, s.scores, s.qkv},
                   s.rowKernelConfig({s.rowBlocks(), s.heads, s.batch}));
  OpBuilder &b = kb.builder();
  Location loc = s.op.getLoc();
  int64_t m = s.c.blockM, nb = s.c.blockN, d = s.d;
  Value bIdx = kb.programId(2), hIdx = kb.programId(1);
  SmallVector<Value> bh = {bIdx, hIdx};
  Value i0 = kb.mul(kb.programId(0), kb.index(m));
  Value c0 = kb.index(0);
  Value dO = kb.load(kb.arg(2), bh, i0, c0, m, d);
  Value delta = kb.loadRow(kb.arg(3), bh, i0, m);
  // Causal: keys past this block's last row contribute nothing.
  Value kvEnd = kb.index(s.n);
  if (s.op.getCausal())
    kvEnd = kb.minIndex(kvEnd, kb.add(i0, kb.index(m)));
  auto loop = scf::ForOp::create(b, loc, c0, kvEnd, kb.index(nb),
                                 ValueRange{kb.splat({m, d}, 0.0)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value j0 = loop.getInductionVar();
    Value k = kb.load(kb.arg(0), bh, j0, c0, nb, d);
    Value v = kb.load(kb.arg(1), bh, j0, c0, nb, d);
    Value p = kb.load(kb.arg(4), bh, i0, j0, m, nb);
    Value ds = kb.convert(gradScores(kb, s, p, dO, v, delta, skipDelta), s.elt);
    scf::YieldOp::create(b, loc,
                         kb.dot(ds, k, loop.getRegionIterArg(0), false, false));
  }
  Value dq =
      kb.mulf(loop.getResult(0), kb.splat({m, d}, s.op.getEffectiveScale()));
  kb.store(kb.convert(dq, s.elt), kb.arg(5), {bIdx, hIdx, i0, c0});
  return kb.kernel();
}

/// attn_bwd_dq_convert: dq = scale · dq_acc in the element type.
func::FuncOp buildConvertKernel(const BackwardShapes &s) {
  KernelBuilder kb(s.op, "attn_bwd_dq_convert", {s.accumulator, s.qkv},
                   s.rowKernelConfig({s.rowBlocks(), s.heads, s.batch}));
  int64_t m = s.c.blockM;
  Value bIdx = kb.programId(2), hIdx = kb.programId(1);
  Value i0 = kb.mul(kb.programId(0), kb.index(m));
  Value c0 = kb.index(0);
  Value acc = kb.load(kb.arg(0), {bIdx, hIdx}, i0, c0, m, s.d);
  Value dq = kb.mulf(acc, kb.splat({m, s.d}, s.op.getEffectiveScale()));
  kb.store(kb.convert(dq, s.elt), kb.arg(1), {bIdx, hIdx, i0, c0});
  return kb.kernel();
}

} // namespace

void tileBackward(AttentionBackwardOp op, TilingAttr tiling, bool deterministic,
                  bool skipDelta) {
  BackwardShapes s(op, tiling);
  bool atomicDq = !deterministic;
  func::FuncOp preprocess = buildPreprocessKernel(s, atomicDq);
  func::FuncOp probs = buildProbabilitiesKernel(s);
  func::FuncOp keyValue = buildKeyValueKernel(s, atomicDq, skipDelta);

  Value dO = op.getGradOutput(), q = op.getQuery(), k = op.getKey(),
        v = op.getValue();
  Type gradType = op.getGradQuery().getType();
  Type rowsType = tensorFor(s.rows), accType = tensorFor(s.accumulator);
  SmallVector<Type> preOut = {rowsType};
  SmallVector<StringRef> preNames = {"do", "o", "delta"};
  if (atomicDq) {
    preOut.push_back(accType);
    preNames.push_back("dq_acc");
  }
  ValueRange pre =
      launchKernel(op, preprocess, {dO, op.getOutput()}, preOut, preNames);
  Value p = launchKernel(op, probs, {q, k, op.getLse()}, {tensorFor(s.scores)},
                         {"q", "k", "lse", "p"})[0];
  SmallVector<Value> kvIn = {q, k, v, dO, pre[0], p};
  SmallVector<Type> kvOut = {gradType, gradType};
  SmallVector<StringRef> kvNames = {"q", "k", "v", "do", "delta", "p"};
  if (atomicDq) {
    // dQ's accumulator: an input the kernel adds into in place.
    kvIn.push_back(pre[1]);
    kvNames.push_back("dq_acc");
  }
  kvNames.append({"dk", "dv"});
  ValueRange kv = launchKernel(op, keyValue, kvIn, kvOut, kvNames);
  Value dq;
  if (atomicDq)
    dq = launchKernel(op, buildConvertKernel(s), {pre[1]}, {gradType},
                      {"dq_acc", "dq"})[0];
  else
    dq = launchKernel(op, buildQueryKernel(s, skipDelta), {k, v, dO, pre[0], p},
                      {gradType}, {"k", "v", "do", "delta", "p", "dq"})[0];
  op->replaceAllUsesWith(ValueRange{dq, kv[0], kv[1]});
  op->erase();
}

} // namespace attn
