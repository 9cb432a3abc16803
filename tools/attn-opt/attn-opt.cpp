//===- attn-opt.cpp - the attn optimizer driver ---------------------------===//
#include "compiler/Analysis/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Pipelines/Pipelines.h"
#include "dialects/Attn/Transforms/Passes.h"
#include "dialects/Tile/Transforms/Passes.h"
#include "tools/Support/DriverSupport.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  attn::registerAttnTransformsPasses();
  attn::registerAttnConversionPasses();
  attn::registerTileTransformsPasses();
  attn::registerAttnAnalysisPasses();
  attn::registerPipelines();

  mlir::DialectRegistry registry;
  attn::registerCompilerDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "attn optimizer driver\n", registry));
}
