//===- MemoryPatterns.cpp - tile memory ops -> per-thread accesses --------===//
//
// Global loads and stores move a tile between device memory and its
// registers in the accumulator layout: an interior tile with unmasked
// vector accesses, a tile at a ragged edge with masked ones (the choice is
// one uniform branch). Shared buffers are views of the kernel's dynamic
// shared memory at the offsets attn-allocate-shared gave them; copies into
// them are cp.async chunks spread over all threads of the program.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/TileToGPU/Layouts.h"
#include "compiler/Conversion/TileToGPU/Patterns.h"
#include "compiler/Conversion/TileToGPU/TypeConverter.h"
#include "compiler/Target/Chip.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace attn;
using namespace attn::tilegpu;

namespace {

using OneToN = ArrayRef<ValueRange>;

/// The single value each 1:1 operand converted to.
SmallVector<Value> singles(OneToN operands) {
  return llvm::map_to_vector(operands, [](ValueRange r) { return r.front(); });
}

Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value x,
          Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}

/// Indices [lead..., row, col] of a tile access.
SmallVector<Value> accessIndices(ValueRange lead, Value row, Value col) {
  SmallVector<Value> indices(lead);
  indices.push_back(row);
  indices.push_back(col);
  return indices;
}

/// Size `dim` of `memref`: a constant, or memref.dim where it is known only
/// at run time.
Value sizeOf(OpBuilder &b, Location loc, Value memref, int64_t dim) {
  auto type = cast<MemRefType>(memref.getType());
  if (!type.isDynamicDim(dim))
    return indexConstant(b, loc, type.getDimSize(dim));
  return memref::DimOp::create(b, loc, memref, dim);
}

/// Whether every row of `type` starts at a multiple of `elements` elements
/// (for aligned vector accesses and cp.async chunks): a row of a static
/// stride that is one; a row of a stride known only at run time is 16-byte
/// aligned, which the runtime checks of every such stride (Instantiate.h).
bool rowsAlignedTo(MemRefType type, int64_t elements) {
  auto [strides, offset] = type.getStridesAndOffset();
  int64_t rank = type.getRank();
  int64_t eltBytes = type.getElementTypeBitWidth() / 8;
  for (int64_t d = 0; d + 1 < rank; ++d) {
    if (ShapedType::isDynamic(strides[d])) {
      if (16 % (elements * eltBytes) != 0)
        return false;
      continue;
    }
    if (strides[d] % elements != 0)
      return false;
  }
  return true;
}

/// The byte alignment of a `width`-element access of `elt` at an even or
/// unknown column: its size where the column is provably even, else the
/// element's.
llvm::MaybeAlign pairAlignment(Type elt, int64_t width, Value colOff) {
  int64_t bytes = elt.getIntOrFloatBitWidth() / 8;
  return llvm::MaybeAlign(tile::isMultipleOf(colOff, 2) ? width * bytes : bytes);
}

/// True (uniformly across the program) when the rows x cols tile at
/// (rowOff, colOff) lies inside a memRows x memCols matrix.
Value tileInBounds(OpBuilder &b, Location loc, Value rowOff, Value colOff,
                   int64_t rows, int64_t cols, Value memRows, Value memCols) {
  auto c = [&](int64_t v) { return indexConstant(b, loc, v); };
  return arith::AndIOp::create(
      b, loc,
      cmp(b, loc, arith::CmpIPredicate::ule, addIndex(b, loc, rowOff, c(rows)),
          memRows),
      cmp(b, loc, arith::CmpIPredicate::ule, addIndex(b, loc, colOff, c(cols)),
          memCols));
}

/// The mask of `width` consecutive elements from (row, col), each inside a
/// memRows x memCols matrix.
Value elementMask(OpBuilder &b, Location loc, Value row, Value col,
                  int64_t width, Value memRows, Value memCols) {
  auto c = [&](int64_t v) { return indexConstant(b, loc, v); };
  Value rowOk = cmp(b, loc, arith::CmpIPredicate::ult, row, memRows);
  SmallVector<Value> bits;
  for (int64_t e = 0; e < width; ++e)
    bits.push_back(
        arith::AndIOp::create(b, loc, rowOk,
                              cmp(b, loc, arith::CmpIPredicate::ult,
                                  addIndex(b, loc, col, c(e)), memCols)));
  return vector::FromElementsOp::create(
      b, loc, VectorType::get({width}, b.getI1Type()), bits);
}

