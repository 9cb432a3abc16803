//===- AttnTile.cpp - attn.attention -> one tiled kernel ------------------===//
//
// Rung 1 -> 2 of the fused pipeline: a grid of programs, each owning a
// block-m x D tile of Q, with an exact two-pass softmax over K/V tiles.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/AttnToTile/KernelBuilder.h"
#include "compiler/Conversion/AttnToTile/Tilings.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Attn/Transforms/TileConfig.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/Support/MathExtras.h"
#include <cmath>

namespace attn {
#define GEN_PASS_DEF_ATTNTILE
#include "compiler/Conversion/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;

namespace {

/// Emits the scores of one K tile in the log2 domain, masked:
/// mask(Q·Kᵀ · scale·log2(e)). `bKv` indexes the batch and the K/V head of
/// the program's query head; `maskRow0` is the mask's row of the tile's
/// first row (KernelBuilder::maskRowOffset).
Value emitScores(KernelBuilder &kb, AttentionOp op, const KeyMask &mask,
                 Value q, Value key, ValueRange bKv, Value maskRow0, Value col0,
                 const KernelSizes &sizes, TileConfig c) {
  OpBuilder &b = kb.builder();
  Location loc = op.getLoc();
  int64_t d = op.getHeadDim();
  Value k = kb.load(key, bKv, col0, kb.index(0), c.blockN, d);
  auto sType = RankedTensorType::get({c.blockM, c.blockN}, b.getF32Type());
  Value s = tile::DotOp::create(b, loc, sType, q, k, Value(),
                                /*transpose_lhs=*/false,
                                /*transpose_rhs=*/true);
  double scaleLog2 = op.getEffectiveScale() * M_LOG2E;
  s = kb.mulf(s, kb.splat({c.blockM, c.blockN}, scaleLog2));
  return kb.applyMask(s, mask, sizes, maskRow0, col0);
}

/// The query side as the kernels read it: the op's Q, O and lse, or, with
/// the query heads of each K/V head packed into one program's rows
/// (packsQueryHeads), the same packed tensors viewed as [B, Hkv,
/// (H/Hkv)·Nq, ...] (reshape), which the launches pass.
struct QueryView {
  RankedTensorType query, output, lse;
  /// The rows' mask: a packed view's rows all see every key.
  KeyMask mask;
  bool packed = false;

  static QueryView of(AttentionOp op) {
    QueryView v;
    v.query = cast<RankedTensorType>(op.getQuery().getType());
    v.output = cast<RankedTensorType>(op.getOutput().getType());
    if (op.getLse())
      v.lse = cast<RankedTensorType>(op.getLse().getType());
    v.mask = KeyMask::of(op);
    if (!packsQueryHeads(op))
      return v;
    v.packed = true;
    v.mask = KeyMask();
    auto pack = [&](RankedTensorType t) {
      SmallVector<int64_t> shape(t.getShape());
      shape[1] = op.getKvHeads();
      shape[2] *= op.getGroupSize();
      return t.clone(shape);
    };
    v.query = pack(v.query);
    v.output = pack(v.output);
    if (v.lse)
      v.lse = pack(v.lse);
    return v;
  }

