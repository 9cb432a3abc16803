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

uint64_t ioBytes(const Problem &p) {
  using R = rt::TensorRole;
  uint64_t forward =
      p.bytes(R::Q) + p.bytes(R::K) + p.bytes(R::V) + p.bytes(R::O);
  if (p.direction == rt::Direction::Forward)
    return forward;
  return 2 * forward; // dO, dQ, dK, dV have the shapes of O, Q, K, V.
}

uint64_t scoresBytes(const Problem &p) {
  return uint64_t(p.scoreElements()) * rt::sizeOf(p.dtype);
}

static rt::DType dtypeOf(mlir::Type type) {
  if (type.isF16())
    return rt::DType::F16;
  if (type.isBF16())
    return rt::DType::BF16;
  return rt::DType::F32;
}

Problem problemOf(ProblemOpInterface op) {
  // A size known only at run time ('?') is rt::kDynamicSize.
  auto size = [](int64_t v) {
    return mlir::ShapedType::isDynamic(v) ? rt::kDynamicSize : v;
  };
  Problem p = Problem::attention(size(op.getBatch()), size(op.getNumHeads()),
                                 size(op.getQuerySeqLen()), op.getHeadDim(),
                                 dtypeOf(op.getElementType()));
  p.kvHeads = size(op.getKvHeads());
  p.seqLenK = size(op.getKeySeqLen());
  p.causal = op.getCausal();
  p.windowLeft = op.getWindowLeft().value_or(-1);
  p.windowRight = op.getWindowRight().value_or(-1);
  p.scale = op.getEffectiveScale();
  if (auto forward = llvm::dyn_cast<AttentionOp>(op.getOperation())) {
    p.lse = bool(forward.getLse());
    if (forward.hasSequences()) {
      int64_t offsets =
          mlir::cast<mlir::ShapedType>(forward.getQuerySeqOffsets().getType())
              .getDimSize(0);
      p.sequences =
          mlir::ShapedType::isDynamic(offsets) ? rt::kDynamicSize : offsets - 1;
    }
  } else {
    p.direction = rt::Direction::Backward;
    p.lse = true;
  }
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
  return uint64_t(p.headDim) * rt::sizeOf(p.dtype) + 16;
}

/// The (query row, key row) pairs a program of `rows` query rows starting
/// at `row0` computes, and the key rows it reads, per head: the blocks of
/// block-n keys its loop visits (attn-tile's bounds: from the block of the
/// first row's first key with a left window, to the last row's last key
/// when causal or with a right window).
static std::pair<uint64_t, uint64_t> visited(const Problem &p, TileConfig c,
                                             int64_t row0, int64_t rows,
                                             int64_t firstKey = 0,
                                             int64_t lastKey = -1) {
  const int64_t nq = p.seqLenQ, nk = p.seqLenK;
  const int64_t shift = nk - nq; // row i's diagonal is key i + shift
  int64_t begin = 0, end = nk;
  std::optional<int64_t> after;
  if (p.causal)
    after = 0;
  else if (p.windowRight >= 0)
    after = p.windowRight;
  if (after)
    end = std::clamp<int64_t>(
        std::min<int64_t>(nq, row0 + rows) + shift + *after, 0, nk);
  if (p.windowLeft >= 0)
    begin =
        std::max<int64_t>(row0 + shift - p.windowLeft, 0) / c.blockN * c.blockN;
  // One split of the keys: [firstKey, lastKey).
  begin = std::max(begin, firstKey);
  if (lastKey >= 0)
    end = std::min(end, lastKey);
  uint64_t keys = end <= begin
                      ? 0
                      : std::min<uint64_t>(uint64_t(nk - begin),
                                           llvm::alignTo(uint64_t(end - begin),
                                                         uint64_t(c.blockN)));
  uint64_t qRows = uint64_t(std::min<int64_t>(rows, nq - row0));
  return {qRows * keys, keys};
}

