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
#include "compiler/Target/HostSizes.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Attn/Transforms/TileConfig.h"
#include "dialects/Tile/Transforms/Passes.h"
#include "runtime/FloatConvert.h"
#include "runtime/Reference.h"
#include "tools/Support/DriverSupport.h"
#include "tools/Support/PipelineFlags.h"
#include "tools/Support/ProblemFlags.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"

#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory toolCategory("attn-cpu-run options");
static cl::opt<std::string>
    inputFile(cl::Positional,
              cl::desc("<input.mlir: a module holding one attn.attention; "
                       "'-' for standard input>"),
              cl::cat(toolCategory));
static cl::list<attn::PipelineKind, bool, attn::EnumParser<attn::PipelineKind>>
    pipelines("pipeline", cl::desc("fused and/or unfused (default: both)"),
              cl::CommaSeparated, cl::cat(toolCategory));
static cl::opt<attn::Stage, false, attn::EnumParser<attn::Stage>>
    rung("rung",
         cl::desc("Which IR to run: tiled (exact two-pass softmax), online "
                  "(after the online-softmax fusion) or promoted (after "
                  "shared-memory promotion; the default)"),
         cl::init(attn::Stage::Promoted), cl::cat(toolCategory));
static cl::opt<unsigned> seed("seed",
                              cl::desc("Seed of the random inputs (default: "
                                       "1)"),
                              cl::init(1), cl::cat(toolCategory));
static cl::opt<double> bound("bound",
                             cl::desc("Relative error bound: a positive "
                                      "number (default: by type, f32 1e-5, "
                                      "f16 2e-3, bf16 1e-2)"),
                             cl::init(0), cl::cat(toolCategory));

static cl::opt<std::string>
    layout("layout", cl::value_desc("bhnd|bnhd"),
           cl::desc("Memory layout of Q, K, V and O: bhnd (packed [B,H,N,D], "
                    "the default) or bnhd ([B,N,H,D], a fused projection's; "
                    "needs --runtime-sizes, whose kernels take strides)"),
           cl::init("bhnd"), cl::cat(toolCategory));

static cl::opt<double>
    maxWork("max-work",
            cl::desc("Refuse problems of more than this many multiply-adds, "
                     "B*H*N^2*D (default: 2^34, a minute or two on one core)"),
            cl::init(double(1ull << 34)), cl::cat(toolCategory));

/// The most host memory a run may allocate: buffers, float copies of the
/// inputs and the float64 reference.
static constexpr double hostMemoryLimit = 4.0 * (1ull << 30);

namespace {

int fail(const llvm::Twine &message) {
  return attn::tools::reportError("attn-cpu-run", message);
}

/// A host buffer in the kernel's element type, with a memref descriptor:
/// packed, or laid out by `strides` (elements).
struct HostBuffer {
  std::string name;
  attn::rt::DType type;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  std::vector<uint8_t> bytes;
  std::vector<int64_t> descriptor; // [alloc, aligned, offset, sizes, strides]

