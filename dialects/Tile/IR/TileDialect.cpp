//===- TileDialect.cpp - the tile dialect ---------------------------------===//
#include "dialects/Tile/IR/TileDialect.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

using namespace mlir;
using namespace attn::tile;

#include "dialects/Tile/IR/TileDialect.cpp.inc"

void TileDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Tile/IR/TileOps.cpp.inc"
      >();
  registerAttributes();
  registerTypes();
}

LogicalResult TileDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() == getTensorMapParamsAttrName()) {
    if (!isa<DenseI32ArrayAttr>(attr.getValue()))
      return op->emitError() << "'" << getTensorMapParamsAttrName()
                             << "' must be an array<i32> of parameter numbers";
    return success();
  }
  if (attr.getName() != getConfigAttrName())
    return op->emitError() << "unknown tile dialect attribute '"
                           << attr.getName().getValue() << "'";
  if (!isa<func::FuncOp, gpu::GPUFuncOp>(op))
    return op->emitError() << "'" << getConfigAttrName()
                           << "' belongs on a kernel function (func.func or "
                              "gpu.func), not on "
                           << op->getName();
  if (!isa<ConfigAttr>(attr.getValue()))
    return op->emitError() << "'" << getConfigAttrName()
                           << "' must be a #tile.config, got "
                           << attr.getValue();
  return success();
}

ConfigAttr attn::tile::getKernelConfig(Operation *op) {
  if (!op)
    return nullptr;
  return op->getAttrOfType<ConfigAttr>(TileDialect::getConfigAttrName());
}

bool attn::tile::isMultipleOf(Value v, int64_t n) {
  if (std::optional<int64_t> c = getConstantIntValue(v))
    return *c % n == 0;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
    return loop && loop.getInductionVar() == arg &&
           isMultipleOf(loop.getLowerBound(), n) &&
           isMultipleOf(loop.getStep(), n);
  }
  Operation *def = v.getDefiningOp();
  if (auto mul = dyn_cast_or_null<arith::MulIOp>(def))
    return isMultipleOf(mul.getLhs(), n) || isMultipleOf(mul.getRhs(), n);
  if (isa_and_nonnull<arith::AddIOp, arith::SubIOp>(def))
    return isMultipleOf(def->getOperand(0), n) &&
           isMultipleOf(def->getOperand(1), n);
  return false;
}

FailureOr<SmallVector<func::FuncOp>>
attn::tile::getTileKernels(ModuleOp module, StringRef pass, StringRef where,
                           bool needBodies) {
  SmallVector<func::FuncOp> kernels;
  for (auto fn : module.getOps<func::FuncOp>())
    if (getKernelConfig(fn))
      kernels.push_back(fn);
  if (kernels.empty())
    return module.emitError() << pass
                              << ": the module holds no tile kernel (the pass "
                                 "runs on "
                              << where << ")";
  if (needBodies)
    for (func::FuncOp fn : kernels)
      if (fn.isExternal())
        return fn.emitError() << pass << ": kernel @" << fn.getSymName()
                              << " is a declaration: a tile kernel needs a "
                                 "body";
  return kernels;
}

bool attn::tile::hasRegisterLayout(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa_and_nonnull<MmaEncodingAttr, SliceEncodingAttr,
                                   OperandEncodingAttr>(tensor.getEncoding());
}

bool attn::tile::hasSharedLayout(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa_and_nonnull<SharedEncodingAttr>(tensor.getEncoding());
}
