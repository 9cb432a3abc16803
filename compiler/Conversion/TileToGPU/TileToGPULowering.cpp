//===- TileToGPULowering.cpp - tile ops -> per-thread code ----------------===//
#include "compiler/Conversion/TileToGPU/TileToGPULowering.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/ADT/TypeSwitch.h"
#include <cmath>

using namespace mlir;

namespace attn {

KernelLowering::KernelLowering(OpBuilder &b, Location loc, int64_t numWarps)
    : b(b), loc(loc), numWarps(numWarps) {
  threadId = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  lane = arith::RemUIOp::create(b, loc, threadId, idx(32));
  warp = arith::DivUIOp::create(b, loc, threadId, idx(32));
  groupId = arith::DivUIOp::create(b, loc, lane, idx(4));
  threadInGroup = arith::RemUIOp::create(b, loc, lane, idx(4));
}

//===----------------------------------------------------------------------===//
// Small builders
//===----------------------------------------------------------------------===//

Value KernelLowering::idx(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value KernelLowering::addIdx(Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value KernelLowering::mulIdx(Value x, int64_t y) {
  return arith::MulIOp::create(b, loc, x, idx(y));
}
Value KernelLowering::cmp(arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}
Value KernelLowering::andI(Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}
Value KernelLowering::extract(Value vec, ArrayRef<int64_t> pos) {
  return vector::ExtractOp::create(b, loc, vec, pos);
}

Value KernelLowering::stackRows(ArrayRef<Value> rows) {
  auto rowType = cast<VectorType>(rows.front().getType());
  SmallVector<int64_t> shape = {static_cast<int64_t>(rows.size())};
  llvm::append_range(shape, rowType.getShape());
  auto type = VectorType::get(shape, rowType.getElementType());
  Value result = arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
  for (auto [i, row] : llvm::enumerate(rows))
    result = vector::InsertOp::create(b, loc, row, result,
                                      ArrayRef<int64_t>{int64_t(i)});
  return result;
}

FailureOr<int64_t> KernelLowering::mAtoms(Operation *op, int64_t rows) {
  if (rows % (16 * numWarps) != 0)
    return op->emitOpError() << "a tile of " << rows
                             << " rows cannot be split into 16-row MMA atoms "
                                "over "
                             << numWarps << " warps";
  return rows / (16 * numWarps);
}

Value KernelLowering::rowOf(int64_t rows, int64_t mi, int64_t h) {
  Value base = mulIdx(warp, rows / numWarps);
  return addIdx(base, addIdx(groupId, idx(mi * 16 + 8 * h)));
}

Value KernelLowering::colOf(int64_t ni, int64_t j) {
  return addIdx(mulIdx(threadInGroup, 2), idx(ni * 8 + j));
}

FailureOr<Fragment> KernelLowering::fragment(Operation *user, Value v) {
  auto it = frags.find(v);
  if (it == frags.end())
    return user->emitOpError()
           << "operand has no thread mapping (produced by an op the GPU "
              "mapping does not handle)";
  return it->second;
}

//===----------------------------------------------------------------------===//
// Walk
//===----------------------------------------------------------------------===//

LogicalResult KernelLowering::lowerBlock(Block &block) {
  for (Operation &op : block.without_terminator())
    if (failed(lowerOp(&op)))
      return failure();
  return success();
}

static bool touchesTensors(Operation *op) {
  auto isTensor = [](Type t) { return isa<RankedTensorType>(t); };
  return llvm::any_of(op->getOperandTypes(), isTensor) ||
         llvm::any_of(op->getResultTypes(), isTensor);
}

LogicalResult KernelLowering::lowerOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](tile::ProgramIdOp p) {
        auto dim = static_cast<gpu::Dimension>(p.getDim());
        scalars.map(p.getResult(), gpu::BlockIdOp::create(b, loc, dim));
        return success();
      })
      .Case([&](tile::LoadOp o) { return lowerLoad(o); })
      .Case([&](tile::StoreOp o) { return lowerStore(o); })
      .Case([&](tile::DotOp o) { return lowerDot(o); })
      .Case([&](tile::ReduceOp o) { return lowerReduce(o); })
      .Case([&](tile::BroadcastOp o) { return lowerBroadcast(o); })
      .Case([&](tile::MaskOp o) { return lowerMask(o); })
      .Case([&](tile::AllocSharedOp o) { return lowerAlloc(o); })
      .Case([&](tile::AsyncCopyOp o) { return lowerAsyncCopy(o); })
      .Case([&](tile::AsyncCommitOp) {
        NVVM::CpAsyncCommitGroupOp::create(b, loc);
        return success();
      })
      .Case([&](tile::AsyncWaitOp o) {
        NVVM::CpAsyncWaitGroupOp::create(b, loc, o.getPending());
        return success();
      })
      .Case([&](tile::BarrierOp) {
        gpu::BarrierOp::create(b, loc);
        return success();
      })
      .Case([&](tile::LocalLoadOp o) {
        Fragment f;
        f.kind = Fragment::Kind::Shared;
        f.buffer = lookup(o.getBuffer());
        f.slot = lookup(o.getSlot());
        frags[o.getResult()] = f;
        return success();
      })
      .Case([&](scf::ForOp o) { return lowerFor(o); })
      .Case([&](scf::IfOp o) { return lowerIf(o); })
      .Case([&](arith::ConstantOp o) {
        if (isa<RankedTensorType>(o.getType()))
          return lowerConstant(o);
        b.clone(*o, scalars);
        return success();
      })
      .Default([&](Operation *o) -> LogicalResult {
        if (touchesTensors(o))
          return lowerElementwise(o);
        if (o->getNumRegions() != 0)
          return o->emitOpError() << "is not supported inside a tile kernel";
        b.clone(*o, scalars);
        return success();
      });
}

