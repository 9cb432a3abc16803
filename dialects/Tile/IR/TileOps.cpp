//===- TileOps.cpp - tile dialect verifiers -------------------------------===//
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

using namespace mlir;
using namespace attn::tile;

#include "dialects/Tile/IR/TileEnums.cpp.inc"

/// The largest tile the verifiers accept: every dimension at most 1024 and
/// at most 2^16 elements (a tile is spread over one program's registers or
/// shared memory; larger ones are never what a kernel means).
static constexpr int64_t kMaxTileDim = 1024;
static constexpr int64_t kMaxTileElements = int64_t(1) << 16;

static LogicalResult verifyTileSize(Operation *op, StringRef what, Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return success();
  int64_t elements = 1;
  for (int64_t size : tensor.getShape()) {
    if (size < 1 || size > kMaxTileDim)
      return op->emitOpError() << what << " tile dimensions must be in [1, "
                               << kMaxTileDim << "], got " << type;
    elements *= size;
  }
  if (elements > kMaxTileElements)
    return op->emitOpError()
           << what << " tile has " << elements << " elements, more than the "
           << kMaxTileElements << " one program can hold";
  return success();
}

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

static Attribute encodingOf(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor.getEncoding();
  return nullptr;
}

LogicalResult LoadOp::verify() {
  if (failed(verifyTileSize(*this, "result", getType())) ||
      failed(
          verifyTileAccess(*this, getSource().getType(), getIndices().size())))
    return failure();
  if (getType().getRank() == 1 &&
      !getSource().getType().getElementType().isF32())
    return emitOpError() << "loads a row vector (f32) from an f32 memref, got "
                         << getSource().getType();
  if (hasSharedLayout(getType()))
    return emitOpError() << "loads into registers; its result cannot be in "
                            "shared memory (stage tiles there with "
                            "tile.async_copy)";
  return verifySameElement(*this, getSource().getType(), getType());
}

LogicalResult StoreOp::verify() {
  if (failed(verifyTileSize(*this, "stored", getValue().getType())) ||
      failed(verifyTileAccess(*this, getDest().getType(), getIndices().size())))
    return failure();
  return verifySameElement(*this, getDest().getType(), getValue().getType());
}

LogicalResult AtomicAddOp::verify() {
  if (failed(verifyTileSize(*this, "added", getValue().getType())) ||
      failed(verifyTileAccess(*this, getDest().getType(), getIndices().size())))
    return failure();
  if (!getDest().getType().getElementType().isF32())
    return emitOpError() << "adds into an f32 memref, got "
                         << getDest().getType();
  return success();
}

LogicalResult DotOp::verify() {
  for (auto [what, type] :
       {std::pair<StringRef, Type>{"lhs", getLhs().getType()},
        {"rhs", getRhs().getType()},
        {"result", getType()}})
    if (failed(verifyTileSize(*this, what, type)))
      return failure();
  ArrayRef<int64_t> a = getLhs().getType().getShape();
  ArrayRef<int64_t> b = getRhs().getType().getShape();
  if (getLhs().getType().getElementType() !=
      getRhs().getType().getElementType())
    return emitOpError() << "lhs and rhs element types must match";
  int64_t am = getTransposeLhs() ? a[1] : a[0];
  int64_t ak = getTransposeLhs() ? a[0] : a[1];
  int64_t bk = getTransposeRhs() ? b[1] : b[0];
  int64_t bn = getTransposeRhs() ? b[0] : b[1];
  if (ak != bk)
    return emitOpError() << "contraction sizes differ: lhs"
                         << (getTransposeLhs() ? "ᵀ" : "") << " has " << ak
                         << " columns, rhs" << (getTransposeRhs() ? "ᵀ" : "")
                         << " has " << bk << " rows";
  ArrayRef<int64_t> r = getType().getShape();
  if (r[0] != am || r[1] != bn)
    return emitOpError() << "result must be " << am << "x" << bn;
  if (getAcc() && getAcc().getType() != getType())
    return emitOpError() << "accumulator type must equal the result type";
  if (getAsync()) {
    auto mma = dyn_cast_or_null<MmaEncodingAttr>(encodingOf(getType()));
    if (!mma || mma.getFamily() != MmaFamily::wgmma)
      return emitOpError() << "async products are #tile.mma<wgmma> ones, got "
                           << getType();
    for (Operation *user : getResult().getUsers())
      if (!isa<DotWaitOp>(user))
        return emitOpError() << "the result of an async product may only be "
                                "used by tile.dot_wait, not by "
                             << user->getName();
  }

  // Operands may sit in shared memory before layouts are assigned; once the
  // result has a layout, each operand fits the result's MMA layout.
  Attribute lhs = encodingOf(getLhs().getType());
  Attribute rhs = encodingOf(getRhs().getType());
  Attribute resultEncoding = encodingOf(getType());
  if (!resultEncoding) {
    for (auto [what, enc] :
         {std::pair<StringRef, Attribute>{"lhs", lhs}, {"rhs", rhs}})
      if (enc && !isa<SharedEncodingAttr>(enc))
        return emitOpError() << what << " has a register layout but the "
                             << "result has none";
    return success();
  }
  auto result = dyn_cast<MmaEncodingAttr>(resultEncoding);
  if (!result)
    return emitOpError() << "result must have a #tile.mma layout, got "
                         << getType();
  auto isOperandOf = [&](Attribute enc, OperandIndex index) {
    if (isa_and_nonnull<SharedEncodingAttr>(enc))
      return true;
    auto operand = dyn_cast_or_null<OperandEncodingAttr>(enc);
    return operand && operand.getIndex() == index &&
           operand.getParent() == result;
  };
  if (!isOperandOf(lhs, OperandIndex::a))
    return emitOpError() << "lhs must be in shared memory (#tile.shared) or "
                            "in registers as #tile.operand<a, "
                         << result << ">, got " << getLhs().getType();
  if (!isOperandOf(rhs, OperandIndex::b))
    return emitOpError() << "rhs must be in shared memory (#tile.shared), got "
                         << getRhs().getType();
  return success();
}

