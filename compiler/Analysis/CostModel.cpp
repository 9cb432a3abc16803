//===- CostModel.cpp - FLOPs, device-memory traffic, roofline time --------===//
#include "compiler/Analysis/CostModel.h"
#include "dialects/Attn/IR/AttnOps.h"

#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attn::cost {

std::optional<GpuModel> builtinGpu(llvm::StringRef name) {
  if (name == "a100")
    return GpuModel{"a100", 312e12, 2.0e12};
  if (name == "h100")
    return GpuModel{"h100", 990e12, 3.35e12};
  return std::nullopt;
}

uint64_t Problem::tensorBytes() const {
  return uint64_t(batch) * uint64_t(heads) * uint64_t(seqLen) *
         uint64_t(headDim) * uint64_t(elementBytes);
}

uint64_t Problem::scoresBytes() const {
  return uint64_t(batch) * uint64_t(heads) * uint64_t(seqLen) *
         uint64_t(seqLen) * uint64_t(elementBytes);
}

Problem problemOf(AttentionOp op) {
  Problem p;
  p.batch = op.getBatch();
  p.heads = op.getNumHeads();
  p.seqLen = op.getSeqLen();
  p.headDim = op.getHeadDim();
  p.elementBytes = op.getElementType().getIntOrFloatBitWidth() / 8;
  p.causal = op.getCausal();
  p.lse = bool(op.getLse());
  return p;
}

llvm::StringRef nameOf(Pipeline pipeline) {
  return pipeline == Pipeline::Fused ? "fused" : "unfused";
}

llvm::StringRef nameOf(Bound bound) {
  return bound == Bound::Memory ? "memory" : "compute";
}

Roofline roofline(double flops, double bytes, const GpuModel &gpu) {
  double compute = flops / gpu.peakFlops, memory = bytes / gpu.bandwidth;
  if (compute > memory)
    return {compute, Bound::Compute};
  return {memory, Bound::Memory};
}

uint64_t PipelineCost::flops() const {
  uint64_t total = 0;
  for (const KernelCost &k : kernels)
    total += k.flops;
  return total;
}

uint64_t PipelineCost::bytesRead() const {
  uint64_t total = 0;
  for (const KernelCost &k : kernels)
    total += k.bytesRead;
  return total;
}

uint64_t PipelineCost::bytesWritten() const {
  uint64_t total = 0;
  for (const KernelCost &k : kernels)
    total += k.bytesWritten;
  return total;
}

double PipelineCost::seconds(const GpuModel &gpu) const {
  double total = 0;
  for (const KernelCost &k : kernels)
    total += roofline(double(k.flops), double(k.bytes()), gpu).seconds;
  return total;
}

/// Shared-memory row pitch of a tile row of `d` elements: padded by 16
/// bytes, as attn-promote-shared lays tiles out.
static uint64_t paddedRowBytes(const Problem &p) {
  return uint64_t(p.headDim * p.elementBytes + 16);
}

static PipelineCost estimateFused(const Problem &p, TileConfig c,
                                  int64_t numStages) {
  PipelineCost cost;
  cost.pipeline = Pipeline::Fused;
  cost.config = c;
  cost.numStages = numStages;
  cost.onChipBytes =
      uint64_t(c.blockM + 2 * numStages * c.blockN) * paddedRowBytes(p);

  // Per (b, h): walk the Q blocks; each reads K/V rows [0, kvRows).
  const uint64_t n = uint64_t(p.seqLen), d = uint64_t(p.headDim);
  const uint64_t e = uint64_t(p.elementBytes);
  uint64_t pairs = 0, kvRows = 0;
  for (uint64_t row0 = 0; row0 < n; row0 += uint64_t(c.blockM)) {
    uint64_t qRows = std::min<uint64_t>(c.blockM, n - row0);
    uint64_t rows = n;
    if (p.causal) {
      uint64_t end = std::min<uint64_t>(n, row0 + c.blockM);
      rows = std::min<uint64_t>(n, llvm::alignTo(end, uint64_t(c.blockN)));
    }
    pairs += qRows * rows;
    kvRows += rows;
  }
  const uint64_t heads = uint64_t(p.batch) * uint64_t(p.heads);
  KernelCost k;
  k.name = "attn_fwd";
  k.flops = heads * pairs * (4 * d + 5);
  k.bytesRead = p.tensorBytes() + heads * kvRows * 2 * d * e;
  k.bytesWritten = p.tensorBytes();
  if (p.lse)
    k.bytesWritten += heads * n * 4;
  cost.kernels.push_back(k);
  return cost;
}

static PipelineCost estimateUnfused(const Problem &p, TileConfig c,
                                    int64_t numStages) {
  PipelineCost cost;
  cost.pipeline = Pipeline::Unfused;
  cost.config = c;
  cost.numStages = numStages;
  const uint64_t heads = uint64_t(p.batch) * uint64_t(p.heads);
  const uint64_t n = uint64_t(p.seqLen), d = uint64_t(p.headDim);
  const uint64_t matmul = 2 * heads * n * n * d;
  const uint64_t scores = p.scoresBytes(), tensor = p.tensorBytes();

  KernelCost qk{"attn_scores", matmul, 2 * tensor, scores, scores};
  KernelCost softmax{"attn_softmax", 5 * heads * n * n, scores, scores,
                     2 * scores};
  KernelCost pv{"attn_pv", matmul, scores + tensor, tensor, scores};
  cost.kernels = {qk, softmax, pv};
  // The runtime allocates S and P for the whole pipeline.
  cost.peakIntermediateBytes = 2 * scores;
  return cost;
}

PipelineCost estimate(const Problem &problem, Pipeline pipeline,
                      TileConfig config, int64_t numStages) {
  return pipeline == Pipeline::Fused
             ? estimateFused(problem, config, numStages)
             : estimateUnfused(problem, config, numStages);
}

std::string formatSignificant(double value) {
  char buffer[64];
  if (std::fabs(value) >= 999.5) {
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
    return buffer;
  }
  std::snprintf(buffer, sizeof(buffer), "%#.3g", value);
  std::string text = buffer;
  if (!text.empty() && text.back() == '.')
    text.pop_back();
  return text;
}

/// `value` scaled into [1, 1000) with 3 significant digits, trailing zeros
/// dropped; large values keep every integer digit.
static std::string compact(double value) {
  char buffer[64];
  if (std::fabs(value) >= 999.5)
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
  else
    std::snprintf(buffer, sizeof(buffer), "%.3g", value);
  return buffer;
}

std::string formatBytes(double bytes) {
  static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  int unit = 0;
  // Move up a unit from 1000 on, so that 1000 KB reads "0.977 MB".
  while (unit < 5 && std::fabs(bytes) >= 1000) {
    bytes /= 1024;
    ++unit;
  }
  return compact(bytes) + " " + units[unit];
}

std::string formatDecimal(double value, llvm::StringRef unit) {
  static const char *const prefixes[] = {"", "k", "M", "G", "T", "P", "E"};
  int prefix = 0;
  while (prefix < 6 && std::fabs(value) >= 1000) {
    value /= 1000;
    ++prefix;
  }
  return compact(value) + " " + prefixes[prefix] + unit.str();
}

std::string formatSeconds(double seconds) {
  if (seconds >= 1)
    return compact(seconds) + " s";
  if (seconds >= 1e-3)
    return compact(seconds * 1e3) + " ms";
  if (seconds >= 1e-6)
    return compact(seconds * 1e6) + " us";
  return compact(seconds * 1e9) + " ns";
}

} // namespace attn::cost