/// A row vector (#tile.slice<dim = 1> of an accumulator layout: a value per
/// tile row, the logsumexp or δ of the backward): each thread reads the
/// values of its two rows per atom, zero past the end; the four threads of
/// a quad read the same ones. A column vector is read by the columns each
/// thread holds.
LogicalResult lowerRowLoad(tile::LoadOp op, ArrayRef<Value> idxs, Value source,
                           ConversionPatternRewriter &rewriter) {
  RankedTensorType type = op.getType();
  Location loc = op.getLoc();
  MemRefType mem = op.getSource().getType();
  AccumulatorLayout layout = accumulatorLayoutOf(type);
  ThreadIds ids = ThreadIds::get(rewriter, loc);
  Value memRows = sizeOf(rewriter, loc, source, mem.getRank() - 1);
  Type elt = type.getElementType();
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(elt));
  // A column vector (#tile.slice<dim = 0>): the thread's two columns of
  // each 8-column slice instead.
  bool columns =
      cast<tile::SliceEncodingAttr>(type.getEncoding()).getDim() == 0;
  int64_t numPieces = columns ? layout.colAtoms() : layout.atomsPerWarp();
  auto pairType = VectorType::get({2}, elt);
  SmallVector<Value> pieces;
  // A column vector inside the memref, starting at an even element of an
  // aligned buffer: each piece is two adjacent elements, one 8-byte load
  // (no per-element test).
  int64_t eltBytes = elt.getIntOrFloatBitWidth() / 8;
  std::optional<scf::IfOp> interior;
  if (columns && mem.hasStaticShape() && rowsAlignedTo(mem, 2)) {
    auto c = [&](int64_t v) { return indexConstant(rewriter, loc, v); };
    auto isZero = [&](Value x, int64_t modulus) {
      return cmp(rewriter, loc, arith::CmpIPredicate::eq,
                 arith::RemUIOp::create(rewriter, loc, x, c(modulus)), c(0));
    };
    // The pair's address is 8-byte aligned when the buffer is (a view of
    // an odd element is not) and the start is even (the strides are).
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(rewriter, loc,
                                                               source);
    Value start = idxs.back();
    Value inside = arith::AndIOp::create(
        rewriter, loc,
        cmp(rewriter, loc, arith::CmpIPredicate::ule,
            addIndex(rewriter, loc, start, c(type.getDimSize(0))), memRows),
        arith::AndIOp::create(rewriter, loc, isZero(start, 2),
                              isZero(base, 2 * eltBytes)));
    interior = scf::IfOp::create(rewriter, loc,
                                 SmallVector<Type>(numPieces, pairType), inside,
                                 /*withElseRegion=*/true);
    rewriter.setInsertionPointToStart(interior->thenBlock());
    SmallVector<Value> loaded;
    for (int64_t ni = 0; ni < numPieces; ++ni) {
      SmallVector<Value> at(idxs.drop_back(1));
      at.push_back(addIndex(rewriter, loc, start,
                            layout.col(rewriter, loc, ids, ni, 0)));
      loaded.push_back(vector::LoadOp::create(
          rewriter, loc, pairType, source, at, /*nontemporal=*/false,
          llvm::MaybeAlign(2 * eltBytes)));
    }
    scf::YieldOp::create(rewriter, loc, loaded);
    rewriter.setInsertionPointToStart(interior->elseBlock());
  }
  for (int64_t mi = 0; mi < numPieces; ++mi) {
    SmallVector<Value> values;
    for (int64_t h = 0; h < 2; ++h) {
      Value row = addIndex(rewriter, loc, idxs.back(),
                           columns ? layout.col(rewriter, loc, ids, mi, h)
                                   : layout.row(rewriter, loc, ids, mi, h));
      Value inside = cmp(rewriter, loc, arith::CmpIPredicate::ult, row,
                         memRows);
      auto ifOp = scf::IfOp::create(rewriter, loc, elt, inside,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(ifOp.thenBlock());
      SmallVector<Value> at(idxs.drop_back(1));
      at.push_back(row);
      scf::YieldOp::create(
          rewriter, loc,
          ValueRange{memref::LoadOp::create(rewriter, loc, source, at)});
      rewriter.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(rewriter, loc, ValueRange{zero});
      values.push_back(ifOp.getResult(0));
    }
    pieces.push_back(
        vector::FromElementsOp::create(rewriter, loc, pairType, values));
  }
  if (interior) {
    scf::YieldOp::create(rewriter, loc, pieces);
    rewriter.setInsertionPointAfter(*interior);
    pieces.assign(interior->getResults().begin(), interior->getResults().end());
  }
  rewriter.replaceOpWithMultiple(op, {pieces});
  return success();
}

