//===- TileTypes.cpp - the tile dialect's types ---------------------------===//
#include "dialects/Tile/IR/TileDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace attn::tile;

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
