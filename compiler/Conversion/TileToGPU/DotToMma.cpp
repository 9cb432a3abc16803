//===- DotToMma.cpp - tile.dot -> ldmatrix + mma.sync ---------------------===//
//
// f16/bf16: m16n8k16. A comes from shared memory (ldmatrix.x4) or from
// registers already in accumulator layout (two 16x8 accumulator pieces are
// exactly one 16x16 A operand); B always comes from shared memory through
// ldmatrix.x4, transposed on the fly when B is stored K-major.
//
// f32: m16n8k8 on TF32 with A and B split into high and low TF32 parts,
// D += Ahi·Blo + Alo·Bhi + Ahi·Bhi, which keeps f32 accuracy. The k order
// inside each 8-wide step is permuted (MMA k slot t holds column 2t, slot
// t+4 column 2t+1) so that an accumulator piece is directly an A operand;
// B is read with the same permutation, so the sum is unchanged.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/TileToGPU/TileToGPULowering.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace attn {

Value KernelLowering::operandA16(const Fragment &a, Type elt, int64_t rows,
                                 int64_t mi, int64_t ki) {
  if (a.kind == Fragment::Kind::Registers) {
    int64_t kAtoms = a.regs.size() / (rows / (16 * numWarps));
    Value lo = a.regs[mi * kAtoms + 2 * ki];
    Value hi = a.regs[mi * kAtoms + 2 * ki + 1];
    return stackRows({extract(lo, {0}), extract(lo, {1}), extract(hi, {0}),
                      extract(hi, {1})});
  }
  // Lanes 0-15 address rows 0-15 at column 0, lanes 16-31 at column 8.
  Value row = addIdx(
      mulIdx(warp, rows / numWarps),
      addIdx(arith::RemUIOp::create(b, loc, lane, idx(16)), idx(mi * 16)));
  Value col = addIdx(mulIdx(arith::DivUIOp::create(b, loc, lane, idx(16)), 8),
                     idx(ki * 16));
  return nvgpu::LdMatrixOp::create(b, loc, VectorType::get({4, 2}, elt),
                                   a.buffer, ValueRange{a.slot, row, col},
                                   /*transpose=*/false, /*numTiles=*/4);
}

Value KernelLowering::operandATf32(const Fragment &a, int64_t rows, int64_t mi,
                                   int64_t ki) {
  auto one = VectorType::get({1}, b.getF32Type());
  auto wrap = [&](Value scalar) -> Value {
    return vector::FromElementsOp::create(b, loc, one, ValueRange{scalar});
  };
  if (a.kind == Fragment::Kind::Registers) {
    int64_t kAtoms = a.regs.size() / (rows / (16 * numWarps));
    Value piece = a.regs[mi * kAtoms + ki];
    return stackRows(
        {wrap(extract(piece, {0, 0})), wrap(extract(piece, {1, 0})),
         wrap(extract(piece, {0, 1})), wrap(extract(piece, {1, 1}))});
  }
  Value k0 = addIdx(mulIdx(threadInGroup, 2), idx(ki * 8));
  Value k1 = addIdx(k0, idx(1));
  Value r0 = rowOf(rows, mi, 0), r1 = rowOf(rows, mi, 1);
  auto at = [&](Value r, Value c) -> Value {
    SmallVector<Value> pos = {a.slot, r, c};
    return wrap(memref::LoadOp::create(b, loc, a.buffer, pos));
  };
  return stackRows({at(r0, k0), at(r1, k0), at(r0, k1), at(r1, k1)});
}

/// (high, low) TF32 parts of an f32 vector: high is x rounded to the
/// nearest TF32 (top 19 bits), low = x - high is exact in f32.
static std::pair<Value, Value> splitTf32(OpBuilder &b, Location loc, Value v) {
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

Value KernelLowering::mmaBf16(Value a, Value bFrag, Value c) {
  // MLIR 22's nvgpu-to-nvvm cannot type a bf16 nvgpu.mma.sync, so bf16 goes
  // to nvvm.mma.sync directly: each pair of bf16 is one 32-bit register.
  auto asRegs = [&](Value v) {
    SmallVector<Value> regs;
    auto i32x1 = VectorType::get({1}, b.getI32Type());
    for (int64_t i = 0; i < cast<VectorType>(v.getType()).getDimSize(0); ++i)
      regs.push_back(extract(
          vector::BitCastOp::create(b, loc, i32x1, extract(v, {i})), {0}));
    return regs;
  };
  SmallVector<Value> acc;
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t j = 0; j < 2; ++j)
      acc.push_back(extract(c, {h, j}));
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
  return stackRows(rows);
}

