//===- KernelBuilder.cpp - helpers to build tile kernels ------------------===//
#include "compiler/Conversion/AttnToTile/KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace attn {

MemRefType memrefFor(Type tensorType) {
  auto t = cast<RankedTensorType>(tensorType);
  if (t.hasStaticShape())
    return MemRefType::get(t.getShape(), t.getElementType());
  SmallVector<int64_t> strides(t.getRank(), ShapedType::kDynamic);
  strides.back() = 1;
  return MemRefType::get(
      t.getShape(), t.getElementType(),
      StridedLayoutAttr::get(t.getContext(), /*offset=*/0, strides));
}

std::optional<int64_t> KernelSizes::constant(OpFoldResult size) {
  return getConstantIntValue(size);
}

bool KernelSizes::isStatic() const {
  for (OpFoldResult size : {batch, heads, kvHeads, nq, nk})
    if (!constant(size))
      return false;
  return true;
}

tile::ConfigAttr kernelConfig(TilingAttr tiling, ArrayRef<int64_t> grid,
                              int64_t warps) {
  // The wgmma path adds a warpgroup of producers to the compute warps.
  bool wgmma = tiling.getMma() == MmaKind::wgmma;
  int64_t producers = wgmma ? 4 : 0;
  // One compute warpgroup leaves room for a second program on the SM, whose
  // products and softmax fill the first one's waits (D = 64, N = 1024: +13%
  // on the H100); attn-allocate-shared keeps one where their buffers do
  // not both fit. Only with 128 keys or more per step: causal kernels of
  // 64 or 96 keys with 2 stages hang on the H100 when two programs share an
  // SM (cause not found; bench/NOTES.md, 2026-11-25).
  int64_t programsPerSM =
      wgmma && tiling.getWarps() == 4 && tiling.getBlockN() >= 128 ? 2 : 1;
  if (!warps)
    warps = tiling.getWarps();
  return tile::ConfigAttr::get(
      tiling.getContext(), grid, warps + producers, tiling.getBlockM(),
      tiling.getBlockN(), tiling.getStages(), /*smem=*/0, tiling.getChip(),
      wgmma ? tile::MmaFamily::wgmma : tile::MmaFamily::sync, producers,
      programsPerSM);
}

OpFoldResult blocksOf(OpBuilder &b, Location loc, OpFoldResult size,
                      int64_t block) {
  if (std::optional<int64_t> n = getConstantIntValue(size))
    return b.getIndexAttr(llvm::divideCeilSigned(*n, block));
  return arith::CeilDivUIOp::create(
             b, loc, cast<Value>(size),
             arith::ConstantIndexOp::create(b, loc, block))
      .getResult();
}

OpFoldResult productOf(OpBuilder &b, Location loc, OpFoldResult x,
                       OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x), cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  auto value = [&](OpFoldResult v) -> Value {
    if (std::optional<int64_t> n = getConstantIntValue(v))
      return arith::ConstantIndexOp::create(b, loc, *n);
    return cast<Value>(v);
  };
  return arith::MulIOp::create(b, loc, value(x), value(y)).getResult();
}

OpFoldResult hostSize(OpBuilder &b, Location loc, Value v, int64_t dim) {
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.isDynamicDim(dim))
    return b.getIndexAttr(type.getDimSize(dim));
  return tensor::DimOp::create(b, loc, v, dim).getResult();
}

SmallVector<int64_t> configGrid(ArrayRef<OpFoldResult> grid) {
  return llvm::map_to_vector(grid, [](OpFoldResult size) {
    return getConstantIntValue(size).value_or(ShapedType::kDynamic);
  });
}

SmallVector<Value> dynamicValues(ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> values;
  for (OpFoldResult size : sizes)
    if (auto v = dyn_cast<Value>(size))
      values.push_back(v);
  return values;
}

KernelBuilder::KernelBuilder(Operation *anchor, StringRef name, TypeRange args,
                             tile::ConfigAttr config)
    : b(anchor->getContext()), loc(anchor->getLoc()) {
  auto parent = anchor->getParentOfType<func::FuncOp>();
  fn = func::FuncOp::create(loc, name, b.getFunctionType(args, {}));
  fn->setAttr(tile::TileDialect::getConfigAttrName(), config);
  fn.setPrivate();
  // Next to the function that holds `anchor`, renamed if `name` is taken.
  SymbolTable(parent->getParentOp()).insert(fn, Block::iterator(parent));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  func::ReturnOp::create(b, loc);
  b.setInsertionPointToStart(body);
}

