//===- FinalizeKernelParams.cpp - tensor maps as grid constants -----------===//
#include "compiler/Conversion/Passes.h"

namespace attn {
#define GEN_PASS_DEF_ATTNFINALIZEKERNELPARAMS
#include "compiler/Conversion/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;

namespace {

/// sizeof and alignof of a CUtensorMap.
constexpr int64_t kTensorMapBytes = 128, kTensorMapAlignment = 64;
/// The period of the 128-byte swizzle.
constexpr int64_t kSwizzleAlignment = 1024;

struct AttnFinalizeKernelParamsPass
    : attn::impl::AttnFinalizeKernelParamsBase<AttnFinalizeKernelParamsPass> {
  void runOnOperation() override {
    mlir::gpu::GPUModuleOp module = getOperation();
    StringRef name = tile::TileDialect::getTensorMapParamsAttrName();
    bool any = false;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>()) {
      auto params = fn->getAttrOfType<DenseI32ArrayAttr>(name);
      if (!params)
        continue;
      any = true;
      OpBuilder b(fn);
      auto bytes = LLVM::LLVMArrayType::get(b.getI8Type(), kTensorMapBytes);
      for (int32_t i : params.asArrayRef()) {
        if (i < 0 || i >= static_cast<int32_t>(fn.getNumArguments()) ||
            !isa<LLVM::LLVMPointerType>(fn.getArgumentTypes()[i])) {
          fn.emitError() << "attn-finalize-kernel-params: parameter " << i
                         << " listed in '" << name
                         << "' is not a pointer parameter of @"
                         << fn.getSymName();
          return signalPassFailure();
        }
        fn.setArgAttr(i, LLVM::LLVMDialect::getByValAttrName(),
                      TypeAttr::get(bytes));
        fn.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                      b.getI64IntegerAttr(kTensorMapAlignment));
        fn.setArgAttr(i, NVVM::NVVMDialect::getGridConstantAttrName(),
                      b.getUnitAttr());
      }
      fn->removeAttr(name);
    }
    if (!any)
      return;
    for (auto global : module.getOps<LLVM::GlobalOp>())
      if (global.getAddrSpace() == 3 &&
          global.getAlignment().value_or(0) < kSwizzleAlignment)
        global.setAlignment(kSwizzleAlignment);
  }
};

} // namespace
