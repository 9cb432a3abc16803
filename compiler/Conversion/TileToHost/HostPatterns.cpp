//===- HostPatterns.cpp - tile ops -> sequential loops on buffers ---------===//
//
// Numerics follow the GPU kernels: low-precision operands are extended to
// f32 and multiplied and summed in f32 as the MMA does; P is truncated
// before P·V exactly where the IR says; loads read zero past the bounds.
// Rung 4's GPU constructs get sequential equivalents: a shared buffer is an
// ordinary buffer, tile.async_copy a plain copy, commit / wait / barrier
// nothing, a layout conversion the same values.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/TileToHost/Patterns.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"

#include <cmath>

using namespace mlir;
using namespace attn;

namespace attn::tilehost {

TileToHostTypeConverter::TileToHostTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](RankedTensorType type) -> Type {
    return MemRefType::get(type.getShape(), type.getElementType());
  });
  addConversion([](tile::BufferType type) -> Type {
    return MemRefType::get(type.getShape(), type.getElementType());
  });
}

Value HostBuffers::allocate(OpBuilder &b, MemRefType type) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&kernel.getBody().front());
  Value buffer = memref::AllocOp::create(b, kernel.getLoc(), type);
  buffers.push_back(buffer);
  return buffer;
}

void HostBuffers::freeAll() {
  kernel.walk([&](func::ReturnOp ret) {
    OpBuilder b(ret);
    for (Value buffer : buffers)
      memref::DeallocOp::create(b, ret.getLoc(), buffer);
  });
}

} // namespace attn::tilehost

using namespace attn::tilehost;