//===----------------------------------------------------------------------===//
// Element-wise math and constants
//===----------------------------------------------------------------------===//

/// The per-thread vector type that holds one piece of a tile of `type`.
static VectorType pieceType(RankedTensorType type) {
  if (type.getRank() == 1)
    return VectorType::get({2}, type.getElementType());
  return VectorType::get({2, 2}, type.getElementType());
}

LogicalResult KernelLowering::lowerConstant(arith::ConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  auto dense = dyn_cast<SplatElementsAttr>(op.getValue());
  if (!dense)
    return op.emitOpError() << "only splat tile constants are supported";
  FailureOr<int64_t> m = mAtoms(op, type.getDimSize(0));
  if (failed(m))
    return failure();
  VectorType piece = pieceType(type);
  Value v = arith::ConstantOp::create(
      b, loc, piece,
      SplatElementsAttr::get(piece, dense.getSplatValue<Attribute>()));
  Fragment f;
  f.kind =
      type.getRank() == 1 ? Fragment::Kind::Rows : Fragment::Kind::Registers;
  int64_t count = *m * (type.getRank() == 1 ? 1 : type.getDimSize(1) / 8);
  f.regs.assign(count, v);
  frags[op.getResult()] = f;
  return success();
}

LogicalResult KernelLowering::lowerElementwise(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0 ||
      !isa<RankedTensorType>(op->getResult(0).getType()))
    return op->emitOpError() << "on tiles is not supported by the GPU mapping";
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  SmallVector<Fragment> operands;
  for (Value v : op->getOperands()) {
    if (!isa<RankedTensorType>(v.getType()))
      return op->emitOpError() << "mixes tiles and scalars";
    FailureOr<Fragment> f = fragment(op, v);
    if (failed(f))
      return failure();
    if (f->kind == Fragment::Kind::Shared)
      return op->emitOpError()
             << "reads a shared-memory tile element-wise; only tile.dot may";
    operands.push_back(*f);
  }
  Fragment result;
  result.kind = operands.front().kind;
  VectorType piece = pieceType(type);
  for (size_t i = 0; i < operands.front().regs.size(); ++i) {
    // exp2/log2 become the ex2.approx / lg2.approx intrinsics directly
    // (upstream's GPU-to-NVVM would call libdevice, which needs the CUDA
    // toolkit at compile time); the intrinsics are scalar.
    if (isa<math::Exp2Op, math::Log2Op>(op)) {
      StringAttr name =
          b.getStringAttr(isa<math::Exp2Op>(op) ? "llvm.nvvm.ex2.approx.f32"
                                                : "llvm.nvvm.lg2.approx.f");
      Value x = operands[0].regs[i];
      SmallVector<Value> rows;
      for (int64_t h = 0; h < (piece.getRank() == 1 ? 1 : 2); ++h) {
        SmallVector<Value> elems;
        for (int64_t j = 0; j < 2; ++j) {
          SmallVector<int64_t> pos = piece.getRank() == 1
                                         ? SmallVector<int64_t>{j}
                                         : SmallVector<int64_t>{h, j};
          elems.push_back(
              LLVM::CallIntrinsicOp::create(b, loc, b.getF32Type(), name,
                                            ValueRange{extract(x, pos)})
                  .getResult(0));
        }
        rows.push_back(vector::FromElementsOp::create(
            b, loc, VectorType::get({2}, b.getF32Type()), elems));
      }
      result.regs.push_back(piece.getRank() == 1 ? rows[0] : stackRows(rows));
      continue;
    }
    OperationState state(loc, op->getName());
    for (const Fragment &f : operands)
      state.addOperands(f.regs[i]);
    state.addTypes(piece);
    state.addAttributes(op->getAttrs());
    result.regs.push_back(b.create(state)->getResult(0));
  }
  frags[op->getResult(0)] = result;
  return success();
}