  void *data() { return bytes.data(); }
  void *prepare() {
    descriptor.assign(3 + 2 * shape.size(), 0);
    auto ptr = reinterpret_cast<int64_t>(bytes.data());
    descriptor[0] = descriptor[1] = ptr;
    for (size_t d = 0; d < shape.size(); ++d) {
      descriptor[3 + d] = shape[d];
      descriptor[3 + shape.size() + d] = strides[d];
    }
    return descriptor.data();
  }
  /// The offset of each element, in row-major order of the shape.
  std::vector<int64_t> offsets() const {
    std::vector<int64_t> out = {0};
    for (size_t d = 0; d < shape.size(); ++d) {
      std::vector<int64_t> next;
      next.reserve(out.size() * shape[d]);
      for (int64_t base : out)
        for (int64_t i = 0; i < shape[d]; ++i)
          next.push_back(base + i * strides[d]);
      out = std::move(next);
    }
    return out;
  }
};

/// The packed row-major strides of `shape`.
std::vector<int64_t> packedStrides(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

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

/// A buffer of `shape` laid out by `strides` (packed when empty), poisoned.
HostBuffer bufferFor(StringRef name, attn::rt::DType dtype,
                     llvm::ArrayRef<int64_t> shape,
                     std::vector<int64_t> strides = {}) {
  if (strides.empty())
    strides = packedStrides(shape);
  int64_t span = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    span += (shape[d] - 1) * strides[d];
  HostBuffer b{name.str(),         dtype, std::vector<int64_t>(shape),
               std::move(strides), {},    {}};
  b.bytes.assign(span * attn::rt::sizeOf(dtype), 0xff);
  return b;
}

/// The strides of a problem tensor in --layout: packed, or [B,N,H,D]'s.
std::vector<int64_t> layoutStrides(const attn::rt::Problem &p,
                                   attn::rt::TensorRole role) {
  std::vector<int64_t> shape = p.shape(role);
  if (layout != "bnhd" || shape.size() != 4)
    return packedStrides(shape);
  int64_t h = shape[1], n = shape[2], d = shape[3];
  return {n * h * d, d, h * d, 1};
}

/// The buffer of a problem tensor, in --layout.
HostBuffer bufferFor(const attn::rt::Problem &p, attn::rt::TensorRole role) {
  return bufferFor(attn::rt::nameOf(role), p.dtypeOf(role), p.shape(role),
                   layoutStrides(p, role));
}

/// Writes `values` (row-major order of the shape) into `b`.
void encodeInto(HostBuffer &b, const std::vector<float> &values) {
  size_t size = attn::rt::sizeOf(b.type);
  std::vector<int64_t> offsets = b.offsets();
  std::vector<uint8_t> element(size);
  for (size_t i = 0; i < values.size(); ++i) {
    attn::rt::encode(b.type, &values[i], 1, element.data());
    std::memcpy(b.bytes.data() + offsets[i] * size, element.data(), size);
  }
}

struct Launch {
  std::string kernel;
  std::vector<std::string> args;
  /// The grid sizes known only at run time, passed after the buffers.
  std::vector<int64_t> gridSizes;
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
  // The offsets of subviews (a packed sequence's rows) are affine.apply.
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

/// "3.5 GiB": a byte count for messages.
std::string formatBytes(double bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 6)
    bytes /= 1024, ++unit;
  return llvm::formatv("{0:f1} {1}", bytes, units[unit]).str();
}

/// Refuses a problem whose host buffers would exceed hostMemoryLimit, before
/// allocating any, naming the largest dimension.
llvm::Error checkHostMemory(const attn::rt::Problem &p, bool unfused) {
  double elt = attn::rt::sizeOf(p.dtype);
  double rows = double(p.batch) * p.heads * p.seqLenQ;
  // Per tensor, the larger of the query and the key side.
  double elements =
      std::max(rows, double(p.batch) * p.kvHeads * p.seqLenK) * p.headDim;
  // Q, K, V, O twice (inputs and a pipeline's copy), their float copies,
  // the decoded output and the float64 reference; per row the lse. The
  // backward has dO, dQ, dK and dV on top, and dQ's f32 accumulator.
  bool backward = p.direction == attn::rt::Direction::Backward;
  double bytes = backward
                     ? elements * (16 * elt + 8 * 4 + 4 + 4 * 8) + rows * 24
                     : elements * (8 * elt + 3 * 4 + 4 + 8) + rows * 16;
  // S and P, or the backward's P, dP and dS (the fused one's P at rung 2):
  // B*H*N^2 elements each.
  int nxn = backward ? (unfused                      ? 3
                        : rung == attn::Stage::Tiled ? 1
                                                     : 0)
                     : (unfused ? 2 : 0);
  bytes += nxn * rows * p.seqLenK * elt;
  double work = rows * p.seqLenK * p.headDim * (backward ? 2.5 : 1.0);
  if (bytes <= hostMemoryLimit && work <= maxWork)
    return llvm::Error::success();
  bool selfAttention = p.seqLenQ == p.seqLenK && p.kvHeads == p.heads;
  std::pair<const char *, int64_t> dims[] = {
      {"B", p.batch},
      {"H", p.heads},
      {selfAttention ? "N" : "Nq", p.seqLenQ},
      {"Nk", p.seqLenK},
      {"D", p.headDim}};
  auto largest = *llvm::max_element(
      dims, [](auto a, auto b) { return a.second < b.second; });
  std::string problem =
      selfAttention
          ? llvm::formatv("B={0} H={1} N={2} D={3}", p.batch, p.heads,
                          p.seqLenQ, p.headDim)
                .str()
          : llvm::formatv("B={0} H={1} Hkv={2} Nq={3} Nk={4} D={5}", p.batch,
                          p.heads, p.kvHeads, p.seqLenQ, p.seqLenK, p.headDim)
                .str();
  std::string reduce =
      llvm::formatv("reduce {0} = {1}", largest.first, largest.second);
  std::string nxnText = selfAttention ? "B*H*N^2" : "B*H*Nq*Nk";
  if (bytes > hostMemoryLimit)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        problem +
            (!nxn ? ""
             : !backward
                 ? " (unfused: S and P hold " + nxnText + " elements each)"
             : unfused ? " (unfused: P, dP and dS hold " + nxnText +
                             " elements "
                             "each)"
                       : " (fused, rung 2: P holds " + nxnText + " elements)") +
            " needs " + formatBytes(bytes) +
            " of host memory; the CPU run allows " +
            formatBytes(hostMemoryLimit) + ": " + reduce);
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      llvm::formatv("{0} is {1:e2} multiply-adds ({2}); the CPU run "
                    "allows {3:e2} (--max-work): {4}",
                    problem, work,
                    (backward ? "2.5*" : "") + nxnText + "*D" +
                        (backward ? " for the backward" : ""),
                    maxWork.getValue(), reduce));
}

