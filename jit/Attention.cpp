//===- Attention.cpp - JIT-compile and launch attention from C++ ----------===//
//
// compile(): validate, hash, look in the in-process table, then in the disk
// cache, else run the pipeline (compileAttention) and fill both; on a GPU
// host load the module (the driver compiles the PTX) into the runtime's
// launcher (rt::Pipeline).
// launch(): check the tensors, then hand them to the launcher by role.
//
//===----------------------------------------------------------------------===//
#include "jit/Attention.h"

#include "compiler/Support/CrashRecovery.h"
#include "compiler/Target/Chip.h"
#include "compiler/Target/Compile.h"
#include "jit/DiskCache.h"
#include "jit/Version.inc"
#include "runtime/Device.h"
#include "runtime/Instantiate.h"
#include "runtime/Pipeline.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

using attn::rt::Status;
using attn::rt::StatusCode;

namespace attn::jit {

//===----------------------------------------------------------------------===//
// Descriptions
//===----------------------------------------------------------------------===//

static rt::DType dtypeOf(ElementType type) {
  return type == ElementType::F16    ? rt::DType::F16
         : type == ElementType::BF16 ? rt::DType::BF16
                                     : rt::DType::F32;
}

static const char *nameOf(ElementType type) {
  return rt::nameOf(dtypeOf(type));
}

static const char *nameOf(Pipeline pipeline) {
  return pipeline == Pipeline::Fused ? "fused" : "unfused";
}

static Status invalid(const std::string &message) {
  return Status::error(StatusCode::InvalidArgument, message);
}

/// Checks what description and text compiles share: pipeline and chip.
static Status validateOptions(const CompileOptions &options) {
  if (options.pipeline != Pipeline::Fused &&
      options.pipeline != Pipeline::Unfused)
    return invalid("pipeline must be Pipeline::Fused or Pipeline::Unfused");
  if (!options.chip.empty() && !parseChip(options.chip))
    return invalid("chip '" + options.chip + "' is not supported: use " +
                   supportedChipNames() +
                   ", or leave it empty for the "
                   "device's");
  const Tuning &t = options.tuning;
  struct Knob {
    const char *name;
    int64_t value;
  } knobs[] = {
      {"blockM", t.blockM}, {"blockN", t.blockN}, {"numWarps", t.numWarps}};
  for (const Knob &knob : knobs)
    if (knob.value < 0)
      return invalid(std::string("tuning.") + knob.name + " is " +
                     std::to_string(knob.value) +
                     "; use a positive value, or 0 for the default");
  // The compiler's own rules, with the JIT's field names.
  PipelineOptions pipelineOptions;
  pipelineOptions.blockM = t.blockM;
  pipelineOptions.blockN = t.blockN;
  pipelineOptions.numWarps = t.numWarps;
  pipelineOptions.numStages = t.numStages;
  pipelineOptions.splitKeys = t.splitKeys;
  if (llvm::Error error = validateOptions(pipelineOptions))
    return invalid("tuning: " + llvm::toString(std::move(error)));
  return Status::success();
}

Status validate(const AttentionDesc &desc) {
  if (desc.elementType != ElementType::F16 &&
      desc.elementType != ElementType::BF16 &&
      desc.elementType != ElementType::F32)
    return invalid("elementType must be F16, BF16 or F32");
  if (desc.sizes != Sizes::AtLaunch && desc.sizes != Sizes::Compiled)
    return invalid("sizes must be Sizes::AtLaunch or Sizes::Compiled");
  struct Extent {
    const char *name;
    int64_t value;
    int64_t minimum;
  } extents[] = {{"batch (B)", desc.batch, 1},
                 {"heads (H)", desc.heads, 1},
                 {"seqLen (N)", desc.seqLen, 1},
                 {"kvHeads (Hkv)", desc.kvHeads, 0},
                 {"seqLenK (Nk)", desc.seqLenK, 0}};
  if (desc.sequences < 0)
    return invalid("sequences (S) is " + std::to_string(desc.sequences) +
                   "; it must be at least 1, or 0 for a dense batch");
  if (desc.sequences && desc.sizes == Sizes::Compiled && desc.batch != 1)
    return invalid("sequences (S) = " + std::to_string(desc.sequences) +
                   " with batch (B) = " + std::to_string(desc.batch) +
                   ": packed sequences are one batch along N (B = 1)");
  if (desc.sequences && desc.direction == Direction::Backward)
    return invalid("sequences: the backward takes a dense batch, so far");
  for (const Extent &extent : extents)
    if (extent.value < extent.minimum)
      return invalid(std::string(extent.name) + " is " +
                     std::to_string(extent.value) + "; it must be at least " +
                     std::to_string(extent.minimum) +
                     (extent.minimum ? "" : " (0: the query side's)"));
  // The MMA contraction step: k16 for 16-bit types, k8 for TF32.
  int64_t step = desc.elementType == ElementType::F32 ? 8 : 16;
  if (desc.headDim < step || desc.headDim > 256 || desc.headDim % step != 0)
    return invalid("head dimension D = " + std::to_string(desc.headDim) +
                   " is not supported for " + nameOf(desc.elementType) +
                   ": D must be a multiple of " + std::to_string(step) +
                   " (the MMA contraction step) and at most 256");
  if (desc.scale && (!std::isfinite(*desc.scale) || *desc.scale <= 0))
    return invalid("scale is " + std::to_string(*desc.scale) +
                   "; it must be positive and finite (leave it unset for "
                   "1/sqrt(D))");
  // The op keeps the scale as an f32: it must be a normal f32.
  if (desc.scale && (*desc.scale > FLT_MAX || *desc.scale < FLT_MIN)) {
    std::string text;
    llvm::raw_string_ostream(text) << llvm::format("%g", *desc.scale);
    return invalid("scale is " + text +
                   ", outside the range of an f32 (the attention op stores "
                   "it as one): use a value from 1.2e-38 to 3.4e38");
  }
  if (desc.direction != Direction::Forward &&
      desc.direction != Direction::Backward)
    return invalid("direction must be Direction::Forward or Backward");
  if (desc.direction == Direction::Backward) {
    // What attn.attention_backward takes so far (its verifier's rules).
    if (desc.sizes != Sizes::Compiled)
      return invalid("direction Backward needs sizes = Sizes::Compiled: the "
                     "backward's kernels have their sizes compiled in, so "
                     "far");
    if ((desc.kvHeads && desc.kvHeads != desc.heads) ||
        (desc.seqLenK && desc.seqLenK != desc.seqLen))
      return invalid("direction Backward takes kvHeads = heads and seqLenK = "
                     "seqLen (or 0), so far; got kvHeads " +
                     std::to_string(desc.kvHeads) + ", seqLenK " +
                     std::to_string(desc.seqLenK));
    if (desc.windowLeft >= 0 || desc.windowRight >= 0)
      return invalid("direction Backward: sliding windows are forward only, "
                     "so far");
  }
  // The tensors must be addressable with the kernels' 64-bit offsets and the
  // unfused workspace (2 * B*H*N*N elements) must be countable.
  if (Status status = desc.problem().validate(); !status.ok())
    return status;
  return validateOptions(desc.compileOptions());
}

rt::Problem AttentionDesc::problem() const {
  rt::Problem problem = rt::Problem::attention(batch, heads, seqLen, headDim,
                                               dtypeOf(elementType));
  problem.kvHeads = kvHeads ? kvHeads : heads;
  problem.seqLenK = seqLenK ? seqLenK : seqLen;
  if (sizes == Sizes::AtLaunch)
    problem.batch = problem.heads = problem.kvHeads = problem.seqLenQ =
        problem.seqLenK = rt::kDynamicSize;
  if (sequences)
    problem.sequences = sizes == Sizes::AtLaunch ? rt::kDynamicSize : sequences;
  problem.causal = causal;
  problem.windowLeft = windowLeft;
  problem.windowRight = windowRight;
  problem.scale = scale;
  problem.lse = lse || direction == Direction::Backward;
  if (direction == Direction::Backward)
    problem.direction = rt::Direction::Backward;
  problem.pipeline = pipeline == Pipeline::Unfused ? rt::PipelineKind::Unfused
                                                   : rt::PipelineKind::Fused;
  return problem;
}

std::string toMlir(const AttentionDesc &desc) {
  return buildAttentionModule(desc.problem());
}

//===----------------------------------------------------------------------===//
// Process-wide state
//===----------------------------------------------------------------------===//

namespace {

/// The switches of the environment, read at every compile().
struct Environment {
  bool cacheDisabled = false;
  std::string cacheDirectory;
  std::string dumpDirectory;
  bool passTiming = false;

