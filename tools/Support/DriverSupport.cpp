//===- DriverSupport.cpp - shared by the command-line drivers -------------===//
#include "tools/Support/DriverSupport.h"
#include "dialects/Attn/IR/AttnDialect.h"
#include "dialects/Tile/IR/TileDialect.h"

#include "compiler/Pipelines/Options.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

namespace attn {

void registerCompilerDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<attn::AttnDialect, attn::tile::TileDialect>();
}

llvm::Expected<AttentionSpec> parseAttentionSpec(llvm::StringRef shape,
                                                 llvm::StringRef dtype,
                                                 bool causal, bool lse) {
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  AttentionSpec spec;
  llvm::SmallVector<llvm::StringRef> dims;
  shape.split(dims, 'x');
  if (dims.size() != 4)
    return error("--shape must be BxHxNxD, got '" + shape + "'");
  int64_t *fields[] = {&spec.batch, &spec.heads, &spec.seqLen, &spec.headDim};
  for (auto [field, dim] : llvm::zip(fields, dims))
    if (dim.getAsInteger(10, *field))
      return error("--shape: '" + dim + "' is not an integer");
  if (dtype != "f16" && dtype != "bf16" && dtype != "f32")
    return error("--dtype must be f16, bf16 or f32, got '" + dtype + "'");
  spec.dtype = dtype.str();
  spec.causal = causal;
  spec.lse = lse;
  return spec;
}

void parseCommandLineOrExit(int argc, char **argv, llvm::StringRef overview) {
  std::string errors;
  llvm::raw_string_ostream os(errors);
  optionErrorSink() = &os;
  bool ok = llvm::cl::ParseCommandLineOptions(argc, argv, overview, &os);
  optionErrorSink() = nullptr;
  if (ok)
    return;
  // The first complaint, without llvm::cl's "<tool>: " prefix.
  llvm::StringRef tool = llvm::sys::path::filename(argv[0]);
  llvm::StringRef first = llvm::StringRef(errors).split('\n').first.trim();
  first.consume_front(tool);
  first.consume_front(": ");
  llvm::WithColor::error(llvm::errs(), tool) << first << "\n";
  std::exit(1);
}

} // namespace attn
