//===- ReportCost.cpp - print the cost model of every attn.attention ------===//
//
// An analysis: leaves the IR as it is and prints, for each attn.attention,
// a table of FLOPs, device-memory traffic, intermediates, arithmetic
// intensity and roofline-bound time per kernel of the chosen pipelines
// (compiler/Analysis/CostModel.h says how each figure is counted).
//
//===----------------------------------------------------------------------===//
#include "compiler/Analysis/CostModel.h"
#include "compiler/Analysis/Passes.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Attn/Transforms/TileConfig.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace attn {
#define GEN_PASS_DEF_ATTNREPORTCOST
#include "compiler/Analysis/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::cost;

namespace {

void printRow(llvm::raw_ostream &os, llvm::StringRef name, uint64_t flops,
              uint64_t read, uint64_t written, uint64_t intermediate,
              double seconds, llvm::StringRef bound) {
  double bytes = double(read) + double(written);
  os << llvm::formatv(
      "  {0,-20} {1,12} {2,10} {3,10} {4,10} {5,8} {6,-8} "
      "{7,10}\n",
      name, formatDecimal(double(flops), "FLOP"), formatBytes(double(read)),
      formatBytes(double(written)), formatBytes(double(intermediate)),
      formatSignificant(double(flops) / bytes), bound, formatSeconds(seconds));
}

void printPipeline(llvm::raw_ostream &os, const Problem &problem,
                   const PipelineCost &cost, const GpuModel &gpu) {
  const TileConfig &c = cost.config;
  os << llvm::formatv("{0} pipeline: block-m {1}, block-n {2}, num-warps {3}",
                      nameOf(cost.pipeline), c.blockM, c.blockN, c.numWarps);
  if (cost.pipeline == Pipeline::Fused) {
    os << llvm::formatv(", num-stages {0}; on-chip M = {1} ({2} B)\n",
                        cost.numStages, formatBytes(double(cost.onChipBytes)),
                        cost.onChipBytes);
    if (problem.direction == rt::Direction::Backward)
      os << "  P recomputed on chip from Q, K and lse; device memory beyond "
            "the tensors: δ and dQ's f32 accumulator, O(N·d); the atomic adds "
            "into it count as device-memory reads and writes (an upper "
            "bound: L2 absorbs some)\n";
    else
      os << "  HBM bytes = Q + O + ceil(N/block-m)·(K + V) per head"
         << (problem.causal ? " (causal: K/V up to each block's last row)" : "")
         << ", i.e. Θ(N²d²/M)\n";
  } else if (problem.direction == rt::Direction::Backward) {
    os << "\n  P, dP and dS ([B,H,N,N]) are written to and read back from "
          "device memory\n";
  } else {
    os << "\n  S and P ([B,H,N,N]) are written to and read back from device "
          "memory\n";
  }
  os << llvm::formatv("  {0,-20} {1,12} {2,10} {3,10} {4,10} {5,8} {6,-8} "
                      "{7,10}\n",
                      "kernel", "FLOPs", "read", "written", "interm.", "FLOP/B",
                      "bound", "time");
  bool anyMemory = false, anyCompute = false;
  for (const KernelCost &k : cost.kernels) {
    Roofline r = roofline(double(k.flops), double(k.bytes()), gpu);
    anyMemory |= r.bound == Bound::Memory;
    anyCompute |= r.bound == Bound::Compute;
    printRow(os, k.name, k.flops, k.bytesRead, k.bytesWritten,
             k.intermediateBytes, r.seconds, nameOf(r.bound));
  }
  llvm::StringRef bound = anyMemory && anyCompute ? "mixed"
                          : anyMemory             ? "memory"
                                                  : "compute";
  printRow(os, "total", cost.flops(), cost.bytesRead(), cost.bytesWritten(),
           cost.peakIntermediateBytes, cost.seconds(gpu), bound);
}

struct AttnReportCostPass : attn::impl::AttnReportCostBase<AttnReportCostPass> {
  using AttnReportCostBase::AttnReportCostBase;

  FailureOr<GpuModel> chooseGpu() {
    ModuleOp module = getOperation();
    GpuModel gpu;
    if (std::optional<GpuModel> builtin = builtinGpu(gpuName)) {
      gpu = *builtin;
    } else if (gpuName == "custom") {
      if (peakTflops <= 0 || bandwidthTbps <= 0)
        return module.emitError()
               << "gpu=custom needs peak-tflops= and bandwidth-tbps=";
      gpu.name = "custom";
    } else {
      return module.emitError() << "unknown gpu '" << gpuName
                                << "'; expected a100, h100 or custom";
    }
    if (peakTflops < 0 || bandwidthTbps < 0)
      return module.emitError()
             << "peak-tflops and bandwidth-tbps must be positive";
    bool overridden = false;
    if (peakTflops > 0) {
      gpu.peakFlops = peakTflops * 1e12;
      overridden = true;
    }
    if (bandwidthTbps > 0) {
      gpu.bandwidth = bandwidthTbps * 1e12;
      overridden = true;
    }
    if (overridden && gpu.name != "custom")
      gpu.name += " (user figures)";
    return gpu;
  }

