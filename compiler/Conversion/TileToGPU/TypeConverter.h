//===- TypeConverter.h - tile types -> per-thread values --------*- C++ -*-===//
//
// A tile becomes what one thread holds of it (1:N): an accumulator tile
// (#tile.mma) its vector<2x2xT> pieces, a row slice (#tile.slice) one
// vector<2xT> per atom, an A operand (#tile.operand<a>) one vector<4x2xT>
// (vector<4x1xf32> for TF32) per atom and k-step. A tile in shared memory
// (#tile.shared) becomes its buffer (all slots) and the slot's index, so an
// access is buffer[slot, row, col]; a !tile.buffer becomes the memref of all
// its slots in workgroup memory. Swizzled tiles and buffers, which only TMA
// and wgmma address, become the shared-memory pointer of their first byte,
// as do barrier rings; a tensor map becomes the generic address of its
// kernel parameter. Other types stay.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_CONVERSION_TILETOGPU_TYPECONVERTER_H
#define ATTN_COMPILER_CONVERSION_TILETOGPU_TYPECONVERTER_H

#include "dialects/Tile/IR/TileDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace attn::tilegpu {

/// NVPTX's shared-memory address space.
constexpr unsigned kSharedAddressSpace = 3;
/// `!llvm.ptr<3>`.
mlir::LLVM::LLVMPointerType sharedPointerType(mlir::MLIRContext *context);

class TileToGPUTypeConverter : public mlir::TypeConverter {
public:
  TileToGPUTypeConverter();
};

/// The buffer memref of a shared-memory tile of `type`: slots (however
/// many) of its rows at the layout's pitch, in workgroup memory.
mlir::MemRefType sharedTileMemRef(mlir::RankedTensorType type);
/// The memref of all slots of `buffer`.
mlir::MemRefType sharedBufferMemRef(tile::BufferType buffer);

/// A tile in shared memory as the patterns see it: its buffer and slot.
struct SharedTile {
  mlir::Value buffer, slot;
  /// The converted values of a #tile.shared tensor.
  static SharedTile of(mlir::ValueRange converted) {
    return {converted[0], converted[1]};
  }
  /// Indices of element (row, col).
  llvm::SmallVector<mlir::Value, 3> at(mlir::Value row, mlir::Value col) const {
    return {slot, row, col};
  }
};

/// K elements of one A-operand fragment: 16 for 16-bit types, 8 for TF32.
inline int64_t operandKStep(mlir::Type elementType) {
  return elementType.isF32() ? 8 : 16;
}

} // namespace attn::tilegpu

#endif // ATTN_COMPILER_CONVERSION_TILETOGPU_TYPECONVERTER_H
