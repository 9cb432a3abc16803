//===- HostSizes.h - Launch sizes as expressions of the problem -*- C++ -*-===//
//
// With run-time sizes, the host function computes each launch's grid and
// its outputs' sizes from its tensors (tensor.dim, arith.muli,
// arith.ceildivui, constants). The manifest, the CPU runner and the JIT
// need them as expressions of the problem's sizes (rt::SizeExpr), to
// evaluate at each launch: this walks those computations back to
// tensor.dim of a tensor whose role the launches name.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_TARGET_HOSTSIZES_H
#define ATTN_COMPILER_TARGET_HOSTSIZES_H

#include "dialects/Tile/IR/TileOps.h"
#include "runtime/SizeExpr.h"

#include "llvm/ADT/DenseMap.h"

namespace attn {

/// The role of each tensor of the host function that a launch takes as an
/// input under a problem role's name (q, k, v, o, lse, do, dq, dk, dv).
llvm::DenseMap<mlir::Value, rt::TensorRole> rolesOfInputs(mlir::Operation *host);

/// The expression of `size`, an index the host function computes; failure
/// (with a diagnostic on the op that computes it) for anything but
/// constants, tensor.dim of a tensor in `roles`, arith.muli and
/// arith.ceildivui of a size by a constant.
mlir::FailureOr<rt::SizeExpr>
sizeExprOf(mlir::Value size,
           const llvm::DenseMap<mlir::Value, rt::TensorRole> &roles);

/// Grid x, y and z of `launch`: its #tile.config's numbers, and its grid
/// operands where the config has '?'.
mlir::FailureOr<std::array<rt::SizeExpr, 3>>
gridOf(tile::LaunchOp launch,
       const llvm::DenseMap<mlir::Value, rt::TensorRole> &roles);

/// The sizes of output `index` of `launch`: its type's numbers, and the
/// launch's size operands where it has '?'.
mlir::FailureOr<llvm::SmallVector<rt::SizeExpr>>
outputSizesOf(tile::LaunchOp launch, unsigned index,
              const llvm::DenseMap<mlir::Value, rt::TensorRole> &roles);

} // namespace attn

#endif // ATTN_COMPILER_TARGET_HOSTSIZES_H
