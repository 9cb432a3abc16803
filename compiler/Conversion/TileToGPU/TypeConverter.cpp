//===- TypeConverter.cpp - tile types -> per-thread values ----------------===//
#include "compiler/Conversion/TileToGPU/TypeConverter.h"
#include "compiler/Conversion/TileToGPU/Layouts.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;
using namespace attn::tile;

namespace attn::tilegpu {

static Attribute workgroupSpace(MLIRContext *context) {
  return mlir::gpu::AddressSpaceAttr::get(context,
                                          mlir::gpu::AddressSpace::Workgroup);
}

MemRefType sharedTileMemRef(RankedTensorType type) {
  auto encoding = cast<SharedEncodingAttr>(type.getEncoding());
  int64_t rows = type.getDimSize(0);
  int64_t pitch = encoding.pitch(type.getDimSize(1));
  auto layout =
      StridedLayoutAttr::get(type.getContext(), 0, {rows * pitch, pitch, 1});
  return MemRefType::get({ShapedType::kDynamic, rows, type.getDimSize(1)},
                         type.getElementType(), layout,
                         workgroupSpace(type.getContext()));
}

MemRefType sharedBufferMemRef(BufferType buffer) {
  int64_t pitch = buffer.getEncoding().pitch(buffer.getCols());
  auto layout = StridedLayoutAttr::get(buffer.getContext(), 0,
                                       {buffer.getRows() * pitch, pitch, 1});
  return MemRefType::get(buffer.getShape(), buffer.getElementType(), layout,
                         workgroupSpace(buffer.getContext()));
}

LLVM::LLVMPointerType sharedPointerType(MLIRContext *context) {
  return LLVM::LLVMPointerType::get(context, kSharedAddressSpace);
}

TileToGPUTypeConverter::TileToGPUTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](BufferType type) -> Type {
    if (type.getEncoding().getSwizzle())
      return sharedPointerType(type.getContext());
    return sharedBufferMemRef(type);
  });
  addConversion([](MBarrierType type) -> Type {
    return sharedPointerType(type.getContext());
  });
  // The address of the kernel parameter holding the CUtensorMap.
  addConversion([](TensorMapType type) -> Type {
    return LLVM::LLVMPointerType::get(type.getContext());
  });
  addConversion(
      [](RankedTensorType type,
         SmallVectorImpl<Type> &results) -> std::optional<LogicalResult> {
        Attribute encoding = type.getEncoding();
        Type elt = type.getElementType();
        if (!encoding)
          return failure(); // Tiles must have a layout on the GPU.
        if (auto shared = dyn_cast<SharedEncodingAttr>(encoding)) {
          if (shared.getSwizzle()) {
            results.push_back(sharedPointerType(type.getContext()));
            return success();
          }
          results.push_back(sharedTileMemRef(type));
          results.push_back(IndexType::get(type.getContext()));
          return success();
        }
        if (isa<MmaEncodingAttr>(encoding)) {
          AccumulatorLayout layout = accumulatorLayoutOf(type);
          results.append(layout.pieces(), VectorType::get({2, 2}, elt));
          return success();
        }
        if (auto slice = dyn_cast<SliceEncodingAttr>(encoding)) {
          // Per 16-row atom (rows g, g+8), or per 8-column slice (columns
          // 2t, 2t+1) of a column vector.
          AccumulatorLayout layout = accumulatorLayoutOf(type);
          results.append(slice.getDim() == 1 ? layout.atomsPerWarp()
                                             : layout.colAtoms(),
                         VectorType::get({2}, elt));
          return success();
        }
        if (isa<OperandEncodingAttr>(encoding)) {
          AccumulatorLayout layout = accumulatorLayoutOf(type);
          int64_t kStep = operandKStep(elt);
          auto fragment = VectorType::get({4, kStep == 16 ? 2 : 1}, elt);
          results.append(layout.atomsPerWarp() * (type.getDimSize(1) / kStep),
                         fragment);
          return success();
        }
        return failure();
      });
}

} // namespace attn::tilegpu
