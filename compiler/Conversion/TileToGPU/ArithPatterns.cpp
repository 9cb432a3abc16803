//===- ArithPatterns.cpp - tile math -> per-thread math -------------------===//
//
// Element-wise ops apply to each piece a thread holds (exp2/log2 through the
// NVVM ex2/lg2.approx intrinsics, which need no libdevice); row reductions
// combine a thread's pieces, then the four threads of a quad with shuffles;
// broadcasts and masks work on the pieces in place; layout conversions
// regroup registers or read a shared-memory tile into registers.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/TileToGPU/Layouts.h"
#include "compiler/Conversion/TileToGPU/Patterns.h"
#include "compiler/Conversion/TileToGPU/TypeConverter.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace attn;
using namespace attn::tilegpu;

namespace {

Value extract(OpBuilder &b, Location loc, Value vec, ArrayRef<int64_t> pos) {
  return vector::ExtractOp::create(b, loc, vec, pos);
}

/// exp2/log2 on a vector, element by element through the NVVM intrinsic.
Value approxIntrinsic(OpBuilder &b, Location loc, StringRef name, Value x) {
  auto type = cast<VectorType>(x.getType());
  SmallVector<Value> rows;
  int64_t numRows = type.getRank() == 1 ? 1 : type.getDimSize(0);
  for (int64_t h = 0; h < numRows; ++h) {
    SmallVector<Value> elems;
    for (int64_t j = 0; j < type.getShape().back(); ++j) {
      SmallVector<int64_t> pos = type.getRank() == 1
                                     ? SmallVector<int64_t>{j}
                                     : SmallVector<int64_t>{h, j};
      elems.push_back(LLVM::CallIntrinsicOp::create(
                          b, loc, b.getF32Type(), b.getStringAttr(name),
                          ValueRange{extract(b, loc, x, pos)})
                          .getResult(0));
    }
    rows.push_back(vector::FromElementsOp::create(
        b, loc, VectorType::get({type.getShape().back()}, b.getF32Type()),
        elems));
  }
  return type.getRank() == 1 ? rows[0] : stackRows(b, loc, rows);
}

/// Any arith or math op on tiles in a register layout: the same op on each
/// piece.
struct ElementwiseLowering : ConversionPattern {
  ElementwiseLowering(const TypeConverter &converter, MLIRContext *context)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/1,
                          context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<ValueRange> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()) ||
        isa<arith::ConstantOp>(op))
      return rewriter.notifyMatchFailure(op, "not element-wise math");
    if (op->getNumResults() != 1 || op->getNumRegions() != 0 ||
        !tile::hasRegisterLayout(op->getResult(0).getType()))
      return rewriter.notifyMatchFailure(op, "not math on register tiles");
    for (Value v : op->getOperands())
      if (!tile::hasRegisterLayout(v.getType()))
        return rewriter.notifyMatchFailure(op, "mixes tiles and scalars");
    SmallVector<Type> pieceTypes;
    if (failed(
            typeConverter->convertType(op->getResult(0).getType(), pieceTypes)))
      return failure();
    Location loc = op->getLoc();
    SmallVector<Value> results;
    for (size_t i = 0; i < pieceTypes.size(); ++i) {
      // exp2/log2 go straight to ex2.approx / lg2.approx: upstream's
      // GPU-to-NVVM would call libdevice, which needs the CUDA toolkit.
      // exp2 flushes subnormal results to zero (.ftz, as nvcc's fast math
      // does): without it ptxas wraps each MUFU.EX2 in a range test and two
      // multiplies. A probability under 2^-126 changes no sum it joins.
      if (isa<math::Exp2Op, math::Log2Op>(op)) {
        StringRef name = isa<math::Exp2Op>(op) ? "llvm.nvvm.ex2.approx.ftz.f32"
                                               : "llvm.nvvm.lg2.approx.f";
        results.push_back(approxIntrinsic(rewriter, loc, name, operands[0][i]));
        continue;
      }
      OperationState state(loc, op->getName());
      for (ValueRange pieces : operands)
        state.addOperands(pieces[i]);
      state.addTypes(pieceTypes[i]);
      state.addAttributes(op->getAttrs());
      results.push_back(rewriter.create(state)->getResult(0));
    }
    rewriter.replaceOpWithMultiple(op, {results});
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<arith::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(arith::ConstantOp op, OneToNOpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!tile::hasRegisterLayout(op.getType()))
      return rewriter.notifyMatchFailure(op, "not a register tile");
    auto splat = dyn_cast<SplatElementsAttr>(op.getValue());
    if (!splat)
      return rewriter.notifyMatchFailure(op, "only splat tiles");
    SmallVector<Type> pieceTypes;
    if (failed(typeConverter->convertType(op.getType(), pieceTypes)))
      return failure();
    auto piece = cast<VectorType>(pieceTypes.front());
    Value v = arith::ConstantOp::create(
        rewriter, op.getLoc(), piece,
        SplatElementsAttr::get(piece, splat.getSplatValue<Attribute>()));
    rewriter.replaceOpWithMultiple(op,
                                   {SmallVector<Value>(pieceTypes.size(), v)});
    return success();
  }
};

