//===- AllocateShared.cpp - place shared buffers in shared memory ---------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "compiler/Target/Chip.h"

#include "llvm/Support/MathExtras.h"

#include "llvm/Support/Debug.h"

namespace attn {
#define GEN_PASS_DEF_ATTNALLOCATESHARED
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

#define DEBUG_TYPE "attn-allocate-shared"

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

/// Shared memory the driver reserves for each resident block.
constexpr int64_t kReservedSharedBytes = 1024;

struct AttnAllocateSharedPass
    : attn::impl::AttnAllocateSharedBase<AttnAllocateSharedPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<ConfigAttr> configs;
    FailureOr<SmallVector<func::FuncOp>> kernels =
        getTileKernels(module, "attn-allocate-shared", "rung 4");
    if (failed(kernels))
      return signalPassFailure();
    for (func::FuncOp fn : *kernels) {
      ConfigAttr config = getKernelConfig(fn);
      FailureOr<int64_t> bytes = allocate(fn, config);
      if (failed(bytes))
        return signalPassFailure();
      config = config.withSmem(*bytes);
      // Programs built to share an SM must fit in its shared memory: an SM
      // has the per-block maximum plus the 1 KiB the driver reserves per
      // block.
      int64_t smPool = chipInfo(*parseChip(config.getChip())).maxSharedBytes +
                       kReservedSharedBytes;
      int64_t fit = smPool / (*bytes + kReservedSharedBytes);
      config = config.withProgramsPerSM(
          std::max<int64_t>(1, std::min(config.getProgramsPerSm(), fit)));
      fn->setAttr(TileDialect::getConfigAttrName(), config);
      configs[fn.getSymName()] = config;
    }
    module.walk([&](LaunchOp launch) {
      auto it = configs.find(launch.getCallee());
      if (it != configs.end())
        launch.setConfigAttr(it->second);
    });
  }

  /// Offsets for the buffers of `fn`, in program order; the total bytes.
  FailureOr<int64_t> allocate(func::FuncOp fn, ConfigAttr config) {
    int64_t top = 0;
    SmallVector<std::string> parts;
    fn.walk([&](AllocSharedOp alloc) {
      BufferType type = alloc.getType();
      int64_t offset = llvm::alignTo(top, type.getEncoding().alignment());
      alloc.setOffset(offset);
      LLVM_DEBUG(llvm::dbgs() << "attn-allocate-shared: @" << fn.getSymName()
                              << " " << type << " at " << offset << "\n");
      top = offset + type.getSizeInBytes();
      parts.push_back(std::to_string(type.getSizeInBytes()));
    });
    // Barriers after the buffers: 8 bytes each, 8-byte aligned.
    int64_t barrierBytes = 0;
    fn.walk([&](AllocMBarrierOp alloc) {
      int64_t offset = llvm::alignTo(top, 8);
      alloc.setOffset(offset);
      top = offset + 8 * alloc.getType().getSlots();
      barrierBytes += 8 * alloc.getType().getSlots();
    });
    if (barrierBytes)
      parts.push_back(std::to_string(barrierBytes));
    int64_t total = llvm::alignTo(top, 128);
    std::optional<Chip> chip = parseChip(config.getChip());
    if (!chip)
      return fn.emitError()
             << "kernel @" << fn.getSymName() << ": chip '" << config.getChip()
             << "' is not supported: use " << supportedChipNames();
    const ChipInfo &info = chipInfo(*chip);
    if (total > info.maxSharedBytes)
      return fn.emitError()
             << "kernel @" << fn.getSymName() << " needs " << total
             << " bytes of shared memory (buffers of "
             << llvm::join(parts, " + ") << " bytes for block-m "
             << config.getBlockM() << ", block-n " << config.getBlockN()
             << ", num-stages " << config.getStages() << "), more than the "
             << info.maxSharedBytes << " an " << info.name
             << " block may use: lower block-n, block-m or num-stages";
    return total;
  }
};

} // namespace