/// Compiles a copy of `input` with one pipeline, runs every launch in order
/// on `io` (q, k, v filled; o, lse written) and returns the launch plan's
/// figures. A failure already reported as a diagnostic gives an empty error
/// message.
llvm::Expected<RunResult> runPipeline(ModuleOp input, attn::PipelineKind kind,
                                      const attn::PipelineOptions &options,
                                      const attn::tools::ToolDiagnostics &diags,
                                      const attn::rt::Problem &problem,
                                      llvm::StringMap<HostBuffer> &io) {
  MLIRContext &ctx = *input.getContext();
  unsigned errorsBefore = diags.numErrors();
  auto error = [&](const llvm::Twine &what) {
    bool reported = diags.numErrors() > errorsBefore;
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   reported ? llvm::Twine() : what);
  };
  OwningOpRef<ModuleOp> module = input.clone();
  PassManager pm(&ctx);
  buildHostPipeline(pm, kind, options);
  if (failed(pm.run(*module)))
    return error("the pipeline failed");

  // The launch plan: every tile.launch of the host function, in order,
  // with the sizes that depend on the problem evaluated for this one.
  std::vector<Launch> plan;
  RunResult result;
  SmallVector<func::FuncOp> hostFuncs;
  struct Intermediate {
    attn::rt::DType dtype;
    std::vector<int64_t> shape;
  };
  llvm::StringMap<Intermediate> intermediates;
  llvm::DenseMap<Value, attn::rt::TensorRole> roles =
      attn::rolesOfInputs(*module);
  auto evaluate = [&](const attn::rt::SizeExpr &e) -> std::optional<int64_t> {
    attn::rt::Expected<int64_t> value = e.evaluate(problem);
    return value.ok() ? std::optional<int64_t>(*value) : std::nullopt;
  };
  WalkResult walk = module->walk([&](attn::tile::LaunchOp launch) {
    Launch l{launch.getCallee().str(), {}, {}};
    for (StringRef name : launch.getNames().getAsValueRange<StringAttr>())
      l.args.push_back(name.str());
    if (!launch.getGrid().empty()) {
      FailureOr<std::array<attn::rt::SizeExpr, 3>> grid =
          attn::gridOf(launch, roles);
      if (failed(grid))
        return WalkResult::interrupt();
      for (auto [size, e] : llvm::zip(launch.getConfigAttr().getGrid(), *grid))
        if (ShapedType::isDynamic(size)) {
          std::optional<int64_t> value = evaluate(e);
          if (!value)
            return WalkResult::interrupt();
          l.gridSizes.push_back(*value);
        }
    }
    size_t numInputs = launch.getInputs().size();
    for (auto [i, out] : llvm::enumerate(launch.getOutputs())) {
      StringRef name = l.args[numInputs + i];
      if (io.count(name) || intermediates.count(name))
        continue;
      FailureOr<SmallVector<attn::rt::SizeExpr>> sizes =
          attn::outputSizesOf(launch, i, roles);
      if (failed(sizes))
        return WalkResult::interrupt();
      Intermediate buffer{
          dtypeOf(cast<ShapedType>(out.getType()).getElementType()), {}};
      for (const attn::rt::SizeExpr &e : *sizes) {
        std::optional<int64_t> value = evaluate(e);
        if (!value)
          return WalkResult::interrupt();
        buffer.shape.push_back(*value);
      }
      intermediates[name] = buffer;
    }
    plan.push_back(l);
    hostFuncs.push_back(launch->getParentOfType<func::FuncOp>());
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return error("the launches' sizes cannot be evaluated for " +
                 problem.describe());
  double bytes = 0;
  for (auto &entry : intermediates) {
    double elements = 1;
    for (int64_t d : entry.getValue().shape)
      elements *= d;
    bytes += elements * attn::rt::sizeOf(entry.getValue().dtype);
  }
  if (bytes > hostMemoryLimit)
    return error("the intermediate buffers need " + formatBytes(bytes) +
                 " of host memory; the CPU run allows " +
                 formatBytes(hostMemoryLimit));
  for (auto &entry : intermediates) {
    io[entry.getKey()] = bufferFor(entry.getKey(), entry.getValue().dtype,
                                   entry.getValue().shape);
    result.intermediateBytes += io[entry.getKey()].bytes.size();
  }
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
  for (Launch &l : plan) {
    std::vector<void *> descriptors, args;
    for (const std::string &name : l.args)
      descriptors.push_back(io[name].prepare());
    for (void *&d : descriptors)
      args.push_back(&d);
    for (int64_t &size : l.gridSizes)
      args.push_back(&size);
    if (llvm::Error e =
            (*engine)->invokePacked("_mlir_ciface_" + l.kernel, args))
      return error("running " + l.kernel +
                   " failed: " + llvm::toString(std::move(e)));
  }
  return result;
}

/// The values of `b` in row-major order of its shape.
std::vector<float> decodeAll(HostBuffer &b) {
  size_t size = attn::rt::sizeOf(b.type);
  std::vector<int64_t> offsets = b.offsets();
  std::vector<float> out(offsets.size());
  for (size_t i = 0; i < offsets.size(); ++i)
    attn::rt::decode(b.type, b.bytes.data() + offsets[i] * size, 1, &out[i]);
  return out;
}

/// An output buffer a run checks and its float64 reference.
struct Checked {
  std::string name;
  std::vector<double> reference;
  /// The name of the check whose reference norm measures this one's error
  /// when its own reference is exactly zero (dQ and dK at N = 1, where every
  /// dS is 0: a relative error would divide by zero); empty: none.
  std::string zeroScale;
};

/// How far a result is from its reference.
struct Error {
  double relative = 0; ///< ||x - ref|| / ||ref||
  double maxAbs = 0;
  int64_t nonFinite = 0;
};

double norm(const std::vector<double> &v) {
  double sq = 0;
  for (double x : v)
    sq += x * x;
  return std::sqrt(sq);
}

/// The error of `out` against `ref`, relative to ||ref||, or to
/// `zeroScale` when ||ref|| is zero.
Error compare(const std::vector<float> &out, const std::vector<double> &ref,
              double zeroScale) {
  Error e;
  double errSq = 0, refSq = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    // The lse of a row that sees no key is -inf, exactly.
    if (std::isinf(ref[i]) && out[i] == ref[i])
      continue;
    if (!std::isfinite(out[i]))
      ++e.nonFinite;
    double d = out[i] - ref[i];
    errSq += d * d;
    refSq += ref[i] * ref[i];
    e.maxAbs = std::max(e.maxAbs, std::fabs(d));
  }
  if (refSq == 0)
    refSq = zeroScale * zeroScale;
  e.relative = std::sqrt(errSq / std::max(refSq, 1e-300));
  return e;
}

