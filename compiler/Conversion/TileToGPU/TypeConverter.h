//===- TypeConverter.h - tile types -> per-thread values --------*- C++ -*-===//
//
// A tile becomes what one thread holds of it (1:N): an accumulator tile
// (#tile.mma) its vector<2x2xT> pieces, a row slice (#tile.slice) one
// vector<2xT> per atom, an A operand (#tile.operand<a>) one vector<4x2xT>
// (vector<4x1xf32> for TF32) per atom and k-step. A tile in shared memory
// (#tile.shared) becomes a memref view of its slot, and a !tile.buffer the
// memref of all its slots in workgroup memory. Other types stay.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_CONVERSION_TILETOGPU_TYPECONVERTER_H
#define ATTN_COMPILER_CONVERSION_TILETOGPU_TYPECONVERTER_H

#include "dialects/Tile/IR/TileDialect.h"

#include "mlir/Transforms/DialectConversion.h"

namespace attn::tilegpu {

class TileToGPUTypeConverter : public mlir::TypeConverter {
public:
  TileToGPUTypeConverter();
};

/// The memref a shared-memory tile of `type` is viewed through: its rows at
/// the layout's pitch, at a dynamic offset (the slot) in workgroup memory.
mlir::MemRefType sharedTileMemRef(mlir::RankedTensorType type);
/// The memref of all slots of `buffer`.
mlir::MemRefType sharedBufferMemRef(tile::BufferType buffer);

/// K elements of one A-operand fragment: 16 for 16-bit types, 8 for TF32.
inline int64_t operandKStep(mlir::Type elementType) {
  return elementType.isF32() ? 8 : 16;
}

} // namespace attn::tilegpu

#endif // ATTN_COMPILER_CONVERSION_TILETOGPU_TYPECONVERTER_H
