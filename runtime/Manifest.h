//===- Manifest.h - The typed kernel interface of a PTX file ---*- C++ -*-===//
//
// The compiler writes one PTX file per attention problem. Its leading `//`
// comment lines are a manifest that says what the file computes and how to
// launch it: the problem, every kernel argument with its kind, and the
// kernels in launch order. Version 2, one directive per line, a name where
// the directive declares one, then key=value fields:
//
//   // attn.version 2
//   // attn.problem direction=forward pipeline=unfused B=2 H=4 Hkv=4 Nq=128
//   //     Nk=128 D=64 dtype=bf16 causal=1 scale=0.125 lse=0    (one line)
//   // attn.tensor q role=q dtype=bf16 shape=2,4,128,64
//   //     strides=32768,8192,64,1 align=16                     (one line)
//   //   ... k, v and o alike
//   // attn.workspace s dtype=bf16 elements=131072
//   // attn.workspace p dtype=bf16 elements=131072
//   // attn.tensormap k_tma tensor=k dtype=bf16 rank=3 dims=64,128,8
//   //     strides=128,16384 box=64,64,1 element_strides=1,1,1
//   //     interleave=none swizzle=128 l2_promotion=128 oob_fill=zero
//   // attn.scalar seq_k type=i32 from=Nk
//   // attn.scalar one type=f32 value=1
//   // attn.kernel attn_qk grid=2,8,8 block=128,1,1 smem=36864 args=q,k,s
//   // attn.kernel attn_softmax grid=2,8,1 block=128,1,1 smem=0 args=s,p
//   // attn.kernel attn_pv grid=2,8,1 block=128,1,1 smem=40960 args=p,v,o
//   // attn.cost kernel=attn_qk flops=16777216 bytes=196608
//   //     predicted_ms=5.9e-05                                  (one line)
//
// attn.problem: the problem (runtime/Problem.h); every field is required.
//   B, H, Hkv, Nq, Nk, D are sizes; causal and lse are 0 or 1.
// attn.tensor NAME: a tensor of the problem, passed as its device address:
//   role (q, k, v, o, lse; do, dq, dk, dv for a backward), element type,
//   shape and strides in elements, and the byte alignment the kernels
//   assume of its address. Each of the problem's roles has exactly one,
//   with the problem's shape and element type for that role.
// attn.workspace NAME: device memory the runtime allocates (`elements`
//   elements of `dtype`, not bytes) and passes as its address.
// attn.tensormap NAME: a CUDA tensor map (CUtensorMap) passed by value, 128
//   bytes aligned to 64, that the runtime encodes at every launch with
//   cuTensorMapEncodeTiled from the address of the declared tensor `tensor`:
//   a view of `rank` dimensions, innermost first (`dims` in elements,
//   `strides` in bytes for dimensions 1 and up), the box a copy moves,
//   element strides, and swizzle (none, 32, 64, 128 bytes) and L2
//   promotion (none, 64, 128, 256 bytes). Interleave is none and
//   out-of-bounds elements read as zero. The rules cuTensorMapEncodeTiled
//   states (rank <= 5, strides multiples of 16, box <= 256, ...) are
//   checked when the manifest is read, and the view must lie inside the
//   tensor.
// attn.scalar NAME: a number passed by value: type i32, i64 or f32, and
//   either a literal (`value=`), a size (`from=` a size expression, see
//   below) or a stride of a tensor in elements (`from=q.stride1`).
// attn.kernel NAME: one launch: grid and block (x,y,z), dynamic shared
//   memory in bytes and the arguments by name, in parameter order. Kernels
//   run in file order. A name may be launched more than once.
// attn.cost: the compiler's cost model for the first kernel of that name
//   above that has none yet: FLOPs, bytes of device-memory traffic and the
//   roofline time it predicts (compiler/Analysis/CostModel.h). Optional.
//
// Run-time sizes. A kernel compiled for sizes known only at launch has "?"
// for B, H, Hkv, Nq and Nk in attn.problem (never D) and in the shapes of
// its tensors, which may also have "?" strides (any strides, given at
// launch; the last is 1). Its grid entries and workspace counts are size
// expressions (runtime/SizeExpr.h: `ceil(Nq/128)`, `B*H*Nq*Nk`), and a
// tensor map of such a tensor has "?" dims and strides: the tensor's own,
// innermost first. instantiate() (runtime/Instantiate.h) turns such a
// manifest and the tensors of one run into one with every number known.
//
// Names are identifiers, unique among tensors, workspaces, tensor maps and
// scalars. Other `//` lines are ignored; manifest lines must come before the
// first line that is not a comment. Every error names the line and the rule.
//
// The writer (writeManifest) sits beside the parser: the compiler fills a
// Manifest and writes it, and parseManifest(writeManifest(m)) == m.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_MANIFEST_H
#define ATTN_RUNTIME_MANIFEST_H