LogicalResult DotWaitOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location>,
                                          ValueRange operands, DictionaryAttr,
                                          OpaqueProperties, RegionRange,
                                          SmallVectorImpl<Type> &results) {
  llvm::append_range(results, operands.getTypes());
  return success();
}

LogicalResult DotWaitOp::verify() {
  if (getInputs().getTypes() != getOutputs().getTypes())
    return emitOpError() << "returns its operands: result types must equal "
                            "the operand types";
  if (getInputs().empty())
    return emitOpError() << "waits for at least one product";
  return success();
}

LogicalResult ReduceOp::verify() {
  if (getType().getShape()[0] != getInput().getType().getShape()[0])
    return emitOpError() << "result must have one element per input row";
  Attribute in = encodingOf(getInput().getType());
  Attribute out = encodingOf(getType());
  auto slice = dyn_cast_or_null<SliceEncodingAttr>(out);
  if ((in || out) && (!slice || slice.getParent() != in || slice.getDim() != 1))
    return emitOpError() << "result layout must be #tile.slice<dim = 1, " << in
                         << "> of the input's, got " << getType();
  return success();
}

LogicalResult BroadcastOp::verify() {
  int64_t dim = getDim();
  // dim 1: one value per row; dim 0: one value per column.
  if (getType().getShape()[1 - dim] != getInput().getType().getShape()[0])
    return emitOpError() << "result must have one "
                         << (dim == 1 ? "row" : "column")
                         << " per input element (dim = " << dim << ")";
  Attribute in = encodingOf(getInput().getType());
  Attribute out = encodingOf(getType());
  auto slice = dyn_cast_or_null<SliceEncodingAttr>(in);
  if ((in || out) &&
      (!slice || slice.getParent() != out || slice.getDim() != dim))
    return emitOpError() << "input layout must be #tile.slice<dim = " << dim
                         << ", " << out << "> of the result's, got "
                         << getInput().getType();
  return success();
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> out = getType().getShape();
  if (in[0] != out[1] || in[1] != out[0])
    return emitOpError() << "result shape must be the input's transposed, got "
                         << getType() << " for " << getInput().getType();
  if (getInput().getType().getElementType() != getType().getElementType())
    return emitOpError() << "result element type must be the input's";
  if (encodingOf(getInput().getType()) || encodingOf(getType()))
    return emitOpError() << "transposes tiles without layouts (rungs 2-3); "
                            "it must be folded into its producer before "
                            "attn-assign-layouts";
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  if (auto inner = getInput().getDefiningOp<TransposeOp>())
    return inner.getInput();
  return {};
}

LogicalResult AllocSharedOp::verify() {
  if (std::optional<int64_t> offset = getOffset()) {
    if (*offset < 0 || *offset % getType().getEncoding().alignment() != 0)
      return emitOpError() << "offset " << *offset << " must be a multiple of "
                           << getType().getEncoding().alignment() << " bytes";
  }
  return success();
}

LogicalResult AsyncCopyOp::verify() {
  if (failed(
          verifyTileAccess(*this, getSource().getType(), getIndices().size())))
    return failure();
  return verifySameElement(*this, getSource().getType(),
                           getBuffer().getType().getElementType());
}

