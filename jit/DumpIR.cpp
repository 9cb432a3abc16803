//===- DumpIR.cpp - Write the IR after every pass to a directory ----------===//
#include "jit/DumpIR.h"

#include "mlir/IR/Operation.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace attn::jit {

DumpIRInstrumentation::DumpIRInstrumentation(std::string directory,
                                             unsigned firstIndex)
    : directory_(std::move(directory)), next_(firstIndex) {}

bool DumpIRInstrumentation::writeFile(llvm::StringRef directory,
                                      llvm::StringRef name,
                                      llvm::StringRef text) {
  llvm::SmallString<256> path(directory);
  llvm::sys::path::append(path, name);
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return false;
  os << text;
  return !os.has_error();
}

void DumpIRInstrumentation::dump(Pass *pass, Operation *op,
                                 llvm::StringRef suffix) {
  // A nested pass manager shows up as an adaptor pass: its passes are
  // dumped one by one, the adaptor itself is not.
  if (pass->getName().ends_with("OpToOpPassAdaptor"))
    return;
  llvm::StringRef argument = pass->getArgument();
  std::string name;
  llvm::raw_string_ostream nameStream(name);
  nameStream << llvm::format("%02u-", next_++)
             << (argument.empty() ? pass->getName() : argument) << suffix
             << ".mlir";
  // The whole module, also after a pass that ran on a nested gpu.module.
  Operation *root = op;
  while (Operation *parent = root->getParentOp())
    root = parent;
  std::string text;
  llvm::raw_string_ostream os(text);
  root->print(os);
  writeFile(directory_, name, text);
}

void DumpIRInstrumentation::runAfterPass(Pass *pass, Operation *op) {
  dump(pass, op, "");
}

void DumpIRInstrumentation::runAfterPassFailed(Pass *pass, Operation *op) {
  dump(pass, op, "-FAILED");
}

} // namespace attn::jit
