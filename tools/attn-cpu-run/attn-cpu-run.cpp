//===- attn-cpu-run.cpp - run attention IR on the CPU and check it --------===//
//
// The host execution path: runs a pipeline's tile-level IR (after attn-tile,
// after the online-softmax fusion, or after shared-memory promotion; or the
// unfused three-kernel decomposition) on the CPU through MLIR's execution
// engine, on seeded random inputs, and compares with a float64 reference.
//
//===----------------------------------------------------------------------===//
#include "compiler/Analysis/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/Compile.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Attn/Transforms/TileConfig.h"
#include "dialects/Tile/Transforms/Passes.h"
#include "runtime/FloatConvert.h"
#include "runtime/Reference.h"
#include "tools/Support/DriverSupport.h"
#include "tools/Support/PipelineFlags.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir>"),
                                      cl::init(""));
static cl::list<attn::PipelineKind, bool, attn::EnumParser<attn::PipelineKind>>
    pipelines("pipeline", cl::desc("fused and/or unfused (default: both)"),
              cl::CommaSeparated);
static cl::opt<attn::Stage, false, attn::EnumParser<attn::Stage>>
    rung("rung",
         cl::desc("Which IR to run: tiled (exact two-pass softmax), online "
                  "(after the online-softmax fusion) or promoted (after "
                  "shared-memory promotion; the default)"),
         cl::init(attn::Stage::Promoted));
static cl::opt<std::string>
    shape("shape", cl::desc("Problem BxHxNxD instead of a file"));
static cl::opt<std::string> dtype("dtype", cl::desc("f16, bf16 or f32"),
                                  cl::init("f16"));
static cl::opt<bool> causal("causal");
static cl::opt<bool> lse("lse", cl::desc("Also return the logsumexp"));
static cl::opt<unsigned> seed("seed", cl::init(1));
static cl::opt<double> bound("bound",
                             cl::desc("Relative error bound (default by "
                                      "type: f32 1e-5, f16 2e-3, bf16 1e-2)"),
                             cl::init(0));

namespace {

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "attn-cpu-run") << message << "\n";
  return 1;
}

/// A host buffer in the kernel's element type, with a memref descriptor.
struct HostBuffer {
  std::string name;
  attn::rt::DType type;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
  std::vector<int64_t> descriptor; // [alloc, aligned, offset, sizes, strides]

  void *data() { return bytes.data(); }
  void *prepare() {
    descriptor.assign(3 + 2 * shape.size(), 0);
    auto ptr = reinterpret_cast<int64_t>(bytes.data());
    descriptor[0] = descriptor[1] = ptr;
    int64_t stride = 1;
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      descriptor[3 + d] = shape[d];
      descriptor[3 + shape.size() + d] = stride;
      stride *= shape[d];
    }
    return descriptor.data();
  }
};

/// x86's code generator keeps bf16 values in f32 registers and converts
/// back through the libgcc helper __truncsfbf2, which GCC 12's libgcc lacks.
/// The JIT gets this one: round to nearest even, result in the low 16 bits
/// of the return register (the psABI's place for a bf16 result).
extern "C" float attnTruncSfBf2(float value) {
  uint32_t bits = attn::rt::floatToBFloat16(value);
  float result;
  std::memcpy(&result, &bits, sizeof(result));
  return result;
}

attn::rt::DType dtypeOf(Type t) {
  if (t.isF16())
    return attn::rt::DType::F16;
  if (t.isBF16())
    return attn::rt::DType::BF16;
  return attn::rt::DType::F32;
}

HostBuffer bufferFor(StringRef name, Type type) {
  auto shaped = cast<ShapedType>(type);
  HostBuffer b{name.str(),
               dtypeOf(shaped.getElementType()),
               std::vector<int64_t>(shaped.getShape()),
               {},
               {}};
  b.bytes.assign(shaped.getNumElements() * attn::rt::sizeOf(b.type), 0xff);
  return b;
}

struct Launch {
  std::string kernel;
  std::vector<std::string> args;
};

struct RunResult {
  /// Bytes of the intermediate buffers (S and P) a GPU run would allocate.
  int64_t intermediateBytes = 0;
};

/// The pipeline from attn.attention down to the chosen rung, then to the
/// host's loops.
void buildHostPipeline(PassManager &pm, attn::PipelineKind kind,
                       const attn::PipelineOptions &options) {
  attn::buildPipeline(pm, kind, options);
  pm.addPass(attn::createAttnConvertTileToHost());
}