/// Values uniform in [-1, 1), rounded to the element type, in the buffer
/// of `role` (in --layout) and returned in row-major order.
std::vector<float> randomInput(std::mt19937 &gen, const attn::rt::Problem &p,
                               attn::rt::TensorRole role,
                               llvm::StringMap<HostBuffer> &io) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  HostBuffer b = bufferFor(p, role);
  std::vector<float> values(size_t(p.elements(role)));
  for (float &x : values)
    x = attn::rt::roundTo(p.dtype, uniform(gen));
  encodeInto(b, values);
  io[b.name] = std::move(b);
  return values;
}

/// O and the logsumexp of the forward in float64, row by row.
void referenceForward(const attn::rt::Problem &problem,
                      const std::vector<float> (&qkv)[3],
                      std::vector<double> &o, std::vector<double> &lse) {
  int64_t rows = problem.batch * problem.heads * problem.seqLenQ;
  o.resize(rows * problem.headDim);
  lse.resize(rows);
  std::vector<double> scratch;
  for (int64_t head = 0; head < problem.batch * problem.heads; ++head)
    for (int64_t r = 0; r < problem.seqLenQ; ++r) {
      int64_t row = head * problem.seqLenQ + r;
      referenceRow(problem, qkv[0].data(), qkv[1].data(), qkv[2].data(), head,
                   r, &o[row * problem.headDim], lse[row], scratch);
    }
}

