//===- Compile.h - attn.attention -> PTX with a launch manifest -*- C++ -*-===//
//
// The C++ entry point of the compiler: runs a pipeline on a module holding
// one attn.attention and returns PTX text whose leading comment lines are
// the manifest the runtime reads (problem, intermediate buffers, kernels in
// launch order with grid, block, shared memory and arguments).
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_COMPILE_H
#define ATTN_COMPILER_COMPILE_H

#include "compiler/Pipelines/Pipelines.h"
#include "runtime/Problem.h"

#include "llvm/Support/Error.h"
#include <functional>
#include <optional>
#include <string>

namespace attn {

/// An attention problem as the command-line drivers' flags give it; it maps
/// onto rt::Problem (Nq = seqLen; Hkv and Nk default to H and Nq).
struct AttentionSpec {
  int64_t batch = 1, heads = 1, seqLen = 1, headDim = 64;
  /// K/V heads and key sequence length; 0: H and seqLen.
  int64_t kvHeads = 0, seqLenK = 0;
  std::string dtype = "f16"; // f16, bf16 or f32
  bool causal = false;
  /// Sliding window: keys before and after the diagonal; -1: unbounded.
  int64_t windowLeft = -1, windowRight = -1;
  std::optional<float> scale;
  bool lse = false;
  /// The gradient (attn.attention_backward) instead of the forward.
  bool backward = false;
  /// B, H, Hkv, Nq and Nk known only at run time: the op's are '?'.
  bool runtimeSizes = false;
  /// Packed sequences (attn.attention sequences(...)): each one's query
  /// and key lengths (the key side's empty: the query's); B = 1, and Nq
  /// and Nk are their sums. Empty: a dense batch.
  std::vector<int64_t> seqLensQ, seqLensK;
};

/// MLIR text of `func.func @attention` holding one attn.attention for a
/// forward `problem`, or of `func.func @attention_backward` holding one
/// attn.attention_backward for a backward one (the pipeline is not part of
/// the op); the scale is written only when set, as an f32. Sizes that are
/// rt::kDynamicSize are written '?'.
std::string buildAttentionModule(const rt::Problem &problem);
std::string buildAttentionModule(const AttentionSpec &spec);

struct CompiledAttention {
  std::string ptx; ///< Manifest comment lines, then the PTX text.
  unsigned numKernels = 0;
};

/// Instrumentation of one compilation (the JIT's debugging switches).
struct CompileHooks {
  /// Called on the filled pass manager just before it runs: IR printing,
  /// pass timing, instrumentations.
  std::function<void(mlir::PassManager &)> configurePassManager;
};

/// Validates `options`, parses `mlirText`, runs the pipeline down to PTX and
/// writes the manifest. Errors carry the compiler's diagnostics.
llvm::Expected<CompiledAttention>
compileAttention(llvm::StringRef mlirText, PipelineKind kind,
                 const PipelineOptions &options,
                 const CompileHooks &hooks = {});

} // namespace attn

#endif // ATTN_COMPILER_COMPILE_H
