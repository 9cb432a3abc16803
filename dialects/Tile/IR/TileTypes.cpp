//===- TileTypes.cpp - the tile dialect's types ---------------------------===//
#include "dialects/Tile/IR/TileDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace attn::tile;

/// `RxCxT` of !tile.tensor_map.
static ParseResult parseBoxShape(AsmParser &parser, int64_t &rows,
                                 int64_t &cols, Type &elementType) {
  SmallVector<int64_t> shape;
  if (parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType))
    return failure();
  if (shape.size() != 2)
    return parser.emitError(parser.getCurrentLocation())
           << "a tensor map's box is rows x cols, got " << shape.size()
           << " sizes";
  rows = shape[0];
  cols = shape[1];
  return success();
}

static void printBoxShape(AsmPrinter &printer, int64_t rows, int64_t cols,
                          Type elementType) {
  printer << rows << "x" << cols << "x" << elementType;
}

#define GET_TYPEDEF_CLASSES
#include "dialects/Tile/IR/TileTypes.cpp.inc"

void TileDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/Tile/IR/TileTypes.cpp.inc"
      >();
}

/// !tile.buffer<SxRxCxT, #tile.shared<...>>
Type BufferType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  SharedEncodingAttr encoding;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType) || parser.parseComma() ||
      parser.parseAttribute(encoding) || parser.parseGreater())
    return {};
  return parser.getChecked<BufferType>(parser.getContext(), shape, elementType,
                                       encoding);
}

void BufferType::print(AsmPrinter &printer) const {
  printer << "<";
  for (int64_t size : getShape())
    printer << size << "x";
  printer << getElementType() << ", " << getEncoding() << ">";
}

LogicalResult BufferType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> shape, Type elementType,
                                 SharedEncodingAttr encoding) {
  if (shape.size() != 3)
    return emitError() << "!tile.buffer must be [slots, rows, cols], got rank "
                       << shape.size();
  if (!elementType.isF16() && !elementType.isBF16() && !elementType.isF32())
    return emitError() << "!tile.buffer elements must be f16, bf16 or f32, got "
                       << elementType;
  if (shape[0] < 1 || shape[0] > 8)
    return emitError() << "!tile.buffer must have 1 to 8 slots, got "
                       << shape[0];
  for (int64_t size : shape.drop_front())
    if (size < 1 || size > 1024)
      return emitError() << "!tile.buffer rows and columns must be in "
                            "[1, 1024], got "
                         << size;
  return encoding.verifyEncoding(shape.drop_front(), elementType, emitError);
}

RankedTensorType BufferType::getSlotType() const {
  return RankedTensorType::get(getShape().drop_front(), getElementType(),
                               getEncoding());
}

int64_t BufferType::getSizeInBytes() const {
  return getSlots() * getRows() * getEncoding().pitch(getCols()) *
         getElementType().getIntOrFloatBitWidth() / 8;
}

LogicalResult
TensorMapType::verify(function_ref<InFlightDiagnostic()> emitError,
                      int64_t rows, int64_t cols, Type elementType,
                      int64_t swizzle) {
  if (!elementType.isF16() && !elementType.isBF16() && !elementType.isF32())
    return emitError() << "!tile.tensor_map elements must be f16, bf16 or "
                          "f32, got "
                       << elementType;
  // cuTensorMapEncodeTiled's box limit.
  if (rows < 1 || rows > 256 || cols < 1 || cols > 256)
    return emitError() << "!tile.tensor_map box sizes must be in [1, 256], "
                          "got "
                       << rows << "x" << cols;
  int64_t rowBytes = cols * elementType.getIntOrFloatBitWidth() / 8;
  if (swizzle != 0 && swizzle != 32 && swizzle != 64 && swizzle != 128)
    return emitError() << "!tile.tensor_map swizzle must be 0, 32, 64 or 128 "
                          "bytes, got "
                       << swizzle;
  if (rowBytes % 16 != 0)
    return emitError() << "!tile.tensor_map box rows must be a multiple of 16 "
                          "bytes, got "
                       << rowBytes;
  if (swizzle && rowBytes != swizzle)
    return emitError() << "!tile.tensor_map: a " << swizzle
                       << "-byte swizzle needs box rows of " << swizzle
                       << " bytes, got " << rowBytes;
  return success();
}

LogicalResult MBarrierType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t slots) {
  if (slots < 1 || slots > 8)
    return emitError() << "!tile.mbarrier must have 1 to 8 slots, got "
                       << slots;
  return success();
}