/// Packed sequences' lengths (--seq-lens, --kv-seq-lens); empty: a dense
/// batch.
struct Sequences {
  std::vector<int64_t> queries, keys;

  /// The cumulative offsets of `lengths`: S + 1 of them, from 0.
  static std::vector<int64_t> offsetsOf(const std::vector<int64_t> &lengths) {
    std::vector<int64_t> offsets = {0};
    for (int64_t length : lengths)
      offsets.push_back(offsets.back() + length);
    return offsets;
  }
};

/// The forward of packed sequences in float64, row by row, each against
/// its own sequence's keys.
void referenceSequences(const attn::rt::Problem &problem,
                        const Sequences &sequences,
                        const std::vector<float> (&qkv)[3],
                        std::vector<double> &o, std::vector<double> &lse) {
  int64_t d = problem.headDim, nq = problem.seqLenQ;
  o.assign(size_t(problem.heads * nq * d), 0.0);
  lse.assign(size_t(problem.heads * nq), 0.0);
  auto offsets = [](const std::vector<int64_t> &lengths) {
    std::vector<int64_t> wide = Sequences::offsetsOf(lengths);
    return std::vector<int32_t>(wide.begin(), wide.end());
  };
  std::vector<int32_t> cuQ = offsets(sequences.queries),
                       cuK = offsets(sequences.keys);
  std::vector<double> scratch;
  for (int64_t h = 0; h < problem.heads; ++h)
    for (int64_t r = 0; r < nq; ++r) {
      int64_t row = h * nq + r;
      attn::rt::referencePackedRow(
          problem, cuQ.data(), cuK.data(), qkv[0].data(), qkv[1].data(),
          qkv[2].data(), h, r, &o[size_t(row * d)], lse[size_t(row)], scratch);
    }
}

/// An i32 buffer of `values`, named `name`.
HostBuffer offsetsBuffer(StringRef name, const std::vector<int64_t> &values) {
  HostBuffer b =
      bufferFor(name, attn::rt::DType::I32, {int64_t(values.size())});
  for (size_t i = 0; i < values.size(); ++i) {
    int32_t value = int32_t(values[i]);
    std::memcpy(b.bytes.data() + i * sizeof(value), &value, sizeof(value));
  }
  return b;
}