#include "runtime/DType.h"
#include "runtime/LaunchShape.h"
#include "runtime/Problem.h"
#include "runtime/SizeExpr.h"
#include "runtime/Status.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attn::rt {

/// The version of the manifest this runtime reads and writes.
constexpr int kManifestVersion = 2;

/// A tensor of the problem, passed to kernels as its device address.
struct TensorDecl {
  std::string name;
  TensorRole role = TensorRole::Q;
  DType dtype = DType::F16;
  /// kDynamicSize where the problem's size is.
  std::vector<int64_t> shape;
  /// In elements, one per dimension; kDynamicSize: given at launch.
  std::vector<int64_t> strides;
  /// The byte alignment the kernels assume of the address.
  int64_t alignment = 16;
  /// Line of the manifest that declares it (1-based; 0 when not parsed).
  int line = 0;

  /// The packed row-major tensor of `role`, named after it.
  static TensorDecl packed(const Problem &problem, TensorRole role,
                           int64_t alignment);
  /// Elements from the first to one past the last one addressed (for a
  /// known shape and strides).
  int64_t spanElements() const;
  uint64_t spanBytes() const {
    return uint64_t(spanElements()) * sizeOf(dtype);
  }
  /// Whether strides are the packed row-major ones of shape.
  bool isPacked() const;
  /// Whether a size or stride is known only at launch.
  bool isDynamic() const;
};

/// Device memory the runtime allocates, passed as its address.
struct WorkspaceDecl {
  std::string name;
  DType dtype = DType::F32;
  /// How many elements: a number, or a size expression.
  SizeExpr elements;
  int line = 0;

  /// Bytes when the count is a number, else 0.
  uint64_t bytes() const {
    std::optional<int64_t> count = elements.constantValue();
    return count ? uint64_t(*count) * sizeOf(dtype) : 0;
  }
};

enum class Swizzle { None, B32, B64, B128 };
enum class L2Promotion { None, B64, B128, B256 };
/// "none", "32", "64", "128"; "none", "64", "128", "256".
const char *nameOf(Swizzle swizzle);
const char *nameOf(L2Promotion promotion);

/// A CUtensorMap encoded at launch from a declared tensor's address.
struct TensorMapDecl {
  /// sizeof and the parameter alignment of a CUtensorMap.
  static constexpr int64_t kBytes = 128;
  static constexpr int64_t kAlignment = 64;
  static constexpr int64_t kMaxRank = 5;

  std::string name;
  /// The name of the attn.tensor whose address it maps.
  std::string tensor;
  DType dtype = DType::F16;
  /// The view, innermost dimension first: extents in elements and strides
  /// in bytes of dimensions 1 .. rank-1. All kDynamicSize: the tensor's own
  /// at launch (rank = the tensor's rank).
  std::vector<int64_t> dims;
  std::vector<int64_t> strides;
  /// Elements a copy moves per dimension, and the step per dimension.
  std::vector<int64_t> box;
  std::vector<int64_t> elementStrides;
  Swizzle swizzle = Swizzle::None;
  L2Promotion l2Promotion = L2Promotion::None;
  int line = 0;

