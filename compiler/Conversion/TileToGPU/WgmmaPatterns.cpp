//===- WgmmaPatterns.cpp - tile.dot -> wgmma.mma_async --------------------===//
//
// The pattern set of the #tile.mma<wgmma> family (sm_90a). Each compute
// warpgroup multiplies its 64-row slabs of the result with
// wgmma.mma_async m64nNk16 (N = the result's columns), f32 accumulators:
//
//   * B always comes from a 128-byte-swizzled shared tile through a matrix
//     descriptor: K-major when the product reads it transposed (Kᵀ of
//     Q·Kᵀ), else N-major (V of P·V);
//   * A comes from a swizzled shared tile through a descriptor, K-major
//     (Q of Q·Kᵀ) or M-major when the product reads it transposed (the
//     backward's dSᵀ of dQ = dS·K, K of dQᵀ = Kᵀ·dSᵀ), or from registers as
//     #tile.operand<a> fragments (P), in which case the instruction is
//     emitted as inline PTX: MLIR 22's NVVM op has no register-A form.
//
// A swizzled tile of R rows and C columns is C·2/128 column blocks of R
// rows × 128 bytes (attn-promote-tma's TMA boxes); a descriptor addresses
// one 16-element k-step inside one block, and the hardware applies the
// swizzle to the final address (blocks start 1024-byte aligned).
//
// The accumulator of a slab is the instruction's N/2 f32 registers, which
// are exactly the thread's vector<2x2xf32> pieces of that slab in order:
// register 4s+2h+j is row half h, column j of 8-column slice s.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/TileToGPU/Layouts.h"
#include "compiler/Conversion/TileToGPU/Patterns.h"
#include "compiler/Conversion/TileToGPU/TypeConverter.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace attn;
using namespace attn::tilegpu;

namespace {

/// Bytes of one swizzle row, and the 8-row atom the swizzle repeats over.
constexpr int64_t kRowBytes = 128, kAtomBytes = 1024;
/// Elements of a k-step (16-bit types).
constexpr int64_t kStep = 16;

Value i64Constant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
}

/// The descriptor of a 128-byte-swizzled operand starting at `tile`: start
/// address (bits 0-13, in 16-byte units), leading-dimension byte offset
/// `lbo` (bits 16-29), stride-dimension byte offset 1024 (bits 32-45: one
/// 8-row swizzle atom) and the 128-byte swizzle mode (bits 62-63).
Value descriptor(OpBuilder &b, Location loc, Value tile, int64_t lbo) {
  Value address = LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), tile);
  Value start = arith::ShRUIOp::create(
      b, loc, arith::AndIOp::create(b, loc, address, i64Constant(b, loc, 0x3FFFF)),
      i64Constant(b, loc, 4));
  int64_t fixed = (int64_t(1) << 62) | ((kAtomBytes >> 4) << 32) |
                  ((lbo >> 4) << 16);
  return arith::OrIOp::create(b, loc, start, i64Constant(b, loc, fixed));
}

/// `desc` moved `bytes` further (a multiple of 16).
Value advance(OpBuilder &b, Location loc, Value desc, int64_t bytes) {
  if (bytes == 0)
    return desc;
  return arith::AddIOp::create(b, loc, desc, i64Constant(b, loc, bytes >> 4));
}

Value advance(OpBuilder &b, Location loc, Value desc, Value bytes) {
  Value units = arith::ShRUIOp::create(
      b, loc, arith::IndexCastUIOp::create(b, loc, b.getI64Type(), bytes),
      i64Constant(b, loc, 4));
  return arith::AddIOp::create(b, loc, desc, units);
}

LLVM::LLVMStructType accumulatorType(MLIRContext *context, int64_t n) {
  return LLVM::LLVMStructType::getLiteral(
      context, SmallVector<Type>(n / 2, Float32Type::get(context)));
}