/// The forward's inputs (q, k, v, and the offsets of packed sequences) in
/// `io` and its checks: o, and lse when the op returns it.
std::vector<Checked> prepareForward(attn::AttentionOp op,
                                    const attn::rt::Problem &problem,
                                    const Sequences &sequences,
                                    llvm::StringMap<HostBuffer> &io) {
  using R = attn::rt::TensorRole;
  std::mt19937 gen(seed);
  std::vector<float> qkv[3];
  R roles[] = {R::Q, R::K, R::V};
  for (int i = 0; i < 3; ++i)
    qkv[i] = randomInput(gen, problem, roles[i], io);
  io["o"] = bufferFor(problem, R::O);
  std::vector<Checked> checks(1);
  checks[0].name = "o";
  std::vector<double> lse;
  if (sequences.queries.empty()) {
    referenceForward(problem, qkv, checks[0].reference, lse);
  } else {
    io["cu_q"] = offsetsBuffer("cu_q", Sequences::offsetsOf(sequences.queries));
    io["cu_k"] = offsetsBuffer("cu_k", Sequences::offsetsOf(sequences.keys));
    referenceSequences(problem, sequences, qkv, checks[0].reference, lse);
  }
  if (op.getLse()) {
    io["lse"] = bufferFor(problem, R::Lse);
    checks.push_back({"lse", std::move(lse), ""});
  }
  return checks;
}

/// The backward's inputs in `io`: q, k, v and do random, o and lse the
/// forward's (float64, rounded as a forward kernel writes them); its checks
/// dq, dk and dv against the float64 gradients.
std::vector<Checked> prepareBackward(attn::AttentionBackwardOp op,
                                     const attn::rt::Problem &problem,
                                     llvm::StringMap<HostBuffer> &io) {
  using R = attn::rt::TensorRole;
  std::mt19937 gen(seed);
  std::vector<float> qkv[3];
  R roles[] = {R::Q, R::K, R::V};
  for (int i = 0; i < 3; ++i)
    qkv[i] = randomInput(gen, problem, roles[i], io);
  std::vector<float> dO = randomInput(gen, problem, R::DO, io);

  std::vector<double> o, lse;
  referenceForward(problem, qkv, o, lse);
  std::vector<float> oRounded(o.begin(), o.end()),
      lseF32(lse.begin(), lse.end());
  for (float &x : oRounded)
    x = attn::rt::roundTo(problem.dtype, x);
  io["o"] = bufferFor(problem, R::O);
  encodeInto(io["o"], oRounded);
  io["lse"] = bufferFor(problem, R::Lse);
  encodeInto(io["lse"], lseF32);
  for (R role : {R::DQ, R::DK, R::DV})
    io[attn::rt::nameOf(role)] = bufferFor(problem, role);

  size_t elements = qkv[0].size();
  std::vector<Checked> checks = {
      {"dq", std::vector<double>(elements), "dv"},
      {"dk", std::vector<double>(elements, 0.0), "dv"},
      {"dv", std::vector<double>(elements, 0.0), ""}};
  int64_t headElements = problem.seqLenQ * problem.headDim;
  std::vector<double> scratch;
  for (int64_t head = 0; head < problem.batch * problem.heads; ++head) {
    size_t at = head * headElements;
    referenceBackwardHead(problem, qkv[0].data(), qkv[1].data(), qkv[2].data(),
                          dO.data(), head, &checks[0].reference[at],
                          &checks[1].reference[at], &checks[2].reference[at],
                          scratch);
  }
  return checks;
}

} // namespace