//===----------------------------------------------------------------------===//
// Row reductions and broadcasts
//===----------------------------------------------------------------------===//

LogicalResult KernelLowering::lowerReduce(tile::ReduceOp op) {
  FailureOr<Fragment> in = fragment(op, op.getInput());
  if (failed(in))
    return failure();
  int64_t nAtoms = op.getInput().getType().getDimSize(1) / 8;
  int64_t m = in->regs.size() / nAtoms;
  bool isMax = op.getKind() == tile::ReduceKind::max;
  auto combine = [&](Value x, Value y) -> Value {
    if (isMax)
      return arith::MaximumFOp::create(b, loc, x, y);
    return arith::AddFOp::create(b, loc, x, y);
  };
  Fragment out;
  out.kind = Fragment::Kind::Rows;
  for (int64_t mi = 0; mi < m; ++mi) {
    // Across this thread's atoms, then its two columns, then the quad.
    Value acc = in->regs[mi * nAtoms];
    for (int64_t ni = 1; ni < nAtoms; ++ni)
      acc = combine(acc, in->regs[mi * nAtoms + ni]);
    SmallVector<Value> halves;
    for (int64_t h = 0; h < 2; ++h) {
      Value v = combine(extract(acc, {h, 0}), extract(acc, {h, 1}));
      for (int32_t offset : {1, 2}) {
        auto shuffle = gpu::ShuffleOp::create(b, loc, v, offset, 32,
                                              gpu::ShuffleMode::XOR);
        v = combine(v, shuffle.getShuffleResult());
      }
      halves.push_back(v);
    }
    out.regs.push_back(vector::FromElementsOp::create(
        b, loc, VectorType::get({2}, b.getF32Type()), halves));
  }
  frags[op.getResult()] = out;
  return success();
}

