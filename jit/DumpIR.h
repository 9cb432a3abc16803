//===- DumpIR.h - Write the IR after every pass to a directory -*- C++ -*-===//
//
// The JIT's ATTN_DUMP_DIR switch: a pass instrumentation that writes the
// whole module after each pass to `<dir>/NN-<pass-argument>.mlir`, numbered
// in execution order, so that `ls` lists the IR ladder of one compilation.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_JIT_DUMPIR_H
#define ATTN_COMPILER_JIT_DUMPIR_H

#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace attn::jit {

class DumpIRInstrumentation : public mlir::PassInstrumentation {
public:
  /// Numbers files from `firstIndex` (00 is left for the input).
  explicit DumpIRInstrumentation(std::string directory,
                                 unsigned firstIndex = 1);

  void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override;
  void runAfterPassFailed(mlir::Pass *pass, mlir::Operation *op) override;

  /// Writes `text` to `<directory>/<name>`; false if it could not.
  static bool writeFile(llvm::StringRef directory, llvm::StringRef name,
                        llvm::StringRef text);

private:
  void dump(mlir::Pass *pass, mlir::Operation *op, llvm::StringRef suffix);

  std::string directory_;
  unsigned next_;
};

} // namespace attn::jit

#endif // ATTN_COMPILER_JIT_DUMPIR_H