namespace {

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// Loops over every index of `shape`, innermost last, calling `body` with
/// the induction variables.
void forEach(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
             function_ref<void(ValueRange)> body) {
  SmallVector<Value> ivs;
  std::function<void(size_t)> nest = [&](size_t dim) {
    if (dim == shape.size())
      return body(ivs);
    auto loop = scf::ForOp::create(b, loc, idx(b, loc, 0),
                                   idx(b, loc, shape[dim]), idx(b, loc, 1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    ivs.push_back(loop.getInductionVar());
    nest(dim + 1);
    ivs.pop_back();
  };
  nest(0);
}

Value toF32(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
}

Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value x,
          Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}

/// Whether each of `pos` is inside the last dimensions of `memref` (sizes
/// known only at run time read from its descriptor).
Value insideTrailing(OpBuilder &b, Location loc, Value memref,
                     ValueRange pos) {
  auto type = cast<MemRefType>(memref.getType());
  int64_t rank = type.getRank(), n = pos.size();
  Value inside;
  for (int64_t d = 0; d < n; ++d) {
    int64_t dim = rank - n + d;
    Value size = type.isDynamicDim(dim)
                     ? memref::DimOp::create(b, loc, memref, dim).getResult()
                     : idx(b, loc, type.getDimSize(dim));
    Value ok = cmp(b, loc, arith::CmpIPredicate::ult, pos[d], size);
    inside = inside ? arith::AndIOp::create(b, loc, inside, ok) : ok;
  }
  return inside;
}

/// `source[lead..., pos...]` when inside the bounds, else zero.
Value loadOrZero(OpBuilder &b, Location loc, Value source, ValueRange lead,
                 ValueRange pos) {
  auto type = cast<MemRefType>(source.getType());
  Value inside = insideTrailing(b, loc, source, pos);
  auto ifOp = scf::IfOp::create(b, loc, type.getElementType(), inside, true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  SmallVector<Value> at(lead);
  at.append(pos.begin(), pos.end());
  scf::YieldOp::create(b, loc,
                       ValueRange{memref::LoadOp::create(b, loc, source, at)});
  b.setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(b, loc,
                       ValueRange{arith::ConstantOp::create(
                           b, loc, b.getZeroAttr(type.getElementType()))});
  return ifOp.getResult(0);
}

/// The memref positions of element `at` of a tile placed at `indices` (its
/// top-left element on the last at.size() dimensions).
SmallVector<Value> tilePositions(OpBuilder &b, Location loc, ValueRange indices,
                                 ValueRange at) {
  SmallVector<Value> pos;
  ValueRange origin = indices.take_back(at.size());
  for (auto [o, i] : llvm::zip(origin, at))
    pos.push_back(arith::AddIOp::create(b, loc, o, i));
  return pos;
}

/// A pattern that may allocate result buffers.
template <typename Op> struct HostPattern : OpConversionPattern<Op> {
  HostPattern(const TypeConverter &converter, MLIRContext *context,
              HostBuffers &buffers, PatternBenefit benefit = 1)
      : OpConversionPattern<Op>(converter, context, benefit), buffers(buffers) {
  }

  /// A buffer for the tile value `v`.
  Value newBuffer(OpBuilder &b, Value v) const {
    return buffers.allocate(
        b,
        cast<MemRefType>(this->getTypeConverter()->convertType(v.getType())));
  }

  /// A buffer for `op`'s tile result whose element `at` is `input`'s
  /// element `from(at)` (a broadcast, a transpose).
  Value gather(OpBuilder &b, Op op, Value input,
               function_ref<SmallVector<Value>(ValueRange)> from) const {
    Location loc = op.getLoc();
    Value buffer = newBuffer(b, op.getResult());
    forEach(b, loc, op.getType().getShape(), [&](ValueRange at) {
      Value v = memref::LoadOp::create(b, loc, input, from(at));
      memref::StoreOp::create(b, loc, v, buffer, at);
    });
    return buffer;
  }

  HostBuffers &buffers;
};

struct LoadLowering : HostPattern<tile::LoadOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::LoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value buffer = newBuffer(rewriter, op.getResult());
    ValueRange idxs = adaptor.getIndices();
    auto type = cast<RankedTensorType>(op.getType());
    ValueRange lead = idxs.drop_back(type.getRank());
    forEach(rewriter, loc, type.getShape(), [&](ValueRange at) {
      SmallVector<Value> pos = tilePositions(rewriter, loc, idxs, at);
      memref::StoreOp::create(
          rewriter, loc,
          loadOrZero(rewriter, loc, adaptor.getSource(), lead, pos), buffer,
          at);
    });
    rewriter.replaceOp(op, buffer);
    return success();
  }
};

/// tile.store, and tile.atomic_add (sequential on the host: a load, an add
/// and a store per element).
template <typename Op> struct StoreLowering : HostPattern<Op> {
  using HostPattern<Op>::HostPattern;
  using OpAdaptor = typename Op::Adaptor;
  LogicalResult
  matchAndRewrite(Op op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange idxs = adaptor.getIndices();
    auto type = cast<RankedTensorType>(op.getValue().getType());
    bool transpose = false;
    if constexpr (std::is_same_v<Op, tile::AtomicAddOp>)
      transpose = op.getTranspose();
    forEach(rewriter, loc, type.getShape(), [&](ValueRange at) {
      // A transposed add puts element (r, c) at (c, r).
      SmallVector<Value> swapped(llvm::reverse(at));
      SmallVector<Value> pos = tilePositions(
          rewriter, loc, idxs, transpose ? ValueRange(swapped) : at);
      Value inside = insideTrailing(rewriter, loc, adaptor.getDest(), pos);
      SmallVector<Value> where(idxs.drop_back(type.getRank()));
      where.append(pos);
      auto ifOp = scf::IfOp::create(rewriter, loc, inside, false);
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(ifOp.thenBlock()->getTerminator());
      Value v = memref::LoadOp::create(rewriter, loc, adaptor.getValue(), at);
      if (std::is_same_v<Op, tile::AtomicAddOp>)
        v = arith::AddFOp::create(
            rewriter, loc,
            memref::LoadOp::create(rewriter, loc, adaptor.getDest(), where), v);
      memref::StoreOp::create(rewriter, loc, v, adaptor.getDest(), where);
    });
    rewriter.eraseOp(op);
    return success();
  }
};

struct AllocSharedLowering : HostPattern<tile::AllocSharedOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::AllocSharedOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Shared memory is an ordinary buffer on the host.
    rewriter.replaceOp(op, newBuffer(rewriter, op.getResult()));
    return success();
  }
};

struct AsyncCopyLowering : HostPattern<tile::AsyncCopyOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::AsyncCopyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange idxs = adaptor.getIndices();
    ValueRange lead = idxs.drop_back(2);
    Value slot = adaptor.getSlot();
    forEach(rewriter, loc, op.getBuffer().getType().getShape().drop_front(),
            [&](ValueRange at) {
              Value v = loadOrZero(rewriter, loc, adaptor.getSource(), lead,
                                   tilePositions(rewriter, loc, idxs, at));
              memref::StoreOp::create(rewriter, loc, v, adaptor.getBuffer(),
                                      ValueRange{slot, at[0], at[1]});
            });
    rewriter.eraseOp(op);
    return success();
  }
};

