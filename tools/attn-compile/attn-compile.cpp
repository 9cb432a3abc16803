//===- attn-compile.cpp - compile attention to PTX with a manifest --------===//
//
// The PTX emitter: runs the fused or unfused pipeline on an .mlir file (or
// on a problem given by flags), writes PTX whose first lines are the launch
// manifest the runtime reads, and reports what ptxas makes of it.
//
//===----------------------------------------------------------------------===//
#include "compiler/Target/Compile.h"
#include "tools/Support/DriverSupport.h"
#include "tools/Support/OutputFile.h"
#include "tools/Support/PipelineFlags.h"
#include "tools/Support/ProblemFlags.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Regex.h"

using namespace llvm;

static cl::OptionCategory toolCategory("attn-compile options");
static cl::opt<std::string>
    inputFile(cl::Positional,
              cl::desc("<input.mlir: a module holding one attn.attention; "
                       "'-' for standard input>"),
              cl::cat(toolCategory));
static cl::opt<std::string>
    outputFile("o",
               cl::desc("Output PTX file; '-' for standard output (the "
                        "summary then goes to standard error)"),
               cl::value_desc("file"), cl::Required, cl::cat(toolCategory));
static cl::opt<attn::PipelineKind, false, attn::EnumParser<attn::PipelineKind>>
    pipeline("pipeline",
             cl::desc("Which pipeline compiles the attention (default: fused)"),
             cl::init(attn::PipelineKind::fused), cl::cat(toolCategory));
static cl::opt<std::string>
    ptxas("ptxas",
          cl::desc("ptxas that assembles the PTX to report registers and "
                   "spills; '--ptxas=' skips it (default: " ATTN_DEFAULT_PTXAS
                   ", when present)"),
          cl::init(ATTN_DEFAULT_PTXAS), cl::cat(toolCategory));

static int fail(const Twine &message) {
  return attn::tools::reportError("attn-compile", message);
}

/// Assembles `ptx` with ptxas -v and prints registers and spills per kernel
/// to `os`. ptxas rejecting the PTX is an error: nothing is written then.
static int reportPtxas(StringRef ptxas, StringRef ptx, StringRef chipName,
                       raw_ostream &os) {
  SmallString<128> input, log, cubin;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("attn-ptxas", "ptx", input))
    return fail("cannot create a temporary file for ptxas: " + ec.message());
  FileRemover inputRemover(input);
  sys::fs::createTemporaryFile("attn-ptxas", "log", log);
  FileRemover logRemover(log);
  sys::fs::createTemporaryFile("attn-ptxas", "cubin", cubin);
  FileRemover cubinRemover(cubin);
  {
    std::error_code ec;
    raw_fd_ostream out(input, ec);
    out << ptx;
  }
  std::string arch = "-arch=" + chipName.str();
  StringRef args[] = {ptxas, arch, "-v", "-O3", input, "-o", cubin};
  std::optional<StringRef> redirects[] = {std::nullopt, log.str(), log.str()};
  std::string error;
  int rc =
      sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 0, 0, &error);
  auto text = MemoryBuffer::getFile(log);
  StringRef logText = text ? (*text)->getBuffer().trim() : "";
  if (rc < 0)
    return fail("cannot run ptxas '" + ptxas + "': " + error);
  if (rc != 0)
    return fail("ptxas rejected the PTX (status " + Twine(rc) + ")" +
                (error.empty() ? "" : ": " + error) +
                "; '--ptxas=' writes it anyway\n" + logText);
  SmallVector<StringRef> lines;
  logText.split(lines, '\n');
  Regex func("Compiling entry function '([A-Za-z0-9_]+)'");
  Regex spill("([0-9]+) bytes spill stores, ([0-9]+) bytes spill loads");
  Regex regs("Used ([0-9]+) registers");
  std::string name;
  for (StringRef line : lines) {
    SmallVector<StringRef> m;
    if (func.match(line, &m))
      name = m[1].str();
    else if (spill.match(line, &m))
      os << "  ptxas " << name << ": spill stores " << m[1]
         << " B, spill loads " << m[2] << " B";
    else if (regs.match(line, &m))
      os << ", registers " << m[1] << "\n";
  }
  return 0;
}

static int compileMain() {
  attn::PipelineOptions options;
  if (Error error = attn::tools::readPipelineFlags(options))
    return fail(toString(std::move(error)));
  Expected<std::unique_ptr<MemoryBuffer>> input =
      attn::tools::readProblemOrFile(inputFile, inputFile.getNumOccurrences());
  if (!input)
    return fail(toString(input.takeError()));
  std::string text = (*input)->getBuffer().str();

  // Parse and verify here first, so that errors in the input name its file,
  // line and column, with the source line and a caret; the pipeline's
  // diagnostics are shown the same way.
  mlir::DialectRegistry registry;
  attn::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*input), SMLoc());
  attn::tools::ToolDiagnostics diagnostics(sourceMgr, context);
  if (!attn::tools::parseAttentionModule(sourceMgr, context))
    return 1;

  attn::CompileHooks hooks;
  hooks.configurePassManager = [&](mlir::PassManager &pm) {
    // One thread, so that crash recovery covers the passes too; the
    // diagnostic without the operation it was raised on.
    mlir::MLIRContext *compilerContext = pm.getContext();
    compilerContext->disableMultithreading();
    compilerContext->printOpOnDiagnostic(false);
    compilerContext->getDiagEngine().registerHandler(
        [&](mlir::Diagnostic &diagnostic) {
          // compileAttention parses its copy of the text as "attention.mlir".
          diagnostics.forward(diagnostic, "attention.mlir");
          return mlir::success();
        });
  };
  Expected<attn::CompiledAttention> compiled =
      attn::compileAttention(text, pipeline, options, hooks);
  if (!compiled) {
    std::string message = toString(compiled.takeError());
    return diagnostics.numErrors() ? 1 : fail(message);
  }

  // The PTX may go to stdout: the summary then goes to stderr.
  raw_ostream &report =
      attn::tools::isStandardOutput(outputFile) ? errs() : outs();
  std::string ptxasPath = ptxas;
  if (!ptxas.getNumOccurrences() && !sys::fs::can_execute(ptxasPath))
    ptxasPath.clear(); // The build machine's ptxas is not on this one.
  std::string ptxasReport;
  raw_string_ostream ptxasStream(ptxasReport);
  if (!ptxasPath.empty())
    if (int rc = reportPtxas(ptxasPath, compiled->ptx,
                             attn::chipInfo(options.chip).name, ptxasStream))
      return rc;
  if (Error error = attn::tools::writeOutputFile(outputFile, compiled->ptx))
    return fail(toString(std::move(error)));
  report << attn::stringifyEnum(attn::PipelineKind(pipeline)) << ": "
         << compiled->numKernels << " kernel(s), " << compiled->ptx.size()
         << " bytes of PTX -> " << outputFile << "\n"
         << ptxasReport;
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  attn::tools::showOnlyToolOptions(toolCategory);
  attn::parseCommandLineOrExit(
      argc, argv,
      "attn-compile: attention -> PTX with the launch manifest\n\n"
      "  attn-compile FILE.mlir [options] -o OUT.ptx\n"
      "  attn-compile --shape BxHxNxD [--dtype ...] [options] -o OUT.ptx\n");
  std::string what = inputFile.getNumOccurrences()
                         ? "compiling '" + inputFile + "'"
                         : std::string("compiling the --shape problem");
  return attn::tools::runToolSafely("attn-compile", what, compileMain);
}
