//===- TileOps.cpp - tile dialect verifiers -------------------------------===//
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

using namespace mlir;
using namespace attn::tile;

#include "dialects/Tile/IR/TileEnums.cpp.inc"

/// A tile access names one index per memref dimension: the leading ones pick
/// the batch/head, the last two are the tile's top-left row and column.
static LogicalResult verifyTileAccess(Operation *op, MemRefType memref,
                                      size_t numIndices) {
  if (memref.getRank() < 2)
    return op->emitOpError() << "memref must have rank >= 2, got " << memref;
  if (numIndices != static_cast<size_t>(memref.getRank()))
    return op->emitOpError()
           << "expects " << memref.getRank()
           << " indices (one per memref dimension), got " << numIndices;
  return success();
}

static LogicalResult verifySameElement(Operation *op, Type a, Type b) {
  if (getElementTypeOrSelf(a) != getElementTypeOrSelf(b))
    return op->emitOpError() << "element types differ: " << a << " vs " << b;
  return success();
}

LogicalResult LoadOp::verify() {
  if (failed(
          verifyTileAccess(*this, getSource().getType(), getIndices().size())))
    return failure();
  return verifySameElement(*this, getSource().getType(), getType());
}

LogicalResult StoreOp::verify() {
  if (failed(verifyTileAccess(*this, getDest().getType(), getIndices().size())))
    return failure();
  return verifySameElement(*this, getDest().getType(), getValue().getType());
}

LogicalResult DotOp::verify() {
  ArrayRef<int64_t> a = getLhs().getType().getShape();
  ArrayRef<int64_t> b = getRhs().getType().getShape();
  if (getLhs().getType().getElementType() !=
      getRhs().getType().getElementType())
    return emitOpError() << "lhs and rhs element types must match";
  int64_t bk = getTransposeRhs() ? b[1] : b[0];
  int64_t bn = getTransposeRhs() ? b[0] : b[1];
  if (a[1] != bk)
    return emitOpError() << "contraction sizes differ: lhs has " << a[1]
                         << " columns, rhs" << (getTransposeRhs() ? "ᵀ" : "")
                         << " has " << bk << " rows";
  ArrayRef<int64_t> r = getType().getShape();
  if (r[0] != a[0] || r[1] != bn)
    return emitOpError() << "result must be " << a[0] << "x" << bn;
  if (getAcc() && getAcc().getType() != getType())
    return emitOpError() << "accumulator type must equal the result type";
  return success();
}

LogicalResult ReduceOp::verify() {
  if (getType().getShape()[0] != getInput().getType().getShape()[0])
    return emitOpError() << "result must have one element per input row";
  return success();
}

LogicalResult BroadcastOp::verify() {
  if (getType().getShape()[0] != getInput().getType().getShape()[0])
    return emitOpError() << "result must have one row per input element";
  return success();
}

/// A shared tile buffer is `memref<S x R x C x T>` in workgroup memory with
/// unit stride in its last dimension.
static LogicalResult verifySharedBuffer(Operation *op, MemRefType type) {
  auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(type.getMemorySpace());
  if (!space || space.getValue() != gpu::AddressSpace::Workgroup)
    return op->emitOpError()
           << "buffer must be in workgroup memory, got " << type;
  if (type.getRank() != 3)
    return op->emitOpError()
           << "buffer must be rank 3 [slots, rows, cols], got " << type;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) || strides[2] != 1 ||
      strides[1] < type.getDimSize(2) ||
      strides[0] < strides[1] * type.getDimSize(1))
    return op->emitOpError() << "buffer rows must be unit-stride and must not "
                                "overlap, got "
                             << type;
  return success();
}

LogicalResult AllocSharedOp::verify() {
  return verifySharedBuffer(*this, getType());
}

LogicalResult AsyncCopyOp::verify() {
  if (failed(verifySharedBuffer(*this, getBuffer().getType())) ||
      failed(
          verifyTileAccess(*this, getSource().getType(), getIndices().size())))
    return failure();
  return verifySameElement(*this, getSource().getType(), getBuffer().getType());
}

LogicalResult LocalLoadOp::verify() {
  MemRefType buf = getBuffer().getType();
  if (failed(verifySharedBuffer(*this, buf)))
    return failure();
  if (getType().getShape() != buf.getShape().drop_front())
    return emitOpError() << "result shape must equal one buffer slot";
  return verifySameElement(*this, buf, getType());
}

LogicalResult LaunchOp::verify() {
  size_t expected = getInputs().size() + getOutputs().size();
  if (getNames().size() != expected)
    return emitOpError() << "needs one name per input and output (" << expected
                         << "), got " << getNames().size();
  return success();
}

LogicalResult LaunchOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto fn =
      symbols.lookupNearestSymbolFrom<func::FuncOp>(*this, getCalleeAttr());
  if (!fn) {
    // After GPU mapping the callee is a gpu.func of a gpu.module, and after
    // serialization it is inside a gpu.binary.
    auto module = (*this)->getParentOfType<ModuleOp>();
    for (Operation &op : module.getBody()->getOperations()) {
      if (isa<gpu::BinaryOp>(op))
        return success();
      if (auto gm = dyn_cast<gpu::GPUModuleOp>(op))
        if (gm.lookupSymbol(getCallee()))
          return success();
    }
    return emitOpError() << "callee @" << getCallee()
                         << " is neither a tile kernel nor a gpu.func";
  }
  FunctionType type = fn.getFunctionType();
  size_t expected = getInputs().size() + getOutputs().size();
  if (type.getNumInputs() != expected)
    return emitOpError() << "callee takes " << type.getNumInputs()
                         << " memrefs but the launch passes " << expected;
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Tile/IR/TileOps.cpp.inc"