/// One uniform branch: `emit(false)` (no per-element checks) where the
/// whole tile is `inBounds`, `emit(true)` at a ragged edge.
void emitInteriorOrEdge(OpBuilder &b, Location loc, Value inBounds,
                        function_ref<void(bool masked)> emit) {
  auto ifOp = scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  emit(false);
  b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
  emit(true);
}

struct LoadLowering : OpConversionPattern<tile::LoadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::LoadOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (type.getRank() == 1 &&
        isa_and_nonnull<tile::SliceEncodingAttr>(type.getEncoding()))
      return lowerRowLoad(op, singles(adaptor.getIndices()),
                          adaptor.getSource().front(), rewriter);
    if (!isa_and_nonnull<tile::MmaEncodingAttr>(type.getEncoding()))
      return rewriter.notifyMatchFailure(op, "result is not in a #tile.mma "
                                             "layout");
    Location loc = op.getLoc();
    MemRefType mem = op.getSource().getType();
    AccumulatorLayout layout = accumulatorLayoutOf(type);
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    SmallVector<Value> idxs = singles(adaptor.getIndices());
    ValueRange lead = ArrayRef<Value>(idxs).drop_back(2);
    Value rowOff = idxs[idxs.size() - 2], colOff = idxs.back();
    Value source = adaptor.getSource().front();
    Value memRows = sizeOf(rewriter, loc, source, mem.getRank() - 2);
    Value memCols = sizeOf(rewriter, loc, source, mem.getRank() - 1);
    Type elt = type.getElementType();
    // Two adjacent elements are one aligned access when rows start at even
    // elements.
    int64_t width = rowsAlignedTo(mem, 2) ? 2 : 1;
    auto vecType = VectorType::get({width}, elt);

    // Interior tiles load without per-element bounds checks.
    auto emit = [&](bool masked) {
      Value zero = arith::ConstantOp::create(rewriter, loc, vecType,
                                             rewriter.getZeroAttr(vecType));
      SmallVector<Value> pieces;
      for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi) {
        for (int64_t ni = 0; ni < layout.colAtoms(); ++ni) {
          SmallVector<Value> pieceRows;
          for (int64_t h = 0; h < 2; ++h) {
            Value row = addIndex(rewriter, loc, rowOff,
                                 layout.row(rewriter, loc, ids, mi, h));
            SmallVector<Value> parts;
            for (int64_t j = 0; j < 2; j += width) {
              Value col = addIndex(rewriter, loc, colOff,
                                   layout.col(rewriter, loc, ids, ni, j));
              SmallVector<Value> at = accessIndices(lead, row, col);
              if (!masked) {
                // Aligned to its size (LLVM splits a vector access it
                // cannot prove aligned into elements).
                parts.push_back(vector::LoadOp::create(
                    rewriter, loc, vecType, source, at, /*nontemporal=*/false,
                    pairAlignment(elt, width, colOff)));
                continue;
              }
              Value mask =
                  elementMask(rewriter, loc, row, col, width, memRows, memCols);
              parts.push_back(vector::MaskedLoadOp::create(
                  rewriter, loc, vecType, source, at, mask, zero));
            }
            Value pair = parts.front();
            if (width == 1)
              pair = vector::FromElementsOp::create(
                  rewriter, loc, VectorType::get({2}, elt),
                  ValueRange{
                      vector::ExtractOp::create(rewriter, loc, parts[0], 0),
                      vector::ExtractOp::create(rewriter, loc, parts[1], 0)});
            pieceRows.push_back(pair);
          }
          pieces.push_back(stackRows(rewriter, loc, pieceRows));
        }
      }
      return pieces;
    };
    SmallVector<Type> types(layout.pieces(), VectorType::get({2, 2}, elt));
    auto ifOp = scf::IfOp::create(rewriter, loc, types,
                                  tileInBounds(rewriter, loc, rowOff, colOff,
                                               rows, cols, memRows, memCols),
                                  /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(ifOp.thenBlock());
      scf::YieldOp::create(rewriter, loc, emit(false));
      rewriter.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(rewriter, loc, emit(true));
    }
    rewriter.replaceOpWithMultiple(op, {ifOp.getResults()});
    return success();
  }
};

