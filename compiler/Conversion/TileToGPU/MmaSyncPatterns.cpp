//===- MmaSyncPatterns.cpp - tile.dot -> ldmatrix + mma.sync --------------===//
//
// The pattern set of the #tile.mma<sync> family (sm_80 and later).
//
// f16/bf16: m16n8k16. A comes from shared memory (ldmatrix.x4, transposed
// on the fly for `transpose_lhs`: the tile is stored K-major) or from
// registers as #tile.operand<a> fragments; B always comes from shared memory
// through ldmatrix.x4, transposed on the fly when B is stored K-major.
//
// f32: m16n8k8 on TF32 with A and B split into high and low TF32 parts,
// D += Ahi·Blo + Alo·Bhi + Ahi·Bhi, which keeps f32 accuracy. The k order
// inside each 8-wide step is permuted (MMA k slot t holds column 2t, slot
// t+4 column 2t+1) so that an accumulator piece is directly an A operand;
// B is read with the same permutation, so the sum is unchanged.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/TileToGPU/Layouts.h"
#include "compiler/Conversion/TileToGPU/Patterns.h"
#include "compiler/Conversion/TileToGPU/TypeConverter.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace attn;
using namespace attn::tilegpu;

namespace {

Value extract(OpBuilder &b, Location loc, Value vec, ArrayRef<int64_t> pos) {
  return vector::ExtractOp::create(b, loc, vec, pos);
}

/// (high, low) TF32 parts of an f32 vector: high is x rounded to the
/// nearest TF32 (top 19 bits), low = x - high is exact in f32.
std::pair<Value, Value> splitTf32(OpBuilder &b, Location loc, Value v) {
  auto type = cast<VectorType>(v.getType());
  auto intType = type.clone(b.getI32Type());
  auto splat = [&](int64_t x) -> Value {
    return arith::ConstantOp::create(
        b, loc, intType,
        SplatElementsAttr::get(intType, b.getI32IntegerAttr(x)));
  };
  Value bits = arith::BitcastOp::create(b, loc, intType, v);
  bits = arith::AddIOp::create(b, loc, bits, splat(0x1000));
  Value hi = arith::BitcastOp::create(
      b, loc, type, arith::AndIOp::create(b, loc, bits, splat(0xffffe000)));
  return {hi, arith::SubFOp::create(b, loc, v, hi)};
}

/// One m16n8k16 bf16 MMA. MLIR 22's nvgpu-to-nvvm cannot type a bf16
/// nvgpu.mma.sync, so bf16 goes to nvvm.mma.sync directly: each pair of
/// bf16 is one 32-bit register.
Value mmaBf16(OpBuilder &b, Location loc, Value a, Value bFrag, Value c) {
  auto asRegs = [&](Value v) {
    SmallVector<Value> regs;
    auto i32x1 = VectorType::get({1}, b.getI32Type());
    for (int64_t i = 0; i < cast<VectorType>(v.getType()).getDimSize(0); ++i)
      regs.push_back(extract(
          b, loc,
          vector::BitCastOp::create(b, loc, i32x1, extract(b, loc, v, i)), 0));
    return regs;
  };
  SmallVector<Value> acc;
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t j = 0; j < 2; ++j)
      acc.push_back(extract(b, loc, c, {h, j}));
  Type f32 = b.getF32Type();
  auto result =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  auto mma = NVVM::MmaOp::create(
      b, loc, result, asRegs(a), asRegs(bFrag), acc, {16, 8, 16}, std::nullopt,
      std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> rows;
  for (int64_t h = 0; h < 2; ++h) {
    SmallVector<Value> pair;
    for (int64_t j = 0; j < 2; ++j)
      pair.push_back(LLVM::ExtractValueOp::create(b, loc, mma, 2 * h + j));
    rows.push_back(vector::FromElementsOp::create(
        b, loc, VectorType::get({2}, f32), pair));
  }
  return stackRows(b, loc, rows);
}

struct MmaSyncDotLowering : OpConversionPattern<tile::DotOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tile::DotOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto mma =
        dyn_cast_or_null<tile::MmaEncodingAttr>(op.getType().getEncoding());
    if (!mma || mma.getFamily() != tile::MmaFamily::sync)
      return rewriter.notifyMatchFailure(op, "not a #tile.mma<sync> product");
    if (!tile::hasSharedLayout(op.getRhs().getType()))
      return rewriter.notifyMatchFailure(op, "rhs is not in shared memory");
    Location loc = op.getLoc();
    RankedTensorType aType = op.getLhs().getType();
    Type elt = aType.getElementType();
    bool transposedA = op.getTransposeLhs();
    int64_t k = aType.getDimSize(transposedA ? 0 : 1);
    AccumulatorLayout layout = accumulatorLayoutOf(op.getType());
    int64_t nAtoms = layout.colAtoms(), mAtoms = layout.atomsPerWarp();
    bool tf32 = elt.isF32();
    int64_t kStep = operandKStep(elt);
    if (k % kStep != 0 || op.getType().getDimSize(1) % 16 != 0)
      return rewriter.notifyMatchFailure(
          op, "contraction must be a multiple of the k-step and the result "
              "width of 16");
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    bool aShared = tile::hasSharedLayout(aType);
    if (transposedA && !aShared)
      return rewriter.notifyMatchFailure(
          op, "a transposed lhs is read from shared memory (run "
              "attn-assign-layouts)");
    ValueRange aPieces = adaptor.getLhs();
    SharedTile bTile = SharedTile::of(adaptor.getRhs());
    auto c = [&](int64_t v) { return indexConstant(rewriter, loc, v); };