static PipelineCost estimateFused(const Problem &p, TileConfig c,
                                  int64_t numStages) {
  PipelineCost cost;
  cost.pipeline = Pipeline::Fused;
  cost.config = c;
  cost.numStages = numStages;
  cost.onChipBytes =
      uint64_t(c.blockM + 2 * numStages * c.blockN) * paddedRowBytes(p);

  // Per (b, h): walk the Q blocks (and, split, the key chunks); each reads
  // the K/V rows it visits.
  const uint64_t d = uint64_t(p.headDim);
  const uint64_t e = rt::sizeOf(p.dtype);
  const int64_t splits =
      c.splitKeys ? llvm::divideCeil(p.seqLenK, c.splitKeys) : 1;
  uint64_t pairs = 0, kvRows = 0;
  for (int64_t row0 = 0; row0 < p.seqLenQ; row0 += c.blockM)
    for (int64_t s = 0; s < splits; ++s) {
      auto [blockPairs, keys] =
          c.splitKeys ? visited(p, c, row0, c.blockM, s * c.splitKeys,
                                (s + 1) * c.splitKeys)
                      : visited(p, c, row0, c.blockM);
      pairs += blockPairs;
      kvRows += keys;
    }
  const uint64_t heads = uint64_t(p.batch) * uint64_t(p.heads);
  using R = rt::TensorRole;
  KernelCost k;
  k.name = "attn_fwd";
  k.flops = heads * pairs * (4 * d + 5);
  // The programs of a group of query heads run side by side (heads along
  // grid y): device memory serves each K/V tile once per K/V head, L2 the
  // rest of the group.
  const uint64_t kvHeads = uint64_t(p.batch) * uint64_t(p.kvHeads);
  k.bytesRead = uint64_t(splits) * p.bytes(R::Q) + kvHeads * kvRows * 2 * d * e;
  if (!c.splitKeys) {
    k.bytesWritten = p.bytes(R::O);
    if (p.lse)
      k.bytesWritten += p.bytes(R::Lse);
    cost.kernels.push_back(k);
    return cost;
  }
  // Split: each program writes its f32 partial rows and their logsumexps;
  // the combining kernel reads them back and writes O (and lse).
  const uint64_t partials =
      uint64_t(splits) * heads * uint64_t(p.seqLenQ) * (d + 1) * 4;
  k.bytesWritten = partials;
  cost.kernels.push_back(k);
  KernelCost combine;
  combine.name = "attn_fwd_combine";
  combine.flops = uint64_t(splits) * heads * uint64_t(p.seqLenQ) * (2 * d + 4);
  combine.bytesRead = partials;
  combine.bytesWritten = p.bytes(R::O) + (p.lse ? p.bytes(R::Lse) : 0);
  cost.kernels.push_back(combine);
  return cost;
}

static PipelineCost estimateUnfused(const Problem &p, TileConfig c,
                                    int64_t numStages) {
  PipelineCost cost;
  cost.pipeline = Pipeline::Unfused;
  cost.config = c;
  cost.numStages = numStages;
  const uint64_t heads = uint64_t(p.batch) * uint64_t(p.heads);
  const uint64_t nq = uint64_t(p.seqLenQ), nk = uint64_t(p.seqLenK);
  const uint64_t d = uint64_t(p.headDim);
  const uint64_t matmul = 2 * heads * nq * nk * d;
  const uint64_t scores = scoresBytes(p);
  using R = rt::TensorRole;
  const uint64_t q = p.bytes(R::Q), k = p.bytes(R::K), v = p.bytes(R::V),
                 o = p.bytes(R::O);

  KernelCost qk{"attn_scores", matmul, q + k, scores, scores};
  KernelCost softmax{"attn_softmax", 5 * heads * nq * nk, scores, scores,
                     2 * scores};
  KernelCost pv{"attn_pv", matmul, scores + v, o, scores};
  cost.kernels = {qk, softmax, pv};
  // The runtime allocates S and P for the whole pipeline.
  cost.peakIntermediateBytes = 2 * scores;
  return cost;
}