  /// Size `dim` of the query side: a number, or (not packed) the host
  /// function's tensor.dim of `query`.
  OpFoldResult size(OpBuilder &host, Location loc, Value query,
                    int64_t dim) const {
    if (!this->query.isDynamicDim(dim))
      return host.getIndexAttr(this->query.getDimSize(dim));
    return hostSize(host, loc, query, dim);
  }
};

/// `value` with dimensions 1 and 2 regrouped as those of `type` (same
/// elements, packed): [B, H, Nq, ...] <-> [B, Hkv, (H/Hkv)·Nq, ...],
/// through [B, H·Nq, ...].
Value reshape(OpBuilder &b, Location loc, Value value, RankedTensorType type) {
  if (value.getType() == type)
    return value;
  SmallVector<ReassociationIndices> groups = {{0}, {1, 2}};
  for (int64_t d = 3; d < type.getRank(); ++d)
    groups.push_back({d});
  Value flat = tensor::CollapseShapeOp::create(b, loc, value, groups);
  return tensor::ExpandShapeOp::create(b, loc, type, flat, groups);
}

/// Row blocks along grid x of a packed batch of S sequences and Tq queries
/// in all: floor(Tq / block-m) + S. Sequence s's blocks start at program
/// key(s) = floor(cu_q[s] / block-m) + s (locateRowBlock), and its
/// ceil(len_s / block-m) blocks end by key(s + 1): no program is idle but
/// for at most one per sequence, whatever the lengths. Sizes known only at
/// run time take ceil(Tq / block-m) + (S + 1), the runtime's expression
/// (a sum of sizes, no subtraction): one or two more programs, idle.
OpFoldResult sequenceRowBlocks(OpBuilder &host, Location loc,
                               OpFoldResult queries, Value cuQ,
                               int64_t blockM) {
  OpFoldResult offsets = hostSize(host, loc, cuQ, 0);
  std::optional<int64_t> tq = getConstantIntValue(queries),
                         count = getConstantIntValue(offsets);
  if (tq && count)
    return host.getIndexAttr(*tq / blockM + *count - 1);
  return arith::AddIOp::create(
             host, loc,
             getValueOrCreateConstantIndexOp(
                 host, loc, blocksOf(host, loc, queries, blockM)),
             getValueOrCreateConstantIndexOp(host, loc, offsets))
      .getResult();
}

/// The sequence and the row block within it of program `x` along grid x
/// (sequenceRowBlocks): the last sequence s with key(s) <= x, found by a
/// branch-free binary search over the offsets, and x - key(s). Keys
/// strictly increase with s, so every program belongs to one sequence; a
/// row block past its sequence's rows is inactive. With S known here the
/// ceil(log2 S) steps are unrolled; known at run time, a loop runs as many
/// (31 unrolled steps, most of them past S, took 6% of a 16-sequence batch
/// on the H100).
std::pair<Value, Value> locateRowBlock(KernelBuilder &kb, Value x, Value cuQ,
                                       int64_t blockM) {
  OpBuilder &b = kb.builder();
  Location loc = x.getLoc();
  OpFoldResult offsets = kb.dim(cuQ, 0);
  Value count = arith::SubIOp::create(b, loc, kb.value(offsets), kb.index(1));
  Value last = arith::SubIOp::create(b, loc, count, kb.index(1));
  auto key = [&](Value s) {
    Value first = arith::IndexCastUIOp::create(
        b, loc, b.getIndexType(), memref::LoadOp::create(b, loc, cuQ, s));
    return kb.add(arith::DivUIOp::create(b, loc, first, kb.index(blockM)), s);
  };
  // One step: s + stride where that is a sequence whose key is <= x.
  auto step = [&](Value s, Value stride) -> Value {
    Value candidate = kb.add(s, stride);
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          candidate, count);
    Value atOrBefore =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule,
                              key(kb.minIndex(candidate, last)), x);
    Value take = arith::AndIOp::create(b, loc, inRange, atOrBefore);
    return arith::SelectOp::create(b, loc, take, candidate, s);
  };
  Value s = kb.index(0);
  if (std::optional<int64_t> known = getConstantIntValue(offsets)) {
    for (unsigned k = llvm::Log2_64_Ceil(*known - 1); k-- > 0;)
      s = step(s, kb.index(int64_t(1) << k));
  } else {
    // bits = ceil(log2 S), the first b with 2^b >= S, counted up (a few
    // iterations; 31 compares of every power took 5% of a 16-sequence
    // batch on the H100); the steps are 2^(bits-1), ..., 1.
    auto countBits =
        scf::WhileOp::create(b, loc, b.getIndexType(), ValueRange{kb.index(0)});
    {
      OpBuilder::InsertionGuard guard(b);
      Block *before =
          b.createBlock(&countBits.getBefore(), {}, {b.getIndexType()}, {loc});
      Value power =
          arith::ShLIOp::create(b, loc, kb.index(1), before->getArgument(0));
      Value below = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          power, count);
      scf::ConditionOp::create(b, loc, below, before->getArgument(0));
      Block *after =
          b.createBlock(&countBits.getAfter(), {}, {b.getIndexType()}, {loc});
      scf::YieldOp::create(b, loc, kb.add(after->getArgument(0), kb.index(1)));
    }
    Value bits = countBits.getResult(0);
    auto loop = scf::ForOp::create(b, loc, kb.index(0), bits, kb.index(1),
                                   ValueRange{s});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value shift = arith::SubIOp::create(
        b, loc, arith::SubIOp::create(b, loc, bits, loop.getInductionVar()),
        kb.index(1));
    Value stride = arith::ShLIOp::create(b, loc, kb.index(1), shift);
    scf::YieldOp::create(b, loc, step(loop.getRegionIterArg(0), stride));
    b.setInsertionPointAfter(loop);
    s = loop.getResult(0);
  }
  return {s, arith::SubIOp::create(b, loc, x, key(s))};
}

