//===- ConvertTileToHost.cpp - tile kernels -> sequential host loops ------===//
//
// The CPU execution path. Every tile value gets a buffer, every tile op a
// loop nest, and each kernel loops over its own grid, so the IR of rungs
// 2-4 runs in-process through MLIR's execution engine. Numerics follow the
// GPU kernels: low-precision operands are extended to f32 and multiplied
// and summed in f32; P is truncated before P·V exactly where the IR says.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace attn {
#define GEN_PASS_DEF_ATTNCONVERTTILETOHOST
#include "compiler/Conversion/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;

namespace {

/// A tile on the host: a buffer, or one scalar repeated (splat constants).
struct HostTile {
  Value buffer;
  Value splat;
};

class HostLowering {
public:
  HostLowering(OpBuilder &b, Location loc, Block *entry)
      : b(b), loc(loc), entry(entry) {}

  LogicalResult lowerBlock(Block &block) {
    for (Operation &op : block.without_terminator())
      if (failed(lowerOp(&op)))
        return failure();
    return success();
  }
  void mapScalar(Value from, Value to) { scalars.map(from, to); }
  /// Frees every buffer; call before the function returns.
  void freeBuffers() {
    for (Value buffer : allocated)
      memref::DeallocOp::create(b, loc, buffer);
  }

private:
  LogicalResult lowerOp(Operation *op);
  LogicalResult lowerElementwise(Operation *op);
  LogicalResult lowerFor(scf::ForOp op);
  LogicalResult lowerIf(scf::IfOp op);
  void lowerLoad(tile::LoadOp op);
  void lowerStore(tile::StoreOp op);
  void lowerDot(tile::DotOp op);
  void lowerReduce(tile::ReduceOp op);
  void lowerMask(tile::MaskOp op);
  void lowerAsyncCopy(tile::AsyncCopyOp op);

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value lookup(Value v) { return scalars.lookupOrDefault(v); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }

  /// A buffer for a tile of `type`, allocated once at function entry.
  Value allocate(ShapedType type) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(entry);
    auto memref = MemRefType::get(type.getShape(), type.getElementType());
    Value buffer = memref::AllocOp::create(b, loc, memref);
    allocated.push_back(buffer);
    return buffer;
  }
  Value newTile(Value result) {
    Value buffer = allocate(cast<ShapedType>(result.getType()));
    tiles[result] = {buffer, nullptr};
    return buffer;
  }
  Value read(Value tile, ValueRange at) {
    const HostTile &t = tiles.at(tile);
    if (t.splat)
      return t.splat;
    return memref::LoadOp::create(b, loc, t.buffer, at);
  }
  /// Loops over every index of `shape`, innermost last.
  void forEach(ArrayRef<int64_t> shape, function_ref<void(ValueRange)> body) {
    SmallVector<Value> ivs;
    std::function<void(size_t)> nest = [&](size_t dim) {
      if (dim == shape.size())
        return body(ivs);
      auto loop = scf::ForOp::create(b, loc, idx(0), idx(shape[dim]), idx(1));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(loop.getBody()->getTerminator());
      ivs.push_back(loop.getInductionVar());
      nest(dim + 1);
      ivs.pop_back();
    };
    nest(0);
  }
  /// `source[lead..., row, col]` when inside the bounds, else zero.
  Value loadOrZero(Value source, ValueRange lead, Value row, Value col) {
    auto type = cast<MemRefType>(source.getType());
    int64_t rank = type.getRank();
    Value inside = arith::AndIOp::create(
        b, loc,
        cmp(arith::CmpIPredicate::ult, row, idx(type.getDimSize(rank - 2))),
        cmp(arith::CmpIPredicate::ult, col, idx(type.getDimSize(rank - 1))));
    auto ifOp = scf::IfOp::create(b, loc, type.getElementType(), inside, true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    SmallVector<Value> at(lead);
    at.append({row, col});
    scf::YieldOp::create(
        b, loc, ValueRange{memref::LoadOp::create(b, loc, source, at)});
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, loc,
                         ValueRange{arith::ConstantOp::create(
                             b, loc, b.getZeroAttr(type.getElementType()))});
    return ifOp.getResult(0);
  }
  Value toF32(Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }

  OpBuilder &b;
  Location loc;
  Block *entry;
  IRMapping scalars;
  DenseMap<Value, HostTile> tiles;
  SmallVector<Value> allocated;
};

LogicalResult HostLowering::lowerOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](tile::ProgramIdOp o) -> LogicalResult {
        if (!scalars.contains(o.getResult()))
          return o.emitOpError() << "has no grid loop";
        return success();
      })
      .Case([&](tile::LoadOp o) { return lowerLoad(o), success(); })
      .Case([&](tile::StoreOp o) { return lowerStore(o), success(); })
      .Case([&](tile::DotOp o) { return lowerDot(o), success(); })
      .Case([&](tile::ReduceOp o) { return lowerReduce(o), success(); })
      .Case([&](tile::MaskOp o) { return lowerMask(o), success(); })
      .Case([&](tile::BroadcastOp o) {
        Value buffer = newTile(o.getResult());
        forEach(o.getType().getShape(), [&](ValueRange at) {
          memref::StoreOp::create(b, loc, read(o.getInput(), at[0]), buffer,
                                  at);
        });
        return success();
      })
      .Case([&](tile::AllocSharedOp o) {
        // Workgroup memory is an ordinary buffer on the host.
        tile::BufferType type = o.getType();
        scalars.map(
            o.getResult(),
            allocate(MemRefType::get(type.getShape(), type.getElementType())));
        return success();
      })
      .Case([&](tile::ConvertLayoutOp o) {
        // Layouts say where a tile lives on a GPU; on the host the values
        // are simply the same.
        tiles[o.getResult()] = tiles.at(o.getInput());
        return success();
      })
      .Case([&](tile::AsyncCopyOp o) { return lowerAsyncCopy(o), success(); })
      .Case<tile::AsyncCommitOp, tile::AsyncWaitOp, tile::BarrierOp>(
          [&](Operation *) { return success(); }) // Copies are synchronous.
      .Case([&](tile::LocalLoadOp o) {
        Value buffer = newTile(o.getResult());
        Value slotBuffer = lookup(o.getBuffer()), slot = lookup(o.getSlot());
        forEach(o.getType().getShape(), [&](ValueRange at) {
          Value v = memref::LoadOp::create(b, loc, slotBuffer,
                                           ValueRange{slot, at[0], at[1]});
          memref::StoreOp::create(b, loc, v, buffer, at);
        });
        return success();
      })
      .Case([&](scf::ForOp o) { return lowerFor(o); })
      .Case([&](scf::IfOp o) { return lowerIf(o); })
      .Case([&](arith::ConstantOp o) -> LogicalResult {
        auto type = dyn_cast<RankedTensorType>(o.getType());
        if (!type) {
          b.clone(*o, scalars);
          return success();
        }
        auto splat = dyn_cast<SplatElementsAttr>(o.getValue());
        if (!splat)
          return o.emitOpError() << "only splat tile constants are supported";
        tiles[o.getResult()] = {
            nullptr,
            arith::ConstantOp::create(
                b, loc, cast<TypedAttr>(splat.getSplatValue<Attribute>()))};
        return success();
      })
      .Default([&](Operation *o) -> LogicalResult {
        auto isTensor = [](Type t) { return isa<RankedTensorType>(t); };
        if (llvm::any_of(o->getResultTypes(), isTensor))
          return lowerElementwise(o);
        if (o->getNumRegions() != 0)
          return o->emitOpError() << "is not supported in a tile kernel";
        b.clone(*o, scalars);
        return success();
      });
}