LogicalResult KernelLowering::lowerBroadcast(tile::BroadcastOp op) {
  FailureOr<Fragment> in = fragment(op, op.getInput());
  if (failed(in))
    return failure();
  int64_t nAtoms = op.getType().getDimSize(1) / 8;
  auto rowType = VectorType::get({2}, b.getF32Type());
  Fragment out;
  for (Value rows : in->regs) {
    Value r0 = vector::BroadcastOp::create(b, loc, rowType, extract(rows, {0}));
    Value r1 = vector::BroadcastOp::create(b, loc, rowType, extract(rows, {1}));
    Value piece = stackRows({r0, r1});
    out.regs.append(nAtoms, piece);
  }
  frags[op.getResult()] = out;
  return success();
}

//===----------------------------------------------------------------------===//
// Masking
//===----------------------------------------------------------------------===//

LogicalResult KernelLowering::lowerMask(tile::MaskOp op) {
  FailureOr<Fragment> in = fragment(op, op.getInput());
  if (failed(in))
    return failure();
  RankedTensorType type = op.getType();
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  int64_t nAtoms = cols / 8, m = in->regs.size() / nAtoms;
  Value rowOff = lookup(op.getRowOffset()), colOff = lookup(op.getColOffset());
  Value numCols = idx(op.getNumCols());

  // Only tiles that cross the diagonal or the last column pay for masking.
  Value lastCol = addIdx(colOff, idx(cols));
  Value needed = cmp(arith::CmpIPredicate::ugt, lastCol, numCols);
  if (op.getCausal())
    needed = arith::OrIOp::create(
        b, loc, needed,
        cmp(arith::CmpIPredicate::ugt, addIdx(colOff, idx(cols - 1)), rowOff));
  SmallVector<Type> types(in->regs.size(), in->regs.front().getType());
  auto ifOp = scf::IfOp::create(b, loc, types, needed, /*withElse=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, loc, in->regs);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value negInf =
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(-INFINITY));
    SmallVector<Value> masked;
    for (int64_t mi = 0; mi < m; ++mi) {
      for (int64_t ni = 0; ni < nAtoms; ++ni) {
        Value piece = in->regs[mi * nAtoms + ni];
        SmallVector<Value> newRows;
        for (int64_t h = 0; h < 2; ++h) {
          Value row = addIdx(rowOff, rowOf(rows, mi, h));
          SmallVector<Value> elems;
          for (int64_t j = 0; j < 2; ++j) {
            Value col = addIdx(colOff, colOf(ni, j));
            Value bad = cmp(arith::CmpIPredicate::uge, col, numCols);
            if (op.getCausal())
              bad = arith::OrIOp::create(
                  b, loc, bad, cmp(arith::CmpIPredicate::ugt, col, row));
            elems.push_back(arith::SelectOp::create(b, loc, bad, negInf,
                                                    extract(piece, {h, j})));
          }
          newRows.push_back(vector::FromElementsOp::create(
              b, loc, VectorType::get({2}, b.getF32Type()), elems));
        }
        masked.push_back(stackRows(newRows));
      }
    }
    scf::YieldOp::create(b, loc, masked);
  }
  Fragment out;
  out.regs.assign(ifOp.getResults().begin(), ifOp.getResults().end());
  frags[op.getResult()] = out;
  return success();
}

//===----------------------------------------------------------------------===//
// Global loads and stores in the register layout
//===----------------------------------------------------------------------===//

/// Indices [lead..., row, col] into a tile access's memref.
static SmallVector<Value> accessIndices(ValueRange lead, Value row, Value col) {
  SmallVector<Value> indices(lead);
  indices.push_back(row);
  indices.push_back(col);
  return indices;
}

/// True (uniformly across the program) when the rows x cols tile at
/// (rowOff, colOff) lies inside a memRows x memCols matrix.
Value KernelLowering::tileInBounds(Value rowOff, Value colOff, int64_t rows,
                                   int64_t cols, int64_t memRows,
                                   int64_t memCols) {
  return andI(
      cmp(arith::CmpIPredicate::ule, addIdx(rowOff, idx(rows)), idx(memRows)),
      cmp(arith::CmpIPredicate::ule, addIdx(colOff, idx(cols)), idx(memCols)));
}

LogicalResult KernelLowering::lowerLoad(tile::LoadOp op) {
  RankedTensorType type = op.getType();
  MemRefType mem = op.getSource().getType();
  FailureOr<int64_t> m = mAtoms(op, type.getDimSize(0));
  if (failed(m))
    return failure();
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  int64_t nAtoms = cols / 8;
  int64_t memRows = mem.getDimSize(mem.getRank() - 2);
  int64_t memCols = mem.getDimSize(mem.getRank() - 1);
  SmallVector<Value> idxs =
      llvm::map_to_vector(op.getIndices(), [&](Value v) { return lookup(v); });
  ValueRange lead = ArrayRef<Value>(idxs).drop_back(2);
  Value rowOff = idxs[idxs.size() - 2], colOff = idxs.back();
  Value source = lookup(op.getSource());
  Type elt = type.getElementType();
  // Two adjacent elements are one aligned access when rows have even length.
  int64_t width = memCols % 2 == 0 ? 2 : 1;
  auto vecType = VectorType::get({width}, elt);
  auto maskType = VectorType::get({width}, b.getI1Type());

  // Interior tiles load without per-element bounds checks.
  auto emit = [&](bool masked) {
    Value zero =
        arith::ConstantOp::create(b, loc, vecType, b.getZeroAttr(vecType));
    SmallVector<Value> regs;
    for (int64_t mi = 0; mi < *m; ++mi) {
      for (int64_t ni = 0; ni < nAtoms; ++ni) {
        SmallVector<Value> pieceRows;
        for (int64_t h = 0; h < 2; ++h) {
          Value row = addIdx(rowOff, rowOf(rows, mi, h));
          Value rowOk = cmp(arith::CmpIPredicate::ult, row, idx(memRows));
          SmallVector<Value> parts;
          for (int64_t j = 0; j < 2; j += width) {
            Value col = addIdx(colOff, colOf(ni, j));
            SmallVector<Value> at = accessIndices(lead, row, col);
            if (!masked) {
              parts.push_back(
                  vector::LoadOp::create(b, loc, vecType, source, at));
              continue;
            }
            SmallVector<Value> bits;
            for (int64_t e = 0; e < width; ++e)
              bits.push_back(
                  andI(rowOk, cmp(arith::CmpIPredicate::ult,
                                  addIdx(col, idx(e)), idx(memCols))));
            Value mask = vector::FromElementsOp::create(b, loc, maskType, bits);
            parts.push_back(vector::MaskedLoadOp::create(
                b, loc, vecType, source, at, mask, zero));
          }
          Value pair = parts.front();
          if (width == 1)
            pair = vector::FromElementsOp::create(
                b, loc, VectorType::get({2}, elt),
                ValueRange{extract(parts[0], {0}), extract(parts[1], {0})});
          pieceRows.push_back(pair);
        }
        regs.push_back(stackRows(pieceRows));
      }
    }
    return regs;
  };
  SmallVector<Type> types(*m * nAtoms, VectorType::get({2, 2}, elt));
  auto ifOp = scf::IfOp::create(
      b, loc, types, tileInBounds(rowOff, colOff, rows, cols, memRows, memCols),
      true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(b, loc, emit(false));
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, loc, emit(true));
  }
  Fragment out;
  out.regs.assign(ifOp.getResults().begin(), ifOp.getResults().end());
  frags[op.getResult()] = out;
  return success();
}

LogicalResult KernelLowering::lowerStore(tile::StoreOp op) {
  FailureOr<Fragment> in = fragment(op, op.getValue());
  if (failed(in))
    return failure();
  auto type = cast<RankedTensorType>(op.getValue().getType());
  MemRefType mem = op.getDest().getType();
  int64_t rows = type.getDimSize(0);
  SmallVector<Value> idxs =
      llvm::map_to_vector(op.getIndices(), [&](Value v) { return lookup(v); });
  Value dest = lookup(op.getDest());
  Type elt = type.getElementType();

  if (type.getRank() == 1) {
    // Row vectors: the first thread of each quad writes its two rows.
    int64_t memRows = mem.getDimSize(mem.getRank() - 1);
    ValueRange lead = ArrayRef<Value>(idxs).drop_back(1);
    Value leader = cmp(arith::CmpIPredicate::eq, threadInGroup, idx(0));
    auto maskType = VectorType::get({1}, b.getI1Type());
    for (auto [mi, rowsVec] : llvm::enumerate(in->regs)) {
      for (int64_t h = 0; h < 2; ++h) {
        Value row = addIdx(idxs.back(), rowOf(rows, mi, h));
        Value ok =
            andI(leader, cmp(arith::CmpIPredicate::ult, row, idx(memRows)));
        SmallVector<Value> indices(lead);
        indices.push_back(row);
        Value value = vector::FromElementsOp::create(
            b, loc, VectorType::get({1}, elt), extract(rowsVec, {h}));
        vector::MaskedStoreOp::create(
            b, loc, dest, indices,
            vector::FromElementsOp::create(b, loc, maskType, ok), value);
      }
    }
    return success();
  }

  int64_t cols = type.getDimSize(1);
  int64_t nAtoms = cols / 8, m = in->regs.size() / nAtoms;
  int64_t memRows = mem.getDimSize(mem.getRank() - 2);
  int64_t memCols = mem.getDimSize(mem.getRank() - 1);
  ValueRange lead = ArrayRef<Value>(idxs).drop_back(2);
  Value rowOff = idxs[idxs.size() - 2], colOff = idxs.back();
  int64_t width = memCols % 2 == 0 ? 2 : 1;
  auto maskType = VectorType::get({width}, b.getI1Type());
  auto emit = [&](bool masked) {
    for (int64_t mi = 0; mi < m; ++mi) {
      for (int64_t ni = 0; ni < nAtoms; ++ni) {
        Value piece = in->regs[mi * nAtoms + ni];
        for (int64_t h = 0; h < 2; ++h) {
          Value row = addIdx(rowOff, rowOf(rows, mi, h));
          Value rowOk = cmp(arith::CmpIPredicate::ult, row, idx(memRows));
          Value pair = extract(piece, {h});
          for (int64_t j = 0; j < 2; j += width) {
            Value col = addIdx(colOff, colOf(ni, j));
            SmallVector<Value> at = accessIndices(lead, row, col);
            Value value = width == 2 ? pair
                                     : vector::FromElementsOp::create(
                                           b, loc, VectorType::get({1}, elt),
                                           ValueRange{extract(pair, {j})});
            if (!masked) {
              vector::StoreOp::create(b, loc, value, dest, at);
              continue;
            }
            SmallVector<Value> bits;
            for (int64_t e = 0; e < width; ++e)
              bits.push_back(
                  andI(rowOk, cmp(arith::CmpIPredicate::ult,
                                  addIdx(col, idx(e)), idx(memCols))));
            vector::MaskedStoreOp::create(
                b, loc, dest, at,
                vector::FromElementsOp::create(b, loc, maskType, bits), value);
          }
        }
      }
    }
  };
  auto ifOp = scf::IfOp::create(
      b, loc, tileInBounds(rowOff, colOff, rows, cols, memRows, memCols),
      /*withElse=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  emit(false);
  b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
  emit(true);
  return success();
}

//===----------------------------------------------------------------------===//
// Shared memory
//===----------------------------------------------------------------------===//

LogicalResult KernelLowering::lowerAlloc(tile::AllocSharedOp op) {
  MemRefType type = op.getType();
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return op.emitOpError() << "buffer layout must be strided";
  int64_t slots = type.getDimSize(0), rows = type.getDimSize(1);
  int64_t pitch = strides[1];
  int64_t bytes = slots * rows * pitch * type.getElementTypeBitWidth() / 8;
  auto space = type.getMemorySpace();
  if (!smemBase) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfterValue(threadId);
    smemBase = gpu::DynamicSharedMemoryOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                        MemRefLayoutAttrInterface(), space));
  }
  auto dense = MemRefType::get({slots, rows, pitch}, type.getElementType(),
                               MemRefLayoutAttrInterface(), space);
  Value view = memref::ViewOp::create(b, loc, dense, smemBase, idx(sharedTop),
                                      ValueRange{});
  Value buffer = memref::SubViewOp::create(
      b, loc, type, view, ArrayRef<int64_t>{0, 0, 0},
      ArrayRef<int64_t>{slots, rows, type.getDimSize(2)},
      ArrayRef<int64_t>{1, 1, 1});
  scalars.map(op.getResult(), buffer);
  sharedTop = llvm::alignTo(sharedTop + bytes, 128);
  return success();
}

LogicalResult KernelLowering::lowerAsyncCopy(tile::AsyncCopyOp op) {
  MemRefType src = op.getSource().getType(), buf = op.getBuffer().getType();
  int64_t rows = buf.getDimSize(1), cols = buf.getDimSize(2);
  int64_t eltBytes = buf.getElementTypeBitWidth() / 8;
  int64_t srcRows = src.getDimSize(src.getRank() - 2);
  int64_t srcCols = src.getDimSize(src.getRank() - 1);
  // The widest cp.async (16, 8 or 4 bytes) that keeps every chunk aligned.
  int64_t chunk = 0;
  for (int64_t bytes : {16, 8, 4}) {
    int64_t n = bytes / eltBytes;
    if (n >= 1 && cols % n == 0 && srcCols % n == 0) {
      chunk = n;
      break;
    }
  }
  SmallVector<Value> idxs =
      llvm::map_to_vector(op.getIndices(), [&](Value v) { return lookup(v); });
  Value rowOff = idxs[idxs.size() - 2], colOff = idxs.back();
  Value buffer = lookup(op.getBuffer()), slot = lookup(op.getSlot());
  Value source = lookup(op.getSource());
  int64_t threads = 32 * numWarps;
  int64_t per = chunk ? chunk : 1;
  int64_t chunksPerRow = cols / per, total = rows * chunksPerRow;

  for (int64_t k = 0; k * threads < total; ++k) {
    Value id = addIdx(threadId, idx(k * threads));
    OpBuilder::InsertionGuard guard(b); // Leaves the guarding scf.if, if any.
    if ((k + 1) * threads > total) {
      auto ifOp = scf::IfOp::create(
          b, loc, cmp(arith::CmpIPredicate::ult, id, idx(total)), false);
      b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    }
    Value r = arith::DivUIOp::create(b, loc, id, idx(chunksPerRow));
    Value c =
        mulIdx(arith::RemUIOp::create(b, loc, id, idx(chunksPerRow)), per);
    Value srcRow = addIdx(rowOff, r), srcCol = addIdx(colOff, c);
    Value rowOk = cmp(arith::CmpIPredicate::ult, srcRow, idx(srcRows));
    // Elements of this chunk inside the source row (0 when out of bounds).
    Value avail = arith::SubIOp::create(
        b, loc, idx(srcCols),
        arith::MinUIOp::create(b, loc, srcCol, idx(srcCols)));
    Value count = arith::MinUIOp::create(b, loc, avail, idx(per));
    count = arith::SelectOp::create(b, loc, rowOk, count, idx(0));
    Value any = cmp(arith::CmpIPredicate::ne, count, idx(0));
    // Keep the address inside the source when nothing is read.
    Value safeRow = arith::SelectOp::create(b, loc, any, srcRow, idx(0));
    Value safeCol = arith::SelectOp::create(b, loc, any, srcCol, idx(0));
    SmallVector<Value> srcIdx(ArrayRef<Value>(idxs).drop_back(2));
    srcIdx.push_back(safeRow);
    srcIdx.push_back(safeCol);
    SmallVector<Value> dstIdx = {slot, r, c};
    if (chunk) {
      nvgpu::DeviceAsyncCopyOp::create(
          b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), buffer,
          dstIdx, source, srcIdx, b.getIndexAttr(chunk), count,
          chunk * eltBytes == 16 ? b.getUnitAttr() : UnitAttr());
    } else {
      // Rows too short for cp.async alignment: a plain element copy.
      Value v = memref::LoadOp::create(b, loc, source, srcIdx);
      Value zero =
          arith::ConstantOp::create(b, loc, b.getZeroAttr(v.getType()));
      v = arith::SelectOp::create(b, loc, any, v, zero);
      memref::StoreOp::create(b, loc, v, buffer, dstIdx);
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Structured control flow
//===----------------------------------------------------------------------===//

LogicalResult KernelLowering::lowerFor(scf::ForOp op) {
  // Each carried tile becomes as many carried values as it has registers.
  SmallVector<Value> inits;
  SmallVector<std::optional<Fragment>> layout;
  for (Value init : op.getInitArgs()) {
    if (!isa<RankedTensorType>(init.getType())) {
      inits.push_back(lookup(init));
      layout.push_back(std::nullopt);
      continue;
    }
    FailureOr<Fragment> f = fragment(op, init);
    if (failed(f))
      return failure();
    if (f->kind == Fragment::Kind::Shared)
      return op.emitOpError() << "cannot carry a shared-memory tile";
    inits.append(f->regs.begin(), f->regs.end());
    layout.push_back(*f);
  }
  auto loop = scf::ForOp::create(b, loc, lookup(op.getLowerBound()),
                                 lookup(op.getUpperBound()),
                                 lookup(op.getStep()), inits);
  // Re-groups a flat range into fragments following `layout`.
  auto regroup = [&](ValueRange flat, ValueRange originals) {
    size_t pos = 0;
    for (auto [original, shape] : llvm::zip(originals, layout)) {
      if (!shape) {
        scalars.map(original, flat[pos++]);
        continue;
      }
      Fragment f = *shape;
      for (Value &r : f.regs)
        r = flat[pos++];
      frags[original] = f;
    }
  };
  regroup(loop.getRegionIterArgs(), op.getRegionIterArgs());
  scalars.map(op.getInductionVar(), loop.getInductionVar());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    if (!loop.getBody()->empty())
      b.setInsertionPoint(&loop.getBody()->back());
    if (failed(lowerBlock(*op.getBody())))
      return failure();
    SmallVector<Value> yields;
    for (Value v : op.getBody()->getTerminator()->getOperands()) {
      if (!isa<RankedTensorType>(v.getType())) {
        yields.push_back(lookup(v));
        continue;
      }
      FailureOr<Fragment> f = fragment(op, v);
      if (failed(f))
        return failure();
      yields.append(f->regs.begin(), f->regs.end());
    }
    Block *body = loop.getBody();
    if (!body->empty() && isa<scf::YieldOp>(body->back()))
      body->back().erase(); // The default terminator of a loop without state.
    b.setInsertionPointToEnd(body);
    scf::YieldOp::create(b, loc, yields);
  }
  regroup(loop.getResults(), op.getResults());
  return success();
}

LogicalResult KernelLowering::lowerIf(scf::IfOp op) {
  if (op.getNumResults() != 0)
    return op.emitOpError() << "with results is not supported in tile kernels";
  auto ifOp = scf::IfOp::create(b, loc, lookup(op.getCondition()),
                                !op.getElseRegion().empty());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  if (failed(lowerBlock(*op.thenBlock())))
    return failure();
  if (op.elseBlock()) {
    b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
    if (failed(lowerBlock(*op.elseBlock())))
      return failure();
  }
  return success();
}

} // namespace attn