/// One sequence's views of the query-side ([B, H, Nq, ...]) and key-side
/// ([B, Hkv, Nk, D]) memrefs of a packed batch: rows [cu[s], cu[s+1]) of
/// batch 0. Null memrefs stay null.
struct SequenceViews {
  SmallVector<Value> query, key;
};

SequenceViews sequenceViews(KernelBuilder &kb, Value sequence, Value cuQ,
                            Value cuK, ArrayRef<Value> querySide,
                            ArrayRef<Value> keySide) {
  OpBuilder &b = kb.builder();
  Location loc = sequence.getLoc();
  auto offset = [&](Value cu, Value at) -> Value {
    Value i32 = memref::LoadOp::create(b, loc, cu, ValueRange{at});
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), i32);
  };
  Value next = kb.add(sequence, kb.index(1));
  auto views = [&](Value cu, ArrayRef<Value> memrefs) {
    Value first = offset(cu, sequence), end = offset(cu, next);
    Value rows = arith::SubIOp::create(b, loc, end, first);
    SmallVector<Value> result;
    for (Value memref : memrefs) {
      if (!memref) {
        result.push_back(memref);
        continue;
      }
      auto type = cast<MemRefType>(memref.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)),
          sizes, strides(type.getRank(), b.getIndexAttr(1));
      offsets[2] = first;
      for (int64_t d = 0; d < type.getRank(); ++d)
        sizes.push_back(d == 2 ? OpFoldResult(rows) : kb.dim(memref, d));
      sizes[0] = b.getIndexAttr(1);
      result.push_back(
          memref::SubViewOp::create(b, loc, memref, offsets, sizes, strides));
    }
    return result;
  };
  return {views(cuQ, querySide), views(cuK, keySide)};
}

/// The f32 workspaces of a split forward: each program's partial output
/// rows (normalized by its own sum) and their logsumexps (log2 domain),
/// [B·S, H, Nq, D] and [B·S, H, Nq] for S key splits.
struct SplitBuffers {
  RankedTensorType partialType, lseType;
  /// Their sizes in the host function: B·S, H, Nq.
  SmallVector<OpFoldResult> sizes;
};

SplitBuffers splitBuffers(OpBuilder &host, Location loc, AttentionOp op,
                          const QueryView &view, int64_t splitKeys) {
  Value query = op.getQuery();
  OpFoldResult splits =
      blocksOf(host, loc, hostSize(host, loc, op.getKey(), 2), splitKeys);
  SplitBuffers s;
  s.sizes = {productOf(host, loc, view.size(host, loc, query, 0), splits),
             view.size(host, loc, query, 1), view.size(host, loc, query, 2)};
  SmallVector<int64_t> shape = configGrid(s.sizes);
  Type f32 = host.getF32Type();
  s.lseType = RankedTensorType::get(shape, f32);
  shape.push_back(op.getHeadDim());
  s.partialType = RankedTensorType::get(shape, f32);
  return s;
}