/// The slab's pieces as the instruction's accumulator struct.
Value packAccumulator(OpBuilder &b, Location loc, ArrayRef<Value> pieces,
                      int64_t n) {
  auto type = accumulatorType(b.getContext(), n);
  Value acc = LLVM::PoisonOp::create(b, loc, type);
  for (auto [s, piece] : llvm::enumerate(pieces))
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t j = 0; j < 2; ++j)
        acc = LLVM::InsertValueOp::create(
            b, loc, acc, vector::ExtractOp::create(b, loc, piece, {h, j}),
            ArrayRef<int64_t>{int64_t(4 * s + 2 * h + j)});
  return acc;
}

SmallVector<Value> unpackAccumulator(OpBuilder &b, Location loc, Value acc,
                                     int64_t n) {
  SmallVector<Value> pieces;
  auto pair = VectorType::get({2}, b.getF32Type());
  for (int64_t s = 0; s < n / 8; ++s) {
    SmallVector<Value> rows;
    for (int64_t h = 0; h < 2; ++h) {
      Value lo = LLVM::ExtractValueOp::create(b, loc, acc, 4 * s + 2 * h);
      Value hi = LLVM::ExtractValueOp::create(b, loc, acc, 4 * s + 2 * h + 1);
      rows.push_back(
          vector::FromElementsOp::create(b, loc, pair, ValueRange{lo, hi}));
    }
    pieces.push_back(stackRows(b, loc, rows));
  }
  return pieces;
}

/// The four 32-bit registers of an A fragment vector<4x2xT>.
SmallVector<Value> fragmentRegisters(OpBuilder &b, Location loc, Value frag) {
  SmallVector<Value> regs;
  auto i32x1 = VectorType::get({1}, b.getI32Type());
  for (int64_t r = 0; r < 4; ++r) {
    Value pair = vector::ExtractOp::create(b, loc, frag, r);
    regs.push_back(vector::ExtractOp::create(
        b, loc, vector::BitCastOp::create(b, loc, i32x1, pair), 0));
  }
  return regs;
}

/// wgmma with A in registers, as inline PTX: N/2 outputs tied to the old
/// accumulators, the four A registers, B's descriptor; scale-d 0 (D = A·B)
/// or 1 (D += A·B); imm-trans-b 1 for an N-major B.
Value wgmmaRegisterA(OpBuilder &b, Location loc, Value acc,
                     ArrayRef<Value> a, Value descB, int64_t n, StringRef elt,
                     bool accumulate, bool transposeB) {
  int64_t regs = n / 2;
  std::string outs, constraints;
  for (int64_t i = 0; i < regs; ++i) {
    outs += (i ? ", $" : "$") + std::to_string(i);
    constraints += "=f,";
  }
  for (int64_t i = 0; i < regs; ++i)
    constraints += std::to_string(i) + ",";
  constraints += "r,r,r,r,l,r";
  int64_t aBase = 2 * regs;
  // scale-d is a predicate operand.
  std::string text = llvm::formatv(
      "{{\n.reg .pred p;\nsetp.ne.b32 p, ${8}, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n{0}k16.f32.{1}.{1} {{{2}}, "
      "{{${3}, ${4}, ${5}, ${6}}, ${7}, p, 1, 1, {9};\n}",
      n, elt, outs, aBase, aBase + 1, aBase + 2, aBase + 3, aBase + 4,
      aBase + 5, transposeB ? 1 : 0);
  SmallVector<Value> operands;
  for (int64_t i = 0; i < regs; ++i)
    operands.push_back(LLVM::ExtractValueOp::create(b, loc, acc, i));
  llvm::append_range(operands, a);
  operands.push_back(descB);
  operands.push_back(arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                                  accumulate ? 1 : 0));
  auto asmOp = LLVM::InlineAsmOp::create(
      b, loc, accumulatorType(b.getContext(), n), operands, text, constraints,
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None,
      LLVM::AsmDialectAttr::get(b.getContext(), LLVM::AsmDialect::AD_ATT),
      /*operand_attrs=*/ArrayAttr());
  return asmOp.getRes();
}