LogicalResult LocalLoadOp::verify() {
  BufferType buf = getBuffer().getType();
  auto type = cast<RankedTensorType>(getType());
  if (type.getRank() == 1) {
    if (buf.getRows() != 1 || type.getDimSize(0) != buf.getCols() ||
        type.getElementType() != buf.getElementType())
      return emitOpError() << "reads a vector from a slot of one row of "
                           << type.getDimSize(0) << " " << type.getElementType()
                           << ", got " << buf;
    if (hasSharedLayout(type))
      return emitOpError() << "reads a vector into registers; " << type
                           << " is in shared memory";
    return success();
  }
  if (getType() != buf.getSlotType())
    return emitOpError() << "result must be one slot of the buffer, "
                         << buf.getSlotType() << ", got " << getType();
  return success();
}

LogicalResult LocalStoreOp::verify() {
  BufferType buf = getBuffer().getType();
  RankedTensorType type = getValue().getType();
  if (type.getShape() != buf.getSlotType().getShape() ||
      type.getElementType() != buf.getElementType())
    return emitOpError() << "value must have the shape and element type of "
                            "one slot of the buffer, "
                         << buf.getSlotType() << ", got " << type;
  if (hasSharedLayout(type))
    return emitOpError() << "stores a tile held in registers, got " << type;
  return success();
}

LogicalResult AllocMBarrierOp::verify() {
  if (std::optional<int64_t> offset = getOffset())
    if (*offset < 0 || *offset % 8 != 0)
      return emitOpError() << "offset " << *offset
                           << " must be a multiple of 8 bytes";
  return success();
}

/// A copy into `buffer` signals one `copy` barrier per slot.
static LogicalResult verifyCopyBarrier(Operation *op, BufferType buffer,
                                       TypedValue<MBarrierType> barrier) {
  if (barrier.getType().getSlots() != buffer.getSlots())
    return op->emitOpError()
           << "needs one barrier per buffer slot (" << buffer.getSlots()
           << "), got " << barrier.getType().getSlots();
  if (auto alloc = barrier.getDefiningOp<AllocMBarrierOp>())
    if (alloc.getKind() != BarrierKind::copy)
      return op->emitOpError() << "signals a 'release' barrier; copies signal "
                                  "'copy' barriers";
  return success();
}

LogicalResult BulkLoadOp::verify() {
  auto source = cast<MemRefType>(getSource().getType());
  BufferType buffer = getBuffer().getType();
  if (source.getRank() == 0)
    return emitOpError() << "copies a vector out of a memref of rank 0";
  if (static_cast<int64_t>(getIndices().size()) != source.getRank())
    return emitOpError() << "needs one index per dimension of the source ("
                         << source.getRank() << "), got "
                         << getIndices().size();
  if (source.getElementType() != buffer.getElementType())
    return emitOpError() << "element types differ: " << source << " vs "
                         << buffer;
  if (buffer.getRows() != 1 || buffer.getEncoding().getPad() ||
      buffer.getEncoding().getSwizzle())
    return emitOpError() << "copies a vector into a plain buffer of one row, "
                            "got "
                         << buffer;
  int64_t length = buffer.getCols();
  int64_t bytes = length * source.getElementTypeBitWidth() / 8;
  int64_t last = source.getShape().back();
  if (!source.getLayout().isIdentity() || ShapedType::isDynamic(last) ||
      last % length != 0 || bytes % 16 != 0)
    return emitOpError() << "copies " << length
                         << "-element vectors from rows that must be packed, "
                            "of a static multiple of that length, in "
                            "multiples of 16 bytes; got "
                         << source;
  return verifyCopyBarrier(*this, buffer, getBarrier());
}

LogicalResult TmaLoadOp::verify() {
  if (getMatrix().empty() || getMatrix().size() > 3)
    return emitOpError() << "locates its matrix by 1 to 3 leading indices "
                            "(a tensor map has at most 5 dimensions), got "
                         << getMatrix().size();
  TensorMapType map = getMap().getType();
  BufferType buffer = getBuffer().getType();
  if (map.getElementType() != buffer.getElementType())
    return emitOpError() << "element types differ: " << map << " vs " << buffer;
  if (map.getSwizzle() != buffer.getEncoding().getSwizzle() ||
      buffer.getEncoding().getPad())
    return emitOpError() << "the map writes a " << map.getSwizzle()
                         << "-byte swizzle but the buffer's layout is "
                         << buffer.getEncoding();
  if (map.getRows() != buffer.getRows() ||
      buffer.getCols() % map.getCols() != 0)
    return emitOpError() << "a slot of " << buffer.getRows() << "x"
                         << buffer.getCols() << " is not a row of "
                         << map.getRows() << "x" << map.getCols() << " boxes";
  return verifyCopyBarrier(*this, buffer, getBarrier());
}