void buildLowerToLLVM(PassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSCFToControlFlowPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

/// Compiles `text` with one pipeline, runs every launch in order on `io`
/// (q, k, v filled; o, lse written) and returns the launch plan's figures.
llvm::Expected<RunResult> runPipeline(MLIRContext &ctx, StringRef text,
                                      attn::PipelineKind kind,
                                      const attn::PipelineOptions &options,
                                      std::string &diagnostics,
                                      llvm::StringMap<HostBuffer> &io) {
  auto error = [&](const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   what + "\n" + diagnostics);
  };
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
  if (!module)
    return error("cannot parse the input");
  PassManager pm(&ctx);
  buildHostPipeline(pm, kind, options);
  if (failed(pm.run(*module)))
    return error("the pipeline failed");

  // The launch plan: every tile.launch of the host function, in order.
  std::vector<Launch> plan;
  RunResult result;
  SmallVector<func::FuncOp> hostFuncs;
  module->walk([&](attn::tile::LaunchOp launch) {
    Launch l{launch.getCallee().str(), {}};
    for (StringRef name : launch.getNames().getAsValueRange<StringAttr>())
      l.args.push_back(name.str());
    size_t numInputs = launch.getInputs().size();
    for (auto [i, out] : llvm::enumerate(launch.getOutputs())) {
      StringRef name = l.args[numInputs + i];
      if (!io.count(name)) {
        io[name] = bufferFor(name, out.getType());
        result.intermediateBytes += io[name].bytes.size();
      }
    }
    plan.push_back(l);
    hostFuncs.push_back(launch->getParentOfType<func::FuncOp>());
  });
  for (func::FuncOp fn : hostFuncs)
    if (fn && fn->getParentOp())
      fn->erase(), fn = nullptr;

  PassManager lower(&ctx);
  buildLowerToLLVM(lower);
  if (failed(lower.run(*module)))
    return error("lowering to LLVM failed");

  if (const char *dump = std::getenv("ATTN_CPU_DUMP_LLVM"))
    if (*dump)
      module->print(llvm::errs());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = makeOptimizingTransformer(2, 0, nullptr);
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine)
    return error("the execution engine failed: " +
                 llvm::toString(engine.takeError()));
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("__truncsfbf2")] = {
        llvm::orc::ExecutorAddr::fromPtr(&attnTruncSfBf2),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  for (const Launch &l : plan) {
    std::vector<void *> descriptors, args;
    for (const std::string &name : l.args)
      descriptors.push_back(io[name].prepare());
    for (void *&d : descriptors)
      args.push_back(&d);
    if (llvm::Error e =
            (*engine)->invokePacked("_mlir_ciface_" + l.kernel, args))
      return error("running " + l.kernel +
                   " failed: " + llvm::toString(std::move(e)));
  }
  return result;
}

