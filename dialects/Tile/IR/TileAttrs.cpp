//===- TileAttrs.cpp - layouts and the kernel configuration ---------------===//
//
// A layout checks the tiles it encodes (VerifiableTensorEncoding), so a tile
// the GPU mapping could not split over its threads is refused where it is
// written, not when it is lowered.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/IR/TileDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace attn::tile;

/// The grid of a #tile.config: three sizes, `?` for one known only at
/// launch (ShapedType::kDynamic).
static ParseResult parseGrid(AsmParser &parser,
                             SmallVector<int64_t> &grid) {
  SmallVector<int64_t> sizes;
  auto one = [&]() -> ParseResult {
    if (succeeded(parser.parseOptionalQuestion())) {
      sizes.push_back(ShapedType::kDynamic);
      return success();
    }
    return parser.parseInteger(sizes.emplace_back());
  };
  if (parser.parseCommaSeparatedList(one))
    return failure();
  grid = std::move(sizes);
  return success();
}

static void printGrid(AsmPrinter &printer, ArrayRef<int64_t> grid) {
  llvm::interleaveComma(grid, printer, [&](int64_t size) {
    if (size == ShapedType::kDynamic)
      printer << "?";
    else
      printer << size;
  });
}

#define GET_ATTRDEF_CLASSES
#include "dialects/Tile/IR/TileAttrs.cpp.inc"

void TileDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Tile/IR/TileAttrs.cpp.inc"
      >();
}

/// Warps per program the layouts accept: 1, 2, 4, 8 or 16.
static bool isValidWarpCount(int64_t warps) {
  return warps >= 1 && warps <= 16 && (warps & (warps - 1)) == 0;
}

LogicalResult
MmaEncodingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        MmaFamily family, unsigned warps) {
  if (!isValidWarpCount(warps))
    return emitError() << "#tile.mma: warps must be 1, 2, 4, 8 or 16, got "
                       << warps;
  if (family == MmaFamily::wgmma && warps % 4 != 0)
    return emitError() << "#tile.mma: wgmma runs on warpgroups of 4 warps; "
                          "warps must be a multiple of 4, got "
                       << warps;
  return success();
}

/// The rule every 2-D register layout of the 16×8 families shares.
static LogicalResult verifyAtoms(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef what, ArrayRef<int64_t> shape,
                                 MmaEncodingAttr mma, int64_t colStep) {
  if (shape.size() != 2)
    return emitError() << what << " encodes 2-D tiles, got rank "
                       << shape.size();
  int64_t rowStep = mma.rowsPerStep();
  if (mma.getFamily() == MmaFamily::wgmma)
    rowStep = 64 * (mma.getWarps() / 4);
  if (shape[0] < rowStep || shape[0] % rowStep != 0)
    return emitError() << what << ": " << shape[0]
                       << " rows cannot be split into 16-row atoms over "
                       << mma.getWarps() << " warps (rows must be a positive "
                       << "multiple of " << rowStep << ")";
  if (shape[1] < colStep || shape[1] % colStep != 0)
    return emitError() << what << ": " << shape[1]
                       << " columns are not a positive multiple of " << colStep;
  return success();
}

LogicalResult MmaEncodingAttr::verifyEncoding(
    ArrayRef<int64_t> shape, Type elementType,
    function_ref<InFlightDiagnostic()> emitError) const {
  return verifyAtoms(emitError, "#tile.mma", shape, *this, 8);
}

LogicalResult
SliceEncodingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          unsigned dim, MmaEncodingAttr parent) {
  if (dim > 1)
    return emitError() << "#tile.slice: dim must be 0 (one value per column) "
                          "or 1 (one value per row) of a 2-D layout, got "
                       << dim;
  return success();
}

LogicalResult SliceEncodingAttr::verifyEncoding(
    ArrayRef<int64_t> shape, Type elementType,
    function_ref<InFlightDiagnostic()> emitError) const {
  if (shape.size() != 1)
    return emitError() << "#tile.slice encodes 1-D tiles, got rank "
                       << shape.size();
  // A row vector is the rows of a parent tile of any width; a column
  // vector the columns of one of any height (one row step of the warps).
  if (getDim() == 0)
    return verifyAtoms(emitError, "#tile.slice",
                       {getParent().rowsPerStep(), shape[0]}, getParent(), 8);
  return verifyAtoms(emitError, "#tile.slice", {shape[0], 8}, getParent(), 8);
}

LogicalResult
OperandEncodingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                            OperandIndex index, MmaEncodingAttr parent) {
  if (index != OperandIndex::a)
    return emitError() << "#tile.operand: only the A operand can be held in "
                          "registers; B is read from shared memory";
  return success();
}

LogicalResult OperandEncodingAttr::verifyEncoding(
    ArrayRef<int64_t> shape, Type elementType,
    function_ref<InFlightDiagnostic()> emitError) const {
  // One k-step: 16 columns for 16-bit types, 8 for f32 (TF32).
  int64_t kStep = elementType.isF32() ? 8 : 16;
  return verifyAtoms(emitError, "#tile.operand", shape, getParent(), kStep);
}

