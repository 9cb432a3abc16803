//===- ManifestExamples.h - Manifests the unit tests share -----*- C++ -*-===//
//
// A fused, an unfused and a Hopper-style (tensor maps, scalars) manifest,
// built in code the way the compiler fills one.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_UNIT_MANIFESTEXAMPLES_H
#define ATTN_TEST_UNIT_MANIFESTEXAMPLES_H

#include "runtime/Manifest.h"

#include <ostream>
#include <string>
#include <vector>

namespace attn::rt {
/// gtest prints a Manifest as its text.
inline void PrintTo(const Manifest &manifest, std::ostream *os) {
  *os << "\n" << writeManifest(manifest);
}
} // namespace attn::rt

namespace attn::test {

inline rt::KernelDecl kernel(const std::string &name, rt::Dim3 grid,
                             rt::Dim3 block, int64_t smem,
                             std::vector<std::string> args) {
  rt::KernelDecl k;
  k.name = name;
  k.shape.grid = grid;
  k.shape.block = block;
  k.shape.sharedBytes = smem;
  k.args = std::move(args);
  return k;
}

/// The packed tensors of every role of `problem`, aligned as the compiler
/// declares them (16 bytes, lse 4).
inline std::vector<rt::TensorDecl> packedTensors(const rt::Problem &problem) {
  std::vector<rt::TensorDecl> tensors;
  for (rt::TensorRole role : problem.roles())
    tensors.push_back(rt::TensorDecl::packed(
        problem, role, role == rt::TensorRole::Lse ? 4 : 16));
  return tensors;
}

inline rt::Manifest unfusedExample() {
  rt::Manifest m;
  m.problem = rt::Problem::attention(2, 4, 128, 64, rt::DType::BF16);
  m.problem.causal = true;
  m.problem.scale = 0.125;
  m.problem.pipeline = rt::PipelineKind::Unfused;
  m.tensors = packedTensors(m.problem);
  m.workspaces = {{"s", rt::DType::BF16, rt::SizeExpr::constant(131072)},
                  {"p", rt::DType::BF16, rt::SizeExpr::constant(131072)}};
  m.kernels = {
      kernel("attn_qk", {2, 8, 8}, {128, 1, 1}, 36864, {"q", "k", "s"}),
      kernel("attn_softmax", {2, 8, 1}, {128, 1, 1}, 0, {"s", "p"}),
      kernel("attn_pv", {2, 8, 1}, {128, 1, 1}, 40960, {"p", "v", "o"})};
  m.kernels[0].hasCost = true;
  m.kernels[0].costFlops = 16777216;
  m.kernels[0].costBytes = 196608;
  m.kernels[0].predictedMs = 5.9e-05;
  return m;
}

inline rt::Manifest fusedExample() {
  rt::Manifest m;
  m.problem = rt::Problem::attention(1, 2, 64, 128, rt::DType::F16);
  m.problem.lse = true;
  m.tensors = packedTensors(m.problem);
  m.kernels = {kernel("attn_fwd", {2, 1, 1}, {128, 1, 1}, 69632,
                      {"q", "k", "v", "o", "lse"})};
  for (rt::KernelDecl &k : m.kernels) {
    k.hasCost = true;
    k.costFlops = 4311040;
    k.costBytes = 131584;
    k.predictedMs = 3.92776e-05;
  }
  return m;
}

/// A Hopper-style kernel: K and V through tensor maps, sizes as scalars.
inline rt::Manifest tensorMapExample() {
  rt::Manifest m;
  m.problem = rt::Problem::attention(1, 8, 128, 64, rt::DType::BF16);
  m.problem.kvHeads = 2;
  m.problem.seqLenK = 256;
  m.problem.causal = true;
  m.tensors = packedTensors(m.problem);
  rt::TensorMapDecl map;
  map.name = "k_tma";
  map.tensor = "k";
  map.dtype = rt::DType::BF16;
  map.dims = {64, 256, 2};
  map.strides = {128, 32768};
  map.box = {64, 64, 1};
  map.elementStrides = {1, 1, 1};
  map.swizzle = rt::Swizzle::B128;
  map.l2Promotion = rt::L2Promotion::B128;
  m.tensorMaps.push_back(map);
  map.name = "v_tma";
  map.tensor = "v";
  map.swizzle = rt::Swizzle::None;
  map.l2Promotion = rt::L2Promotion::B256;
  m.tensorMaps.push_back(map);
  rt::ScalarDecl seqK;
  seqK.name = "seq_k";
  seqK.type = rt::ScalarType::I32;
  seqK.size = rt::SizeExpr::field(rt::ProblemField::Nk);
  rt::ScalarDecl heads;
  heads.name = "heads";
  heads.type = rt::ScalarType::I64;
  heads.size = rt::SizeExpr::field(rt::ProblemField::H);
  rt::ScalarDecl scale;
  scale.name = "log2e_scale";
  scale.type = rt::ScalarType::F32;
  scale.floatValue = 0.18033688011112042;
  rt::ScalarDecl window;
  window.name = "window";
  window.type = rt::ScalarType::I32;
  window.intValue = -1;
  m.scalars = {seqK, heads, scale, window};
  m.kernels = {kernel(
      "attn_fwd_sm90", {2, 8, 1}, {384, 1, 1}, 200704,
      {"q", "k_tma", "v_tma", "o", "seq_k", "heads", "log2e_scale", "window"})};
  return m;
}

/// A kernel of run-time sizes: "?" sizes and strides, a grid of size
/// expressions, an unfused workspace of B*H*Nq*Nk elements, a tensor map
/// with the tensor's own view, and scalars of sizes and strides.
inline rt::Manifest dynamicExample() {
  rt::Manifest m;
  constexpr int64_t dyn = rt::kDynamicSize;
  m.problem = rt::Problem::attention(dyn, dyn, dyn, 128, rt::DType::BF16);
  m.problem.causal = true;
  m.problem.pipeline = rt::PipelineKind::Unfused;
  m.tensors = packedTensors(m.problem);
  for (rt::TensorDecl &t : m.tensors)
    t.strides = {dyn, dyn, dyn, 1};
  using F = rt::ProblemField;
  m.workspaces = {{"s", rt::DType::BF16,
                   rt::SizeExpr::field(F::B) * rt::SizeExpr::field(F::H) *
                       rt::SizeExpr::field(F::Nq) * rt::SizeExpr::field(F::Nk)}};
  rt::TensorMapDecl map;
  map.name = "k_map";
  map.tensor = "k";
  map.dtype = rt::DType::BF16;
  map.dims = {dyn, dyn, dyn, dyn};
  map.strides = {dyn, dyn, dyn};
  map.box = {64, 128, 1, 1};
  map.elementStrides = {1, 1, 1, 1};
  map.swizzle = rt::Swizzle::B128;
  map.l2Promotion = rt::L2Promotion::B128;
  m.tensorMaps.push_back(map);
  rt::ScalarDecl nk;
  nk.name = "k_size2";
  nk.type = rt::ScalarType::I64;
  nk.size = rt::SizeExpr::field(F::Nk);
  rt::ScalarDecl stride;
  stride.name = "q_stride2";
  stride.type = rt::ScalarType::I64;
  stride.stride = rt::StrideRef{"q", 2};
  rt::ScalarDecl rows;
  rows.name = "s_rows";
  rows.type = rt::ScalarType::I32;
  rows.size = rt::SizeExpr::field(F::H) * rt::SizeExpr::field(F::Nq);
  m.scalars = {nk, stride, rows};
  rt::KernelDecl qk = kernel("attn_qk", {0, 0, 0}, {256, 1, 1}, 0,
                             {"q", "k_map", "s", "k_size2", "q_stride2"});
  qk.grid = {rt::SizeExpr::field(F::B) * rt::SizeExpr::field(F::H),
             rt::SizeExpr::ceilDiv(F::Nq, 128),
             rt::SizeExpr::ceilDiv(F::Nk, 64)};
  rt::KernelDecl pv = kernel("attn_pv", {0, 0, 1}, {256, 1, 1}, 0,
                             {"s", "v", "o", "s_rows"});
  pv.grid[0] = qk.grid[0];
  pv.grid[1] = qk.grid[1];
  m.kernels = {qk, pv};
  return m;
}

} // namespace attn::test

#endif // ATTN_TEST_UNIT_MANIFESTEXAMPLES_H
