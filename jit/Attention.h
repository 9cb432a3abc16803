//===- Attention.h - JIT-compile and launch attention from C++ -*- C++ -*-===//
//
// The public C++ API of attn: describe an attention, get a kernel, launch it
// on your own device pointers.
//
//   attn::jit::AttentionDesc desc;
//   desc.elementType = attn::jit::ElementType::BF16;
//   desc.headDim = 128;
//   desc.causal = true;
//   auto kernel = attn::jit::compile(desc);          // PTX, loaded on a GPU
//   if (!kernel.ok()) { print(kernel.status().message()); return; }
//   // Any B, H, N (and Hkv, Nk for K and V), any strides with the last
//   // dimension contiguous: the tensors say what they are.
//   attn::rt::Status s = (*kernel)->launch({q, {4, 16, 4096, 128}},
//                                          {k, {4, 16, 4096, 128}},
//                                          {v}, {o}, stream);
//
// Errors are values (attn::rt::Status, attn::rt::Expected<T>), never
// exceptions or aborts: a bad description, a refused tensor or a compiler
// diagnostic comes back as a Status whose message says what to change. That
// holds for any MLIR text: the compiler runs on a thread of its own under a
// crash guard, so text that crashes MLIR's parser is an error too.
//
// Caching. compile() looks in an in-process table (the same description
// returns the same Kernel object), then in a disk cache, then compiles and
// fills both. The disk cache lives in $ATTN_CACHE_DIR, else
// $XDG_CACHE_HOME/attn, else ~/.cache/attn; an entry is keyed by an xxh3
// hash of the input IR, the pipeline and its options, the chip and the
// compiler version, holds all of that to be compared with the request, and
// is written atomically (temporary file + rename) and checksummed, so a
// damaged entry, or one made for another request, is reported once and
// rebuilt, never loaded (jit/DiskCache.h). On a GPU host the driver
// compiles the PTX to the device's code when the kernel loads (the
// driver's own cache keeps that).
//
// Environment:
//   ATTN_CACHE_DIR=dir    where the disk cache lives
//   ATTN_DISABLE_CACHE=1  neither cache is read or written
//   ATTN_DUMP_DIR=dir     write the input (input.mlir), the IR after every
//                         pass that changed it (MLIR's file tree: one
//                         directory per op that passes run on, files
//                         N_<pass>.mlir numbered in execution order) and the
//                         final PTX to dir/<pipeline>-<key>/; compiles afresh
//   ATTN_PASS_TIMING=1    print the pass timings to stderr; compiles afresh
//
// Thread safety: compile() and launch() may be called from any thread. An
// unfused kernel owns one workspace for S and P: launches of one unfused
// Kernel on different streams must not overlap.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_JIT_ATTENTION_H
#define ATTN_COMPILER_JIT_ATTENTION_H

#include "runtime/Manifest.h"
#include "runtime/Problem.h"
#include "runtime/Status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct CUstream_st; // CUstream and cudaStream_t are CUstream_st *.

namespace attn::rt {
class Context;
class TensorBindings;
} // namespace attn::rt

