//===- Patterns.h - tile -> host loops conversion patterns ------*- C++ -*-===//
//
// The CPU execution path as conversion patterns: a tile becomes a buffer
// (memref) of its shape, whatever its layout, and each tile op a loop nest
// over its elements that writes a buffer of its own. Loops and branches
// carrying tiles copy them at their boundaries (value semantics: a yielded
// tile is copied into the loop's carried buffer). Buffers are allocated
// once, at the kernel's entry, by a HostBuffers the patterns share.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_CONVERSION_TILETOHOST_PATTERNS_H
#define ATTN_COMPILER_CONVERSION_TILETOHOST_PATTERNS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace attn::tilehost {

/// Tiles (tensors of any layout) and shared buffers become plain memrefs.
class TileToHostTypeConverter : public mlir::TypeConverter {
public:
  TileToHostTypeConverter();
};

/// Allocates tile buffers at the entry of the kernel being converted and
/// frees them all before it returns.
class HostBuffers {
public:
  explicit HostBuffers(mlir::func::FuncOp kernel) : kernel(kernel) {}
  /// A fresh buffer of `type`, allocated at the kernel's entry.
  mlir::Value allocate(mlir::OpBuilder &b, mlir::MemRefType type);
  /// Frees every buffer before each return of the kernel.
  void freeAll();

private:
  mlir::func::FuncOp kernel;
  llvm::SmallVector<mlir::Value> buffers;
};

/// Every pattern of the host path; `buffers` must outlive the conversion.
void populateTileToHostPatterns(const mlir::TypeConverter &converter,
                                HostBuffers &buffers,
                                mlir::RewritePatternSet &patterns);

} // namespace attn::tilehost

#endif // ATTN_COMPILER_CONVERSION_TILETOHOST_PATTERNS_H