/// The combining kernel of a split forward: for each row block, the
/// logsumexp-weighted mean of the S partial outputs, O = Σ 2^(lse_s − m)
/// O_s / Σ 2^(lse_s − m) with m the largest lse_s, and lse = (m + log2 of
/// the sum) · ln 2. A row no split saw (every lse_s −inf) gets zeros and
/// −inf, as the unsplit kernel gives it.
func::FuncOp buildCombineKernel(AttentionOp op, TilingAttr tiling,
                                ArrayRef<Type> args,
                                ArrayRef<OpFoldResult> grid, int64_t rows) {
  // No products: plain warps on every chip (no wgmma producers).
  auto plain = TilingAttr::get(tiling.getContext(), tiling.getPipeline(), rows,
                               tiling.getBlockN(), rows / 16, /*stages=*/1,
                               tiling.getChip(), MmaKind::sync, 0);
  KernelBuilder kb(op, "attn_fwd_combine", args,
                   kernelConfig(plain, configGrid(grid)));
  OpBuilder &b = kb.builder();
  Location loc = op.getLoc();
  int64_t d = op.getHeadDim();
  // partial [B·S, H, Nq, D], lse_s [B·S, H, Nq], O [B, H, Nq, D].
  std::optional<int64_t> batchSplits =
                             KernelSizes::constant(kb.dim(kb.arg(0), 0)),
                         batch = KernelSizes::constant(kb.dim(kb.arg(2), 0));
  Value splits =
      batchSplits && batch
          ? kb.index(*batchSplits / *batch)
          : arith::DivUIOp::create(b, loc, kb.value(kb.dim(kb.arg(0), 0)),
                                   kb.value(kb.dim(kb.arg(2), 0)))
                .getResult();
  Value bIdx = kb.programId(2), hIdx = kb.programId(1);
  Value row0 = kb.mul(kb.programId(0), kb.index(rows));
  Value c0 = kb.index(0), c1 = kb.index(1);
  Value first = kb.mul(bIdx, splits);
  auto loop = scf::ForOp::create(b, loc, c0, splits, c1,
                                 ValueRange{kb.splat({rows}, kLowestScore),
                                            kb.splat({rows}, 0.0),
                                            kb.splat({rows, d}, 0.0)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value z = kb.add(first, loop.getInductionVar());
    Value lse = kb.loadRow(kb.arg(1), {z, hIdx}, row0, rows);
    Value part = kb.load(kb.arg(0), {z, hIdx}, row0, c0, rows, d);
    Value m = loop.getRegionIterArg(0);
    Value mNew = arith::MaximumFOp::create(b, loc, m, lse);
    Value rescale = kb.exp2(kb.subf(m, mNew));
    Value weight = kb.exp2(kb.subf(lse, mNew));
    Value l = kb.addf(kb.mulf(loop.getRegionIterArg(1), rescale), weight);
    Value acc =
        kb.addf(kb.mulf(loop.getRegionIterArg(2), kb.broadcast(rescale, d)),
                kb.mulf(part, kb.broadcast(weight, d)));
    scf::YieldOp::create(b, loc, ValueRange{mNew, l, acc});
  }
  Value m = loop.getResult(0), l = loop.getResult(1);
  Value denominator =
      arith::MaximumFOp::create(b, loc, l, kb.splat({rows}, kSmallestSum));
  Value inverse =
      arith::DivFOp::create(b, loc, kb.splat({rows}, 1.0), denominator);
  Value o = kb.mulf(loop.getResult(2), kb.broadcast(inverse, d));
  kb.store(kb.convert(o, op.getElementType()), kb.arg(2),
           {bIdx, hIdx, row0, c0});
  if (op.getLse()) {
    Value lse = kb.mulf(kb.addf(m, math::Log2Op::create(b, loc, l)),
                        kb.splat({rows}, M_LN2));
    kb.store(lse, kb.arg(3), {bIdx, hIdx, row0});
  }
  // The steps do not depend on each other's loads: unrolled, each thread
  // issues several splits' loads before it waits for the first (rolled,
  // one load latency per split was most of this kernel's time). A loop
  // that cannot be unrolled stays as it is.
  std::optional<int64_t> count;
  if (batchSplits && batch)
    count = *batchSplits / *batch;
  if (count != 1)
    (void)loopUnrollByFactor(loop, std::min<int64_t>(count.value_or(4), 8));
  return kb.kernel();
}

void tileAttention(AttentionOp op, TilingAttr tiling) {
  TileConfig c = tileConfigOf(tiling);
  int64_t d = op.getHeadDim();
  Type elt = op.getElementType();
  Location loc = op.getLoc();
  OpBuilder host(op);
  Value query = op.getQuery();
  QueryView view = QueryView::of(op);
  // Split keys (flash-decoding): the programs write f32 partial rows and
  // their logsumexps, which a second kernel combines.
  bool split = c.splitKeys > 0;
  SplitBuffers buffers;
  if (split)
    buffers = splitBuffers(host, loc, op, view, c.splitKeys);
  bool sequences = op.hasSequences();
  SmallVector<Type> args = {memrefFor(view.query),
                            memrefFor(op.getKey().getType()),
                            memrefFor(op.getValue().getType())};
  if (sequences) {
    args.push_back(memrefFor(op.getQuerySeqOffsets().getType()));
    args.push_back(memrefFor(op.getKeySeqOffsets().getType()));
  }
  if (split) {
    args.push_back(memrefFor(buffers.partialType));
    args.push_back(memrefFor(buffers.lseType));
  } else {
    args.push_back(memrefFor(view.output));
    if (view.lse)
      args.push_back(memrefFor(view.lse));
  }

  // Row blocks along x: programs that run at the same time mostly share a
  // head, so its K and V stay in L2 while all of them read it; batches (and
  // key splits) along z. Sizes known only at run time come from the host
  // function's tensors.
  // Packed sequences: the row blocks of every sequence along x
  // (sequenceRowBlocks), their one batch along z.
  SmallVector<OpFoldResult> hostGrid = {
      sequences ? sequenceRowBlocks(host, loc, view.size(host, loc, query, 2),
                                    op.getQuerySeqOffsets(), c.blockM)
                : blocksOf(host, loc, view.size(host, loc, query, 2), c.blockM),
      view.size(host, loc, query, 1),
      split ? buffers.sizes[0] : view.size(host, loc, query, 0)};
  tile::ConfigAttr config = kernelConfig(tiling, configGrid(hostGrid));
  KernelBuilder kb(op, "attn_fwd", args, config);
  OpBuilder &b = kb.builder();
  unsigned firstOutput = sequences ? 5 : 3;
  Value qArg = kb.arg(0), kArg = kb.arg(1), vArg = kb.arg(2),
        oArg = kb.arg(firstOutput),
        lseArg = split || view.lse ? kb.arg(firstOutput + 1) : Value();
  Value zIdx = kb.programId(2), hIdx = kb.programId(1);
  Value rowBlock = kb.programId(0);
  // A sequence's program sees its own rows and keys only: views of Q, K,
  // V, O and lse from its offsets.
  if (sequences) {
    Value sequence;
    std::tie(sequence, rowBlock) =
        locateRowBlock(kb, rowBlock, kb.arg(3), c.blockM);
    SequenceViews views = sequenceViews(kb, sequence, kb.arg(3), kb.arg(4),
                                        {qArg, oArg, lseArg}, {kArg, vArg});
    qArg = views.query[0], oArg = views.query[1], lseArg = views.query[2];
    kArg = views.key[0], vArg = views.key[1];
    zIdx = kb.index(0); // The batch of one.
  }
  KernelSizes sizes = kb.sizes(qArg, kArg);
  Value bIdx = zIdx, splitIdx;
  if (split) {
    Value splits = kb.value(blocksOf(b, loc, sizes.nk, c.splitKeys));
    bIdx = arith::DivUIOp::create(b, loc, zIdx, splits);
    splitIdx = arith::RemUIOp::create(b, loc, zIdx, splits);
  }
  SmallVector<Value> bh = {bIdx, hIdx};
  SmallVector<Value> bKv = {bIdx, kb.kvHead(hIdx, sizes)};
  // Causal rows further down see more keys: those programs start first, so
  // that the short ones fill the tail of the launch.
  KeyMask mask = view.mask;
  if (mask.causal && !sequences) {
    OpFoldResult blocks = blocksOf(b, loc, sizes.nq, c.blockM);
    std::optional<int64_t> count = getConstantIntValue(blocks);
    Value last =
        count ? kb.index(*count - 1)
              : arith::SubIOp::create(b, loc, cast<Value>(blocks), kb.index(1))
                    .getResult();
    rowBlock = arith::SubIOp::create(b, loc, last, rowBlock);
  }
  Value row0 = kb.mul(rowBlock, kb.index(c.blockM));
  Value q = kb.load(qArg, bh, row0, kb.index(0), c.blockM, d);

  // With a causal mask or a window, K/V tiles past the last key this
  // program's last row sees, or before the block of the first key its
  // first row sees, contribute nothing: the loops visit only the blocks
  // between (none when no row of the tile sees a key). A split program
  // visits those of its chunk of keys.
  Value kvBegin = kb.keyBegin(mask, sizes, row0, c.blockN);
  Value kvEnd = kb.keyEnd(mask, sizes, row0, c.blockM);
  if (split) {
    Value chunk0 = kb.mul(splitIdx, kb.index(c.splitKeys));
    kvBegin = arith::MaxUIOp::create(b, loc, kvBegin, chunk0);
    kvEnd = kb.minIndex(kvEnd, kb.add(chunk0, kb.index(c.splitKeys)));
  }
  Value c0 = kb.index(0), step = kb.index(c.blockN);
  Value maskRow0 = kb.maskRowOffset(mask, sizes, row0);
  // A split may hold none of a row's keys, nor may a sequence with no
  // keys. A row block past its sequence's rows runs no step (and stores
  // nothing: its view has no such rows).
  bool rowsWithoutKeys = split || sequences || hasRowsWithoutKeys(mask, sizes);
  if (sequences) {
    Value active = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         row0, kb.value(sizes.nq));
    kvEnd = arith::SelectOp::create(b, loc, active, kvEnd, kvBegin);
  }

  // Pass 1: the row maximum of the scores. A row without keys keeps the
  // lowest finite value, so that its exponentials are exp2(-inf) = 0. So
  // does a row that sees none of the keys of the first blocks visited (a
  // left window starts the loops at the first row's block), for the
  // running maximum the online softmax makes of this one.
  bool finiteStart = rowsWithoutKeys || mask.left.has_value();
  Value negInf = kb.splat({c.blockM}, finiteStart ? kLowestScore : -INFINITY);
  auto maxLoop = scf::ForOp::create(b, loc, kvBegin, kvEnd, step, negInf);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(maxLoop.getBody());
    Value s = emitScores(kb, op, mask, q, kArg, bKv, maskRow0,
                         maxLoop.getInductionVar(), sizes, c);
    Value m = arith::MaximumFOp::create(b, loc, maxLoop.getRegionIterArg(0),
                                        kb.reduce(tile::ReduceKind::max, s));
    scf::YieldOp::create(b, loc, m);
  }
  Value m = maxLoop.getResult(0);

  // Pass 2: row sums of exp2(s - m) and the unnormalized P·V.
  Value zeroRow = kb.splat({c.blockM}, 0.0);
  Value zeroAcc = kb.splat({c.blockM, d}, 0.0);
  auto sumLoop = scf::ForOp::create(b, loc, kvBegin, kvEnd, step,
                                    ValueRange{zeroRow, zeroAcc});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(sumLoop.getBody());
    Value j = sumLoop.getInductionVar();
    Value s = emitScores(kb, op, mask, q, kArg, bKv, maskRow0, j, sizes, c);
    Value p = kb.exp2(kb.subf(s, kb.broadcast(m, c.blockN)));
    Value l = kb.addf(sumLoop.getRegionIterArg(0),
                      kb.reduce(tile::ReduceKind::sum, p));
    Value v = kb.load(vArg, bKv, j, kb.index(0), c.blockN, d);
    Value acc =
        tile::DotOp::create(b, loc, sumLoop.getRegionIterArg(1).getType(),
                            kb.convert(p, elt), v, sumLoop.getRegionIterArg(1));
    scf::YieldOp::create(b, loc, ValueRange{l, acc});
  }
  Value l = sumLoop.getResult(0);
  // One division per row, then a multiply per element (a division per
  // element is a slow-path call each on the GPU). A row without keys has
  // l = 0 and a zero accumulator: 1 / max(l, FLT_MIN) keeps its output 0.
  // (A row with keys has l >= 1: its maximum's term is exp2(0).)
  Value denominator = l;
  if (rowsWithoutKeys)
    denominator = arith::MaximumFOp::create(b, loc, l,
                                            kb.splat({c.blockM}, kSmallestSum));
  Value inverse =
      arith::DivFOp::create(b, loc, kb.splat({c.blockM}, 1.0), denominator);
  Value o = kb.mulf(sumLoop.getResult(1), kb.broadcast(inverse, d));
  // lse = m + log2(l) in the log2 domain; ln(sum exp(x)) is that times ln 2.
  if (split) {
    kb.store(o, oArg, {zIdx, hIdx, row0, c0});
    kb.store(kb.addf(m, math::Log2Op::create(b, loc, l)), lseArg,
             {zIdx, hIdx, row0});
  } else {
    kb.store(kb.convert(o, elt), oArg, {bIdx, hIdx, row0, c0});
    if (op.getLse()) {
      Value lse = kb.mulf(kb.addf(m, math::Log2Op::create(b, loc, l)),
                          kb.splat({c.blockM}, M_LN2));
      kb.store(lse, lseArg, {bIdx, hIdx, row0});
    }
  }

  // The host side: the launch producing O (and the logsumexp), [B, H, Nq]
  // like the query; split, the launch of the partial results and the one
  // combining them.
  SmallVector<StringRef> outNames = {"o"};
  if (op.getLse())
    outNames.push_back("lse");
  SmallVector<OpFoldResult> outputSizes = {hostSize(host, loc, query, 0),
                                           hostSize(host, loc, query, 1),
                                           hostSize(host, loc, query, 2)};
  SmallVector<Value> resultSizes;
  for (Type type : op->getResultTypes())
    for (int64_t dim = 0; dim < cast<ShapedType>(type).getRank(); ++dim)
      if (cast<ShapedType>(type).isDynamicDim(dim))
        resultSizes.push_back(cast<Value>(outputSizes[dim]));
  SmallVector<Value> inputs = {reshape(host, loc, query, view.query),
                               op.getKey(), op.getValue()};
  SmallVector<StringRef> inputNames = {"q", "k", "v"};
  if (sequences) {
    inputs.append({op.getQuerySeqOffsets(), op.getKeySeqOffsets()});
    inputNames.append({"cu_q", "cu_k"});
  }
  SmallVector<Type> viewTypes = {view.output};
  if (view.lse)
    viewTypes.push_back(view.lse);
  // The launch's results as the op's (the packed view reshaped back).
  auto replaceOp = [&](tile::LaunchOp launch) {
    SmallVector<Value> results;
    for (auto [result, type] :
         llvm::zip(launch.getResults(), op->getResultTypes()))
      results.push_back(
          reshape(host, loc, result, cast<RankedTensorType>(type)));
    op->replaceAllUsesWith(results);
    op->erase();
  };
  if (!split) {
    SmallVector<StringRef> names = inputNames;
    names.append(outNames);
    replaceOp(tile::LaunchOp::create(
        host, loc, viewTypes, kb.kernel().getSymName(), inputs,
        dynamicValues(hostGrid), resultSizes, names, config));
    return;
  }
  SmallVector<Value> partialSizes;
  for (int i = 0; i < 2; ++i) // Both workspaces: [B·S, H, Nq(, D)].
    llvm::append_range(partialSizes, dynamicValues(buffers.sizes));
  auto partials = tile::LaunchOp::create(
      host, loc, TypeRange{buffers.partialType, buffers.lseType},
      kb.kernel().getSymName(), inputs, dynamicValues(hostGrid), partialSizes,
      ArrayRef<StringRef>{"q", "k", "v", "o_split", "lse_split"}, config);
  // 64 rows of D columns per program on 4 warps, so that decoding's one
  // row does not drag a larger tile.
  int64_t rows = 64;
  SmallVector<OpFoldResult> combineGrid = {
      blocksOf(host, loc, view.size(host, loc, query, 2), rows),
      view.size(host, loc, query, 1), view.size(host, loc, query, 0)};
  SmallVector<Type> combineArgs = {memrefFor(buffers.partialType),
                                   memrefFor(buffers.lseType),
                                   memrefFor(view.output)};
  if (view.lse)
    combineArgs.push_back(memrefFor(view.lse));
  func::FuncOp combine =
      buildCombineKernel(op, tiling, combineArgs, combineGrid, rows);
  SmallVector<StringRef> names = {"o_split", "lse_split"};
  names.append(outNames);
  replaceOp(tile::LaunchOp::create(host, loc, viewTypes, combine.getSymName(),
                                   partials.getResults(),
                                   dynamicValues(combineGrid), resultSizes,
                                   names, tile::getKernelConfig(combine)));
}

struct AttnTilePass : attn::impl::AttnTileBase<AttnTilePass> {
  using AttnTileBase::AttnTileBase;
  void runOnOperation() override {
    SmallVector<ProblemOpInterface> ops;
    getOperation()->walk([&](ProblemOpInterface op) { ops.push_back(op); });
    if (ops.empty()) {
      getOperation().emitError()
          << "attn-tile: the module holds no attn.attention or "
             "attn.attention_backward (the pass runs on rung 1)";
      return signalPassFailure();
    }
    for (ProblemOpInterface op : ops) {
      FailureOr<TilingAttr> tiling = getOrSelectTiling(op, PipelineKind::fused);
      if (failed(tiling))
        return signalPassFailure();
      if (auto backward = dyn_cast<AttentionBackwardOp>(op.getOperation()))
        tileBackward(backward, *tiling, deterministic, testingSkipDelta);
      else
        tileAttention(cast<AttentionOp>(op.getOperation()), *tiling);
    }
  }
};

} // namespace