struct ReduceLowering : OpConversionPattern<tile::ReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::ReduceOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    AccumulatorLayout layout = accumulatorLayoutOf(op.getInput().getType());
    ValueRange in = adaptor.getInput();
    bool isMax = op.getKind() == tile::ReduceKind::max;
    auto combine = [&](Value x, Value y) -> Value {
      if (isMax)
        return arith::MaximumFOp::create(rewriter, loc, x, y);
      return arith::AddFOp::create(rewriter, loc, x, y);
    };
    int64_t nAtoms = layout.colAtoms();
    SmallVector<Value> out;
    for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi) {
      // Across this thread's slices, then its two columns, then the quad.
      Value acc = in[mi * nAtoms];
      for (int64_t ni = 1; ni < nAtoms; ++ni)
        acc = combine(acc, in[mi * nAtoms + ni]);
      SmallVector<Value> halves;
      for (int64_t h = 0; h < 2; ++h) {
        Value v = combine(extract(rewriter, loc, acc, {h, 0}),
                          extract(rewriter, loc, acc, {h, 1}));
        for (int32_t offset : {1, 2}) {
          Value other =
              mlir::gpu::ShuffleOp::create(
                  rewriter, loc, v,
                  arith::ConstantIntOp::create(rewriter, loc, offset, 32),
                  arith::ConstantIntOp::create(rewriter, loc, 32, 32),
                  mlir::gpu::ShuffleMode::XOR)
                  .getShuffleResult();
          v = combine(v, other);
        }
        halves.push_back(v);
      }
      out.push_back(vector::FromElementsOp::create(
          rewriter, loc, VectorType::get({2}, rewriter.getF32Type()), halves));
    }
    rewriter.replaceOpWithMultiple(op, {out});
    return success();
  }
};

struct BroadcastLowering : OpConversionPattern<tile::BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::BroadcastOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    AccumulatorLayout layout = accumulatorLayoutOf(op.getType());
    auto rowType = VectorType::get({2}, rewriter.getF32Type());
    SmallVector<Value> out;
    if (op.getDim() == 0) {
      // A column vector's piece (columns 2t, 2t+1 of a slice) is both rows
      // of that slice's piece in every atom.
      ValueRange cols = adaptor.getInput();
      for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi)
        for (Value pair : cols)
          out.push_back(stackRows(rewriter, loc, {pair, pair}));
      rewriter.replaceOpWithMultiple(op, {out});
      return success();
    }
    for (Value rows : adaptor.getInput()) {
      Value r0 = vector::BroadcastOp::create(rewriter, loc, rowType,
                                             extract(rewriter, loc, rows, 0));
      Value r1 = vector::BroadcastOp::create(rewriter, loc, rowType,
                                             extract(rewriter, loc, rows, 1));
      out.append(layout.colAtoms(), stackRows(rewriter, loc, {r0, r1}));
    }
    rewriter.replaceOpWithMultiple(op, {out});
    return success();
  }
};