struct WgmmaDotLowering : OpConversionPattern<tile::DotOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tile::DotOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto mma =
        dyn_cast_or_null<tile::MmaEncodingAttr>(op.getType().getEncoding());
    if (!mma || mma.getFamily() != tile::MmaFamily::wgmma)
      return rewriter.notifyMatchFailure(op, "not a #tile.mma<wgmma> product");
    RankedTensorType aType = op.getLhs().getType();
    RankedTensorType bType = op.getRhs().getType();
    Type elt = aType.getElementType();
    if (!elt.isF16() && !elt.isBF16())
      return rewriter.notifyMatchFailure(op, "wgmma takes f16 or bf16 here");
    if (!isSwizzled(bType))
      return rewriter.notifyMatchFailure(op, "rhs is not a swizzled tile");
    bool aShared = tile::hasSharedLayout(aType);
    if (aShared && !isSwizzled(aType))
      return rewriter.notifyMatchFailure(op, "lhs is a padded tile");
    bool mMajorA = op.getTransposeLhs();
    if (mMajorA && !aShared)
      return rewriter.notifyMatchFailure(op, "a transposed lhs in registers");
    int64_t n = op.getType().getDimSize(1),
            k = aType.getDimSize(mMajorA ? 0 : 1);
    if (n % 8 != 0 || n > 256 || k % kStep != 0)
      return rewriter.notifyMatchFailure(
          op, "wgmma needs N a multiple of 8 up to 256 and K of 16");

    Location loc = op.getLoc();
    AccumulatorLayout layout = accumulatorLayoutOf(op.getType());
    int64_t slabs = layout.atomsPerWarp(), pieces = layout.colAtoms();
    int64_t groups = mma.getWarps() / 4;
    int64_t kSteps = k / kStep;
    int64_t perBlock = kRowBytes / 2 / kStep; // k-steps per 128-byte row
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    Value group =
        arith::DivUIOp::create(rewriter, loc, ids.warp,
                               indexConstant(rewriter, loc, 4));
    StringRef eltName = elt.isBF16() ? "bf16" : "f16";
    auto wgmmaType = elt.isBF16() ? NVVM::WGMMATypes::bf16
                                  : NVVM::WGMMATypes::f16;

    // B: transposed, it is N rows of K (K-major): k-step kk is 32 bytes into
    // column block kk / 4 of N·128 bytes. Else K rows of N (N-major): k-step
    // kk is 16 rows down, and the next 64 columns are a block (K·128 bytes)
    // further: the leading-dimension offset.
    bool kMajorB = op.getTransposeRhs();
    int64_t bRows = bType.getDimSize(0);
    Value descB0 = descriptor(rewriter, loc, adaptor.getRhs().front(),
                              kMajorB ? 16 : bRows * kRowBytes);
    auto bAt = [&](int64_t kk) {
      int64_t bytes = kMajorB ? (kk / perBlock) * bRows * kRowBytes +
                                    (kk % perBlock) * 2 * kStep
                              : kk * kStep * kRowBytes;
      return advance(rewriter, loc, descB0, bytes);
    };
    // A in shared memory; the warpgroup's slab mi is its 64 rows from
    // 64·group + 64·groups·mi. K-major, A is M rows of K: a slab is 64 rows
    // down, k-step kk as B's. Transposed (M-major), A is K rows of M (the
    // backward's dSᵀ and K): a slab is one 64-column block (K·128 bytes
    // apart, the leading-dimension offset), k-step kk 16 rows down.
    int64_t aRows = aType.getDimSize(0);
    int64_t slabBytes = mMajorA ? k * kRowBytes : 64 * kRowBytes;
    Value descA0;
    if (aShared) {
      descA0 = descriptor(rewriter, loc, adaptor.getLhs().front(),
                          mMajorA ? k * kRowBytes : 16);
      descA0 = advance(rewriter, loc, descA0,
                       mulIndex(rewriter, loc, group, slabBytes));
    }
    auto aAt = [&](int64_t mi, int64_t kk) {
      int64_t bytes = groups * mi * slabBytes +
                      (mMajorA ? kk * kStep * kRowBytes
                               : (kk / perBlock) * aRows * kRowBytes +
                                     (kk % perBlock) * 2 * kStep);
      return advance(rewriter, loc, descA0, bytes);
    };

    SmallVector<Value> carried;
    if (op.getAcc())
      carried.assign(adaptor.getAcc().begin(), adaptor.getAcc().end());
    ValueRange aPieces = adaptor.getLhs();
    SmallVector<Value> results;
    NVVM::WgmmaFenceAlignedOp::create(rewriter, loc);
    SmallVector<Value> accs;
    for (int64_t mi = 0; mi < slabs; ++mi) {
      Value acc = carried.empty()
                      ? LLVM::PoisonOp::create(
                            rewriter, loc,
                            accumulatorType(rewriter.getContext(), n))
                      : packAccumulator(
                            rewriter, loc,
                            ArrayRef<Value>(carried).slice(mi * pieces, pieces),
                            n);
      for (int64_t kk = 0; kk < kSteps; ++kk) {
        bool accumulate = !carried.empty() || kk > 0;
        if (aShared) {
          acc = NVVM::WgmmaMmaAsyncOp::create(
              rewriter, loc, acc.getType(), acc, aAt(mi, kk), bAt(kk),
              NVVM::MMAShapeAttr::get(rewriter.getContext(), 64, n, kStep),
              NVVM::WGMMATypesAttr::get(rewriter.getContext(), wgmmaType),
              NVVM::WGMMATypesAttr::get(rewriter.getContext(), wgmmaType),
              NVVM::WGMMATypesAttr::get(rewriter.getContext(),
                                        NVVM::WGMMATypes::f32),
              NVVM::WGMMAScaleOutAttr::get(rewriter.getContext(),
                                           accumulate
                                               ? NVVM::WGMMAScaleOut::one
                                               : NVVM::WGMMAScaleOut::zero),
              NVVM::WGMMAScaleInAttr::get(rewriter.getContext(),
                                          NVVM::WGMMAScaleIn::one),
              NVVM::WGMMAScaleInAttr::get(rewriter.getContext(),
                                          NVVM::WGMMAScaleIn::one),
              NVVM::MMALayoutAttr::get(rewriter.getContext(),
                                       mMajorA ? NVVM::MMALayout::col
                                               : NVVM::MMALayout::row),
              NVVM::MMALayoutAttr::get(rewriter.getContext(),
                                       kMajorB ? NVVM::MMALayout::col
                                               : NVVM::MMALayout::row),
              /*satfinite=*/nullptr);
        } else {
          SmallVector<Value> a = fragmentRegisters(
              rewriter, loc, aPieces[mi * kSteps + kk]);
          acc = wgmmaRegisterA(rewriter, loc, acc, a, bAt(kk), n, eltName,
                               accumulate, !kMajorB);
        }
      }
      accs.push_back(acc);
    }
    NVVM::WgmmaGroupSyncAlignedOp::create(rewriter, loc);
    // An async product is waited for by tile.dot_wait.
    if (!op.getAsync())
      NVVM::WgmmaWaitGroupSyncOp::create(rewriter, loc, 0);
    for (Value acc : accs)
      llvm::append_range(results, unpackAccumulator(rewriter, loc, acc, n));
    rewriter.replaceOpWithMultiple(op, {results});
    return success();
  }

  static bool isSwizzled(RankedTensorType type) {
    auto shared =
        dyn_cast_or_null<tile::SharedEncodingAttr>(type.getEncoding());
    return shared && shared.getSwizzle() == kRowBytes;
  }
};