struct StoreLowering : OpConversionPattern<tile::StoreOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::StoreOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getValue().getType());
    auto slice = dyn_cast<tile::SliceEncodingAttr>(type.getEncoding());
    if (!tile::hasRegisterLayout(type) ||
        isa<tile::OperandEncodingAttr>(type.getEncoding()) ||
        (slice && slice.getDim() != 1))
      return rewriter.notifyMatchFailure(op, "value is not an accumulator "
                                             "or row layout tile");
    Location loc = op.getLoc();
    MemRefType mem = op.getDest().getType();
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    SmallVector<Value> idxs = singles(adaptor.getIndices());
    Value dest = adaptor.getDest().front();
    ValueRange pieces = adaptor.getValue();
    Type elt = type.getElementType();
    auto c = [&](int64_t v) { return indexConstant(rewriter, loc, v); };

    if (type.getRank() == 1) {
      // Row vectors: the first thread of each quad writes its two rows.
      AccumulatorLayout layout = accumulatorLayoutOf(type);
      Value memRows = sizeOf(rewriter, loc, dest, mem.getRank() - 1);
      ValueRange lead = ArrayRef<Value>(idxs).drop_back(1);
      Value leader =
          cmp(rewriter, loc, arith::CmpIPredicate::eq, ids.threadInGroup, c(0));
      for (auto [mi, rowsVec] : llvm::enumerate(pieces)) {
        for (int64_t h = 0; h < 2; ++h) {
          Value row = addIndex(rewriter, loc, idxs.back(),
                               layout.row(rewriter, loc, ids, mi, h));
          Value ok = arith::AndIOp::create(
              rewriter, loc, leader,
              cmp(rewriter, loc, arith::CmpIPredicate::ult, row, memRows));
          SmallVector<Value> indices(lead);
          indices.push_back(row);
          Value value = vector::FromElementsOp::create(
              rewriter, loc, VectorType::get({1}, elt),
              ValueRange{vector::ExtractOp::create(rewriter, loc, rowsVec, h)});
          vector::MaskedStoreOp::create(
              rewriter, loc, dest, indices,
              vector::FromElementsOp::create(
                  rewriter, loc, VectorType::get({1}, rewriter.getI1Type()),
                  ValueRange{ok}),
              value);
        }
      }
      rewriter.eraseOp(op);
      return success();
    }

    AccumulatorLayout layout = accumulatorLayoutOf(type);
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    Value memRows = sizeOf(rewriter, loc, dest, mem.getRank() - 2);
    Value memCols = sizeOf(rewriter, loc, dest, mem.getRank() - 1);
    ValueRange lead = ArrayRef<Value>(idxs).drop_back(2);
    Value rowOff = idxs[idxs.size() - 2], colOff = idxs.back();
    int64_t width = rowsAlignedTo(mem, 2) ? 2 : 1;
    auto emit = [&](bool masked) {
      for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi) {
        for (int64_t ni = 0; ni < layout.colAtoms(); ++ni) {
          Value piece = pieces[mi * layout.colAtoms() + ni];
          for (int64_t h = 0; h < 2; ++h) {
            Value row = addIndex(rewriter, loc, rowOff,
                                 layout.row(rewriter, loc, ids, mi, h));
            Value pair = vector::ExtractOp::create(rewriter, loc, piece, h);
            for (int64_t j = 0; j < 2; j += width) {
              Value col = addIndex(rewriter, loc, colOff,
                                   layout.col(rewriter, loc, ids, ni, j));
              SmallVector<Value> at = accessIndices(lead, row, col);
              Value value = width == 2
                                ? pair
                                : Value(vector::FromElementsOp::create(
                                      rewriter, loc, VectorType::get({1}, elt),
                                      ValueRange{vector::ExtractOp::create(
                                          rewriter, loc, pair, j)}));
              if (!masked) {
                vector::StoreOp::create(rewriter, loc, value, dest, at,
                                        /*nontemporal=*/false,
                                        pairAlignment(elt, width, colOff));
                continue;
              }
              vector::MaskedStoreOp::create(
                  rewriter, loc, dest, at,
                  elementMask(rewriter, loc, row, col, width, memRows, memCols),
                  value);
            }
          }
        }
      }
    };
    emitInteriorOrEdge(rewriter, loc,
                       tileInBounds(rewriter, loc, rowOff, colOff, rows, cols,
                                    memRows, memCols),
                       emit);
    rewriter.eraseOp(op);
    return success();
  }
};

/// Whether tile.atomic_add may add the thread's pairs (two adjacent f32 of
/// a row) with sm_90's `red.global.add.v2.f32` at a constant distance from
/// one base address: static strides, rows of even length, an even column
/// offset, not transposed, a Hopper kernel.
bool addsPairs(tile::AtomicAddOp op, Value colOff) {
  MemRefType mem = op.getDest().getType();
  auto [strides, offset] = mem.getStridesAndOffset();
  tile::ConfigAttr config = kernelConfigOf(op);
  std::optional<Chip> chip =
      config ? parseChip(config.getChip()) : std::nullopt;
  return chip && chipInfo(*chip).capability >= 90 && !op.getTranspose() &&
         mem.getElementType().isF32() && !ShapedType::isDynamic(offset) &&
         llvm::none_of(strides, ShapedType::isDynamic) && strides.back() == 1 &&
         rowsAlignedTo(mem, 2) && tile::isMultipleOf(colOff, 2);
}

