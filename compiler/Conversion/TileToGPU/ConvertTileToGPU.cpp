//===- ConvertTileToGPU.cpp - tile kernels -> gpu.func --------------------===//
//
// Rung 4 -> 5: moves every tile kernel into `gpu.module @attn_kernels` as a
// `gpu.func` whose body KernelLowering maps onto warps and threads, and
// records each launch's grid, block and dynamic shared memory.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/Passes.h"
#include "compiler/Conversion/TileToGPU/TileToGPULowering.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace attn {
#define GEN_PASS_DEF_ATTNCONVERTTILETOGPU
#include "compiler/Conversion/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;

namespace {

constexpr StringLiteral kKernelModule = "attn_kernels";

struct LaunchConfig {
  SmallVector<int64_t> grid;
  int64_t threads = 0;
  int64_t smem = 0;
};

FailureOr<LaunchConfig> convertKernel(func::FuncOp fn, gpu::GPUModuleOp gm) {
  auto grid = fn->getAttrOfType<DenseI64ArrayAttr>(tile::kGridAttr);
  auto warps = fn->getAttrOfType<IntegerAttr>(tile::kNumWarpsAttr);
  if (!grid || grid.size() != 3 || !warps)
    return fn.emitError() << "tile kernel needs " << tile::kGridAttr
                          << " (3 sizes) and " << tile::kNumWarpsAttr;
  if (warps.getInt() < 1 || warps.getInt() > 32)
    return fn.emitError() << tile::kNumWarpsAttr << " must be in [1, 32], got "
                          << warps.getInt();
  LaunchConfig config;
  config.grid.assign(grid.asArrayRef().begin(), grid.asArrayRef().end());
  config.threads = 32 * warps.getInt();

  OpBuilder b = OpBuilder::atBlockEnd(gm.getBody());
  auto gf = gpu::GPUFuncOp::create(b, fn.getLoc(), fn.getSymName(),
                                   fn.getFunctionType());
  gf->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  gf.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({static_cast<int32_t>(config.threads), 1, 1}));
  SmallVector<int32_t> grid32(config.grid.begin(), config.grid.end());
  gf.setKnownGridSizeAttr(b.getDenseI32ArrayAttr(grid32));

  Block &entry = gf.getBody().front();
  b.setInsertionPointToStart(&entry);
  KernelLowering lowering(b, fn.getLoc(), warps.getInt());
  for (auto [from, to] : llvm::zip(fn.getArguments(), entry.getArguments()))
    lowering.mapScalar(from, to);
  if (failed(lowering.lowerBlock(fn.getBody().front())))
    return failure();
  gpu::ReturnOp::create(b, fn.getLoc());
  config.smem = lowering.sharedBytes();
  return config;
}

struct AttnConvertTileToGPUPass
    : attn::impl::AttnConvertTileToGPUBase<AttnConvertTileToGPUPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr(tile::kGridAttr))
        kernels.push_back(fn);
    if (kernels.empty())
      return;

    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto gm = gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModule);
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());

    llvm::StringMap<LaunchConfig> configs;
    for (func::FuncOp fn : kernels) {
      FailureOr<LaunchConfig> config = convertKernel(fn, gm);
      if (failed(config))
        return signalPassFailure();
      configs[fn.getSymName()] = *config;
    }
    module.walk([&](tile::LaunchOp launch) {
      auto it = configs.find(launch.getCallee());
      if (it == configs.end())
        return;
      const LaunchConfig &c = it->second;
      launch.setGridAttr(b.getDenseI64ArrayAttr(c.grid));
      launch.setBlockAttr(b.getDenseI64ArrayAttr({c.threads, 1, 1}));
      launch.setSmemAttr(b.getI64IntegerAttr(c.smem));
    });
    for (func::FuncOp fn : kernels)
      fn->erase();
  }
};

} // namespace