/// Reads the input, runs the chosen pipelines and compares; the exit status.
int cpuRunMain() {
  if (rung != attn::Stage::Tiled && rung != attn::Stage::Online &&
      rung != attn::Stage::Promoted)
    return fail("--rung " + attn::stringifyEnum(attn::Stage(rung)) +
                ": the CPU path runs rungs 2-4 only: use tiled, online or "
                "promoted");
  if (!std::isfinite(bound) || bound < 0)
    return fail(
        "--bound=" +
        llvm::formatv("{0}", llvm::format("%g", bound.getValue())).str() +
        ": must be a positive number (0: the default by type)");
  attn::PipelineOptions options;
  if (llvm::Error error = attn::tools::readPipelineFlags(options))
    return fail(llvm::toString(std::move(error)));
  options.stopAfter = rung;
  std::vector<attn::PipelineKind> which(pipelines.begin(), pipelines.end());
  if (which.empty())
    which = {attn::PipelineKind::fused, attn::PipelineKind::unfused};

  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> input =
      attn::tools::readProblemOrFile(inputFile, inputFile.getNumOccurrences());
  if (!input)
    return fail(llvm::toString(input.takeError()));

  DialectRegistry registry;
  attn::registerCompilerDialects(registry);
  MLIRContext ctx(registry, MLIRContext::Threading::DISABLED);
  ctx.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*input), llvm::SMLoc());
  attn::tools::ToolDiagnostics diagnostics(sourceMgr, ctx);

  // The problem, read off the op.
  OwningOpRef<ModuleOp> probe =
      attn::tools::parseAttentionModule(sourceMgr, ctx);
  if (!probe)
    return 1;
  attn::ProblemOpInterface op;
  probe->walk([&](attn::ProblemOpInterface a) { op = a; });
  attn::rt::Problem problem = attn::rt::Problem::attention(
      op.getBatch(), op.getNumHeads(), op.getQuerySeqLen(), op.getHeadDim(),
      dtypeOf(op.getElementType()));
  problem.kvHeads = op.getKvHeads();
  problem.seqLenK = op.getKeySeqLen();
  // Run-time sizes: the op's are '?'; the run's come from --shape.
  if (op.hasRunTimeSizes()) {
    llvm::Expected<std::optional<attn::AttentionSpec>> spec =
        attn::tools::problemFromFlags();
    if (!spec)
      return fail(llvm::toString(spec.takeError()));
    if (!*spec)
      return fail("the attn.attention's sizes are known only at run time "
                  "('?'); attn-cpu-run runs such a module as --shape BxHxNxD "
                  "--runtime-sizes builds it");
    problem.batch = (*spec)->batch;
    problem.heads = (*spec)->heads;
    problem.seqLenQ = (*spec)->seqLen;
    problem.kvHeads = (*spec)->kvHeads ? (*spec)->kvHeads : (*spec)->heads;
    problem.seqLenK = (*spec)->seqLenK ? (*spec)->seqLenK : (*spec)->seqLen;
  }
  if (layout != "bhnd" && layout != "bnhd")
    return fail("--layout must be bhnd or bnhd, got '" + layout + "'");
  if (layout == "bnhd" && !op.hasRunTimeSizes())
    return fail("--layout bnhd needs --runtime-sizes: kernels of static sizes "
                "read packed [B,H,N,D] tensors");
  // Packed sequences: their lengths come from --seq-lens.
  Sequences sequences;
  if (auto forward = dyn_cast<attn::AttentionOp>(op.getOperation());
      forward && forward.hasSequences()) {
    llvm::Expected<std::optional<attn::AttentionSpec>> spec =
        attn::tools::problemFromFlags();
    if (!spec)
      return fail(llvm::toString(spec.takeError()));
    if (!*spec || (*spec)->seqLensQ.empty())
      return fail("the attn.attention packs sequences(...) whose lengths "
                  "only a run knows; attn-cpu-run runs such a module as "
                  "--shape 1xHxNxD --seq-lens L1,L2,... builds it");
    sequences.queries = (*spec)->seqLensQ;
    sequences.keys =
        (*spec)->seqLensK.empty() ? (*spec)->seqLensQ : (*spec)->seqLensK;
    problem.sequences = int64_t(sequences.queries.size());
    // Run-time sizes: the keys' total is their lengths' sum.
    if (op.hasRunTimeSizes())
      problem.seqLenK = std::accumulate(sequences.keys.begin(),
                                        sequences.keys.end(), int64_t(0));
  }
  problem.causal = op.getCausal();
  problem.windowLeft = op.getWindowLeft().value_or(-1);
  problem.windowRight = op.getWindowRight().value_or(-1);
  problem.scale = op.getEffectiveScale();
  auto forward = dyn_cast<attn::AttentionOp>(op.getOperation());
  problem.lse = !forward || forward.getLse();
  if (!forward)
    problem.direction = attn::rt::Direction::Backward;
  bool unfused = llvm::is_contained(which, attn::PipelineKind::unfused);
  if (llvm::Error error = checkHostMemory(problem, unfused))
    return fail(llvm::toString(std::move(error)));
  double limit = bound > 0                               ? bound.getValue()
                 : problem.dtype == attn::rt::DType::F32 ? 1e-5
                 : problem.dtype == attn::rt::DType::F16 ? 2e-3
                                                         : 1e-2;

  llvm::StringMap<HostBuffer> base;
  std::vector<Checked> checks =
      forward
          ? prepareForward(forward, problem, sequences, base)
          : prepareBackward(cast<attn::AttentionBackwardOp>(op.getOperation()),
                            problem, base);

  bool allPass = true;
  for (attn::PipelineKind kind : which) {
    std::string p = attn::stringifyEnum(kind).str();
    if (kind == attn::PipelineKind::unfused && forward && problem.lse) {
      llvm::outs() << "SKIP unfused: it does not produce the logsumexp\n";
      continue;
    }
    llvm::StringMap<HostBuffer> io;
    for (auto &entry : base)
      io[entry.getKey()] = entry.getValue();
    llvm::Expected<RunResult> run =
        runPipeline(*probe, kind, options, diagnostics, problem, io);
    if (!run) {
      std::string message = llvm::toString(run.takeError());
      return message.empty() ? 1 : fail(p + ": " + message);
    }
    // The first check is the line's main figure (O, or dQ), the others are
    // named after it.
    bool pass = true;
    std::string errors;
    Error first;
    for (auto [i, check] : llvm::enumerate(checks)) {
      double zeroScale = 0;
      for (const Checked &other : checks)
        if (other.name == check.zeroScale)
          zeroScale = norm(other.reference);
      Error e = compare(decodeAll(io[check.name]), check.reference, zeroScale);
      pass &= e.nonFinite == 0 && e.relative <= limit;
      if (i == 0)
        first = e;
      else
        errors += llvm::formatv(" {0}_rel_err={1:e2}", check.name, e.relative);
    }
    allPass &= pass;
    // "H=4 N=17", or "H=4 Hkv=2 Nq=17 Nk=40" when the key side differs.
    std::string sizes =
        problem.kvHeads == problem.heads && problem.seqLenK == problem.seqLenQ
            ? llvm::formatv("H={0} N={1}", problem.heads, problem.seqLenQ).str()
            : llvm::formatv("H={0} Hkv={1} Nq={2} Nk={3}", problem.heads,
                            problem.kvHeads, problem.seqLenQ, problem.seqLenK)
                  .str();
    if (problem.sequences)
      sizes += llvm::formatv(" S={0}", problem.sequences).str();
    std::string rungName = kind == attn::PipelineKind::fused
                               ? attn::stringifyEnum(attn::Stage(rung)).str()
                               : std::string("unfused");
    llvm::outs() << llvm::formatv(
        "{0} {1} {2}{3} rung={4} B={5} {6} D={7} causal={8} "
        "{9}rel_err={10:e2} max_abs={11:e2} bound={12:e0}{13} non_finite={14} "
        "gpu_extra_mem_bytes={15}\n",
        pass ? "PASS" : "FAIL", p, attn::rt::nameOf(problem.dtype),
        forward ? "" : " backward", rungName, problem.batch, sizes,
        problem.headDim, problem.causal ? 1 : 0, forward ? "" : "dq_",
        first.relative, first.maxAbs, limit, errors, first.nonFinite,
        run->intermediateBytes);
  }
  return allPass ? 0 : 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  attn::tools::showOnlyToolOptions(toolCategory);
  attn::parseCommandLineOrExit(
      argc, argv,
      "attn-cpu-run: runs attention IR on the CPU and checks it against a "
      "float64 reference\n\n"
      "  attn-cpu-run FILE.mlir [options]\n"
      "  attn-cpu-run --shape BxHxNxD [--dtype ...] [options]\n");
  std::string what = inputFile.getNumOccurrences()
                         ? "running '" + inputFile + "'"
                         : std::string("running the --shape problem");
  return attn::tools::runToolSafely("attn-cpu-run", what, cpuRunMain);
}