LogicalResult KernelLowering::lowerDot(tile::DotOp op) {
  RankedTensorType aType = op.getLhs().getType();
  Type elt = aType.getElementType();
  int64_t rows = aType.getDimSize(0), k = aType.getDimSize(1);
  int64_t n = op.getType().getDimSize(1), nAtoms = n / 8;
  bool tf32 = elt.isF32();
  int64_t kStep = tf32 ? 8 : 16;
  FailureOr<int64_t> m = mAtoms(op, rows);
  FailureOr<Fragment> a = fragment(op, op.getLhs());
  FailureOr<Fragment> bf = fragment(op, op.getRhs());
  if (failed(m) || failed(a) || failed(bf))
    return failure();
  if (bf->kind != Fragment::Kind::Shared)
    return op.emitOpError() << "rhs must be staged in shared memory (run "
                               "-attn-promote-shared first)";
  if (a->kind == Fragment::Kind::Rows)
    return op.emitOpError() << "lhs must be a 2-D tile";
  if (k % kStep != 0 || n % 16 != 0)
    return op.emitOpError()
           << "needs the contraction size to be a multiple "
              "of "
           << kStep << " and the result width of 16, got " << k << " and " << n;

  // The tensor cores add into the accumulator without rounding to nearest;
  // over thousands of keys that bias exceeds f32 accuracy. For f32, each
  // dot sums into fresh registers and is added to the old value once.
  SmallVector<Value> acc, carried;
  if (op.getAcc()) {
    FailureOr<Fragment> c = fragment(op, op.getAcc());
    if (failed(c))
      return failure();
    carried = c->regs;
  }
  if (carried.empty() || tf32) {
    auto type = VectorType::get({2, 2}, b.getF32Type());
    acc.assign(*m * nAtoms,
               arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type)));
  } else {
    acc = carried;
  }

  bool kMajorB = !op.getTransposeRhs(); // B stored as K rows x N columns.
  Value laneMod8 = arith::RemUIOp::create(b, loc, lane, idx(8));
  Value laneDiv16 = arith::DivUIOp::create(b, loc, lane, idx(16));
  Value laneHalf8 = arith::RemUIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, lane, idx(8)), idx(2));

  for (int64_t ki = 0; ki < k / kStep; ++ki) {
    SmallVector<Value> bFrags;
    if (!tf32) {
      for (int64_t p = 0; p < nAtoms / 2; ++p) {
        // Matrix q = lane/8 of the x4 load: n half = q/2, k half = q%2.
        Value kIdx = addIdx(mulIdx(laneHalf8, 8), idx(ki * 16));
        Value nIdx = addIdx(mulIdx(laneDiv16, 8), idx(p * 16));
        if (kMajorB)
          kIdx = addIdx(kIdx, laneMod8);
        else
          nIdx = addIdx(nIdx, laneMod8);
        SmallVector<Value> at = {bf->slot, kMajorB ? kIdx : nIdx,
                                 kMajorB ? nIdx : kIdx};
        Value four = nvgpu::LdMatrixOp::create(
            b, loc, VectorType::get({4, 2}, elt), bf->buffer, at,
            /*transpose=*/kMajorB, /*numTiles=*/4);
        bFrags.push_back(stackRows({extract(four, {0}), extract(four, {1})}));
        bFrags.push_back(stackRows({extract(four, {2}), extract(four, {3})}));
      }
    } else {
      auto one = VectorType::get({1}, b.getF32Type());
      Value k0 = addIdx(mulIdx(threadInGroup, 2), idx(ki * 8));
      Value k1 = addIdx(k0, idx(1));
      for (int64_t ni = 0; ni < nAtoms; ++ni) {
        Value nIdx = addIdx(groupId, idx(ni * 8));
        auto at = [&](Value kk) -> Value {
          SmallVector<Value> pos = {bf->slot, kMajorB ? kk : nIdx,
                                    kMajorB ? nIdx : kk};
          Value v = memref::LoadOp::create(b, loc, bf->buffer, pos);
          return vector::FromElementsOp::create(b, loc, one, ValueRange{v});
        };
        bFrags.push_back(stackRows({at(k0), at(k1)}));
      }
    }

    for (int64_t mi = 0; mi < *m; ++mi) {
      if (!tf32) {
        Value aFrag = operandA16(*a, elt, rows, mi, ki);
        for (int64_t ni = 0; ni < nAtoms; ++ni) {
          Value &c = acc[mi * nAtoms + ni];
          if (elt.isBF16())
            c = mmaBf16(aFrag, bFrags[ni], c);
          else
            c = nvgpu::MmaSyncOp::create(b, loc, aFrag, bFrags[ni], c,
                                         ArrayRef<int64_t>{16, 8, 16});
        }
        continue;
      }
      auto [aHi, aLo] = splitTf32(b, loc, operandATf32(*a, rows, mi, ki));
      for (int64_t ni = 0; ni < nAtoms; ++ni) {
        auto [bHi, bLo] = splitTf32(b, loc, bFrags[ni]);
        Value &c = acc[mi * nAtoms + ni];
        for (auto [x, y] : {std::pair{aHi, bLo}, {aLo, bHi}, {aHi, bHi}})
          c = nvgpu::MmaSyncOp::create(b, loc, x, y, c,
                                       ArrayRef<int64_t>{16, 8, 8},
                                       /*tf32Enabled=*/true);
      }
    }
  }
  if (tf32 && !carried.empty())
    for (auto [sum, old] : llvm::zip(acc, carried))
      sum = arith::AddFOp::create(b, loc, old, sum);
  Fragment out;
  out.regs = acc;
  frags[op.getResult()] = out;
  return success();
}

} // namespace attn