/// tile.atomic_add of an accumulator-layout f32 tile (or of its transpose):
/// one atomic add per element (`atom.global.add.f32`), or per pair where
/// addsPairs holds; an interior tile adds without bounds checks, a tile at
/// a ragged edge checks each element (one uniform branch chooses).
struct AtomicAddLowering : OpConversionPattern<tile::AtomicAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::AtomicAddOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getValue().getType());
    if (!isa_and_nonnull<tile::MmaEncodingAttr>(type.getEncoding()))
      return rewriter.notifyMatchFailure(op, "value is not in a #tile.mma "
                                             "layout");
    Location loc = op.getLoc();
    MemRefType mem = op.getDest().getType();
    AccumulatorLayout layout = accumulatorLayoutOf(type);
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    SmallVector<Value> idxs = singles(adaptor.getIndices());
    Value dest = adaptor.getDest().front();
    ValueRange pieces = adaptor.getValue();
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    Value memRows = sizeOf(rewriter, loc, dest, mem.getRank() - 2);
    Value memCols = sizeOf(rewriter, loc, dest, mem.getRank() - 1);
    ValueRange lead = ArrayRef<Value>(idxs).drop_back(2);
    Value rowOff = idxs[idxs.size() - 2], colOff = idxs.back();
    // Transposed: the tile's rows are the destination's columns.
    bool transpose = op.getTranspose();
    if (transpose)
      std::swap(rows, cols);
    Value inBounds = tileInBounds(rewriter, loc, rowOff, colOff, rows, cols,
                                  memRows, memCols);
    bool pairs = addsPairs(op, colOff);
    Value base;
    if (pairs) {
      // The pairs' 8-byte alignment also needs an aligned buffer (a view at
      // an odd element is not): checked at run time with the bounds.
      base =
          memref::ExtractAlignedPointerAsIndexOp::create(rewriter, loc, dest);
      Value aligned =
          cmp(rewriter, loc, arith::CmpIPredicate::eq,
              arith::RemUIOp::create(rewriter, loc, base,
                                     indexConstant(rewriter, loc, 8)),
              indexConstant(rewriter, loc, 0));
      inBounds = arith::AndIOp::create(rewriter, loc, inBounds, aligned);
    }
    // One request per pair: the thread's first element's address in a
    // register, each pair's distance from it folded into the instruction.
    auto emitPairs = [&] {
      Value global = globalElementPointer(
          rewriter, loc, mem, base,
          accessIndices(lead,
                        addIndex(rewriter, loc, rowOff,
                                 layout.row(rewriter, loc, ids, 0, 0)),
                        addIndex(rewriter, loc, colOff,
                                 layout.col(rewriter, loc, ids, 0, 0))));
      int64_t rowStride = mem.getStridesAndOffset().first[mem.getRank() - 2];
      for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi)
        for (int64_t ni = 0; ni < layout.colAtoms(); ++ni)
          for (int64_t h = 0; h < 2; ++h) {
            int64_t bytes =
                (layout.rowDistance(mi, h) * rowStride + 8 * ni) * 4;
            Value piece = pieces[mi * layout.colAtoms() + ni];
            SmallVector<Value> operands{global};
            for (int64_t j = 0; j < 2; ++j)
              operands.push_back(vector::ExtractOp::create(
                  rewriter, loc, piece, ArrayRef<int64_t>{h, j}));
            LLVM::InlineAsmOp::create(
                rewriter, loc, TypeRange(), operands,
                ("red.global.add.v2.f32 [$0+" + Twine(bytes) + "], {$1, $2};")
                    .str(),
                "l,f,f", /*has_side_effects=*/true, /*is_align_stack=*/false,
                LLVM::tailcallkind::TailCallKind::None,
                LLVM::AsmDialectAttr::get(rewriter.getContext(),
                                          LLVM::AsmDialect::AD_ATT),
                /*operand_attrs=*/ArrayAttr());
          }
    };
    auto emit = [&](bool masked) {
      if (pairs && !masked)
        return emitPairs();
      for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi)
        for (int64_t ni = 0; ni < layout.colAtoms(); ++ni)
          for (int64_t h = 0; h < 2; ++h) {
            Value tileRow = layout.row(rewriter, loc, ids, mi, h);
            for (int64_t j = 0; j < 2; ++j) {
              Value tileCol = layout.col(rewriter, loc, ids, ni, j);
              Value row = addIndex(rewriter, loc, rowOff,
                                   transpose ? tileCol : tileRow);
              Value col = addIndex(rewriter, loc, colOff,
                                   transpose ? tileRow : tileCol);
              Value value = vector::ExtractOp::create(
                  rewriter, loc, pieces[mi * layout.colAtoms() + ni],
                  ArrayRef<int64_t>{h, j});
              OpBuilder::InsertionGuard guard(rewriter);
              if (masked) {
                Value inside = arith::AndIOp::create(
                    rewriter, loc,
                    cmp(rewriter, loc, arith::CmpIPredicate::ult, row,
                        memRows),
                    cmp(rewriter, loc, arith::CmpIPredicate::ult, col,
                        memCols));
                auto ifOp = scf::IfOp::create(rewriter, loc, inside,
                                              /*withElseRegion=*/false);
                rewriter.setInsertionPoint(ifOp.thenBlock()->getTerminator());
              }
              memref::AtomicRMWOp::create(rewriter, loc,
                                          arith::AtomicRMWKind::addf, value,
                                          dest, accessIndices(lead, row, col));
            }
          }
    };
    emitInteriorOrEdge(rewriter, loc, inBounds, emit);
    rewriter.eraseOp(op);
    return success();
  }
};

