//===- attn-compile.cpp - compile attention to PTX with a manifest --------===//
//
// The PTX emitter: runs the fused or unfused pipeline on an .mlir file (or
// on a problem given by flags), writes PTX whose first lines are the launch
// manifest the runtime reads, and reports what ptxas makes of it.
//
//===----------------------------------------------------------------------===//
#include "compiler/Target/Compile.h"
#include "tools/Support/DriverSupport.h"
#include "tools/Support/PipelineFlags.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir>"),
                                      cl::init(""));
static cl::opt<std::string> outputFile("o", cl::desc("Output PTX file"),
                                       cl::value_desc("file"), cl::Required);
static cl::opt<attn::PipelineKind, false, attn::EnumParser<attn::PipelineKind>>
    pipeline("pipeline", cl::desc("Which pipeline compiles the attention"),
             cl::init(attn::PipelineKind::fused));
static cl::opt<std::string>
    shape("shape",
          cl::desc("Build the problem BxHxNxD instead of reading a file"));
static cl::opt<std::string> dtype("dtype", cl::desc("f16, bf16 or f32"),
                                  cl::init("f16"));
static cl::opt<bool> causal("causal", cl::desc("Causal mask (with --shape)"));
static cl::opt<bool> lse("lse", cl::desc("Also return the logsumexp"));
static cl::opt<std::string> ptxas("ptxas",
                                  cl::desc("ptxas to assemble the output with "
                                           "(empty: skip)"),
                                  cl::init(ATTN_DEFAULT_PTXAS));

static int fail(const Twine &message) {
  WithColor::error(errs(), "attn-compile") << message << "\n";
  return 1;
}

/// Runs ptxas -v and prints registers, spills and shared memory per kernel.
static int reportPtxas(StringRef ptxFile, StringRef chipName) {
  SmallString<128> log;
  sys::fs::createTemporaryFile("attn-ptxas", "log", log);
  FileRemover remover(log);
  SmallString<128> cubin;
  sys::fs::createTemporaryFile("attn-ptxas", "cubin", cubin);
  FileRemover cubinRemover(cubin);
  std::string arch = "-arch=" + chipName.str();
  StringRef args[] = {ptxas, arch, "-v", "-O3", ptxFile, "-o", cubin};
  std::optional<StringRef> redirects[] = {std::nullopt, log.str(), log.str()};
  std::string error;
  int rc =
      sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 0, 0, &error);
  auto text = MemoryBuffer::getFile(log);
  if (rc != 0)
    return fail("ptxas failed (" + Twine(rc) + ") " + error + "\n" +
                (text ? (*text)->getBuffer() : ""));
  SmallVector<StringRef> lines;
  (*text)->getBuffer().split(lines, '\n');
  Regex func("Compiling entry function '([A-Za-z0-9_]+)'");
  Regex spill("([0-9]+) bytes spill stores, ([0-9]+) bytes spill loads");
  Regex regs("Used ([0-9]+) registers");
  std::string name;
  for (StringRef line : lines) {
    SmallVector<StringRef> m;
    if (func.match(line, &m))
      name = m[1].str();
    else if (spill.match(line, &m))
      outs() << "  ptxas " << name << ": spill stores " << m[1]
             << " B, spill loads " << m[2] << " B";
    else if (regs.match(line, &m))
      outs() << ", registers " << m[1] << "\n";
  }
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  attn::parseCommandLineOrExit(argc, argv,
                               "attn-compile: attention -> PTX + manifest\n");
  std::string text;
  if (!shape.empty()) {
    Expected<attn::AttentionSpec> spec =
        attn::parseAttentionSpec(shape, dtype, causal, lse);
    if (!spec)
      return fail(toString(spec.takeError()));
    text = attn::buildAttentionModule(*spec);
  } else {
    if (inputFile.empty())
      return fail("give an input .mlir file or --shape");
    auto buffer = MemoryBuffer::getFileOrSTDIN(inputFile);
    if (!buffer)
      return fail("cannot read '" + inputFile +
                  "': " + buffer.getError().message());
    text = (*buffer)->getBuffer().str();
  }
  attn::PipelineOptions options;
  if (Error error = attn::tools::readPipelineFlags(options))
    return fail(toString(std::move(error)));
  Expected<attn::CompiledAttention> compiled =
      attn::compileAttention(text, pipeline, options);
  if (!compiled)
    return fail(toString(compiled.takeError()));

  // Temporary file + rename: a reader never sees half a PTX file.
  if (Error e = writeToOutput(outputFile, [&](raw_ostream &os) {
        os << compiled->ptx;
        return Error::success();
      }))
    return fail("cannot write '" + outputFile + "': " + toString(std::move(e)));
  outs() << attn::stringifyEnum(attn::PipelineKind(pipeline)) << ": "
         << compiled->numKernels << " kernel(s), " << compiled->ptx.size()
         << " bytes of PTX -> " << outputFile << "\n";
  if (!ptxas.empty())
    return reportPtxas(outputFile, attn::chipInfo(options.chip).name);
  return 0;
}
