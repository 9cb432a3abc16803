//===- DriverSupport.cpp - shared by the command-line drivers -------------===//
#include "tools/Support/DriverSupport.h"
#include "dialects/Attn/IR/AttnDialect.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Tile/IR/TileDialect.h"
#include "tools/Support/PipelineFlags.h"
#include "tools/Support/ProblemFlags.h"

#include "compiler/Pipelines/Options.h"
#include "compiler/Support/CrashRecovery.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/WithColor.h"

#include <cstdlib>
#include <sys/resource.h>

namespace attn {

void registerCompilerDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<attn::AttnDialect, attn::tile::TileDialect>();
}

void parseCommandLineOrExit(int argc, char **argv, llvm::StringRef overview) {
  tools::removeBackendPipelineFlags();
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
  tools::reportError(tool, first);
  std::exit(1);
}

namespace tools {

void removeBackendPipelineFlags() {
  auto &options = llvm::cl::getRegisteredOptions();
  for (llvm::StringRef name :
       {"start-before", "start-after", "stop-before", "stop-after"}) {
    auto it = options.find(name);
    if (it != options.end())
      it->second->removeArgument();
  }
}

int reportError(llvm::StringRef tool, const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), tool) << message << "\n";
  return 1;
}

void showOnlyToolOptions(llvm::cl::OptionCategory &toolCategory) {
  llvm::cl::HideUnrelatedOptions(
      {&toolCategory, &problemCategory(), &compilerCategory()});
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readInputFile(llvm::StringRef path, bool allowEmpty) {
  auto error = [&](const llvm::Twine &rule) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "'" + path + "' " + rule);
  };
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  llvm::StringRef text = (*buffer)->getBuffer();
  size_t nul = text.find('\0');
  if (nul != llvm::StringRef::npos)
    return error("is not MLIR text: it holds a NUL byte at offset " +
                 llvm::Twine(nul));
  if (!allowEmpty && text.trim().empty())
    return error("is empty: expected a module holding one attn.attention");
  return std::move(*buffer);
}

ToolDiagnostics::ToolDiagnostics(llvm::SourceMgr &sourceMgr,
                                 mlir::MLIRContext &context)
    : context(context),
      inputName(sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                    ->getBufferIdentifier()),
      printer(sourceMgr, &context, llvm::errs()),
      counter(&context, [this](mlir::Diagnostic &diagnostic) {
        if (diagnostic.getSeverity() == mlir::DiagnosticSeverity::Error)
          ++errors;
        return mlir::failure(); // Let the printer print it.
      }) {
  context.printOpOnDiagnostic(false);
}

void ToolDiagnostics::forward(mlir::Diagnostic &diagnostic,
                              llvm::StringRef copyName) {
  auto relocate = [&](mlir::Location loc) -> mlir::Location {
    auto file = loc->findInstanceOf<mlir::FileLineColLoc>();
    if (!file)
      return mlir::UnknownLoc::get(&context);
    llvm::StringRef name = file.getFilename().getValue();
    return mlir::FileLineColLoc::get(&context,
                                     name == copyName ? inputName : name,
                                     file.getLine(), file.getColumn());
  };
  printer.emitDiagnostic(relocate(diagnostic.getLocation()), diagnostic.str(),
                         diagnostic.getSeverity());
  for (mlir::Diagnostic &note : diagnostic.getNotes())
    printer.emitDiagnostic(relocate(note.getLocation()), note.str(),
                           mlir::DiagnosticSeverity::Note);
  if (diagnostic.getSeverity() == mlir::DiagnosticSeverity::Error)
    ++errors;
}

mlir::OwningOpRef<mlir::ModuleOp>
parseAttentionModule(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &context) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return nullptr;
  llvm::SmallVector<ProblemOpInterface> ops;
  module->walk([&](ProblemOpInterface op) { ops.push_back(op); });
  if (ops.empty()) {
    llvm::StringRef name = sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                               ->getBufferIdentifier();
    mlir::emitError(mlir::FileLineColLoc::get(&context, name, 1, 1))
        << "the module must hold exactly one attn.attention or "
           "attn.attention_backward, found none";
    return nullptr;
  }
  if (ops.size() > 1) {
    ops[1]->emitError() << "the module must hold exactly one attn.attention or "
                           "attn.attention_backward, found "
                        << ops.size() << "; this is the second";
    return nullptr;
  }
  return module;
}

/// Lowers the soft RLIMIT_DATA to `bytes` when it is higher.
static void capHeap(uint64_t bytes) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_DATA, &limit) != 0 || limit.rlim_cur <= bytes)
    return;
  limit.rlim_cur = bytes;
  setrlimit(RLIMIT_DATA, &limit);
}

int runToolSafely(llvm::StringRef tool, const llvm::Twine &what,
                  llvm::function_ref<int()> work) {
  capHeap(kToolHeapBytes);
  int status = 1;
  llvm::Error error = attn::runCrashSafely(
      [&] {
        status = work();
        return llvm::Error::success();
      },
      what.str());
  if (!error)
    return status;
  llvm::outs().flush();
  reportError(tool, llvm::toString(std::move(error)));
  llvm::errs().flush();
  llvm::sys::RunInterruptHandlers(); // Removes half-written temporary files.
  llvm::sys::Process::Exit(1, /*NoCleanup=*/true);
}

} // namespace tools
} // namespace attn