namespace attn::jit {

enum class ElementType { F16, BF16, F32 };
enum class Pipeline {
  /// One FlashAttention kernel; S and P never reach device memory.
  Fused,
  /// Three kernels with S and P (B*H*N*N each) in a device workspace.
  Unfused,
};

/// Tile sizes and pipelining. 0 means "the compiler's default for this head
/// dimension and element type" (the defaults of attn-opt's pipelines).
struct Tuning {
  int64_t blockM = 0;   ///< query rows per program
  int64_t blockN = 0;   ///< key/value rows per step
  int64_t numWarps = 0; ///< warps per program
  /// Shared-memory buffers per pipelined tile; 0: the compiler's choice
  /// (2 for the forward, 1 for the backward's D = 128 tiles, which do not
  /// fit twice in an H100's shared memory).
  int64_t numStages = 0;
  /// Keys per program of a split forward (flash-decoding: a second kernel
  /// combines the partial results): -1 where the compiler finds it pays
  /// (sizes compiled in, few programs otherwise), 0 never, or a multiple of
  /// blockN. With sizes at launch, give it for decoding (few queries, many
  /// keys).
  int64_t splitKeys = -1;
};

/// How to compile: used for descriptions and for MLIR text alike.
struct CompileOptions {
  Pipeline pipeline = Pipeline::Fused;
  /// Target GPU, one of attn::supportedChipNames() ("sm_80", ..., "sm_90a"),
  /// or empty: the chip of device 0 (attn::chipForDevice), sm_90 on a host
  /// without a GPU. The chip chosen is part of the cache key (Kernel::chip()).
  std::string chip;
  Tuning tuning;
};

/// What a kernel computes.
enum class Direction {
  /// O (and the logsumexp) from Q, K and V: launch().
  Forward,
  /// dQ, dK and dV from dO, Q, K, V, O and the forward's logsumexp, with S
  /// and P recomputed (fused) or kept in memory (unfused):
  /// launchBackward(). Sizes::Compiled, H = Hkv and Nk = Nq, no window, so
  /// far.
  Backward,
};

/// How a kernel gets B, H, Hkv, Nq and Nk.
enum class Sizes {
  /// From the tensors launch() is given (TensorRef::shape), which may have
  /// any strides with the last dimension contiguous: one kernel serves
  /// every batch, head count and length. The default.
  AtLaunch,
  /// Fixed when compiling, from the description: the kernel runs those
  /// sizes only, on packed tensors. A few percent faster at long sequences
  /// with D = 64 (bench/NOTES.md, 2026-12-06).
  Compiled,
};

/// O = softmax(scale * Q K^T [causal mask]) V with Q [B, H, Nq, D], K and V
/// [B, Hkv, Nk, D] of `elementType` (H a multiple of Hkv: grouped-query
/// heads; causal masks aligned to the bottom right, row i seeing keys
/// j <= i + Nk - Nq), O like Q, and optionally the f32 [B, H, Nq]
/// natural-log logsumexp of each row. The public face of the problem
/// description every layer shares (rt::Problem, from problem()).
struct AttentionDesc {
  ElementType elementType = ElementType::F16;
  /// With Sizes::AtLaunch (the default) B, H, N, Hkv and Nk here are not
  /// part of the kernel; the tensors of each launch give them.
  Sizes sizes = Sizes::AtLaunch;
  int64_t batch = 1;    ///< B >= 1
  int64_t heads = 1;    ///< H >= 1
  int64_t seqLen = 1;   ///< Nq >= 1
  int64_t kvHeads = 0;  ///< Hkv, a divisor of H; 0: H
  int64_t seqLenK = 0;  ///< Nk; 0: Nq
  int64_t headDim = 64; ///< D <= 256, a multiple of 16 (of 8 for f32)
  bool causal = false;
  /// Sliding window (local attention): each query row sees the windowLeft
  /// keys before its diagonal and the windowRight after it; -1: unbounded.
  int64_t windowLeft = -1, windowRight = -1;
  /// Softmax scale; 1/sqrt(D) when unset. Stored as an f32 by the op.
  std::optional<double> scale;
  /// Also write the logsumexp (needed by a backward pass). A backward
  /// reads it whatever this says.
  bool lse = false;
  /// Packed sequences of different lengths (flash_attn_varlen_func): 0 for
  /// a dense batch, else their number S. Q, K, V and O hold the sequences
  /// one after another along N (B = 1; seqLen and seqLenK are the totals
  /// with Sizes::Compiled), and each launch passes their i32 offsets
  /// (ForwardTensors). With Sizes::AtLaunch any S >= 1 compiles the same
  /// kernel, which takes S, the totals and H from the launch's tensors.
  int64_t sequences = 0;
  Direction direction = Direction::Forward;

  Pipeline pipeline = Pipeline::Fused;
  /// As CompileOptions::chip: empty means the device's.
  std::string chip;
  Tuning tuning;