  void runOnOperation() override {
    markAllAnalysesPreserved();
    ModuleOp module = getOperation();
    FailureOr<GpuModel> gpu = chooseGpu();
    if (failed(gpu))
      return signalPassFailure();
    SmallVector<Pipeline> pipelines;
    if (pipeline == "fused" || pipeline == "both")
      pipelines.push_back(Pipeline::Fused);
    if (pipeline == "unfused" || pipeline == "both")
      pipelines.push_back(Pipeline::Unfused);
    if (pipelines.empty()) {
      module.emitError() << "unknown pipeline '" << pipeline
                         << "'; expected fused, unfused or both";
      return signalPassFailure();
    }
    SmallVector<ProblemOpInterface> ops;
    module.walk([&](ProblemOpInterface op) { ops.push_back(op); });
    llvm::raw_ostream &os = llvm::outs();
    if (ops.empty()) {
      module.emitError() << "attn-report-cost: the module holds no "
                            "attn.attention or attn.attention_backward (the "
                            "report reads rung 1)";
      return signalPassFailure();
    }
    for (ProblemOpInterface op : ops)
      if (failed(report(op, pipelines, *gpu, os)))
        return signalPassFailure();
    os.flush();
  }

  LogicalResult report(ProblemOpInterface op, SmallVector<Pipeline> pipelines,
                       const GpuModel &gpu, llvm::raw_ostream &os) {
    Problem problem = problemOf(op);
    if (problem.hasDynamicSizes())
      return op->emitError()
             << "attn-report-cost: the op's sizes are known only at run "
                "time ('?'); the cost model needs them (report a problem of "
                "static sizes)";
    Type elt = op.getElementType();
    // A tiling chosen by attn-select-tiling is the one reported; without
    // one, each pipeline's defaults (the choice the pipeline would make).
    if (TilingAttr tiling = op.getTilingAttr()) {
      Pipeline chosen = tiling.getPipeline() == PipelineKind::fused
                            ? Pipeline::Fused
                            : Pipeline::Unfused;
      if (!llvm::is_contained(pipelines, chosen))
        return op->emitError()
               << "the op's tiling " << tiling << " is for the "
               << nameOf(chosen) << " pipeline; pipeline=" << pipeline
               << " does not report it";
      pipelines = {chosen};
    }
    SmallVector<PipelineCost> costs;
    SmallVector<std::string> notes;
    auto forward = dyn_cast<AttentionOp>(op.getOperation());
    bool sequences = forward && forward.hasSequences();
    if (sequences)
      notes.push_back("packed sequences: the figures are those of one "
                      "sequence of all Nq queries and Nk keys, an upper bound "
                      "(the lengths are known only at run time)");
    for (Pipeline p : pipelines) {
      if (p == Pipeline::Unfused && sequences) {
        notes.push_back("unfused pipeline: not reported; it does not take "
                        "packed sequences");
        continue;
      }
      if (p == Pipeline::Unfused && problem.lse &&
          problem.direction == rt::Direction::Forward) {
        notes.push_back("unfused pipeline: not reported; it does not produce "
                        "the logsumexp result");
        continue;
      }
      FailureOr<TilingAttr> tiling =
          getOrSelectTiling(op, p == Pipeline::Fused ? PipelineKind::fused
                                                     : PipelineKind::unfused);
      if (failed(tiling))
        return failure();
      costs.push_back(
          estimate(problem, p, tileConfigOf(*tiling), tiling->getStages()));
    }

    std::string where;
    if (auto fn = op->getParentOfType<func::FuncOp>())
      where = (" in @" + fn.getSymName()).str();
    std::string type;
    llvm::raw_string_ostream(type) << elt;
    bool backward = problem.direction == rt::Direction::Backward;
    os << llvm::formatv("=== attn cost report{0}: {1}B={2} H={3} N={4} D={5} "
                        "{6}{7}{8} ===\n",
                        where, backward ? "backward, " : "", problem.batch,
                        problem.heads, problem.seqLenQ, problem.headDim, type,
                        problem.causal ? ", causal" : "",
                        problem.lse && !backward ? ", lse" : "");
    os << llvm::formatv("GPU {0}: {1}, {2}, balance point {3} FLOP/B\n",
                        gpu.name, formatDecimal(gpu.peakFlops, "FLOP/s"),
                        formatDecimal(gpu.bandwidth, "B/s"),
                        llvm::format("%.0f", gpu.balance()));
    double io = double(ioBytes(problem));
    double sp = (backward ? 3.0 : 2.0) * double(scoresBytes(problem));
    if (backward) {
      // δ and dQ's f32 accumulator: B·H·N·(1 + d) f32.
      double rows = double(problem.batch) * problem.heads * problem.seqLenQ;
      os << llvm::formatv(
          "memory: Q+K+V+O+dO+dQ+dK+dV {0}; unfused P+dP+dS {1} ({2} % of "
          "the total); fused δ + dQ accumulator {3} (KB = 1024 B)\n",
          formatBytes(io), formatBytes(sp),
          llvm::format("%.0f", 100.0 * sp / (io + sp)),
          formatBytes(rows * 4 * (1 + problem.headDim)));
    } else {
      os << llvm::formatv("memory: Q+K+V+O {0}, S+P {1}, S+P share of the "
                          "total {2} % (KB = 1024 B)\n",
                          formatBytes(io), formatBytes(sp),
                          llvm::format("%.0f", 100.0 * sp / (io + sp)));
    }
    for (const PipelineCost &cost : costs)
      printPipeline(os, problem, cost, gpu);
    for (const std::string &note : notes)
      os << note << "\n";
    if (costs.size() == 2) {
      double fused = costs[0].seconds(gpu), unfused = costs[1].seconds(gpu);
      os << llvm::formatv("unfused / fused: {0}x the time, {1}x the device-"
                          "memory traffic\n",
                          formatSignificant(unfused / fused),
                          formatSignificant(double(costs[1].bytes()) /
                                            double(costs[0].bytes())));
    }
    os << "\n";
    return success();
  }
};

} // namespace
