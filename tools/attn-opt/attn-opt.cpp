//===- attn-opt.cpp - the attn optimizer driver ---------------------------===//
#include "compiler/DriverSupport.h"
#include "compiler/Passes.h"
#include "compiler/Pipelines.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  attn::registerAttnPasses();
  attn::registerPipelines();

  mlir::DialectRegistry registry;
  attn::registerCompilerDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "attn optimizer driver\n", registry));
}