  CompileOptions compileOptions() const { return {pipeline, chip, tuning}; }
  /// The problem this describes (B, H, Hkv, Nq, Nk of rt::kDynamicSize
  /// with Sizes::AtLaunch).
  rt::Problem problem() const;
};

/// Success, or an InvalidArgument error naming the field and the rule it
/// breaks (compile() calls this first).
rt::Status validate(const AttentionDesc &desc);

/// The MLIR text compile(desc) compiles: a func.func holding one
/// attn.attention, as attn-opt reads it.
std::string toMlir(const AttentionDesc &desc);

/// A device tensor handed to launch(): its address, its shape and its
/// strides in elements (empty: packed row-major). A kernel of
/// Sizes::AtLaunch takes its sizes from the shapes (O's, V's and lse's may
/// be left out: Q's, K's and Q's first three) and reads any strides whose
/// last is 1 (every other a multiple of 16 bytes; lse's of 4); a kernel of
/// Sizes::Compiled reads the packed layout of its sizes only, and refuses
/// other strides rather than copy.
struct TensorRef {
  TensorRef() = default;
  TensorRef(uint64_t address, std::vector<int64_t> shape = {},
            std::vector<int64_t> strides = {})
      : address(address), shape(std::move(shape)), strides(std::move(strides)) {
  }
  TensorRef(const void *pointer, std::vector<int64_t> shape = {},
            std::vector<int64_t> strides = {})
      : address(reinterpret_cast<uintptr_t>(pointer)), shape(std::move(shape)),
        strides(std::move(strides)) {}

  uint64_t address = 0;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
};

/// The tensors of a forward launch: Q, K, V and O; lse, the f32 [B, H, N]
/// logsumexp, where the kernel writes it (AttentionDesc::lse); and, for
/// packed sequences (AttentionDesc::sequences), the i32 offsets of each
/// sequence's first query and key, S + 1 each (0, ..., Nq and 0, ..., Nk,
/// never decreasing; the kernels read them as given).
struct ForwardTensors {
  TensorRef query, key, value, output;
  TensorRef lse;
  TensorRef queryOffsets, keyOffsets;
};

/// The tensors of a backward launch (Direction::Backward), all [B, H, N, D]
/// of the element type but lse, the forward's f32 [B, H, N] logsumexp;
/// packed (the backward's kernels have their sizes compiled in). dQ, dK
/// and dV are written; the others read.
struct BackwardTensors {
  TensorRef gradOutput, query, key, value, output, lse;
  TensorRef gradQuery, gradKey, gradValue;
};

/// Where compile() found a kernel.
enum class Origin {
  Compiled,  ///< ran the pipeline
  DiskCache, ///< read from the disk cache
};

/// A compiled attention: PTX, its launch configuration and, on a GPU host,
/// the loaded module. Obtained from compile(); shared by everyone who
/// compiles the same thing in this process.
class Kernel {
public:
  ~Kernel();
  Kernel(const Kernel &) = delete;
  Kernel &operator=(const Kernel &) = delete;

  /// The PTX, led by the `// attn.` manifest lines the runtime reads.
  const std::string &ptx() const { return ptx_; }
  /// The launch configuration: problem, workspace buffers, and each kernel's
  /// grid, block, shared memory and arguments in launch order.
  const rt::Manifest &manifest() const { return manifest_; }
  const rt::Problem &problem() const { return manifest_.problem; }
  Pipeline pipeline() const { return pipeline_; }
  /// The chip compiled for: the one asked for, or the device's.
  const std::string &chip() const { return chip_; }
  /// The cache key: xxh3 of IR, options, chip and compiler version.
  uint64_t key() const { return key_; }
  Origin origin() const { return origin_; }
  /// Whether the module is loaded on a GPU (false on a host without one).
  bool loaded() const;
  /// Device bytes of the unfused pipeline's S and P (0 when fused),
  /// allocated at the first launch.
  uint64_t workspaceBytes() const { return manifest_.workspaceBytes(); }