LogicalResult HostLowering::lowerElementwise(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0)
    return op->emitOpError() << "on tiles is not supported by the host path";
  for (Value v : op->getOperands())
    if (!tiles.count(v))
      return op->emitOpError() << "operand is not a tile the host path knows";
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Value buffer = newTile(op->getResult(0));
  forEach(type.getShape(), [&](ValueRange at) {
    OperationState state(loc, op->getName());
    for (Value v : op->getOperands())
      state.addOperands(read(v, at));
    state.addTypes(type.getElementType());
    state.addAttributes(op->getAttrs());
    memref::StoreOp::create(b, loc, b.create(state)->getResult(0), buffer, at);
  });
  return success();
}

void HostLowering::lowerLoad(tile::LoadOp op) {
  Value buffer = newTile(op.getResult());
  SmallVector<Value> idxs =
      llvm::map_to_vector(op.getIndices(), [&](Value v) { return lookup(v); });
  ValueRange lead = ArrayRef<Value>(idxs).drop_back(2);
  Value row0 = idxs[idxs.size() - 2], col0 = idxs.back();
  forEach(op.getType().getShape(), [&](ValueRange at) {
    Value row = arith::AddIOp::create(b, loc, row0, at[0]);
    Value col = arith::AddIOp::create(b, loc, col0, at[1]);
    memref::StoreOp::create(
        b, loc, loadOrZero(lookup(op.getSource()), lead, row, col), buffer, at);
  });
}

void HostLowering::lowerStore(tile::StoreOp op) {
  SmallVector<Value> idxs =
      llvm::map_to_vector(op.getIndices(), [&](Value v) { return lookup(v); });
  auto type = cast<RankedTensorType>(op.getValue().getType());
  MemRefType dest = op.getDest().getType();
  int64_t rank = dest.getRank(), tileRank = type.getRank();
  forEach(type.getShape(), [&](ValueRange at) {
    SmallVector<Value> where(ArrayRef<Value>(idxs).drop_back(tileRank));
    Value inside;
    for (int64_t d = 0; d < tileRank; ++d) {
      Value pos =
          arith::AddIOp::create(b, loc, idxs[rank - tileRank + d], at[d]);
      Value ok = cmp(arith::CmpIPredicate::ult, pos,
                     idx(dest.getDimSize(rank - tileRank + d)));
      inside = inside ? arith::AndIOp::create(b, loc, inside, ok) : ok;
      where.push_back(pos);
    }
    auto ifOp = scf::IfOp::create(b, loc, inside, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    memref::StoreOp::create(b, loc, read(op.getValue(), at),
                            lookup(op.getDest()), where);
  });
}

void HostLowering::lowerDot(tile::DotOp op) {
  Value buffer = newTile(op.getResult());
  int64_t k = op.getLhs().getType().getDimSize(1);
  bool transposed = op.getTransposeRhs();
  forEach(op.getType().getShape(), [&](ValueRange at) {
    Value init = op.getAcc()
                     ? read(op.getAcc(), at)
                     : arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    auto loop = scf::ForOp::create(b, loc, idx(0), idx(k), idx(1), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value kk = loop.getInductionVar();
      Value a = toF32(read(op.getLhs(), {at[0], kk}));
      Value bv = toF32(read(op.getRhs(), transposed ? ValueRange{at[1], kk}
                                                    : ValueRange{kk, at[1]}));
      Value sum = math::FmaOp::create(b, loc, a, bv, loop.getRegionIterArg(0));
      scf::YieldOp::create(b, loc, sum);
    }
    memref::StoreOp::create(b, loc, loop.getResult(0), buffer, at);
  });
}

void HostLowering::lowerReduce(tile::ReduceOp op) {
  Value buffer = newTile(op.getResult());
  bool isMax = op.getKind() == tile::ReduceKind::max;
  int64_t cols = op.getInput().getType().getDimSize(1);
  forEach(op.getType().getShape(), [&](ValueRange at) {
    Value init = arith::ConstantOp::create(
        b, loc, b.getF32FloatAttr(isMax ? -INFINITY : 0.0));
    auto loop = scf::ForOp::create(b, loc, idx(0), idx(cols), idx(1), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value x = read(op.getInput(), {at[0], loop.getInductionVar()});
      Value acc = loop.getRegionIterArg(0);
      Value r = isMax ? Value(arith::MaximumFOp::create(b, loc, acc, x))
                      : Value(arith::AddFOp::create(b, loc, acc, x));
      scf::YieldOp::create(b, loc, r);
    }
    memref::StoreOp::create(b, loc, loop.getResult(0), buffer, at);
  });
}

void HostLowering::lowerMask(tile::MaskOp op) {
  Value buffer = newTile(op.getResult());
  Value row0 = lookup(op.getRowOffset()), col0 = lookup(op.getColOffset());
  forEach(op.getType().getShape(), [&](ValueRange at) {
    Value row = arith::AddIOp::create(b, loc, row0, at[0]);
    Value col = arith::AddIOp::create(b, loc, col0, at[1]);
    Value bad = cmp(arith::CmpIPredicate::uge, col, idx(op.getNumCols()));
    if (op.getCausal())
      bad = arith::OrIOp::create(b, loc, bad,
                                 cmp(arith::CmpIPredicate::ugt, col, row));
    Value negInf =
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(-INFINITY));
    Value v =
        arith::SelectOp::create(b, loc, bad, negInf, read(op.getInput(), at));
    memref::StoreOp::create(b, loc, v, buffer, at);
  });
}