LogicalResult
SharedEncodingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                           int64_t pad, int64_t swizzle) {
  if (pad < 0 || pad > 64)
    return emitError() << "#tile.shared: pad must be in [0, 64] elements, got "
                       << pad;
  if (swizzle != 0 && swizzle != 32 && swizzle != 64 && swizzle != 128)
    return emitError() << "#tile.shared: swizzle must be 0, 32, 64 or 128 "
                          "bytes, got "
                       << swizzle;
  if (pad && swizzle)
    return emitError() << "#tile.shared: rows are either padded or swizzled, "
                          "not both";
  return success();
}

LogicalResult SharedEncodingAttr::verifyEncoding(
    ArrayRef<int64_t> shape, Type elementType,
    function_ref<InFlightDiagnostic()> emitError) const {
  if (shape.size() != 2)
    return emitError() << "#tile.shared encodes 2-D tiles, got rank "
                       << shape.size();
  if (int64_t swizzle = getSwizzle()) {
    int64_t rowBytes = shape[1] * elementType.getIntOrFloatBitWidth() / 8;
    if (rowBytes % swizzle != 0)
      return emitError() << "#tile.shared: a " << swizzle
                         << "-byte swizzle needs rows of a multiple of "
                         << swizzle << " bytes, got " << rowBytes;
  }
  return success();
}

LogicalResult ConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> grid, int64_t warps,
                                 int64_t blockM, int64_t blockN, int64_t stages,
                                 int64_t smem, StringRef chip, MmaFamily mma,
                                 int64_t producerWarps, int64_t programsPerSM) {
  // CUDA's launch limits: grid x < 2^31, y and z <= 65535.
  if (grid.size() != 3)
    return emitError() << "#tile.config: grid must have 3 sizes, got "
                       << grid.size();
  const int64_t limits[] = {(int64_t(1) << 31) - 1, 65535, 65535};
  for (int d = 0; d < 3; ++d)
    if (grid[d] != ShapedType::kDynamic && (grid[d] < 1 || grid[d] > limits[d]))
      return emitError() << "#tile.config: grid size " << grid[d] << " along "
                         << "xyz"[d] << " is outside [1, " << limits[d] << "]";
  if (producerWarps != 0 && producerWarps != 4)
    return emitError() << "#tile.config: producer_warps must be 0 or 4 (one "
                          "warpgroup), got "
                       << producerWarps;
  if (producerWarps && mma != MmaFamily::wgmma)
    return emitError() << "#tile.config: producer warps feed wgmma compute "
                          "warpgroups; mma must be wgmma";
  if (!producerWarps && !isValidWarpCount(warps))
    return emitError() << "#tile.config: warps must be 1, 2, 4, 8 or 16, got "
                       << warps;
  if (!isValidWarpCount(warps - producerWarps))
    return emitError() << "#tile.config: compute warps (warps - "
                          "producer_warps) must be 1, 2, 4, 8 or 16, got "
                       << warps - producerWarps;
  if (warps > 16)
    return emitError() << "#tile.config: at most 16 warps (512 threads), got "
                       << warps;
  if (mma == MmaFamily::wgmma && (warps - producerWarps) % 4 != 0)
    return emitError() << "#tile.config: wgmma computes on warpgroups; "
                          "compute warps must be a multiple of 4, got "
                       << warps - producerWarps;
  if (blockM < 1 || blockM > 256 || blockN < 1 || blockN > 256)
    return emitError() << "#tile.config: block_m and block_n must be in "
                          "[1, 256], got "
                       << blockM << " and " << blockN;
  if (stages < 1 || stages > 8)
    return emitError() << "#tile.config: stages must be in [1, 8], got "
                       << stages;
  if (smem < 0)
    return emitError() << "#tile.config: smem must not be negative, got "
                       << smem;
  if (chip.empty())
    return emitError() << "#tile.config: chip must be named";
  // An SM runs at most 2048 threads.
  if (programsPerSM < 1 || programsPerSM * 32 * warps > 2048)
    return emitError() << "#tile.config: programs_per_sm must be at least 1 "
                          "and leave at most 2048 threads per SM, got "
                       << programsPerSM << " programs of " << 32 * warps
                       << " threads";
  return success();
}

ConfigAttr ConfigAttr::withSmem(int64_t smem) const {
  return ConfigAttr::get(getContext(), getGrid(), getWarps(), getBlockM(),
                         getBlockN(), getStages(), smem, getChip(), getMma(),
                         getProducerWarps(), getProgramsPerSm());
}

int64_t ConfigAttr::numDynamicGridSizes() const {
  return llvm::count(getGrid(), ShapedType::kDynamic);
}

ConfigAttr ConfigAttr::withProgramsPerSM(int64_t programs) const {
  return ConfigAttr::get(getContext(), getGrid(), getWarps(), getBlockM(),
                         getBlockN(), getStages(), getSmem(), getChip(),
                         getMma(), getProducerWarps(), programs);
}

LogicalResult
TensorMapArgAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         int64_t source, Type type) {
  if (source < 0)
    return emitError() << "#tile.tensor_map_arg: source must be a buffer "
                          "number, got "
                       << source;
  if (!isa<TensorMapType>(type))
    return emitError() << "#tile.tensor_map_arg: expected a !tile.tensor_map, "
                          "got "
                       << type;
  return success();
}

LogicalResult ScalarArgAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    ScalarKind kind, int64_t source,
                                    int64_t dim) {
  if (source < 0 || dim < 0)
    return emitError() << "#tile.scalar_arg: source and dim must be "
                          "non-negative, got "
                       << source << " and " << dim;
  return success();
}