/// tile.dot_wait: wgmma.wait_group as inline PTX that takes every register
/// of the waited-for tiles and gives them back. LLVM then sees them
/// redefined by the wait: it cannot read an accumulator before it (ptxas
/// would serialize the pipeline, C7514/C7517) nor reuse the registers of
/// an A operand that an unfinished wgmma still reads.
struct DotWaitLowering : OpConversionPattern<tile::DotWaitOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tile::DotWaitOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    // Every register: f32 elements of accumulator pieces, 32-bit pairs of
    // 16-bit fragments.
    SmallVector<Value> regs;
    SmallVector<std::pair<VectorType, int64_t>> shapes; // per converted value
    for (ValueRange values : adaptor.getInputs()) {
      for (Value v : values) {
        auto type = dyn_cast<VectorType>(v.getType());
        if (!type || type.getRank() != 2)
          return rewriter.notifyMatchFailure(op, "waits for a tile that is "
                                                 "not in registers");
        int64_t rows = type.getDimSize(0);
        for (int64_t r = 0; r < rows; ++r) {
          Value row = vector::ExtractOp::create(rewriter, loc, v, r);
          if (type.getElementType().isF32()) {
            for (int64_t c = 0; c < type.getDimSize(1); ++c)
              regs.push_back(vector::ExtractOp::create(rewriter, loc, row, c));
          } else {
            auto i32x1 = VectorType::get({1}, i32);
            regs.push_back(vector::ExtractOp::create(
                rewriter, loc, vector::BitCastOp::create(rewriter, loc, i32x1, row),
                0));
          }
        }
        shapes.push_back({type, int64_t(regs.size())});
      }
    }
    std::string constraints;
    SmallVector<Type> types;
    for (Value r : regs) {
      constraints += r.getType().isF32() ? "=f," : "=r,";
      types.push_back(r.getType());
    }
    for (size_t i = 0; i < regs.size(); ++i)
      constraints += std::to_string(i) + (i + 1 < regs.size() ? "," : "");
    auto structType =
        LLVM::LLVMStructType::getLiteral(rewriter.getContext(), types);
    auto wait = LLVM::InlineAsmOp::create(
        rewriter, loc, structType, regs,
        llvm::formatv("wgmma.wait_group.sync.aligned {0};", op.getPending())
            .str(),
        constraints, /*has_side_effects=*/true, /*is_align_stack=*/false,
        LLVM::tailcallkind::TailCallKind::None,
        LLVM::AsmDialectAttr::get(rewriter.getContext(),
                                  LLVM::AsmDialect::AD_ATT),
        /*operand_attrs=*/ArrayAttr());
    // Rebuild each value from its registers.
    SmallVector<SmallVector<Value>> results;
    int64_t next = 0, value = 0;
    for (ValueRange values : adaptor.getInputs()) {
      SmallVector<Value> rebuilt;
      for (size_t i = 0; i < values.size(); ++i, ++value) {
        VectorType type = shapes[value].first;
        SmallVector<Value> rows;
        for (int64_t r = 0; r < type.getDimSize(0); ++r) {
          auto rowType = VectorType::get({type.getDimSize(1)},
                                         type.getElementType());
          if (type.getElementType().isF32()) {
            SmallVector<Value> elems;
            for (int64_t c = 0; c < type.getDimSize(1); ++c)
              elems.push_back(
                  LLVM::ExtractValueOp::create(rewriter, loc, wait.getRes(),
                                               next++));
            rows.push_back(
                vector::FromElementsOp::create(rewriter, loc, rowType, elems));
          } else {
            Value bits = LLVM::ExtractValueOp::create(rewriter, loc,
                                                      wait.getRes(), next++);
            Value one = vector::FromElementsOp::create(
                rewriter, loc, VectorType::get({1}, i32), ValueRange{bits});
            rows.push_back(
                vector::BitCastOp::create(rewriter, loc, rowType, one));
          }
        }
        rebuilt.push_back(stackRows(rewriter, loc, rows));
      }
      results.push_back(std::move(rebuilt));
    }
    rewriter.replaceOpWithMultiple(op, results);
    return success();
  }
};

} // namespace

void attn::tilegpu::populateWgmmaDotPatterns(const TypeConverter &converter,
                                             RewritePatternSet &patterns) {
  patterns.add<WgmmaDotLowering, DotWaitLowering>(converter,
                                                  patterns.getContext());
}