struct LocalStoreLowering : HostPattern<tile::LocalStoreOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::LocalStoreOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    forEach(
        rewriter, loc, op.getValue().getType().getShape(), [&](ValueRange at) {
          Value v =
              memref::LoadOp::create(rewriter, loc, adaptor.getValue(), at);
          memref::StoreOp::create(rewriter, loc, v, adaptor.getBuffer(),
                                  ValueRange{adaptor.getSlot(), at[0], at[1]});
        });
    rewriter.eraseOp(op);
    return success();
  }
};

struct LocalLoadLowering : HostPattern<tile::LocalLoadOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::LocalLoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value buffer = newBuffer(rewriter, op.getResult());
    auto type = cast<RankedTensorType>(op.getType());
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    forEach(rewriter, loc, type.getShape(), [&](ValueRange at) {
      // A vector is row 0 of its one-row slot.
      SmallVector<Value> index{adaptor.getSlot()};
      if (type.getRank() == 1)
        index.push_back(zero);
      llvm::append_range(index, at);
      Value v =
          memref::LoadOp::create(rewriter, loc, adaptor.getBuffer(), index);
      memref::StoreOp::create(rewriter, loc, v, buffer, at);
    });
    rewriter.replaceOp(op, buffer);
    return success();
  }
};

/// Copies complete synchronously on the host: commits, waits and barriers
/// have nothing to do.
template <typename Op> struct EraseLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.eraseOp(op);
    return success();
  }
};

struct ConvertLayoutLowering : OpConversionPattern<tile::ConvertLayoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::ConvertLayoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // A layout says where a tile lives on the GPU; the values are the same.
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

/// Any arith or math op on tiles: a loop nest applying it element-wise.
struct ElementwiseLowering : ConversionPattern {
  ElementwiseLowering(const TypeConverter &converter, MLIRContext *context,
                      HostBuffers &buffers)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/1,
                          context),
        buffers(buffers) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()) ||
        op->getNumResults() != 1 || op->getNumRegions() != 0 ||
        !isa<RankedTensorType>(op->getResult(0).getType()))
      return rewriter.notifyMatchFailure(op, "not element-wise math on tiles");
    Location loc = op->getLoc();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Value buffer = buffers.allocate(
        rewriter, cast<MemRefType>(typeConverter->convertType(type)));
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      auto splat = dyn_cast<SplatElementsAttr>(constant.getValue());
      if (!splat)
        return rewriter.notifyMatchFailure(op, "only splat tile constants");
      Value v = arith::ConstantOp::create(
          rewriter, loc, cast<TypedAttr>(splat.getSplatValue<Attribute>()));
      forEach(rewriter, loc, type.getShape(), [&](ValueRange at) {
        memref::StoreOp::create(rewriter, loc, v, buffer, at);
      });
      rewriter.replaceOp(op, buffer);
      return success();
    }
    forEach(rewriter, loc, type.getShape(), [&](ValueRange at) {
      OperationState state(loc, op->getName());
      for (Value v : operands)
        state.addOperands(Value(memref::LoadOp::create(rewriter, loc, v, at)));
      state.addTypes(type.getElementType());
      state.addAttributes(op->getAttrs());
      memref::StoreOp::create(rewriter, loc,
                              rewriter.create(state)->getResult(0), buffer, at);
    });
    rewriter.replaceOp(op, buffer);
    return success();
  }

  HostBuffers &buffers;
};

struct DotLowering : HostPattern<tile::DotOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::DotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value buffer = newBuffer(rewriter, op.getResult());
    bool transposedLhs = op.getTransposeLhs();
    bool transposed = op.getTransposeRhs();
    int64_t k = op.getLhs().getType().getDimSize(transposedLhs ? 0 : 1);
    forEach(rewriter, loc, op.getType().getShape(), [&](ValueRange at) {
      Value init = adaptor.getAcc()
                       ? Value(memref::LoadOp::create(rewriter, loc,
                                                      adaptor.getAcc(), at))
                       : Value(arith::ConstantOp::create(
                             rewriter, loc, rewriter.getF32FloatAttr(0)));
      auto loop = scf::ForOp::create(rewriter, loc, idx(rewriter, loc, 0),
                                     idx(rewriter, loc, k),
                                     idx(rewriter, loc, 1), init);
      {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(loop.getBody());
        Value kk = loop.getInductionVar();
        Value a = toF32(rewriter, loc,
                        memref::LoadOp::create(rewriter, loc, adaptor.getLhs(),
                                               transposedLhs
                                                   ? ValueRange{kk, at[0]}
                                                   : ValueRange{at[0], kk}));
        Value b =
            toF32(rewriter, loc,
                  memref::LoadOp::create(rewriter, loc, adaptor.getRhs(),
                                         transposed ? ValueRange{at[1], kk}
                                                    : ValueRange{kk, at[1]}));
        Value sum =
            math::FmaOp::create(rewriter, loc, a, b, loop.getRegionIterArg(0));
        scf::YieldOp::create(rewriter, loc, sum);
      }
      memref::StoreOp::create(rewriter, loc, loop.getResult(0), buffer, at);
    });
    rewriter.replaceOp(op, buffer);
    return success();
  }
};