struct MaskLowering : OpConversionPattern<tile::MaskOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::MaskOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    AccumulatorLayout layout = accumulatorLayoutOf(type);
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    auto c = [&](int64_t v) { return indexConstant(rewriter, loc, v); };
    auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) -> Value {
      return arith::CmpIOp::create(rewriter, loc, p, x, y);
    };
    bool transposed = op.getTransposed();
    ValueRange in = adaptor.getInput();
    Value rowOff = adaptor.getRowOffset().front();
    Value colOff = adaptor.getColOffset().front();
    Value numCols = op.getDynamicNumCols()
                        ? adaptor.getDynamicNumCols().front()
                        : c(int64_t(*op.getNumCols()));

    // The element tests of every piece.
    auto maskPieces = [&]() {
      Value negInf = arith::ConstantOp::create(
          rewriter, loc, rewriter.getF32FloatAttr(-INFINITY));
      SmallVector<Value> masked;
      for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi) {
        for (int64_t ni = 0; ni < layout.colAtoms(); ++ni) {
          Value piece = in[mi * layout.colAtoms() + ni];
          SmallVector<Value> newRows;
          for (int64_t h = 0; h < 2; ++h) {
            Value tileRow = addIndex(rewriter, loc, rowOff,
                                     layout.row(rewriter, loc, ids, mi, h));
            SmallVector<Value> elems;
            for (int64_t j = 0; j < 2; ++j) {
              Value tileCol = addIndex(rewriter, loc, colOff,
                                       layout.col(rewriter, loc, ids, ni, j));
              // The score's query (row) and key (col).
              Value row = transposed ? tileCol : tileRow;
              Value col = transposed ? tileRow : tileCol;
              Value bad = cmp(arith::CmpIPredicate::uge, col, numCols);
              if (op.getCausal())
                bad = arith::OrIOp::create(
                    rewriter, loc, bad,
                    cmp(arith::CmpIPredicate::sgt, col, row));
              // A sliding window: before row - left, after row + right.
              if (std::optional<uint64_t> left = op.getWindowLeft())
                bad = arith::OrIOp::create(
                    rewriter, loc, bad,
                    cmp(arith::CmpIPredicate::slt, addIndex(rewriter, loc, col,
                                                            c(*left)),
                        row));
              if (std::optional<uint64_t> right = op.getWindowRight())
                bad = arith::OrIOp::create(
                    rewriter, loc, bad,
                    cmp(arith::CmpIPredicate::sgt, col,
                        addIndex(rewriter, loc, row, c(*right))));
              elems.push_back(arith::SelectOp::create(
                  rewriter, loc, bad, negInf,
                  extract(rewriter, loc, piece, {h, j})));
            }
            newRows.push_back(vector::FromElementsOp::create(
                rewriter, loc, VectorType::get({2}, rewriter.getF32Type()),
                elems));
          }
          masked.push_back(stackRows(rewriter, loc, newRows));
        }
      }
      return masked;
    };
    if (op.getUnconditional()) {
      rewriter.replaceOpWithMultiple(op, {maskPieces()});
      return success();
    }

    // Otherwise only tiles that cross the diagonal, a window's edge or the
    // last column pay for masking. Below, rows are queries and columns keys
    // (swapped for a transposed tile).
    int64_t rows = type.getDimSize(transposed ? 1 : 0);
    int64_t cols = type.getDimSize(transposed ? 0 : 1);
    Value qOff = transposed ? colOff : rowOff;
    Value kOff = transposed ? rowOff : colOff;
    Value lastCol = addIndex(rewriter, loc, kOff, c(cols));
    Value needed = cmp(arith::CmpIPredicate::ugt, lastCol, numCols);
    auto orNeeded = [&](Value more) {
      needed = arith::OrIOp::create(rewriter, loc, needed, more);
    };
    if (op.getCausal())
      orNeeded(cmp(arith::CmpIPredicate::sgt,
                   addIndex(rewriter, loc, kOff, c(cols - 1)), qOff));
    // The first column before the last row's window, the last column after
    // the first row's.
    if (std::optional<uint64_t> left = op.getWindowLeft())
      orNeeded(cmp(arith::CmpIPredicate::slt,
                   addIndex(rewriter, loc, kOff, c(*left)),
                   addIndex(rewriter, loc, qOff, c(rows - 1))));
    if (std::optional<uint64_t> right = op.getWindowRight())
      orNeeded(cmp(arith::CmpIPredicate::sgt,
                   addIndex(rewriter, loc, kOff, c(cols - 1)),
                   addIndex(rewriter, loc, qOff, c(*right))));
    auto ifOp = scf::IfOp::create(rewriter, loc, TypeRange(in), needed,
                                  /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(rewriter, loc, in);
      rewriter.setInsertionPointToStart(ifOp.thenBlock());
      scf::YieldOp::create(rewriter, loc, maskPieces());
    }
    rewriter.replaceOpWithMultiple(op, {ifOp.getResults()});
    return success();
  }
};