  static Environment read() {
    auto get = [](const char *name) -> std::string {
      const char *value = std::getenv(name);
      return value ? value : "";
    };
    auto isOn = [](const std::string &value) {
      return !value.empty() && value != "0";
    };
    Environment env;
    env.cacheDisabled = isOn(get("ATTN_DISABLE_CACHE"));
    env.dumpDirectory = get("ATTN_DUMP_DIR");
    env.passTiming = isOn(get("ATTN_PASS_TIMING"));
    env.cacheDirectory = get("ATTN_CACHE_DIR");
    if (env.cacheDirectory.empty()) {
      llvm::SmallString<256> dir;
      std::string xdg = get("XDG_CACHE_HOME");
      if (!xdg.empty()) {
        dir = xdg;
      } else if (std::string home = get("HOME"); !home.empty()) {
        dir = home;
        llvm::sys::path::append(dir, ".cache");
      }
      if (!dir.empty()) {
        llvm::sys::path::append(dir, "attn");
        env.cacheDirectory = std::string(dir);
      }
    }
    return env;
  }

  /// Debugging switches need the passes to run, so they bypass the caches.
  bool useCaches() const {
    return !cacheDisabled && dumpDirectory.empty() && !passTiming;
  }

  /// useCaches() of the environment, without reading the rest of it.
  static bool cachesEnabled() {
    auto isOn = [](const char *name) {
      const char *value = std::getenv(name);
      return value && *value && std::string_view(value) != "0";
    };
    const char *dump = std::getenv("ATTN_DUMP_DIR");
    return !isOn("ATTN_DISABLE_CACHE") && !(dump && *dump) &&
           !isOn("ATTN_PASS_TIMING");
  }
};

struct JitState {
  std::mutex mutex;
  CompileCounts counts;
  /// By cache key (IR text, options, chip, version).
  llvm::DenseMap<uint64_t, std::shared_ptr<const Kernel>> kernels;
  /// By description: a hit needs neither the MLIR text nor its hash.
  llvm::DenseMap<uint64_t, std::shared_ptr<const Kernel>> byDescription;
  std::function<void(const std::string &)> reporter;
};

/// Never destroyed: kernels hold driver objects that must not be released
/// while the process exits.
JitState &state() {
  static JitState *jit = new JitState();
  return *jit;
}

void report(const std::string &message) {
  std::function<void(const std::string &)> reporter;
  {
    std::lock_guard<std::mutex> lock(state().mutex);
    reporter = state().reporter;
  }
  if (reporter)
    reporter(message);
  else
    llvm::errs() << "attn: warning: " << message << "\n";
}

std::string hex(uint64_t value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format_hex_no_prefix(value, 16);
  return text;
}

/// Pipeline, chip and options, as they enter the cache key.
std::string describeOptions(const CompileOptions &options) {
  const Tuning &t = options.tuning;
  return std::string("pipeline=") + nameOf(options.pipeline) +
         " chip=" + options.chip + " block-m=" + std::to_string(t.blockM) +
         " block-n=" + std::to_string(t.blockN) +
         " num-warps=" + std::to_string(t.numWarps) +
         " num-stages=" + std::to_string(t.numStages) +
         " split-keys=" + std::to_string(t.splitKeys);
}

/// Everything a cache key is hashed from: compiler version, options (with
/// the chip resolved) and the input text. Disk entries keep it, so that an
/// entry is only ever loaded for the request it was made for.
std::string keyMaterial(std::string_view mlirText,
                        const CompileOptions &options) {
  std::string material = ATTN_COMPILER_VERSION;
  material += '\0';
  material += describeOptions(options);
  material += '\0';
  material.append(mlirText.data(), mlirText.size());
  return material;
}

} // namespace

const char *compilerVersion() { return ATTN_COMPILER_VERSION; }

std::string cacheDirectory() {
  Environment env = Environment::read();
  return env.useCaches() ? env.cacheDirectory : std::string();
}

CompileCounts compileCounts() {
  std::lock_guard<std::mutex> lock(state().mutex);
  return state().counts;
}

void clearInProcessCache() {
  std::lock_guard<std::mutex> lock(state().mutex);
  state().kernels.clear();
  state().byDescription.clear();
}

void setCacheReporter(std::function<void(const std::string &)> reporter) {
  std::lock_guard<std::mutex> lock(state().mutex);
  state().reporter = std::move(reporter);
}

rt::Expected<rt::Context *> context() {
  static const rt::Expected<rt::Context *> *result = [] {
    rt::Expected<std::unique_ptr<rt::Context>> created = rt::Context::create(0);
    if (!created.ok())
      return new rt::Expected<rt::Context *>(created.status());
    // Never destroyed, like the kernels loaded on it.
    return new rt::Expected<rt::Context *>(created.take().release());
  }();
  return *result;
}

//===----------------------------------------------------------------------===//
// Kernel
//===----------------------------------------------------------------------===//

/// A Kernel on the GPU: the runtime's launcher over the loaded module.
struct Kernel::Loaded {
  rt::Context *context = nullptr;
  std::unique_ptr<rt::Pipeline> pipeline;
};

Kernel::Kernel() = default;
Kernel::~Kernel() = default;

bool Kernel::loaded() const { return loaded_ != nullptr; }

/// Builds Kernels, which only this file may construct.
struct KernelFactory {
  static rt::Expected<std::shared_ptr<Kernel>>
  create(std::string ptx, const CompileOptions &options,
         const std::string &material, Origin origin);
  static Status load(Kernel &kernel);
};

Status KernelFactory::load(Kernel &kernel) {
  rt::Expected<rt::Context *> ctx = context();
  if (!ctx.ok())
    return ctx.status();
  rt::Context &context = **ctx;
  if (Status status = context.makeCurrent(); !status.ok())
    return status;
  int capability = context.computeCapability();
  const ChipInfo &chip = chipInfo(*parseChip(kernel.chip_));
  if (capability < chip.capability || (chip.hasWgmma && capability != 90))
    return Status::error(StatusCode::InvalidArgument,
                         "the kernel was compiled for " + kernel.chip_ +
                             " but device 0 (" + context.deviceName() +
                             ") is sm_" + std::to_string(capability) +
                             ": leave the chip empty to compile for the "
                             "device's");

  std::string name = "attn-" + hex(kernel.key_);
  auto loaded = std::make_unique<Kernel::Loaded>();
  loaded->context = &context;

  // The driver compiles the PTX as a whole program (its own cache keeps
  // the result). Not through cuLink* to a cubin for our cache: the linker
  // compiles PTX as relocatable code, which ignores setmaxnreg and
  // serializes wgmma (ptxas C7504, C7509); the H100 ran such a wgmma
  // kernel 1.6x slower (bench/NOTES.md, 2026-12-06).
  rt::Expected<rt::Module> module =
      rt::Module::loadPtx(context, kernel.ptx_, name);
  if (!module.ok())
    return module.status();
  rt::Expected<rt::Pipeline> pipeline =
      rt::Pipeline::create(context, kernel.manifest_, module.take(), name);
  if (!pipeline.ok())
    return pipeline.status();
  loaded->pipeline = std::make_unique<rt::Pipeline>(pipeline.take());
  kernel.loaded_ = std::move(loaded);
  return Status::success();
}

rt::Expected<std::shared_ptr<Kernel>>
KernelFactory::create(std::string ptx, const CompileOptions &options,
                      const std::string &material, Origin origin) {
  std::shared_ptr<Kernel> kernel(new Kernel());
  uint64_t key = llvm::xxh3_64bits(material);
  rt::Expected<rt::Manifest> manifest =
      rt::parseManifest(ptx, "attn-" + hex(key));
  if (!manifest.ok())
    return manifest.status();
  kernel->ptx_ = std::move(ptx);
  kernel->manifest_ = manifest.take();
  kernel->pipeline_ = options.pipeline;
  kernel->chip_ = options.chip;
  kernel->key_ = key;
  kernel->origin_ = origin;
  // Without a GPU the kernel is PTX only; launch() says why.
  Status status = load(*kernel);
  if (!status.ok() && !status.isUnavailable())
    return status;
  return kernel;
}

/// The tensors of a launch, by role; strides as given (empty: packed). A
/// shape left out is its counterpart's: O's Q's, V's K's, lse's the first
/// three of Q's, the key offsets' the query offsets'.
static rt::TensorBindings bindingsOf(const ForwardTensors &t) {
  rt::TensorBindings tensors;
  using R = rt::TensorRole;
  auto arg = [](const TensorRef &t, const std::vector<int64_t> &fallback) {
    return rt::TensorArg(t.address, t.strides, 0,
                         t.shape.empty() ? fallback : t.shape);
  };
  const std::vector<int64_t> &q = t.query.shape;
  tensors.bind(R::Q, arg(t.query, {}));
  tensors.bind(R::K, arg(t.key, {}));
  tensors.bind(R::V, arg(t.value, t.key.shape));
  tensors.bind(R::O, arg(t.output, q));
  if (t.lse.address) {
    std::vector<int64_t> rows(q.begin(),
                              q.begin() + std::min<size_t>(3, q.size()));
    tensors.bind(R::Lse, arg(t.lse, rows));
  }
  if (t.queryOffsets.address)
    tensors.bind(R::CuQ, arg(t.queryOffsets, {}));
  if (t.keyOffsets.address)
    tensors.bind(R::CuK, arg(t.keyOffsets, t.queryOffsets.shape));
  return tensors;
}

static ForwardTensors forwardTensors(const TensorRef &q, const TensorRef &k,
                                     const TensorRef &v, const TensorRef &o,
                                     const TensorRef *lse) {
  ForwardTensors t{q, k, v, o, {}, {}, {}};
  if (lse)
    t.lse = *lse;
  return t;
}

Status Kernel::checkTensors(const TensorRef &q, const TensorRef &k,
                            const TensorRef &v, const TensorRef &o,
                            const TensorRef *lse) const {
  // A null lse pointer is "not given", as an address of 0.
  if (lse && !lse->address)
    return invalid("lse: its address is 0 (null)");
  return checkTensors(forwardTensors(q, k, v, o, lse));
}

Status Kernel::checkTensors(const ForwardTensors &t) const {
  if (Status status = checkDirection(rt::Direction::Forward); !status.ok())
    return status;
  const rt::Problem &p = manifest_.problem;
  if (p.lse && !t.lse.address)
    return invalid("lse: this kernel writes the logsumexp (it was compiled "
                   "with lse); pass an f32 [B,H,N] lse tensor");
  if (!p.lse && t.lse.address)
    return invalid("lse: given, but this kernel was compiled without the "
                   "logsumexp; set AttentionDesc::lse to get it");
  bool packed = p.sequences != 0;
  for (auto [name, offsets] : {std::pair{"queryOffsets", &t.queryOffsets},
                               std::pair{"keyOffsets", &t.keyOffsets}}) {
    if (packed && !offsets->address)
      return invalid(std::string(name) +
                     ": this kernel packs sequences (AttentionDesc::"
                     "sequences); pass their i32 [S+1] offsets");
    if (!packed && offsets->address)
      return invalid(std::string(name) +
                     ": given, but this kernel takes a dense batch; set "
                     "AttentionDesc::sequences to pack sequences");
  }
  rt::TensorBindings tensors = bindingsOf(t);
  // Sizes known at launch: the manifest for these tensors, then its checks.
  rt::Expected<rt::Manifest> instance = rt::instantiate(manifest_, tensors);
  if (!instance.ok())
    return instance.status();
  return rt::checkBindings(*instance, tensors);
}

Status Kernel::checkDirection(rt::Direction direction) const {
  if (manifest_.problem.direction == direction)
    return Status::success();
  if (direction == rt::Direction::Forward)
    return invalid("this kernel computes the gradient (Direction::Backward): "
                   "launch it with launchBackward()");
  return invalid("this kernel computes the forward: launchBackward() needs "
                 "one compiled with direction = Direction::Backward");
}

/// The tensors of a backward launch, by role; a shape left out is the
/// packed one of the problem's sizes.
static rt::TensorBindings bindingsOf(const BackwardTensors &t) {
  rt::TensorBindings tensors;
  using R = rt::TensorRole;
  std::pair<R, const TensorRef *> roles[] = {
      {R::DO, &t.gradOutput}, {R::Q, &t.query},    {R::K, &t.key},
      {R::V, &t.value},       {R::O, &t.output},   {R::Lse, &t.lse},
      {R::DQ, &t.gradQuery},  {R::DK, &t.gradKey}, {R::DV, &t.gradValue}};
  for (auto [role, ref] : roles)
    tensors.bind(role,
                 rt::TensorArg(ref->address, ref->strides, 0, ref->shape));
  return tensors;
}

Status Kernel::checkBackwardTensors(const BackwardTensors &tensors) const {
  if (Status status = checkDirection(rt::Direction::Backward); !status.ok())
    return status;
  rt::TensorBindings bindings = bindingsOf(tensors);
  rt::Expected<rt::Manifest> instance = rt::instantiate(manifest_, bindings);
  if (!instance.ok())
    return instance.status();
  return rt::checkBindings(*instance, bindings);
}

Status Kernel::launchBackward(const BackwardTensors &tensors,
                              CUstream_st *stream) const {
  if (Status status = checkBackwardTensors(tensors); !status.ok())
    return status;
  return launchChecked(bindingsOf(tensors), stream);
}

Status Kernel::launch(const TensorRef &q, const TensorRef &k,
                      const TensorRef &v, const TensorRef &o,
                      CUstream_st *stream) const {
  return launch(forwardTensors(q, k, v, o, nullptr), stream);
}

Status Kernel::launch(const TensorRef &q, const TensorRef &k,
                      const TensorRef &v, const TensorRef &o,
                      const TensorRef &lse, CUstream_st *stream) const {
  if (Status status = checkTensors(q, k, v, o, &lse); !status.ok())
    return status;
  return launchChecked(bindingsOf(forwardTensors(q, k, v, o, &lse)), stream);
}

Status Kernel::launch(const ForwardTensors &tensors,
                      CUstream_st *stream) const {
  if (Status status = checkTensors(tensors); !status.ok())
    return status;
  return launchChecked(bindingsOf(tensors), stream);
}

Status Kernel::launchChecked(const rt::TensorBindings &tensors,
                             CUstream_st *stream) const {
  const Loaded *loaded = loaded_.get();
  if (!loaded) {
    // Kernels that fail to load for any other reason are not handed out.
    rt::Expected<rt::Context *> ctx = context();
    Status why =
        ctx.ok() ? Status::error(StatusCode::NoDevice, "no GPU") : ctx.status();
    return why.withContext("cannot launch: the kernel is not loaded on a GPU");
  }
  if (Status status = loaded->context->makeCurrent(); !status.ok())
    return status;
  return loaded->pipeline->run(tensors, stream);
}

//===----------------------------------------------------------------------===//
// compile()
//===----------------------------------------------------------------------===//

/// Writes `text` to `<directory>/<name>` for ATTN_DUMP_DIR.
static Status writeDumpFile(llvm::StringRef directory, llvm::StringRef name,
                            llvm::StringRef text) {
  llvm::SmallString<256> path(directory);
  llvm::sys::path::append(path, name);
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (!error) {
    os << text;
    os.close();
    error = os.error();
    os.clear_error();
  }
  if (error)
    return Status::error(StatusCode::IoError, "ATTN_DUMP_DIR: cannot write '" +
                                                  std::string(path) +
                                                  "': " + error.message());
  return Status::success();
}

/// Runs the pipeline with the environment's debugging switches.
static rt::Expected<std::string> runPipeline(std::string_view mlirText,
                                             const CompileOptions &options,
                                             uint64_t key,
                                             const Environment &env) {
  PipelineOptions pipelineOptions;
  pipelineOptions.blockM = options.tuning.blockM;
  pipelineOptions.blockN = options.tuning.blockN;
  pipelineOptions.numWarps = options.tuning.numWarps;
  pipelineOptions.numStages = options.tuning.numStages;
  pipelineOptions.splitKeys = options.tuning.splitKeys;
  pipelineOptions.chip = *parseChip(options.chip);

  std::string dumpDirectory;
  if (!env.dumpDirectory.empty()) {
    llvm::SmallString<256> dir(env.dumpDirectory);
    llvm::sys::path::append(dir, std::string(nameOf(options.pipeline)) + "-" +
                                     hex(key));
    if (std::error_code error = llvm::sys::fs::create_directories(dir))
      return Status::error(StatusCode::IoError,
                           "ATTN_DUMP_DIR: cannot create '" + std::string(dir) +
                               "': " + error.message());
    dumpDirectory = std::string(dir);
    if (Status status =
            writeDumpFile(dumpDirectory, "input.mlir",
                          llvm::StringRef(mlirText.data(), mlirText.size()));
        !status.ok())
      return status;
  }
  CompileHooks hooks;
  hooks.configurePassManager = [&](mlir::PassManager &pm) {
    // Every pass on the crash-guarded thread: a crash on a thread of the
    // context's pool would not be caught.
    pm.getContext()->disableMultithreading();
    // The IR after every pass that changed it, one file each, in MLIR's
    // file tree (a directory per op the passes ran on).
    if (!dumpDirectory.empty())
      pm.enableIRPrintingToFileTree(
          /*shouldPrintBeforePass=*/[](mlir::Pass *,
                                       mlir::Operation *) { return false; },
          /*shouldPrintAfterPass=*/
          [](mlir::Pass *, mlir::Operation *) { return true; },
          /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/true,
          /*printAfterOnlyOnFailure=*/false, dumpDirectory);
    if (env.passTiming)
      pm.enableTiming(); // Printed to stderr when the pass manager ends.
  };
  // The parser and the passes have inputs that crash them (upstream bugs,
  // stack overflows on deep nesting): a crash is an error like any other.
  // compileAttention makes a fresh MLIRContext, so nothing a crash leaves
  // half-updated is used again.
  std::optional<CompiledAttention> compiled;
  llvm::Error error = runCrashSafely(
      [&]() -> llvm::Error {
        llvm::Expected<CompiledAttention> result = compileAttention(
            llvm::StringRef(mlirText.data(), mlirText.size()),
            options.pipeline == Pipeline::Fused ? PipelineKind::fused
                                                : PipelineKind::unfused,
            pipelineOptions, hooks);
        if (!result)
          return result.takeError();
        compiled = std::move(*result);
        return llvm::Error::success();
      },
      "parsing and compiling the module");
  if (error)
    return Status::error(StatusCode::InvalidArgument,
                         "attn compiler: " + toString(std::move(error)));
  if (!dumpDirectory.empty()) {
    if (Status status =
            writeDumpFile(dumpDirectory, "final.ptx", compiled->ptx);
        !status.ok())
      return status;
    llvm::errs() << "attn: dumped the IR after each pass and the PTX to "
                 << dumpDirectory << "\n";
  }
  return std::move(compiled->ptx);
}

/// The chip to compile for: the one asked for, else device 0's, else (no
/// GPU here) sm_90.
static rt::Expected<std::string> resolveChip(const std::string &requested) {
  if (!requested.empty())
    return requested;
  rt::Expected<rt::Context *> ctx = context();
  if (!ctx.ok())
    return std::string(chipInfo(Chip::SM90).name);
  int capability = (*ctx)->computeCapability();
  std::optional<Chip> chip = chipForDevice(capability / 10, capability % 10);
  if (!chip)
    return invalid("device 0 (" + (*ctx)->deviceName() + ") is sm_" +
                   std::to_string(capability) +
                   ", older than every chip attn generates code for (" +
                   supportedChipNames() + ")");
  return std::string(chipInfo(*chip).name);
}

rt::Expected<std::shared_ptr<const Kernel>>
compile(std::string_view mlirText, const CompileOptions &requested) {
  if (Status status = validateOptions(requested); !status.ok())
    return status;
  CompileOptions options = requested;
  rt::Expected<std::string> chip = resolveChip(requested.chip);
  if (!chip.ok())
    return chip.status();
  options.chip = chip.take();
  Environment env = Environment::read();
  std::string material = keyMaterial(mlirText, options);
  uint64_t key = llvm::xxh3_64bits(material);
  bool useCaches = env.useCaches();
  if (useCaches) {
    std::lock_guard<std::mutex> lock(state().mutex);
    auto found = state().kernels.find(key);
    if (found != state().kernels.end()) {
      ++state().counts.memoryHits;
      return found->second;
    }
  }

  std::optional<DiskCache> cache;
  if (useCaches && !env.cacheDirectory.empty())
    cache.emplace(env.cacheDirectory, report);
  std::string entry = hex(key) + ".ptx";
  rt::Expected<std::shared_ptr<Kernel>> kernel =
      Status::error(StatusCode::IoError, "not found in the cache");
  if (cache)
    if (std::optional<std::string> ptx = cache->load(entry, material)) {
      kernel = KernelFactory::create(std::move(*ptx), options, material,
                                     Origin::DiskCache);
      if (kernel.ok()) {
        std::lock_guard<std::mutex> lock(state().mutex);
        ++state().counts.diskHits;
      }
      // An entry with a sound checksum and key and an unreadable manifest
      // was written by a compiler whose version string did not change:
      // rebuild.
      if (!kernel.ok() && kernel.status().code() == StatusCode::ParseError)
        report("cache entry '" + cache->path(entry) +
               "' holds no valid manifest (" + kernel.status().message() +
               "); rebuilding it");
    }
  if (!kernel.ok()) {
    rt::Expected<std::string> ptx = runPipeline(mlirText, options, key, env);
    {
      std::lock_guard<std::mutex> lock(state().mutex);
      ++state().counts.compiled;
    }
    if (!ptx.ok())
      return ptx.status();
    if (cache)
      cache->store(entry, material, *ptx);
    kernel =
        KernelFactory::create(ptx.take(), options, material, Origin::Compiled);
    if (!kernel.ok())
      return kernel.status();
  }

  std::shared_ptr<const Kernel> result = kernel.take();
  if (useCaches) {
    // Two threads may compile one key at once: both get the first one in.
    std::lock_guard<std::mutex> lock(state().mutex);
    auto inserted = state().kernels.try_emplace(key, result);
    return inserted.first->second;
  }
  return result;
}

/// A hash of every field of `desc` that the kernel depends on, for the
/// in-process table only (not the sizes of a kernel of Sizes::AtLaunch).
static uint64_t descriptionKey(const AttentionDesc &desc) {
  bool atLaunch = desc.sizes == Sizes::AtLaunch;
  int64_t fields[] = {int64_t(desc.elementType),
                      int64_t(desc.sizes),
                      atLaunch ? 0 : desc.batch,
                      atLaunch ? 0 : desc.heads,
                      atLaunch ? 0 : desc.seqLen,
                      atLaunch ? 0 : desc.kvHeads,
                      atLaunch ? 0 : desc.seqLenK,
                      desc.headDim,
                      desc.causal,
                      desc.windowLeft,
                      desc.windowRight,
                      desc.scale.has_value(),
                      0,
                      desc.lse || desc.direction == Direction::Backward,
                      int64_t(desc.pipeline),
                      desc.tuning.blockM,
                      desc.tuning.blockN,
                      desc.tuning.numWarps,
                      desc.tuning.numStages,
                      desc.tuning.splitKeys,
                      int64_t(desc.direction),
                      atLaunch ? desc.sequences != 0 : desc.sequences};
  if (desc.scale)
    std::memcpy(&fields[12], &*desc.scale, sizeof(double));
  std::string bytes(reinterpret_cast<const char *>(fields), sizeof fields);
  bytes += desc.chip;
  return llvm::xxh3_64bits(bytes);
}

rt::Expected<std::shared_ptr<const Kernel>> compile(const AttentionDesc &desc) {
  // A description compiled before: one hash and one lookup.
  uint64_t descKey = descriptionKey(desc);
  bool useCaches = Environment::cachesEnabled();
  if (useCaches) {
    std::lock_guard<std::mutex> lock(state().mutex);
    auto found = state().byDescription.find(descKey);
    if (found != state().byDescription.end()) {
      ++state().counts.memoryHits;
      return found->second;
    }
  }
  if (Status status = validate(desc); !status.ok())
    return status;
  rt::Expected<std::shared_ptr<const Kernel>> kernel =
      compile(toMlir(desc), desc.compileOptions());
  if (kernel.ok() && useCaches) {
    std::lock_guard<std::mutex> lock(state().mutex);
    state().byDescription.try_emplace(descKey, *kernel);
  }
  return kernel;
}

} // namespace attn::jit