struct ReduceLowering : HostPattern<tile::ReduceOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::ReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value buffer = newBuffer(rewriter, op.getResult());
    bool isMax = op.getKind() == tile::ReduceKind::max;
    int64_t cols = op.getInput().getType().getDimSize(1);
    forEach(rewriter, loc, op.getType().getShape(), [&](ValueRange at) {
      Value init = arith::ConstantOp::create(
          rewriter, loc, rewriter.getF32FloatAttr(isMax ? -INFINITY : 0.0));
      auto loop = scf::ForOp::create(rewriter, loc, idx(rewriter, loc, 0),
                                     idx(rewriter, loc, cols),
                                     idx(rewriter, loc, 1), init);
      {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(loop.getBody());
        Value x =
            memref::LoadOp::create(rewriter, loc, adaptor.getInput(),
                                   ValueRange{at[0], loop.getInductionVar()});
        Value acc = loop.getRegionIterArg(0);
        Value r = isMax
                      ? Value(arith::MaximumFOp::create(rewriter, loc, acc, x))
                      : Value(arith::AddFOp::create(rewriter, loc, acc, x));
        scf::YieldOp::create(rewriter, loc, r);
      }
      memref::StoreOp::create(rewriter, loc, loop.getResult(0), buffer, at);
    });
    rewriter.replaceOp(op, buffer);
    return success();
  }
};

struct BroadcastLowering : HostPattern<tile::BroadcastOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // dim 1: the value of each row; dim 0: of each column.
    int64_t along = 1 - op.getDim();
    rewriter.replaceOp(op, gather(rewriter, op, adaptor.getInput(),
                                  [&](ValueRange at) {
                                    return SmallVector<Value>{at[along]};
                                  }));
    return success();
  }
};

struct TransposeLowering : HostPattern<tile::TransposeOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, gather(rewriter, op, adaptor.getInput(),
                                  [](ValueRange at) {
                                    return SmallVector<Value>{at[1], at[0]};
                                  }));
    return success();
  }
};

struct MaskLowering : HostPattern<tile::MaskOp> {
  using HostPattern::HostPattern;
  LogicalResult
  matchAndRewrite(tile::MaskOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value buffer = newBuffer(rewriter, op.getResult());
    Value row0 = adaptor.getRowOffset(), col0 = adaptor.getColOffset();
    Value numCols = adaptor.getDynamicNumCols()
                        ? adaptor.getDynamicNumCols()
                        : idx(rewriter, loc, int64_t(*op.getNumCols()));
    // The score's query (row) and key (col); swapped for a transposed tile.
    bool transposed = op.getTransposed();
    forEach(rewriter, loc, op.getType().getShape(), [&](ValueRange at) {
      Value tileRow = arith::AddIOp::create(rewriter, loc, row0, at[0]);
      Value tileCol = arith::AddIOp::create(rewriter, loc, col0, at[1]);
      Value row = transposed ? tileCol : tileRow;
      Value col = transposed ? tileRow : tileCol;
      Value bad = cmp(rewriter, loc, arith::CmpIPredicate::uge, col, numCols);
      if (op.getCausal())
        bad = arith::OrIOp::create(
            rewriter, loc, bad,
            cmp(rewriter, loc, arith::CmpIPredicate::sgt, col, row));
      // A sliding window: before row - left, after row + right.
      if (std::optional<uint64_t> left = op.getWindowLeft())
        bad = arith::OrIOp::create(
            rewriter, loc, bad,
            cmp(rewriter, loc, arith::CmpIPredicate::slt,
                arith::AddIOp::create(rewriter, loc, col,
                                      idx(rewriter, loc, int64_t(*left))),
                row));
      if (std::optional<uint64_t> right = op.getWindowRight())
        bad = arith::OrIOp::create(
            rewriter, loc, bad,
            cmp(rewriter, loc, arith::CmpIPredicate::sgt, col,
                arith::AddIOp::create(rewriter, loc, row,
                                      idx(rewriter, loc, int64_t(*right)))));
      Value negInf = arith::ConstantOp::create(
          rewriter, loc, rewriter.getF32FloatAttr(-INFINITY));
      Value v = arith::SelectOp::create(
          rewriter, loc, bad, negInf,
          memref::LoadOp::create(rewriter, loc, adaptor.getInput(), at));
      memref::StoreOp::create(rewriter, loc, v, buffer, at);
    });
    rewriter.replaceOp(op, buffer);
    return success();
  }
};