void HostLowering::lowerAsyncCopy(tile::AsyncCopyOp op) {
  SmallVector<Value> idxs =
      llvm::map_to_vector(op.getIndices(), [&](Value v) { return lookup(v); });
  ValueRange lead = ArrayRef<Value>(idxs).drop_back(2);
  Value row0 = idxs[idxs.size() - 2], col0 = idxs.back();
  Value buffer = lookup(op.getBuffer()), slot = lookup(op.getSlot());
  forEach(op.getBuffer().getType().getShape().drop_front(), [&](ValueRange at) {
    Value row = arith::AddIOp::create(b, loc, row0, at[0]);
    Value col = arith::AddIOp::create(b, loc, col0, at[1]);
    Value v = loadOrZero(lookup(op.getSource()), lead, row, col);
    memref::StoreOp::create(b, loc, v, buffer, ValueRange{slot, at[0], at[1]});
  });
}

LogicalResult HostLowering::lowerFor(scf::ForOp op) {
  // Loop-carried tiles live in one buffer each for the whole loop: the body
  // reads them, and the yielded values are copied back at the end.
  SmallVector<Value> carried;
  SmallVector<Value> scalarInits;
  for (auto [init, arg] : llvm::zip(op.getInitArgs(), op.getRegionIterArgs())) {
    if (!isa<RankedTensorType>(init.getType())) {
      scalarInits.push_back(lookup(init));
      carried.push_back(nullptr);
      continue;
    }
    Value buffer = allocate(cast<ShapedType>(init.getType()));
    forEach(cast<ShapedType>(init.getType()).getShape(), [&](ValueRange at) {
      memref::StoreOp::create(b, loc, read(init, at), buffer, at);
    });
    carried.push_back(buffer);
  }
  auto loop = scf::ForOp::create(b, loc, lookup(op.getLowerBound()),
                                 lookup(op.getUpperBound()),
                                 lookup(op.getStep()), scalarInits);
  scalars.map(op.getInductionVar(), loop.getInductionVar());
  unsigned scalarPos = 0;
  for (auto [arg, buffer] : llvm::zip(op.getRegionIterArgs(), carried)) {
    if (buffer)
      tiles[arg] = {buffer, nullptr};
    else
      scalars.map(arg, loop.getRegionIterArg(scalarPos++));
  }
  {
    OpBuilder::InsertionGuard guard(b);
    Block *body = loop.getBody();
    if (!body->empty())
      b.setInsertionPoint(&body->back());
    else
      b.setInsertionPointToEnd(body);
    if (failed(lowerBlock(*op.getBody())))
      return failure();
    // Yielded tiles may alias carried buffers: stage all, then copy back.
    auto yield = cast<scf::YieldOp>(op.getBody()->getTerminator());
    SmallVector<Value> staged, scalarYields;
    for (auto [v, buffer] : llvm::zip(yield.getOperands(), carried)) {
      if (!buffer) {
        scalarYields.push_back(lookup(v));
        staged.push_back(nullptr);
        continue;
      }
      auto type = cast<ShapedType>(v.getType());
      Value tmp = allocate(type);
      forEach(type.getShape(), [&](ValueRange at) {
        memref::StoreOp::create(b, loc, read(v, at), tmp, at);
      });
      staged.push_back(tmp);
    }
    for (auto [tmp, buffer] : llvm::zip(staged, carried))
      if (buffer)
        memref::CopyOp::create(b, loc, tmp, buffer);
    if (!body->empty() && isa<scf::YieldOp>(body->back()))
      body->back().erase();
    b.setInsertionPointToEnd(body);
    scf::YieldOp::create(b, loc, scalarYields);
  }
  scalarPos = 0;
  for (auto [result, buffer] : llvm::zip(op.getResults(), carried)) {
    if (buffer)
      tiles[result] = {buffer, nullptr};
    else
      scalars.map(result, loop.getResult(scalarPos++));
  }
  return success();
}