static PipelineCost estimateBackwardFused(const Problem &p, TileConfig c,
                                          int64_t numStages,
                                          bool deterministic) {
  PipelineCost cost;
  cost.pipeline = Pipeline::Fused;
  cost.config = c;
  cost.numStages = numStages;
  // A program's tiles: its K and V blocks and num-stages Q and dO blocks.
  cost.onChipBytes =
      uint64_t(2 * c.blockN + 2 * numStages * c.blockM) * paddedRowBytes(p);
  using R = rt::TensorRole;
  const uint64_t heads = uint64_t(p.batch) * uint64_t(p.heads);
  const uint64_t d = uint64_t(p.headDim), e = rt::sizeOf(p.dtype);
  const uint64_t rows = heads * uint64_t(p.seqLenQ);
  const uint64_t accumulator = rows * d * 4, delta = rows * 4;

  // Pairs and query-block reads of the key-block programs: per key block,
  // the query blocks from the one holding its first visible row on.
  uint64_t pairs = 0, queryRows = 0;
  for (int64_t row0 = 0; row0 < p.seqLenQ; row0 += c.blockM) {
    auto [blockPairs, keys] = visited(p, c, row0, c.blockM);
    pairs += blockPairs;
    // Each key block that sees this query block reads its rows once.
    uint64_t qRows = uint64_t(std::min<int64_t>(c.blockM, p.seqLenQ - row0));
    queryRows += qRows * llvm::divideCeil(keys, uint64_t(c.blockN));
  }
  pairs *= heads;
  queryRows *= heads;

  KernelCost pre{"attn_bwd_preprocess", 2 * rows * d,
                 p.bytes(R::DO) + p.bytes(R::O),
                 delta + (deterministic ? 0 : accumulator), 0};
  KernelCost main{"attn_bwd_dkdv", pairs * (10 * d + 5), 0, 0, 0};
  // Q and dO rows, lse and δ per row, per visit; K and V once.
  main.bytesRead = queryRows * (2 * d * e + 8) + p.bytes(R::K) + p.bytes(R::V);
  main.bytesWritten = p.bytes(R::DK) + p.bytes(R::DV);
  if (!deterministic) {
    main.bytesRead += queryRows * d * 4;    // the accumulator's reads
    main.bytesWritten += queryRows * d * 4; // and its writes
    main.intermediateBytes = delta + accumulator;
    pre.intermediateBytes = delta + accumulator;
    KernelCost convert{"attn_bwd_dq_convert", rows * d, accumulator,
                       p.bytes(R::DQ), accumulator};
    cost.kernels = {pre, main, convert};
    cost.peakIntermediateBytes = delta + accumulator;
    return cost;
  }
  // Deterministic: dQ's product moves to a kernel of its own that
  // recomputes S and dP: 6d per pair instead of 2d.
  main.flops = pairs * (8 * d + 5);
  main.intermediateBytes = pre.intermediateBytes = delta;
  KernelCost dq{"attn_bwd_dq", pairs * (6 * d + 5), 0, p.bytes(R::DQ), delta};
  uint64_t keyRows = 0;
  for (int64_t row0 = 0; row0 < p.seqLenQ; row0 += c.blockM)
    keyRows += visited(p, c, row0, c.blockM).second;
  dq.bytesRead =
      p.bytes(R::Q) + p.bytes(R::DO) + rows * 8 + heads * keyRows * 2 * d * e;
  cost.kernels = {pre, main, dq};
  cost.peakIntermediateBytes = delta;
  return cost;
}

static PipelineCost estimateBackwardUnfused(const Problem &p, TileConfig c,
                                            int64_t numStages) {
  PipelineCost cost;
  cost.pipeline = Pipeline::Unfused;
  cost.config = c;
  cost.numStages = numStages;
  using R = rt::TensorRole;
  const uint64_t heads = uint64_t(p.batch) * uint64_t(p.heads);
  const uint64_t nq = uint64_t(p.seqLenQ), nk = uint64_t(p.seqLenK);
  const uint64_t d = uint64_t(p.headDim);
  const uint64_t matmul = 2 * heads * nq * nk * d;
  const uint64_t scores = scoresBytes(p);
  const uint64_t delta = heads * nq * 4;
  KernelCost probs{"attn_bwd_probs", matmul + 5 * heads * nq * nk,
                   p.bytes(R::Q) + p.bytes(R::K) + p.bytes(R::Lse), scores,
                   scores};
  KernelCost dv{"attn_bwd_dv", matmul, scores + p.bytes(R::DO), p.bytes(R::DV),
                scores};
  KernelCost dp{"attn_bwd_dp", matmul, p.bytes(R::DO) + p.bytes(R::V), scores,
                2 * scores};
  // The softmax's backward: δ = rowsum(P ∘ dP) reads both matrices.
  KernelCost pre{"attn_bwd_delta", 2 * heads * nq * nk, 2 * scores, delta,
                 2 * scores + delta};
  KernelCost ds{"attn_bwd_ds", 2 * heads * nq * nk, 2 * scores + delta, scores,
                3 * scores + delta};
  KernelCost dq{"attn_bwd_dq", matmul, scores + p.bytes(R::K), p.bytes(R::DQ),
                3 * scores + delta};
  KernelCost dk{"attn_bwd_dk", matmul, scores + p.bytes(R::Q), p.bytes(R::DK),
                3 * scores + delta};
  cost.kernels = {probs, dv, dp, pre, ds, dq, dk};
  // The runtime allocates P, dP, dS and δ for the whole pipeline.
  cost.peakIntermediateBytes = 3 * scores + delta;
  return cost;
}

PipelineCost estimate(const Problem &problem, Pipeline pipeline,
                      TileConfig config, int64_t numStages,
                      bool deterministic) {
  if (problem.direction == rt::Direction::Backward)
    return pipeline == Pipeline::Fused
               ? estimateBackwardFused(problem, config, numStages,
                                       deterministic)
               : estimateBackwardUnfused(problem, config, numStages);
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