/// A loop carrying tiles: each carried tile gets a buffer of its own (the
/// loop's iteration argument for its whole run), filled from the initial
/// value before the loop and from the yielded value at the end of each
/// iteration (scf.yield, below), so that no iteration reads a buffer a
/// later op of it has already overwritten.
struct ForLowering : HostPattern<scf::ForOp> {
  ForLowering(const TypeConverter &converter, MLIRContext *context,
              HostBuffers &buffers)
      // Before upstream's structural conversion.
      : HostPattern(converter, context, buffers, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(scf::ForOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (llvm::none_of(op.getInitArgs().getTypes(),
                      [](Type t) { return isa<RankedTensorType>(t); }))
      return rewriter.notifyMatchFailure(op, "carries no tile");
    Location loc = op.getLoc();
    SmallVector<Value> inits;
    for (auto [original, converted] :
         llvm::zip(op.getInitArgs(), adaptor.getInitArgs())) {
      if (!isa<RankedTensorType>(original.getType())) {
        inits.push_back(converted);
        continue;
      }
      Value carried = newBuffer(rewriter, original);
      memref::CopyOp::create(rewriter, loc, converted, carried);
      inits.push_back(carried);
    }
    auto loop =
        scf::ForOp::create(rewriter, loc, adaptor.getLowerBound(),
                           adaptor.getUpperBound(), adaptor.getStep(), inits);
    rewriter.eraseBlock(loop.getBody());
    rewriter.inlineRegionBefore(op.getRegion(), loop.getRegion(),
                                loop.getRegion().end());
    if (failed(rewriter.convertRegionTypes(&loop.getRegion(),
                                           *getTypeConverter())))
      return failure();
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

/// The yield of a loop that carries tiles: copy each yielded tile into the
/// loop's buffer for it (through temporaries when a yielded tile is itself
/// a carried buffer, so that swaps stay correct) and yield the buffers.
struct ForYieldLowering : HostPattern<scf::YieldOp> {
  ForYieldLowering(const TypeConverter &converter, MLIRContext *context,
                   HostBuffers &buffers)
      : HostPattern(converter, context, buffers, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(scf::YieldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto loop = dyn_cast<scf::ForOp>(op->getParentOp());
    if (!loop || llvm::none_of(op.getOperandTypes(),
                               [](Type t) { return isa<RankedTensorType>(t); }))
      return rewriter.notifyMatchFailure(op, "not the yield of a tile loop");
    Location loc = op.getLoc();
    SmallVector<Value> yields;
    SmallVector<std::pair<Value, Value>> copies; // (from, to)
    bool aliases = false;
    for (auto [i, pair] :
         llvm::enumerate(llvm::zip(op.getOperands(), adaptor.getOperands()))) {
      auto [original, converted] = pair;
      if (!isa<RankedTensorType>(original.getType())) {
        yields.push_back(converted);
        continue;
      }
      Value carried = loop.getRegionIterArg(i);
      aliases |= llvm::is_contained(loop.getRegionIterArgs(), converted);
      copies.push_back({converted, carried});
      yields.push_back(carried);
    }
    if (aliases)
      for (auto &[from, to] : copies) {
        Value staged = newBuffer(rewriter, from);
        memref::CopyOp::create(rewriter, loc, from, staged);
        from = staged;
      }
    for (auto [from, to] : copies)
      memref::CopyOp::create(rewriter, loc, from, to);
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, yields);
    return success();
  }
};

} // namespace

void attn::tilehost::populateTileToHostPatterns(const TypeConverter &converter,
                                                HostBuffers &buffers,
                                                RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns
      .add<LoadLowering, StoreLowering<tile::StoreOp>,
           StoreLowering<tile::AtomicAddOp>, TransposeLowering,
           AllocSharedLowering, AsyncCopyLowering, LocalLoadLowering,
           LocalStoreLowering, DotLowering, ReduceLowering, BroadcastLowering,
           MaskLowering, ForLowering, ForYieldLowering, ElementwiseLowering>(
          converter, context, buffers);
  // Branches that yield tiles yield their buffers.
  scf::populateSCFStructuralTypeConversions(converter, patterns);
  patterns
      .add<EraseLowering<tile::AsyncCommitOp>, EraseLowering<tile::AsyncWaitOp>,
           EraseLowering<tile::BarrierOp>, ConvertLayoutLowering>(converter,
                                                                  context);
}