Value KernelBuilder::index(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value KernelBuilder::programId(int32_t dim) {
  return tile::ProgramIdOp::create(b, loc, b.getIndexType(), dim);
}

std::pair<Value, Value> KernelBuilder::batchAndHead(OpFoldResult numHeads) {
  Value bh = programId(0);
  Value heads = value(numHeads);
  return {arith::DivUIOp::create(b, loc, bh, heads),
          arith::RemUIOp::create(b, loc, bh, heads)};
}

Value KernelBuilder::value(OpFoldResult size) {
  if (std::optional<int64_t> number = KernelSizes::constant(size))
    return index(*number);
  return cast<Value>(size);
}

OpFoldResult KernelBuilder::dim(Value memref, int64_t d) {
  auto type = cast<MemRefType>(memref.getType());
  if (!type.isDynamicDim(d))
    return b.getIndexAttr(type.getDimSize(d));
  return memref::DimOp::create(b, loc, memref, d).getResult();
}

KernelSizes KernelBuilder::sizes(Value query, Value key) {
  return {dim(query, 0), dim(query, 1), dim(key, 1), dim(query, 2),
          dim(key, 2)};
}

Value KernelBuilder::kvHead(Value head, const KernelSizes &s) {
  std::optional<int64_t> h = KernelSizes::constant(s.heads),
                         hkv = KernelSizes::constant(s.kvHeads);
  if (h && hkv) {
    if (*h == *hkv)
      return head;
    return arith::DivUIOp::create(b, loc, head, index(*h / *hkv));
  }
  Value group = arith::DivUIOp::create(b, loc, value(s.heads), value(s.kvHeads));
  return arith::DivUIOp::create(b, loc, head, group);
}

KeyMask KeyMask::of(AttentionOp op) {
  return {op.getCausal(), op.getWindowLeft(), op.getWindowRight()};
}

/// Nk - Nq: the diagonal of row 0.
static OpFoldResult diagonalOffset(KernelBuilder &kb, OpBuilder &b,
                                   Location loc, const KernelSizes &s) {
  std::optional<int64_t> nq = KernelSizes::constant(s.nq),
                         nk = KernelSizes::constant(s.nk);
  if (nq && nk)
    return b.getIndexAttr(*nk - *nq);
  return arith::SubIOp::create(b, loc, kb.value(s.nk), kb.value(s.nq))
      .getResult();
}

/// row0 + offset, folding a constant offset.
static Value addOffset(KernelBuilder &kb, Value row0, OpFoldResult offset) {
  std::optional<int64_t> constant = KernelSizes::constant(offset);
  if (constant && *constant == 0)
    return row0;
  return kb.add(row0, kb.value(offset));
}

Value KernelBuilder::keyEnd(const KeyMask &mask, const KernelSizes &s,
                            Value row0, int64_t rows) {
  std::optional<int64_t> after = mask.after();
  if (!after)
    return value(s.nk);
  OpFoldResult diagonal = diagonalOffset(*this, b, loc, s);
  if (std::optional<int64_t> offset = KernelSizes::constant(diagonal)) {
    Value keys = value(s.nk);
    Value end = add(row0, index(rows + *offset + *after));
    if (*offset + *after < 0) // The first rows may see no key: end <= 0.
      end = arith::MaxSIOp::create(b, loc, end, index(0));
    return minIndex(keys, end);
  }
  Value end = add(add(row0, index(rows + *after)), value(diagonal));
  end = arith::MaxSIOp::create(b, loc, end, index(0));
  return arith::MinSIOp::create(b, loc, value(s.nk), end);
}

Value KernelBuilder::keyBegin(const KeyMask &mask, const KernelSizes &s,
                              Value row0, int64_t blockKeys) {
  if (!mask.left)
    return index(0);
  Value first = arith::SubIOp::create(
      b, loc, addOffset(*this, row0, diagonalOffset(*this, b, loc, s)),
      index(*mask.left));
  first = arith::MaxSIOp::create(b, loc, first, index(0));
  return mul(arith::DivUIOp::create(b, loc, first, index(blockKeys)),
             index(blockKeys));
}

Value KernelBuilder::maskRowOffset(const KeyMask &mask, const KernelSizes &s,
                                   Value row0) {
  if (!mask.isAligned())
    return row0;
  return addOffset(*this, row0, diagonalOffset(*this, b, loc, s));
}

Value KernelBuilder::applyMask(Value scores, const KeyMask &mask,
                               const KernelSizes &s, Value maskRow0,
                               Value col0) {
  auto op = tile::MaskOp::create(b, loc, scores.getType(), scores, maskRow0,
                                 col0, s.nk, mask.causal);
  if (mask.left)
    op.setWindowLeftAttr(b.getI64IntegerAttr(*mask.left));
  // A causal mask already stops at the diagonal.
  if (mask.right && !mask.causal)
    op.setWindowRightAttr(b.getI64IntegerAttr(*mask.right));
  return op;
}

bool hasRowsWithoutKeys(const KeyMask &mask, const KernelSizes &s) {
  std::optional<int64_t> nq = KernelSizes::constant(s.nq),
                         nk = KernelSizes::constant(s.nk);
  if (!mask.after() && !mask.left)
    return false;
  if (!nq || !nk)
    return true;
  // Row i sees keys [i + Nk - Nq - left, i + Nk - Nq + after] within
  // [0, Nk): the first row sees the fewest on the right, the last the
  // fewest on the left.
  int64_t diagonal = *nk - *nq;
  if (std::optional<int64_t> after = mask.after();
      after && diagonal + *after < 0)
    return true;
  return mask.left && (*nq - 1) + diagonal - *mask.left >= *nk;
}

Value KernelBuilder::mul(Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}
Value KernelBuilder::add(Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value KernelBuilder::minIndex(Value x, Value y) {
  return arith::MinUIOp::create(b, loc, x, y);
}

Value KernelBuilder::splat(ArrayRef<int64_t> shape, double value) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return arith::ConstantOp::create(
      b, loc, type,
      DenseElementsAttr::get(type, b.getF32FloatAttr(value).getValue()));
}

Value KernelBuilder::load(Value memref, ValueRange batchHead, Value row,
                          Value col, int64_t rows, int64_t cols) {
  auto mt = cast<MemRefType>(memref.getType());
  SmallVector<Value> indices(batchHead);
  indices.push_back(row);
  indices.push_back(col);
  auto type = RankedTensorType::get({rows, cols}, mt.getElementType());
  return tile::LoadOp::create(b, loc, type, memref, indices);
}

Value KernelBuilder::loadRow(Value memref, ValueRange batchHead, Value row,
                             int64_t rows) {
  SmallVector<Value> indices(batchHead);
  indices.push_back(row);
  auto type = RankedTensorType::get({rows}, b.getF32Type());
  return tile::LoadOp::create(b, loc, type, memref, indices);
}

void KernelBuilder::store(Value tile, Value memref, ValueRange indices) {
  tile::StoreOp::create(b, loc, tile, memref, indices);
}

void KernelBuilder::atomicAdd(Value tile, Value memref, ValueRange indices,
                              bool transpose) {
  tile::AtomicAddOp::create(b, loc, tile, memref, indices, transpose);
}

Value KernelBuilder::dot(Value lhs, Value rhs, Value acc, bool transposeLhs,
                         bool transposeRhs) {
  ArrayRef<int64_t> l = cast<RankedTensorType>(lhs.getType()).getShape();
  ArrayRef<int64_t> r = cast<RankedTensorType>(rhs.getType()).getShape();
  auto type = RankedTensorType::get(
      {transposeLhs ? l[1] : l[0], transposeRhs ? r[0] : r[1]}, b.getF32Type());
  return tile::DotOp::create(b, loc, type, lhs, rhs, acc, transposeLhs,
                             transposeRhs, /*async=*/false);
}

Value KernelBuilder::mulf(Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}
Value KernelBuilder::subf(Value x, Value y) {
  return arith::SubFOp::create(b, loc, x, y);
}
Value KernelBuilder::addf(Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}
Value KernelBuilder::exp2(Value x) { return math::Exp2Op::create(b, loc, x); }

Value KernelBuilder::reduce(tile::ReduceKind kind, Value x) {
  auto t = cast<RankedTensorType>(x.getType());
  auto type = RankedTensorType::get({t.getDimSize(0)}, t.getElementType());
  return tile::ReduceOp::create(b, loc, type, kind, x);
}

Value KernelBuilder::broadcast(Value row, int64_t cols) {
  auto t = cast<RankedTensorType>(row.getType());
  auto type =
      RankedTensorType::get({t.getDimSize(0), cols}, t.getElementType());
  return tile::BroadcastOp::create(b, loc, type, row);
}

Value KernelBuilder::broadcastDown(Value column, int64_t rows) {
  auto t = cast<RankedTensorType>(column.getType());
  auto type =
      RankedTensorType::get({rows, t.getDimSize(0)}, t.getElementType());
  return tile::BroadcastOp::create(b, loc, type, column, /*dim=*/0);
}

Value KernelBuilder::transpose(Value tile) {
  auto t = cast<RankedTensorType>(tile.getType());
  auto type = RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)},
                                    t.getElementType());
  return tile::TransposeOp::create(b, loc, type, tile);
}

Value KernelBuilder::convert(Value tile, Type elementType) {
  auto t = cast<RankedTensorType>(tile.getType());
  if (t.getElementType() == elementType)
    return tile;
  auto type = t.clone(elementType);
  if (elementType.getIntOrFloatBitWidth() < t.getElementTypeBitWidth())
    return arith::TruncFOp::create(b, loc, type, tile);
  return arith::ExtFOp::create(b, loc, type, tile);
}

} // namespace attn