/// The parser of ODS's declarative format keeps the two regions in locals
/// until both have parsed. A value defined in the first may already stand
/// in for a forward reference outside the op (a use before any definition,
/// which the verifier would refuse); if the second region then fails to
/// parse, destroying the first leaves that outside use dangling, and the
/// parser's cleanup corrupts the heap (found by test/fuzz). Here the
/// regions' values lose their uses before a failed parse returns.
ParseResult WarpSpecializeOp::parse(OpAsmParser &parser,
                                    OperationState &result) {
  Region *producer = result.addRegion();
  Region *compute = result.addRegion();
  // Every value the regions define, at any depth: block arguments (of
  // nested blocks too) and results.
  auto detach = [&] {
    for (Region *region : {producer, compute})
      for (Block &block : *region)
        block.dropAllDefinedValueUses();
    return failure();
  };
  if (parser.parseOptionalAttrDictWithKeyword(result.attributes) ||
      parser.parseKeyword("producer") || parser.parseRegion(*producer) ||
      parser.parseKeyword("compute") || parser.parseRegion(*compute))
    return detach();
  for (Region *region : {producer, compute})
    if (region->empty())
      region->emplaceBlock();
  return success();
}

void WarpSpecializeOp::print(OpAsmPrinter &p) {
  p.printOptionalAttrDictWithKeyword((*this)->getAttrs());
  p << " producer ";
  p.printRegion(getProducer());
  p << " compute ";
  p.printRegion(getCompute());
}

LogicalResult WarpSpecializeOp::verify() {
  for (auto [what, registers] :
       {std::pair<StringRef, int64_t>{"producer_registers",
                                      getProducerRegisters()},
        {"compute_registers", getComputeRegisters()}})
    if (registers < 24 || registers > 256 || registers % 8 != 0)
      return emitOpError() << what << " must be a multiple of 8 in [24, 256] "
                           << "(setmaxnreg), got " << registers;
  ConfigAttr config =
      getKernelConfig((*this)->getParentOfType<func::FuncOp>().getOperation());
  if (config && !config.isWarpSpecialized())
    return emitOpError() << "the kernel's #tile.config has no producer warps";
  return success();
}

OpFoldResult ConvertLayoutOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return nullptr;
}

LogicalResult LaunchOp::verify() {
  size_t buffers = numBuffers(), maps = numTensorMaps(), scalars = numScalars();
  if (getNames().size() != buffers + maps + scalars)
    return emitOpError() << "needs one name per input, output, tensor map and "
                            "scalar ("
                         << buffers + maps + scalars << "), got "
                         << getNames().size();
  if (getTensorMaps())
    for (auto map : getTensorMaps()->getAsRange<TensorMapArgAttr>())
      if (map.getSource() >= static_cast<int64_t>(buffers))
        return emitOpError()
               << "tensor map source " << map.getSource()
               << " is not one of the launch's " << buffers << " buffers";
  SmallVector<Type> bufferTypes(getInputs().getTypes());
  llvm::append_range(bufferTypes, getOutputs().getTypes());
  if (getScalars())
    for (auto scalar : getScalars()->getAsRange<ScalarArgAttr>()) {
      if (scalar.getSource() >= static_cast<int64_t>(buffers))
        return emitOpError()
               << "scalar source " << scalar.getSource()
               << " is not one of the launch's " << buffers << " buffers";
      auto type = cast<ShapedType>(bufferTypes[scalar.getSource()]);
      if (scalar.getDim() >= type.getRank())
        return emitOpError()
               << "scalar of dimension " << scalar.getDim() << " of buffer "
               << scalar.getSource() << " (" << type << ") is past its rank";
    }
  if (ConfigAttr config = getConfigAttr())
    if (getGrid().size() != size_t(config.numDynamicGridSizes()))
      return emitOpError() << "passes " << getGrid().size()
                           << " grid sizes for the config's "
                           << config.numDynamicGridSizes() << " '?' sizes";
  int64_t dynamicDims = 0;
  for (Type type : getOutputs().getTypes())
    dynamicDims += cast<ShapedType>(type).getNumDynamicDims();
  if (int64_t(getSizes().size()) != dynamicDims)
    return emitOpError() << "passes " << getSizes().size()
                         << " sizes for the outputs' " << dynamicDims
                         << " dynamic dimensions";
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
  size_t buffers = numBuffers(), maps = numTensorMaps();
  // A kernel converted to host loops (no tile.config left) also takes the
  // grid sizes known only at run time, last.
  size_t gridSizes = getKernelConfig(fn) ? 0 : getGrid().size();
  if (type.getNumInputs() != buffers + maps + gridSizes)
    return emitOpError() << "callee takes " << type.getNumInputs()
                         << " arguments but the launch passes " << buffers
                         << " buffers and " << maps << " tensor maps"
                         << (gridSizes ? " (and " + std::to_string(gridSizes) +
                                             " grid sizes)"
                                       : std::string());
  if (getTensorMaps())
    for (auto [i, map] :
         llvm::enumerate(getTensorMaps()->getAsRange<TensorMapArgAttr>()))
      if (type.getInput(buffers + i) != map.getType())
        return emitOpError() << "tensor map " << i << " is " << map.getType()
                             << " but the callee's argument " << buffers + i
                             << " is " << type.getInput(buffers + i);
  ConfigAttr config = getKernelConfig(fn);
  if (getConfigAttr() && config && getConfigAttr() != config)
    return emitOpError() << "config " << getConfigAttr()
                         << " differs from the callee's " << config;
  return success();
}