/// The kernel's dynamic shared memory (one op at the entry; CSE merges).
Value dynamicSharedMemory(ConversionPatternRewriter &rewriter, Location loc) {
  OpBuilder::InsertionGuard guard(rewriter);
  Operation *fn = enclosingKernel(rewriter.getInsertionBlock());
  rewriter.setInsertionPointToStart(&fn->getRegion(0).front());
  auto space = mlir::gpu::AddressSpaceAttr::get(
      rewriter.getContext(), mlir::gpu::AddressSpace::Workgroup);
  return mlir::gpu::DynamicSharedMemoryOp::create(
      rewriter, loc,
      MemRefType::get({ShapedType::kDynamic}, rewriter.getI8Type(),
                      MemRefLayoutAttrInterface(), space));
}

struct AllocSharedLowering : OpConversionPattern<tile::AllocSharedOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::AllocSharedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<int64_t> offset = op.getOffset();
    if (!offset)
      return rewriter.notifyMatchFailure(op, "no offset: run "
                                             "attn-allocate-shared first");
    if (op.getType().getEncoding().getSwizzle())
      return rewriter.notifyMatchFailure(
          op, "swizzled buffers are read by wgmma/TMA only");
    Location loc = op.getLoc();
    tile::BufferType type = op.getType();
    int64_t pitch = type.getEncoding().pitch(type.getCols());
    MemRefType buffer = sharedBufferMemRef(type);
    auto dense = MemRefType::get(
        {type.getSlots(), type.getRows(), pitch}, type.getElementType(),
        MemRefLayoutAttrInterface(), buffer.getMemorySpace());
    Value view = memref::ViewOp::create(
        rewriter, loc, dense, dynamicSharedMemory(rewriter, loc),
        indexConstant(rewriter, loc, *offset), ValueRange{});
    rewriter.replaceOpWithNewOp<memref::SubViewOp>(
        op, buffer, view, ArrayRef<int64_t>{0, 0, 0},
        ArrayRef<int64_t>{type.getSlots(), type.getRows(), type.getCols()},
        ArrayRef<int64_t>{1, 1, 1});
    return success();
  }
};

