//===- Manifest.h - The manifest at the top of a PTX file ------*- C++ -*-===//
//
// The compiler writes one PTX file per attention problem. Its leading `//`
// comment lines hold a manifest that says what the file computes and how to
// run it:
//
//   // attn.version 1
//   // attn.problem B=2 H=4 N=128 D=64 dtype=bf16 causal=1 scale=0.125
//   //              pipeline=unfused lse=0                  (one line)
//   // attn.buffer s bf16 131072
//   // attn.kernel attn_qk grid 2,8,8 block 128,1,1 smem 36864 args q,k,s
//   // attn.cost kernel=attn_qk flops=16777216 bytes=196608
//   //           predicted_ms=5.9e-05                      (one line)
//
// Q, K, V, O are row-major [B,H,N,D] tensors of `dtype`; `lse` (when lse=1)
// is f32 [B,H,N]. Each attn.buffer is an intermediate the runtime allocates
// (a count of elements, not bytes). Kernels run in file order with the device
// pointers of their `args` as parameters. An optional attn.cost line gives
// the compiler's cost model for a kernel declared above it: FLOPs, bytes of
// device-memory traffic and the roofline time it predicts (compiler/
// CostModel.h). Other `//` lines are ignored;
// manifest lines must come before the first line that is not a comment.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_MANIFEST_H
#define ATTN_RUNTIME_MANIFEST_H

#include "runtime/DType.h"
#include "runtime/LaunchShape.h"
#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attn::rt {

/// The attention problem a file computes: O = softmax(scale * Q K^T) V.
struct Problem {
  int64_t batch = 0;   // B
  int64_t heads = 0;   // H
  int64_t seqLen = 0;  // N
  int64_t headDim = 0; // D
  DType dtype = DType::F32;
  bool causal = false;
  double scale = 1.0;
  std::string pipeline;
  /// Whether the kernels also write the f32 [B,H,N] logsumexp.
  bool lse = false;

  /// Elements of each of Q, K, V, O: B*H*N*D.
  int64_t tensorElements() const { return batch * heads * seqLen * headDim; }
  /// Elements of lse: B*H*N.
  int64_t lseElements() const { return batch * heads * seqLen; }
  /// Forward FLOPs, 4*B*H*N^2*D, halved when causal.
  double flops() const;
};

/// An intermediate buffer the runtime allocates.
struct BufferDecl {
  std::string name;
  DType dtype = DType::F32;
  int64_t elements = 0;
  /// Line of the manifest that declares it (1-based).
  int line = 0;

  uint64_t bytes() const { return uint64_t(elements) * sizeOf(dtype); }
};

/// One kernel launch, in the order the file lists them.
struct KernelDecl {
  std::string name;
  LaunchShape shape;
  /// Names of its parameters: q, k, v, o, lse or a declared buffer.
  std::vector<std::string> args;
  int line = 0;

  /// The cost model's figures, when an attn.cost line names this kernel.
  bool hasCost = false;
  double costFlops = 0;
  double costBytes = 0;
  double predictedMs = 0;
};

struct Manifest {
  int version = 0;
  Problem problem;
  std::vector<BufferDecl> buffers;
  std::vector<KernelDecl> kernels;

  /// Bytes of all intermediate buffers together.
  uint64_t intermediateBytes() const;
  /// The declared buffer called `name`, or null.
  const BufferDecl *findBuffer(std::string_view name) const;
  /// Whether every kernel has an attn.cost line.
  bool hasCosts() const;
  /// Sums of the kernels' attn.cost figures.
  double costBytes() const;
  double predictedMs() const;
};

/// The version of the manifest this runtime reads.
constexpr int kManifestVersion = 1;
/// The largest element count accepted for a tensor or buffer (2^40).
constexpr int64_t kMaxElements = int64_t(1) << 40;

/// Parses the manifest of the PTX text `text`. `source` names the text in
/// error messages, which read "<source>:<line>: <what is wrong>".
Expected<Manifest> parseManifest(std::string_view text,
                                 const std::string &source);

} // namespace attn::rt

#endif // ATTN_RUNTIME_MANIFEST_H