std::vector<float> decodeAll(HostBuffer &b) {
  std::vector<float> out(b.bytes.size() / attn::rt::sizeOf(b.type));
  attn::rt::decode(b.type, b.bytes.data(), out.size(), out.data());
  return out;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  attn::parseCommandLineOrExit(argc, argv,
                               "attn-cpu-run: attention IR on the CPU\n");
  if (rung != attn::Stage::Tiled && rung != attn::Stage::Online &&
      rung != attn::Stage::Promoted)
    return fail("--rung " + attn::stringifyEnum(attn::Stage(rung)) +
                ": the CPU path runs rungs 2-4 only: use tiled, online or "
                "promoted");
  attn::PipelineOptions options;
  if (llvm::Error error = attn::tools::readPipelineFlags(options))
    return fail(llvm::toString(std::move(error)));
  options.stopAfter = rung;

  std::string text;
  if (!shape.empty()) {
    llvm::Expected<attn::AttentionSpec> spec =
        attn::parseAttentionSpec(shape, dtype, causal, lse);
    if (!spec)
      return fail(llvm::toString(spec.takeError()));
    text = attn::buildAttentionModule(*spec);
  } else {
    auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(
        inputFile.empty() ? "-" : inputFile.getValue());
    if (!buffer)
      return fail("cannot read the input: " + buffer.getError().message());
    text = (*buffer)->getBuffer().str();
  }

  DialectRegistry registry;
  attn::registerCompilerDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  std::string diagnostics;
  llvm::raw_string_ostream diagStream(diagnostics);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &ctx, diagStream);

  // The problem, read off the attention op.
  OwningOpRef<ModuleOp> probe = parseSourceString<ModuleOp>(text, &ctx);
  if (!probe)
    return fail("cannot parse the input:\n" + diagnostics);
  attn::AttentionOp op;
  int count = 0;
  probe->walk([&](attn::AttentionOp a) { op = a, ++count; });
  if (count != 1)
    return fail("the input must hold exactly one attn.attention");
  attn::rt::Problem problem = attn::rt::Problem::attention(
      op.getBatch(), op.getNumHeads(), op.getSeqLen(), op.getHeadDim(),
      dtypeOf(op.getElementType()));
  problem.causal = op.getCausal();
  problem.scale = op.getEffectiveScale();
  problem.lse = static_cast<bool>(op.getLse());
  double limit = bound > 0                               ? bound.getValue()
                 : problem.dtype == attn::rt::DType::F32 ? 1e-5
                 : problem.dtype == attn::rt::DType::F16 ? 2e-3
                                                         : 1e-2;

  // Inputs: uniform in [-1, 1), rounded to the element type.
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> qkv[3];
  llvm::StringMap<HostBuffer> base;
  const char *names[] = {"q", "k", "v"};
  for (int i = 0; i < 3; ++i) {
    HostBuffer b = bufferFor(names[i], op.getQuery().getType());
    qkv[i].resize(problem.elements(attn::rt::TensorRole::Q));
    for (float &x : qkv[i])
      x = attn::rt::roundTo(problem.dtype, uniform(gen));
    attn::rt::encode(problem.dtype, qkv[i].data(), qkv[i].size(), b.data());
    base[names[i]] = std::move(b);
  }
  base["o"] = bufferFor("o", op.getOutput().getType());
  if (op.getLse())
    base["lse"] = bufferFor("lse", op.getLse().getType());

  // The float64 reference, row by row.
  int64_t rows = problem.batch * problem.heads * problem.seqLenQ;
  std::vector<double> ref(problem.elements(attn::rt::TensorRole::Q)),
      refLse(rows);
  std::vector<double> scratch;
  for (int64_t head = 0; head < problem.batch * problem.heads; ++head)
    for (int64_t r = 0; r < problem.seqLenQ; ++r) {
      int64_t row = head * problem.seqLenQ + r;
      referenceRow(problem, qkv[0].data(), qkv[1].data(), qkv[2].data(), head,
                   r, &ref[row * problem.headDim], refLse[row], scratch);
    }

  std::vector<attn::PipelineKind> which(pipelines.begin(), pipelines.end());
  if (which.empty())
    which = {attn::PipelineKind::fused, attn::PipelineKind::unfused};
  bool allPass = true;
  for (attn::PipelineKind kind : which) {
    std::string p = attn::stringifyEnum(kind).str();
    if (kind == attn::PipelineKind::unfused && problem.lse) {
      llvm::outs() << "SKIP unfused: it does not produce the logsumexp\n";
      continue;
    }
    llvm::StringMap<HostBuffer> io;
    for (auto &entry : base)
      io[entry.getKey()] = entry.getValue();
    diagnostics.clear();
    llvm::Expected<RunResult> run =
        runPipeline(ctx, text, kind, options, diagnostics, io);
    if (!run)
      return fail(p + ": " + llvm::toString(run.takeError()));
    std::vector<float> out = decodeAll(io["o"]);
    double errSq = 0, refSq = 0, maxAbs = 0;
    int64_t nonFinite = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (!std::isfinite(out[i]))
        ++nonFinite;
      double d = out[i] - ref[i];
      errSq += d * d;
      refSq += ref[i] * ref[i];
      maxAbs = std::max(maxAbs, std::fabs(d));
    }
    double rel = std::sqrt(errSq / std::max(refSq, 1e-300));
    bool pass = nonFinite == 0 && rel <= limit;
    std::string lseText;
    if (problem.lse) {
      std::vector<float> lse = decodeAll(io["lse"]);
      double e = 0, r = 0;
      for (int64_t i = 0; i < rows; ++i) {
        e += (lse[i] - refLse[i]) * (lse[i] - refLse[i]);
        r += refLse[i] * refLse[i];
      }
      double lseRel = std::sqrt(e / std::max(r, 1e-300));
      pass &= lseRel <= limit;
      lseText = llvm::formatv(" lse_rel_err={0:e2}", lseRel).str();
    }
    allPass &= pass;
    llvm::outs() << llvm::formatv(
        "{0} {1} {2} rung={3} B={4} H={5} N={6} D={7} causal={8} "
        "rel_err={9:e2} max_abs={10:e2} bound={11:e0}{12} non_finite={13} "
        "gpu_extra_mem_bytes={14}\n",
        pass ? "PASS" : "FAIL", p, attn::rt::nameOf(problem.dtype),
        kind == attn::PipelineKind::fused
            ? attn::stringifyEnum(attn::Stage(rung))
            : llvm::StringRef("unfused"),
        problem.batch, problem.heads, problem.seqLenQ, problem.headDim,
        problem.causal ? 1 : 0, rel, maxAbs, limit, lseText, nonFinite,
        run->intermediateBytes);
  }
  return allPass ? 0 : 1;
}
