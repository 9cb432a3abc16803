//===- attn-opt.cpp - the attn optimizer driver ---------------------------===//
//
// mlir-opt with the attn and tile dialects, the attn passes and pipelines,
// and the drivers' safety: the work runs on a large stack under crash
// recovery (the MLIR parser crashes on some inputs), input that is not text
// is refused, and -o writes atomically without replacing links or devices.
//
//===----------------------------------------------------------------------===//
#include "compiler/Analysis/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Pipelines/Pipelines.h"
#include "dialects/Attn/Transforms/Passes.h"
#include "dialects/Tile/Transforms/Passes.h"
#include "tools/Support/DriverSupport.h"
#include "tools/Support/OutputFile.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/InitLLVM.h"

using namespace llvm;

/// The --help header: what attn-opt is, then the attn passes and pipelines
/// with their summaries, found among the registered pass flags.
static std::string helpHeader() {
  std::string header =
      "attn-opt: mlir-opt with the attn and tile dialects and the attn "
      "passes\n\n"
      "  attn-opt FILE.mlir [--PASS ...] [-o OUT.mlir]\n\n"
      "The attn passes and pipelines (options: --attn-fused-pipeline=\"chip="
      "sm_90 block-m=128\"; every one is listed with its options under "
      "Passes below):\n";
  SmallVector<StringRef> names;
  for (auto &entry : cl::getRegisteredOptions())
    if (entry.first.starts_with("attn-"))
      names.push_back(entry.first);
  llvm::sort(names);
  for (StringRef name : names) {
    StringRef summary;
    if (const mlir::PassPipelineInfo *info =
            mlir::PassPipelineInfo::lookup(name))
      summary = info->getPassDescription();
    else if (const mlir::PassInfo *info = mlir::PassInfo::lookup(name))
      summary = info->getPassDescription();
    else
      continue;
    header += ("  --" + name).str();
    header.append(name.size() < 30 ? 30 - name.size() : 1, ' ');
    header += (" " + summary + "\n").str();
  }
  return header;
}

/// attn-opt's defaults differ from mlir-opt's in two flags, which a user
/// may still set: one thread (a crash on a worker thread could not be
/// recovered), and diagnostics without the whole operation printed.
static void setDefault(StringRef flag, bool value) {
  if (cl::Option *option = cl::getRegisteredOptions().lookup(flag))
    static_cast<cl::opt<bool> *>(option)->setInitialValue(value);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  attn::registerAttnTransformsPasses();
  attn::registerAttnConversionPasses();
  attn::registerTileTransformsPasses();
  attn::registerAttnAnalysisPasses();
  attn::registerPipelines();

  mlir::DialectRegistry registry;
  attn::registerCompilerDialects(registry);
  mlir::registerMLIRContextCLOptions();
  setDefault("mlir-disable-threading", true);
  setDefault("mlir-print-op-on-diagnostic", false);
  mlir::MlirOptMainConfig::registerCLOptions(registry);
  attn::tools::removeBackendPipelineFlags();
  auto [inputFile, outputFile] =
      mlir::registerAndParseCLIOptions(argc, argv, helpHeader(), registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects()) {
    outs() << "Available Dialects:\n";
    for (StringRef name : registry.getDialectNames())
      outs() << name << "\n";
    return 0;
  }
  if (config.shouldListPasses()) {
    mlir::printRegisteredPasses();
    return 0;
  }

  return attn::tools::runToolSafely(
      "attn-opt", "processing '" + inputFile + "'", [&]() -> int {
        Expected<std::unique_ptr<MemoryBuffer>> input =
            attn::tools::readInputFile(inputFile, /*allowEmpty=*/true);
        if (!input)
          return attn::tools::reportError("attn-opt",
                                          toString(input.takeError()));
        // Written only when everything succeeded: never half an output.
        std::string output;
        raw_string_ostream os(output);
        if (failed(mlir::MlirOptMain(os, std::move(*input), registry, config)))
          return 1;
        if (Error error = attn::tools::writeOutputFile(outputFile, output))
          return attn::tools::reportError("attn-opt",
                                          toString(std::move(error)));
        return 0;
      });
}