  int64_t rank() const { return int64_t(dims.size()); }
  /// Bytes from the view's first element to one past its last.
  uint64_t spanBytes() const;
  /// Whether the view is the tensor's own, taken at launch.
  bool isDynamic() const;
};

enum class ScalarType { I32, I64, F32 };
/// "i32", "i64", "f32".
const char *nameOf(ScalarType type);
/// Bytes of the value as a kernel parameter (4 or 8).
size_t sizeOf(ScalarType type);

/// A stride of a declared tensor, in elements.
struct StrideRef {
  std::string tensor;
  int64_t dim = 0;
};

/// A number passed by value.
struct ScalarDecl {
  std::string name;
  ScalarType type = ScalarType::I32;
  /// The size it carries (from=B, from=ceil(Nk/128)), or none.
  std::optional<SizeExpr> size;
  /// The stride it carries (from=q.stride1), or none.
  std::optional<StrideRef> stride;
  /// The literal, when neither: intValue for i32 and i64, floatValue for
  /// f32.
  int64_t intValue = 0;
  double floatValue = 0;
  int line = 0;
};

/// What a kernel argument names.
enum class ArgKind { Tensor, Workspace, TensorMap, Scalar };
struct ArgRef {
  ArgKind kind = ArgKind::Tensor;
  /// Index into the Manifest's list of that kind.
  size_t index = 0;
};

/// One kernel launch, in the order the file lists them.
struct KernelDecl {
  std::string name;
  LaunchShape shape;
  /// The grid extents that depend on run-time sizes (ceil(Nq/128)); an
  /// extent that is a number is in shape.grid, and 1 here. shape.grid holds
  /// 0 where this is not a number.
  std::array<SizeExpr, 3> grid;
  /// Its parameters by name, in order.
  std::vector<std::string> args;
  int line = 0;

  /// The cost model's figures, when an attn.cost line names this kernel.
  bool hasCost = false;
  double costFlops = 0;
  double costBytes = 0;
  double predictedMs = 0;
};

struct Manifest {
  int version = kManifestVersion;
  Problem problem;
  std::vector<TensorDecl> tensors;
  std::vector<WorkspaceDecl> workspaces;
  std::vector<TensorMapDecl> tensorMaps;
  std::vector<ScalarDecl> scalars;
  std::vector<KernelDecl> kernels;

  /// Whether a size, a stride or a grid is known only at launch:
  /// instantiate() it first.
  bool isDynamic() const;
  /// Bytes of all workspaces together (0 for those of run-time size).
  uint64_t workspaceBytes() const;
  /// The declaration called `name`, or nullopt.
  std::optional<ArgRef> find(std::string_view name) const;
  const TensorDecl *findTensor(std::string_view name) const;
  /// The tensor of `role`, or null.
  const TensorDecl *tensorFor(TensorRole role) const;
  /// Whether every kernel has an attn.cost line.
  bool hasCosts() const;
  /// Sums of the kernels' attn.cost figures.
  double costBytes() const;
  double predictedMs() const;
};

/// Equality of everything but the line numbers.
bool operator==(const TensorDecl &a, const TensorDecl &b);
bool operator==(const WorkspaceDecl &a, const WorkspaceDecl &b);
bool operator==(const TensorMapDecl &a, const TensorMapDecl &b);
bool operator==(const ScalarDecl &a, const ScalarDecl &b);
bool operator==(const KernelDecl &a, const KernelDecl &b);
bool operator==(const Manifest &a, const Manifest &b);

/// Parses the manifest of the PTX text `text`. `source` names the text in
/// error messages, which read "<source>:<line>: <what is wrong>".
Expected<Manifest> parseManifest(std::string_view text,
                                 const std::string &source);

/// The manifest lines of `manifest` ("// attn.version 2\n..."), in the
/// order above: to be put before the PTX text. Writes what it is given;
/// parse the result to check it.
std::string writeManifest(const Manifest &manifest);

} // namespace attn::rt

#endif // ATTN_RUNTIME_MANIFEST_H