  /// Launches every kernel, in order, on `stream` (null: the default
  /// stream) with the given device tensors, through the runtime's launcher
  /// (rt::Pipeline); does not wait. Checks first, with a message naming the
  /// tensor: null or misaligned addresses, shapes that disagree, strides of
  /// the wrong rank or that the kernel cannot read, lse given but not
  /// compiled (or needed and not given). The tensors must live on the JIT's
  /// device (context()).
  rt::Status launch(const TensorRef &q, const TensorRef &k, const TensorRef &v,
                    const TensorRef &o, CUstream_st *stream = nullptr) const;
  rt::Status launch(const TensorRef &q, const TensorRef &k, const TensorRef &v,
                    const TensorRef &o, const TensorRef &lse,
                    CUstream_st *stream = nullptr) const;
  /// The same with every tensor named (a packed batch's offsets, too); an
  /// address of 0 leaves lse or the offsets out.
  rt::Status launch(const ForwardTensors &tensors,
                    CUstream_st *stream = nullptr) const;

  /// The checks of launch(), without launching.
  rt::Status checkTensors(const TensorRef &q, const TensorRef &k,
                          const TensorRef &v, const TensorRef &o,
                          const TensorRef *lse) const;
  rt::Status checkTensors(const ForwardTensors &tensors) const;

  /// Launches the gradient of a kernel compiled with Direction::Backward,
  /// as launch() does the forward (the unfused pipeline's P, dP and dS, and
  /// the fused one's δ and dQ accumulator, in workspaces allocated at the
  /// first launch). The same checks, naming the tensor.
  rt::Status launchBackward(const BackwardTensors &tensors,
                            CUstream_st *stream = nullptr) const;
  /// The checks of launchBackward(), without launching.
  rt::Status checkBackwardTensors(const BackwardTensors &tensors) const;

private:
  friend struct KernelFactory;
  struct Loaded;
  Kernel();
  /// Success, or why this kernel is not of `direction` (naming the call
  /// that launches it).
  rt::Status checkDirection(rt::Direction direction) const;
  /// Hands checked tensors to the launcher.
  rt::Status launchChecked(const rt::TensorBindings &tensors,
                           CUstream_st *stream) const;

  std::string ptx_;
  rt::Manifest manifest_;
  Pipeline pipeline_ = Pipeline::Fused;
  std::string chip_;
  uint64_t key_ = 0;
  Origin origin_ = Origin::Compiled;
  std::unique_ptr<Loaded> loaded_;
};

/// Validates and compiles `desc` (or finds it in a cache).
rt::Expected<std::shared_ptr<const Kernel>> compile(const AttentionDesc &desc);
/// Compiles a module holding one attn.attention, as attn-opt accepts it.
rt::Expected<std::shared_ptr<const Kernel>>
compile(std::string_view mlirText, const CompileOptions &options = {});

/// What compile() has done in this process: pipelines run (compilations),
/// disk-cache hits, and in-process hits.
struct CompileCounts {
  uint64_t compiled = 0, diskHits = 0, memoryHits = 0;
};
CompileCounts compileCounts();

/// The device the JIT loads kernels on (device 0's primary context, the one
/// the CUDA runtime API uses too), created at the first call. Fails with
/// NoDriver or NoDevice (Status::isUnavailable()) on a host without a GPU.
rt::Expected<rt::Context *> context();

/// The compiler version that is part of every cache key.
const char *compilerVersion();
/// The disk cache directory compile() uses now ("" when disabled).
std::string cacheDirectory();
/// Forgets the in-process cache (kernels already handed out stay valid).
void clearInProcessCache();
/// Receives the cache's warnings (a damaged entry, a failed write), one line
/// each; the default prints "attn: warning: ..." to stderr. Null restores it.
void setCacheReporter(std::function<void(const std::string &)> reporter);

} // namespace attn::jit

#endif // ATTN_COMPILER_JIT_ATTENTION_H