struct AsyncCopyLowering : OpConversionPattern<tile::AsyncCopyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::AsyncCopyOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MemRefType src = op.getSource().getType();
    tile::BufferType buf = op.getBuffer().getType();
    int64_t rows = buf.getRows(), cols = buf.getCols();
    int64_t eltBytes = buf.getElementType().getIntOrFloatBitWidth() / 8;
    auto c = [&](int64_t v) { return indexConstant(rewriter, loc, v); };
    // The widest cp.async (16, 8 or 4 bytes) that keeps every chunk aligned.
    int64_t chunk = 0;
    for (int64_t bytes : {16, 8, 4}) {
      int64_t n = bytes / eltBytes;
      if (n >= 1 && cols % n == 0 && rowsAlignedTo(src, n)) {
        chunk = n;
        break;
      }
    }
    auto fn = op->getParentOfType<mlir::gpu::GPUFuncOp>();
    auto block = fn.getKnownBlockSize();
    int64_t threads = block ? (*block)[0] : 0;
    if (threads <= 0)
      return rewriter.notifyMatchFailure(op, "the kernel has no known block "
                                             "size");
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    SmallVector<Value> idxs = singles(adaptor.getIndices());
    Value rowOff = idxs[idxs.size() - 2], colOff = idxs.back();
    Value buffer = adaptor.getBuffer().front();
    Value slot = adaptor.getSlot().front();
    Value source = adaptor.getSource().front();
    Value srcRows = sizeOf(rewriter, loc, source, src.getRank() - 2);
    Value srcCols = sizeOf(rewriter, loc, source, src.getRank() - 1);
    int64_t per = chunk ? chunk : 1;
    int64_t chunksPerRow = cols / per, total = rows * chunksPerRow;

    for (int64_t k = 0; k * threads < total; ++k) {
      Value id = addIndex(rewriter, loc, ids.thread, c(k * threads));
      OpBuilder::InsertionGuard guard(rewriter);
      if ((k + 1) * threads > total) {
        auto ifOp = scf::IfOp::create(
            rewriter, loc,
            cmp(rewriter, loc, arith::CmpIPredicate::ult, id, c(total)),
            /*withElseRegion=*/false);
        rewriter.setInsertionPoint(ifOp.thenBlock()->getTerminator());
      }
      Value r = arith::DivUIOp::create(rewriter, loc, id, c(chunksPerRow));
      Value col = mulIndex(
          rewriter, loc,
          arith::RemUIOp::create(rewriter, loc, id, c(chunksPerRow)), per);
      Value srcRow = addIndex(rewriter, loc, rowOff, r);
      Value srcCol = addIndex(rewriter, loc, colOff, col);
      Value rowOk =
          cmp(rewriter, loc, arith::CmpIPredicate::ult, srcRow, srcRows);
      // Elements of this chunk inside the source row (0 when out of
      // bounds).
      Value avail = arith::SubIOp::create(
          rewriter, loc, srcCols,
          arith::MinUIOp::create(rewriter, loc, srcCol, srcCols));
      Value count = arith::MinUIOp::create(rewriter, loc, avail, c(per));
      count = arith::SelectOp::create(rewriter, loc, rowOk, count, c(0));
      Value any = cmp(rewriter, loc, arith::CmpIPredicate::ne, count, c(0));
      // Keep the address inside the source when nothing is read.
      Value safeRow = arith::SelectOp::create(rewriter, loc, any, srcRow, c(0));
      Value safeCol = arith::SelectOp::create(rewriter, loc, any, srcCol, c(0));
      SmallVector<Value> srcIdx(ArrayRef<Value>(idxs).drop_back(2));
      srcIdx.push_back(safeRow);
      srcIdx.push_back(safeCol);
      SmallVector<Value> dstIdx = {slot, r, col};
      if (chunk) {
        nvgpu::DeviceAsyncCopyOp::create(
            rewriter, loc,
            nvgpu::DeviceAsyncTokenType::get(rewriter.getContext()), buffer,
            dstIdx, source, srcIdx, rewriter.getIndexAttr(chunk), count,
            chunk * eltBytes == 16 ? rewriter.getUnitAttr() : UnitAttr());
      } else {
        // Rows too short for cp.async alignment: a plain element copy.
        Value v = memref::LoadOp::create(rewriter, loc, source, srcIdx);
        Value zero = arith::ConstantOp::create(
            rewriter, loc, rewriter.getZeroAttr(v.getType()));
        v = arith::SelectOp::create(rewriter, loc, any, v, zero);
        memref::StoreOp::create(rewriter, loc, v, buffer, dstIdx);
      }
    }
    rewriter.eraseOp(op);
    return success();
  }
};

struct LocalLoadLowering : OpConversionPattern<tile::LocalLoadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::LocalLoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (op.getBuffer().getType().getEncoding().getSwizzle())
      return rewriter.notifyMatchFailure(op, "a swizzled buffer");
    if (type.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "a vector read into registers");
    // The tile is the buffer's slot: accesses index [slot, row, col].
    Value buffer = memref::CastOp::create(
        rewriter, op.getLoc(), sharedTileMemRef(type), adaptor.getBuffer());
    SmallVector<Value> tile = {buffer, adaptor.getSlot()};
    rewriter.replaceOpWithMultiple(op, {tile});
    return success();
  }
};