LogicalResult HostLowering::lowerIf(scf::IfOp op) {
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
    return lowerBlock(*op.elseBlock());
  }
  return success();
}

/// Rebuilds kernel `fn` as a host function looping over its grid.
LogicalResult convertKernel(func::FuncOp fn) {
  ArrayRef<int64_t> grid = tile::getKernelConfig(fn).getGrid();
  OpBuilder b(fn);
  Location loc = fn.getLoc();
  auto host =
      func::FuncOp::create(b, loc, fn.getSymName(), fn.getFunctionType());
  host->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), b.getUnitAttr());
  Block *entry = host.addEntryBlock();
  b.setInsertionPointToStart(entry);
  HostLowering lowering(b, loc, entry);
  for (auto [from, to] : llvm::zip(fn.getArguments(), entry->getArguments()))
    lowering.mapScalar(from, to);

  // One loop per grid dimension; program_id d is loop d's variable.
  SmallVector<Value> ids;
  auto c0 = arith::ConstantIndexOp::create(b, loc, 0);
  auto c1 = arith::ConstantIndexOp::create(b, loc, 1);
  scf::ForOp outer;
  for (int64_t size : grid) {
    auto loop = scf::ForOp::create(
        b, loc, c0, arith::ConstantIndexOp::create(b, loc, size), c1);
    if (!outer)
      outer = loop;
    b.setInsertionPoint(loop.getBody()->getTerminator());
    ids.push_back(loop.getInductionVar());
  }
  fn.walk([&](tile::ProgramIdOp op) {
    lowering.mapScalar(op.getResult(), ids[op.getDim()]);
  });
  if (failed(lowering.lowerBlock(fn.getBody().front())))
    return failure();
  b.setInsertionPointAfter(outer);
  lowering.freeBuffers();
  func::ReturnOp::create(b, loc);
  fn->erase();
  return success();
}

struct AttnConvertTileToHostPass
    : attn::impl::AttnConvertTileToHostBase<AttnConvertTileToHostPass> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> kernels;
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (tile::getKernelConfig(fn))
        kernels.push_back(fn);
    if (kernels.empty()) {
      getOperation().emitError()
          << "attn-convert-tile-to-host: the module holds no tile kernel (the "
             "pass runs on rungs 2-4)";
      return signalPassFailure();
    }
    for (func::FuncOp fn : kernels)
      if (failed(convertKernel(fn)))
        return signalPassFailure();
  }
};

} // namespace