    // The tensor cores add into the accumulator without rounding to
    // nearest; over thousands of keys that bias exceeds f32 accuracy. For
    // f32, each dot sums into fresh registers and is added to the old value
    // once.
    SmallVector<Value> acc, carried;
    if (op.getAcc())
      carried.assign(adaptor.getAcc().begin(), adaptor.getAcc().end());
    if (carried.empty() || tf32) {
      auto type = VectorType::get({2, 2}, rewriter.getF32Type());
      acc.assign(layout.pieces(),
                 arith::ConstantOp::create(rewriter, loc, type,
                                           rewriter.getZeroAttr(type)));
    } else {
      acc = carried;
    }

    bool kMajorB = !op.getTransposeRhs(); // B stored as K rows x N columns.
    Value laneMod8 = arith::RemUIOp::create(rewriter, loc, ids.lane, c(8));
    Value laneDiv16 = arith::DivUIOp::create(rewriter, loc, ids.lane, c(16));
    Value laneHalf8 = arith::RemUIOp::create(
        rewriter, loc, arith::DivUIOp::create(rewriter, loc, ids.lane, c(8)),
        c(2));

    for (int64_t ki = 0; ki < k / kStep; ++ki) {
      SmallVector<Value> bFrags;
      if (!tf32) {
        for (int64_t p = 0; p < nAtoms / 2; ++p) {
          // Matrix q = lane/8 of the x4 load: n half = q/2, k half = q%2.
          Value kIdx = addIndex(
              rewriter, loc, mulIndex(rewriter, loc, laneHalf8, 8), c(ki * 16));
          Value nIdx = addIndex(
              rewriter, loc, mulIndex(rewriter, loc, laneDiv16, 8), c(p * 16));
          if (kMajorB)
            kIdx = addIndex(rewriter, loc, kIdx, laneMod8);
          else
            nIdx = addIndex(rewriter, loc, nIdx, laneMod8);
          SmallVector<Value, 3> at =
              kMajorB ? bTile.at(kIdx, nIdx) : bTile.at(nIdx, kIdx);
          Value four = nvgpu::LdMatrixOp::create(
              rewriter, loc, VectorType::get({4, 2}, elt), bTile.buffer, at,
              /*transpose=*/kMajorB, /*numTiles=*/4);
          bFrags.push_back(stackRows(rewriter, loc,
                                     {extract(rewriter, loc, four, 0),
                                      extract(rewriter, loc, four, 1)}));
          bFrags.push_back(stackRows(rewriter, loc,
                                     {extract(rewriter, loc, four, 2),
                                      extract(rewriter, loc, four, 3)}));
        }
      } else {
        auto one = VectorType::get({1}, rewriter.getF32Type());
        Value k0 =
            addIndex(rewriter, loc,
                     mulIndex(rewriter, loc, ids.threadInGroup, 2), c(ki * 8));
        Value k1 = addIndex(rewriter, loc, k0, c(1));
        for (int64_t ni = 0; ni < nAtoms; ++ni) {
          Value nIdx = addIndex(rewriter, loc, ids.group, c(ni * 8));
          auto at = [&](Value kk) -> Value {
            SmallVector<Value, 3> pos =
                kMajorB ? bTile.at(kk, nIdx) : bTile.at(nIdx, kk);
            Value v = memref::LoadOp::create(rewriter, loc, bTile.buffer, pos);
            return vector::FromElementsOp::create(rewriter, loc, one,
                                                  ValueRange{v});
          };
          bFrags.push_back(stackRows(rewriter, loc, {at(k0), at(k1)}));
        }
      }

      for (int64_t mi = 0; mi < mAtoms; ++mi) {
        Value aFrag = aShared
                          ? operandAFromShared(rewriter, loc, ids, layout,
                                               SharedTile::of(adaptor.getLhs()),
                                               elt, mi, ki, transposedA)
                          : aPieces[mi * (k / kStep) + ki];
        if (!tf32) {
          for (int64_t ni = 0; ni < nAtoms; ++ni) {
            Value &cv = acc[mi * nAtoms + ni];
            if (elt.isBF16())
              cv = mmaBf16(rewriter, loc, aFrag, bFrags[ni], cv);
            else
              cv = nvgpu::MmaSyncOp::create(rewriter, loc, aFrag, bFrags[ni],
                                            cv, ArrayRef<int64_t>{16, 8, 16});
          }
          continue;
        }
        auto [aHi, aLo] = splitTf32(rewriter, loc, aFrag);
        for (int64_t ni = 0; ni < nAtoms; ++ni) {
          auto [bHi, bLo] = splitTf32(rewriter, loc, bFrags[ni]);
          Value &cv = acc[mi * nAtoms + ni];
          for (auto [x, y] : {std::pair{aHi, bLo}, {aLo, bHi}, {aHi, bHi}})
            cv = nvgpu::MmaSyncOp::create(rewriter, loc, x, y, cv,
                                          ArrayRef<int64_t>{16, 8, 8},
                                          /*tf32Enabled=*/true);
        }
      }
    }
    if (tf32 && !carried.empty())
      for (auto [sum, old] : llvm::zip(acc, carried))
        sum = arith::AddFOp::create(rewriter, loc, old, sum);
    rewriter.replaceOpWithMultiple(op, {acc});
    return success();
  }

  /// The A fragment of atom `mi`, k-step `ki`, read from shared memory:
  /// ldmatrix.x4 for 16-bit types (lanes 0-15 address rows 0-15 at column
  /// 0, lanes 16-31 at column 8), four scalar loads for TF32. With
  /// `transposed` the tile is stored K-major (row k, column m): lanes 8i to
  /// 8i+7 address its rows k = 8·(i/2) + 0..7 at column m = 8·(i%2), and
  /// ldmatrix.trans turns each 8x8 block into the fragment's.
  static Value operandAFromShared(OpBuilder &b, Location loc,
                                  const ThreadIds &ids,
                                  const AccumulatorLayout &layout,
                                  SharedTile tile, Type elt, int64_t mi,
                                  int64_t ki, bool transposed) {
    auto c = [&](int64_t v) { return indexConstant(b, loc, v); };
    if (!elt.isF32() && transposed) {
      Value matrix = arith::DivUIOp::create(b, loc, ids.lane, c(8));
      Value m = layout.atomRow(
          b, loc, ids, mi,
          mulIndex(b, loc, arith::RemUIOp::create(b, loc, matrix, c(2)), 8));
      Value kk = addIndex(
          b, loc,
          addIndex(
              b, loc,
              mulIndex(b, loc, arith::DivUIOp::create(b, loc, matrix, c(2)), 8),
              arith::RemUIOp::create(b, loc, ids.lane, c(8))),
          c(ki * 16));
      return nvgpu::LdMatrixOp::create(b, loc, VectorType::get({4, 2}, elt),
                                       tile.buffer, tile.at(kk, m),
                                       /*transpose=*/true, /*numTiles=*/4);
    }
    if (!elt.isF32()) {
      Value row = layout.atomRow(
          b, loc, ids, mi, arith::RemUIOp::create(b, loc, ids.lane, c(16)));
      Value col = addIndex(
          b, loc,
          mulIndex(b, loc, arith::DivUIOp::create(b, loc, ids.lane, c(16)), 8),
          c(ki * 16));
      return nvgpu::LdMatrixOp::create(b, loc, VectorType::get({4, 2}, elt),
                                       tile.buffer, tile.at(row, col),
                                       /*transpose=*/false, /*numTiles=*/4);
    }
    auto one = VectorType::get({1}, b.getF32Type());
    Value k0 =
        addIndex(b, loc, mulIndex(b, loc, ids.threadInGroup, 2), c(ki * 8));
    Value k1 = addIndex(b, loc, k0, c(1));
    Value r0 = layout.row(b, loc, ids, mi, 0),
          r1 = layout.row(b, loc, ids, mi, 1);
    auto at = [&](Value r, Value col) -> Value {
      Value v = memref::LoadOp::create(
          b, loc, tile.buffer, transposed ? tile.at(col, r) : tile.at(r, col));
      return vector::FromElementsOp::create(b, loc, one, ValueRange{v});
    };
    return stackRows(b, loc, {at(r0, k0), at(r1, k0), at(r0, k1), at(r1, k1)});
  }
};

} // namespace

void attn::tilegpu::populateMmaSyncDotPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  patterns.add<MmaSyncDotLowering>(converter, patterns.getContext());
}