/// tile.local_load of a vector from a one-row slot into registers: each
/// thread reads its elements of the #tile.slice, a pair of adjacent columns
/// (one 8-byte load) per 8-column slice, or its rows g and g + 8.
struct VectorSlotLowering : OpConversionPattern<tile::LocalLoadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::LocalLoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    auto slice = dyn_cast_or_null<tile::SliceEncodingAttr>(type.getEncoding());
    if (type.getRank() != 1 || !slice)
      return rewriter.notifyMatchFailure(op, "not a vector in a #tile.slice");
    Location loc = op.getLoc();
    AccumulatorLayout layout = accumulatorLayoutOf(type);
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    Type elt = type.getElementType();
    auto pairType = VectorType::get({2}, elt);
    Value zero = indexConstant(rewriter, loc, 0);
    Value slot = adaptor.getSlot();
    auto at = [&](Value col) { return SmallVector<Value>{slot, zero, col}; };
    SmallVector<Value> pieces;
    if (slice.getDim() == 0) {
      int64_t eltBytes = elt.getIntOrFloatBitWidth() / 8;
      for (int64_t ni = 0; ni < layout.colAtoms(); ++ni)
        pieces.push_back(vector::LoadOp::create(
            rewriter, loc, pairType, adaptor.getBuffer(),
            at(layout.col(rewriter, loc, ids, ni, 0)), /*nontemporal=*/false,
            llvm::MaybeAlign(2 * eltBytes)));
    } else {
      for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi) {
        SmallVector<Value> rows;
        for (int64_t h = 0; h < 2; ++h)
          rows.push_back(memref::LoadOp::create(
              rewriter, loc, adaptor.getBuffer(),
              at(layout.row(rewriter, loc, ids, mi, h))));
        pieces.push_back(
            vector::FromElementsOp::create(rewriter, loc, pairType, rows));
      }
    }
    rewriter.replaceOpWithMultiple(op, {pieces});
    return success();
  }
};

/// tile.local_store of an accumulator-layout tile: each thread writes its
/// pairs of adjacent elements into the slot.
struct LocalStoreLowering : OpConversionPattern<tile::LocalStoreOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::LocalStoreOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getValue().getType();
    tile::BufferType buffer = op.getBuffer().getType();
    if (!isa_and_nonnull<tile::MmaEncodingAttr>(type.getEncoding()) ||
        buffer.getEncoding().getSwizzle())
      return rewriter.notifyMatchFailure(
          op, "stores #tile.mma tiles into padded buffers only");
    Location loc = op.getLoc();
    Value view = memref::CastOp::create(rewriter, loc,
                                        sharedTileMemRef(buffer.getSlotType()),
                                        adaptor.getBuffer().front());
    SharedTile tile{view, adaptor.getSlot().front()};
    AccumulatorLayout layout = accumulatorLayoutOf(type);
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    ValueRange pieces = adaptor.getValue();
    for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi)
      for (int64_t ni = 0; ni < layout.colAtoms(); ++ni)
        for (int64_t h = 0; h < 2; ++h) {
          Value pair = vector::ExtractOp::create(
              rewriter, loc, pieces[mi * layout.colAtoms() + ni], h);
          vector::StoreOp::create(
              rewriter, loc, pair, view,
              tile.at(layout.row(rewriter, loc, ids, mi, h),
                      layout.col(rewriter, loc, ids, ni, 0)));
        }
    rewriter.eraseOp(op);
    return success();
  }
};

template <typename From, typename To>
struct NoOperandLowering : OpConversionPattern<From> {
  using OpConversionPattern<From>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(From op, typename From::Adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<To>(op);
    return success();
  }
};

/// tile.barrier: bar.sync 0 for the whole program; with `warps`, the named
/// barrier of the compute warps, which the producers never reach.
struct BarrierLowering : OpConversionPattern<tile::BarrierOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::BarrierOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<uint64_t> warps = op.getWarps();
    if (!warps) {
      rewriter.replaceOpWithNewOp<mlir::gpu::BarrierOp>(op);
      return success();
    }
    Location loc = op.getLoc();
    NVVM::BarrierOp::create(rewriter, loc, /*res=*/Type(),
                            i32Constant(rewriter, loc, kComputeWarpsBarrier),
                            i32Constant(rewriter, loc, *warps * 32),
                            /*reductionOp=*/nullptr,
                            /*reductionPredicate=*/Value());
    rewriter.eraseOp(op);
    return success();
  }
};

struct AsyncWaitLowering : OpConversionPattern<tile::AsyncWaitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::AsyncWaitOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<NVVM::CpAsyncWaitGroupOp>(op, op.getPending());
    return success();
  }
};

} // namespace

void attn::tilegpu::populateTileMemoryToGPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns
      .add<LoadLowering, StoreLowering, AtomicAddLowering, AllocSharedLowering,
           AsyncCopyLowering, LocalLoadLowering, VectorSlotLowering,
           LocalStoreLowering, AsyncWaitLowering, BarrierLowering,
           NoOperandLowering<tile::AsyncCommitOp, NVVM::CpAsyncCommitGroupOp>>(
          converter, patterns.getContext());
}