/// #tile.mma -> #tile.operand<a>: two adjacent accumulator pieces are one A
/// fragment of a k16 step (for TF32, one piece is a k8 fragment, its k order
/// permuted so that slot t holds column 2t and slot t+4 column 2t+1; the B
/// side reads with the same permutation).
Value accumulatorToOperandA(OpBuilder &b, Location loc, ValueRange pieces,
                            AccumulatorLayout layout, Type elt, int64_t mi,
                            int64_t ki) {
  int64_t kAtoms = layout.colAtoms();
  if (!elt.isF32()) {
    Value lo = pieces[mi * kAtoms + 2 * ki];
    Value hi = pieces[mi * kAtoms + 2 * ki + 1];
    return stackRows(b, loc,
                     {extract(b, loc, lo, 0), extract(b, loc, lo, 1),
                      extract(b, loc, hi, 0), extract(b, loc, hi, 1)});
  }
  auto one = VectorType::get({1}, b.getF32Type());
  auto wrap = [&](Value scalar) -> Value {
    return vector::FromElementsOp::create(b, loc, one, ValueRange{scalar});
  };
  Value piece = pieces[mi * kAtoms + ki];
  return stackRows(b, loc,
                   {wrap(extract(b, loc, piece, {0, 0})),
                    wrap(extract(b, loc, piece, {1, 0})),
                    wrap(extract(b, loc, piece, {0, 1})),
                    wrap(extract(b, loc, piece, {1, 1}))});
}

struct ConvertLayoutLowering : OpConversionPattern<tile::ConvertLayoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::ConvertLayoutOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType from = op.getInput().getType();
    RankedTensorType to = op.getType();
    Type elt = to.getElementType();
    auto toOperand = dyn_cast<tile::OperandEncodingAttr>(to.getEncoding());
    auto fromMma = dyn_cast<tile::MmaEncodingAttr>(from.getEncoding());
    // Accumulator -> A operand: regroup the registers.
    if (fromMma && toOperand && toOperand.getParent() == fromMma) {
      AccumulatorLayout layout = accumulatorLayoutOf(from);
      int64_t kSteps = to.getDimSize(1) / operandKStep(elt);
      SmallVector<Value> out;
      for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi)
        for (int64_t ki = 0; ki < kSteps; ++ki)
          out.push_back(accumulatorToOperandA(rewriter, loc, adaptor.getInput(),
                                              layout, elt, mi, ki));
      rewriter.replaceOpWithMultiple(op, {out});
      return success();
    }
    // Shared memory -> accumulator layout: each thread reads its elements.
    auto toMma = dyn_cast<tile::MmaEncodingAttr>(to.getEncoding());
    if (tile::hasSharedLayout(from) && toMma) {
      AccumulatorLayout layout = accumulatorLayoutOf(to);
      ThreadIds ids = ThreadIds::get(rewriter, loc);
      SharedTile tile = SharedTile::of(adaptor.getInput());
      auto pair = VectorType::get({2}, elt);
      SmallVector<Value> out;
      for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi) {
        for (int64_t ni = 0; ni < layout.colAtoms(); ++ni) {
          SmallVector<Value> rows;
          for (int64_t h = 0; h < 2; ++h) {
            Value row = layout.row(rewriter, loc, ids, mi, h);
            Value col = layout.col(rewriter, loc, ids, ni, 0);
            rows.push_back(vector::LoadOp::create(
                rewriter, loc, pair, tile.buffer, tile.at(row, col)));
          }
          out.push_back(stackRows(rewriter, loc, rows));
        }
      }
      rewriter.replaceOpWithMultiple(op, {out});
      return success();
    }
    return rewriter.notifyMatchFailure(op, "unsupported layout conversion");
  }
};

} // namespace

void attn::tilegpu::populateTileArithToGPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering, ConstantLowering, ReduceLowering,
               BroadcastLowering, MaskLowering, ConvertLayoutLowering>(
      converter, patterns.getContext());
}
