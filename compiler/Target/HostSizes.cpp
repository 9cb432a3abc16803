//===- HostSizes.cpp - Launch sizes as expressions of the problem ---------===//
#include "compiler/Target/HostSizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace attn {

DenseMap<Value, rt::TensorRole> rolesOfInputs(Operation *host) {
  DenseMap<Value, rt::TensorRole> roles;
  host->walk([&](tile::LaunchOp launch) {
    for (auto [value, name] :
         llvm::zip(launch.getInputs(),
                   launch.getNames().getAsValueRange<StringAttr>()))
      if (std::optional<rt::TensorRole> role = rt::parseTensorRole(name))
        roles.try_emplace(value, *role);
  });
  return roles;
}

FailureOr<rt::SizeExpr>
sizeExprOf(Value size, const DenseMap<Value, rt::TensorRole> &roles) {
  if (std::optional<int64_t> constant = getConstantIntValue(size))
    return rt::SizeExpr::constant(*constant);
  Operation *def = size.getDefiningOp();
  if (!def) {
    emitError(size.getLoc()) << "a launch size that is a block argument "
                                "cannot be described to the runtime";
    return failure();
  }
  if (auto dim = dyn_cast<tensor::DimOp>(def)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    auto role = roles.find(dim.getSource());
    // B, ..., or a packed batch's S+1 offsets.
    std::optional<rt::SizeExpr> size =
        index && *index >= 0 && role != roles.end()
            ? rt::SizeExpr::ofDim(role->second, size_t(*index))
            : std::nullopt;
    if (!size)
      return dim.emitError() << "launch size: not a constant dimension of a "
                                "tensor a launch names by its role";
    return *size;
  }
  if (auto mul = dyn_cast<arith::MulIOp>(def)) {
    FailureOr<rt::SizeExpr> x = sizeExprOf(mul.getLhs(), roles);
    FailureOr<rt::SizeExpr> y = sizeExprOf(mul.getRhs(), roles);
    if (failed(x) || failed(y))
      return failure();
    return *x * *y;
  }
  if (auto add = dyn_cast<arith::AddIOp>(def)) {
    FailureOr<rt::SizeExpr> x = sizeExprOf(add.getLhs(), roles);
    FailureOr<rt::SizeExpr> y = sizeExprOf(add.getRhs(), roles);
    if (failed(x) || failed(y))
      return failure();
    return *x + *y;
  }
  if (auto div = dyn_cast<arith::CeilDivUIOp>(def)) {
    FailureOr<rt::SizeExpr> x = sizeExprOf(div.getLhs(), roles);
    std::optional<int64_t> divisor = getConstantIntValue(div.getRhs());
    if (failed(x))
      return failure();
    std::optional<rt::ProblemField> field = x->singleField();
    if (!divisor || *divisor < 1 || !field)
      return div.emitError() << "launch size: only ceil(size / constant) of "
                                "one problem size can be described";
    return rt::SizeExpr::ceilDiv(*field, *divisor);
  }
  return def->emitError() << "launch size: '" << def->getName()
                          << "' cannot be described to the runtime (it "
                             "takes constants, tensor.dim, arith.addi, "
                             "arith.muli and arith.ceildivui)";
}

FailureOr<std::array<rt::SizeExpr, 3>>
gridOf(tile::LaunchOp launch, const DenseMap<Value, rt::TensorRole> &roles) {
  tile::ConfigAttr config = launch.getConfigAttr();
  std::array<rt::SizeExpr, 3> grid;
  auto operands = launch.getGrid().begin();
  for (int d = 0; d < 3; ++d) {
    int64_t size = config.getGrid()[d];
    if (size != ShapedType::kDynamic) {
      grid[d] = rt::SizeExpr::constant(size);
      continue;
    }
    FailureOr<rt::SizeExpr> e = sizeExprOf(*operands++, roles);
    if (failed(e))
      return failure();
    grid[d] = *e;
  }
  return grid;
}

FailureOr<SmallVector<rt::SizeExpr>>
outputSizesOf(tile::LaunchOp launch, unsigned index,
              const DenseMap<Value, rt::TensorRole> &roles) {
  // The size operands list the outputs' '?' in order.
  auto operands = launch.getSizes().begin();
  for (unsigned i = 0; i < index; ++i)
    operands +=
        cast<ShapedType>(launch.getOutputs()[i].getType()).getNumDynamicDims();
  SmallVector<rt::SizeExpr> sizes;
  for (int64_t size :
       cast<ShapedType>(launch.getOutputs()[index].getType()).getShape()) {
    if (size != ShapedType::kDynamic) {
      sizes.push_back(rt::SizeExpr::constant(size));
      continue;
    }
    FailureOr<rt::SizeExpr> e = sizeExprOf(*operands++, roles);
    if (failed(e))
      return failure();
    sizes.push_back(*e);
  }
  return sizes;
}

} // namespace attn