//===----------------------------------------------------------------------===//
// tile.tma_load
//===----------------------------------------------------------------------===//

/// `%m, %row, %col` or `%b, %h, %row, %col`: the matrix's leading indices,
/// then the row and the column.
static ParseResult
parseTmaIndices(OpAsmParser &parser,
                SmallVectorImpl<OpAsmParser::UnresolvedOperand> &matrix,
                OpAsmParser::UnresolvedOperand &row,
                OpAsmParser::UnresolvedOperand &col) {
  SmallVector<OpAsmParser::UnresolvedOperand> all;
  if (parser.parseOperandList(all))
    return failure();
  if (all.size() < 3)
    return parser.emitError(parser.getCurrentLocation())
           << "expected the matrix's leading indices, a row and a column";
  col = all.pop_back_val();
  row = all.pop_back_val();
  matrix.assign(all.begin(), all.end());
  return success();
}

static void printTmaIndices(OpAsmPrinter &printer, Operation *,
                            OperandRange matrix, Value row, Value col) {
  printer << matrix << ", " << row << ", " << col;
}

//===----------------------------------------------------------------------===//
// tile.mask
//===----------------------------------------------------------------------===//

/// `cols 256` or `cols %n`.
static ParseResult
parseNumCols(OpAsmParser &parser,
             std::optional<OpAsmParser::UnresolvedOperand> &dynamicCols,
             IntegerAttr &staticCols) {
  OpAsmParser::UnresolvedOperand operand;
  OptionalParseResult hasOperand = parser.parseOptionalOperand(operand);
  if (hasOperand.has_value()) {
    if (failed(*hasOperand))
      return failure();
    dynamicCols = operand;
    return success();
  }
  int64_t cols = 0;
  if (parser.parseInteger(cols))
    return failure();
  staticCols = parser.getBuilder().getI64IntegerAttr(cols);
  return success();
}

static void printNumCols(OpAsmPrinter &printer, Operation *, Value dynamicCols,
                         IntegerAttr staticCols) {
  if (dynamicCols)
    printer << dynamicCols;
  else
    printer << staticCols.getInt();
}

void MaskOp::build(OpBuilder &builder, OperationState &state, Type type,
                   Value input, Value rowOffset, Value colOffset,
                   OpFoldResult numCols, bool causal) {
  if (auto attr = dyn_cast<Attribute>(numCols))
    return build(builder, state, type, input, rowOffset, colOffset, Value(),
                 builder.getI64IntegerAttr(cast<IntegerAttr>(attr).getInt()),
                 causal, IntegerAttr(), IntegerAttr(), /*unconditional=*/false,
                 /*transposed=*/false);
  build(builder, state, type, input, rowOffset, colOffset, cast<Value>(numCols),
        IntegerAttr(), causal, IntegerAttr(), IntegerAttr(),
        /*unconditional=*/false, /*transposed=*/false);
}

OpFoldResult MaskOp::getMixedNumCols() {
  if (Value cols = getDynamicNumCols())
    return cols;
  return getNumColsAttr();
}

LogicalResult MaskOp::verify() {
  if (bool(getDynamicNumCols()) == bool(getNumColsAttr()))
    return emitOpError() << "needs the number of columns as a constant or an "
                            "index, not both";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Tile/IR/TileOps.cpp.inc"
