//===- Bench.cpp - attn-run bench: device-event timings -------------------===//
//
// Random inputs (never zeros), a warm-up, then timed runs of the whole
// pipeline with device events around every kernel; the median is reported.
// When one set of inputs and outputs is smaller than 100 MB (twice the H100's
// 50 MB L2), the runs cycle through enough sets to make up 100 MB, so that
// timings do not come from a warm L2.
//
// Files whose manifest carries the compiler's cost model (`attn.cost`
// lines) also get the predicted roofline time, the achieved bandwidth (the
// model's bytes over the measured time) and measured / predicted, for the
// pipeline and for each kernel. A progress line per file goes to stderr.
//
//===----------------------------------------------------------------------===//

#include "tools/attn-run/Bench.h"

#include "runtime/Pipeline.h"
#include "tools/attn-run/HostData.h"
#include "tools/attn-run/Report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace attn;
using namespace attn::run;

namespace {

constexpr uint64_t kRotationBytes = 100ull * 1000 * 1000;
constexpr int64_t kMaxInputSets = 1024;

/// One set of the problem's own tensors on the device (the forward's Q, K,
/// V, O and lse; the backward's dO, Q, K, V, O, lse, dQ, dK and dV).
struct DeviceSet {
  std::vector<rt::DeviceBuffer> buffers;
  rt::TensorBindings tensors;
};

/// Random inputs (the backward's lse too: only the time is measured) and
/// output buffers for every role of `problem`; for kernels of run-time
/// sizes, laid out in `layout` and bound with their shapes and strides.
rt::Status makeSet(const rt::Context &context, const rt::Problem &problem,
                   bool runTime, const std::string &layout, uint64_t seed,
                   const std::vector<int32_t> (&offsets)[2], DeviceSet &set) {
  std::vector<rt::TensorRole> roles = problem.roles();
  set.buffers.resize(roles.size());
  for (size_t i = 0; i < roles.size(); ++i) {
    rt::TensorRole role = roles[i];
    std::vector<int64_t> strides = runTime
                                       ? layoutStrides(problem, role, layout)
                                       : problem.packedStrides(role);
    rt::Expected<rt::DeviceBuffer> buffer = rt::DeviceBuffer::allocate(
        context, spanBytes(problem, role, strides), rt::nameOf(role));
    if (!buffer.ok())
      return buffer.status();
    set.buffers[i] = buffer.take();
    rt::TensorArg arg = rt::tensorArg(set.buffers[i]);
    if (runTime) {
      arg.strides = strides;
      arg.shape = problem.shape(role);
    }
    set.tensors.bind(role, arg);
    if (problem.isOutput(role))
      continue;
    // Packed sequences: the offsets of every set.
    if (role == rt::TensorRole::CuQ || role == rt::TensorRole::CuK) {
      const std::vector<int32_t> &cu = offsets[role == rt::TensorRole::CuK];
      if (rt::Status status =
              set.buffers[i].upload(cu.data(), cu.size() * sizeof(int32_t));
          !status.ok())
        return status;
      continue;
    }
    HostTensor host =
        randomTensor(problem.dtypeOf(role), problem.elements(role),
                     mixSeed(seed, uint64_t(i)));
    std::vector<uint8_t> laidOut = toLayout(problem, role, strides, host.bytes);
    if (rt::Status status =
            set.buffers[i].upload(laidOut.data(), laidOut.size());
        !status.ok())
      return status;
  }
  return rt::Status::success();
}

struct BenchResult {
  double medianMs = 0, minMs = 0, tflops = 0;
  /// The FLOPs timed: the problem's, or its packed sequences' sum.
  double flops = 0;
  int64_t inputSets = 0;
  std::vector<double> kernelMedianMs;
  /// Packed sequences: the query and key lengths timed, comma-separated.
  std::string seqLensQ, seqLensK;
};

/// The lengths between consecutive offsets, comma-separated.
std::string lengthsOf(const std::vector<int32_t> &offsets) {
  std::string text;
  for (size_t s = 0; s + 1 < offsets.size(); ++s)
    text += (s ? "," : "") + std::to_string(offsets[s + 1] - offsets[s]);
  return text;
}

/// Times `pipeline` on `problem` (the manifest's, or its sizes for a kernel
/// of run-time sizes).
rt::Status benchFile(const rt::Context &context, const InputFile &input,
                     const rt::Pipeline &pipeline, const rt::Problem &problem,
                     uint64_t seed, const Options &options,
                     BenchResult &result) {
  if (rt::Status status = checkRunSizes(input.manifest.problem, problem);
      !status.ok())
    return status;
  bool runTime = input.manifest.isDynamic();

  uint64_t setBytes = 0;
  uint64_t hostBytes = 0; // the largest input, as floats and in the dtype
  for (rt::TensorRole role : problem.roles()) {
    setBytes += problem.bytes(role);
    hostBytes = std::max<uint64_t>(
        hostBytes, uint64_t(problem.elements(role)) *
                       (sizeof(float) + rt::sizeOf(problem.dtype)));
  }
  if (rt::Status status = checkHostMemory(hostBytes, "making random inputs");
      !status.ok())
    return status;
  int64_t sets = 1;
  if (setBytes < kRotationBytes)
    sets = std::clamp<int64_t>(
        int64_t((kRotationBytes + setBytes - 1) / setBytes), 2, kMaxInputSets);
  result.inputSets = sets;

  // Packed sequences: random lengths (from 0 up), the same in every set
  // and, where the totals agree, for queries and keys (self-attention of
  // each sequence); the FLOPs are the sequences' own. They follow from
  // --seed, S and the totals only, so that kernels timed in one run (a
  // static and a run-time-size one, wgmma and mma.sync) see the same batch.
  std::vector<int32_t> offsets[2];
  result.flops = problem.flops();
  if (problem.sequences > 0) {
    offsets[0] = randomOffsets(problem.sequences, problem.seqLenQ,
                               mixSeed(options.seed, 7));
    offsets[1] = problem.seqLenK == problem.seqLenQ
                     ? offsets[0]
                     : randomOffsets(problem.sequences, problem.seqLenK,
                                     mixSeed(options.seed, 8));
    result.seqLensQ = lengthsOf(offsets[0]);
    result.seqLensK = lengthsOf(offsets[1]);
    result.flops = 0;
    for (int64_t s = 0; s < problem.sequences; ++s) {
      rt::Problem one = problem;
      one.sequences = 0;
      one.seqLenQ = offsets[0][size_t(s) + 1] - offsets[0][size_t(s)];
      one.seqLenK = offsets[1][size_t(s) + 1] - offsets[1][size_t(s)];
      if (one.seqLenQ > 0 && one.seqLenK > 0)
        result.flops += one.flops();
    }
  }
  std::vector<DeviceSet> deviceSets(static_cast<size_t>(sets));
  std::vector<rt::TensorBindings> tensorSets;
  for (int64_t i = 0; i < sets; ++i) {
    if (rt::Status status =
            makeSet(context, problem, runTime, options.layout,
                    mixSeed(seed, uint64_t(i)), offsets, deviceSets[size_t(i)]);
        !status.ok())
      return status;
    tensorSets.push_back(deviceSets[size_t(i)].tensors);
  }
  if (rt::Status status = pipeline.allocateWorkspaces(tensorSets.front());
      !status.ok())
    return status;

  rt::Expected<rt::PipelineTiming> timing =
      pipeline.time(tensorSets, options.warmup, options.reps);
  if (!timing.ok())
    return timing.status();
  result.medianMs = median(timing->totalMs);
  result.minMs =
      *std::min_element(timing->totalMs.begin(), timing->totalMs.end());
  result.tflops = result.flops / (result.medianMs * 1e-3) / 1e12;
  for (const std::vector<double> &kernelMs : timing->kernelMs)
    result.kernelMedianMs.push_back(median(kernelMs));
  return rt::Status::success();
}

/// Times one problem of `input` and prints and records its line; whether
/// it ran.
bool benchOne(const rt::Context &context, const InputFile &input,
              const rt::Pipeline &pipeline, const rt::Problem &problem,
              size_t index, const Options &options,
              std::vector<Record> &records) {
  BenchResult result;
  rt::Status status = benchFile(context, input, pipeline, problem,
                                mixSeed(options.seed, index), options, result);
  if (!status.ok()) {
    std::printf("FAIL %s error: %s file=%s\n", problem.describe().c_str(),
                status.message().c_str(), input.path.c_str());
    return false;
  }
  // Run-time sizes: the workspaces of this problem's instance.
  bool runTime = input.manifest.isDynamic();
  uint64_t workspaceBytes = pipeline.workspaceBytes();
  if (runTime) {
    rt::TensorBindings shapes;
    for (rt::TensorRole role : problem.roles())
      shapes.bind(role,
                  rt::TensorArg(/*address=*/256,
                                layoutStrides(problem, role, options.layout), 0,
                                problem.shape(role)));
    if (auto instance = pipeline.instanceFor(shapes); instance.ok())
      workspaceBytes = (*instance)->workspaceBytes();
  }
  // The cost model's prediction, where the manifest carries it.
  const rt::Manifest &manifest = input.manifest;
  bool hasCosts = manifest.hasCosts();
  double predictedMs = manifest.predictedMs();
  double achievedTbps =
      hasCosts ? manifest.costBytes() / (result.medianMs * 1e-3) / 1e12 : 0;
  double ratio =
      hasCosts && predictedMs > 0 ? result.medianMs / predictedMs : 0;
  std::string predicted = hasCosts ? formatNumber(predictedMs, 4) : "-";
  std::string ratioText = hasCosts ? formatNumber(ratio, 3) : "-";
  std::string bandwidthText = hasCosts ? formatNumber(achievedTbps, 3) : "-";
  std::printf("%-9s %-5s %4lld %4lld %6lld %4lld %3d %10.4f %10.4f %9.2f "
              "%5lld %14llu %10s %9s %6s  %s\n",
              rt::nameOf(problem.pipeline), rt::nameOf(problem.dtype),
              (long long)problem.batch, (long long)problem.heads,
              (long long)problem.seqLenQ, (long long)problem.headDim,
              int(problem.causal), result.medianMs, result.minMs, result.tflops,
              (long long)result.inputSets, (unsigned long long)workspaceBytes,
              predicted.c_str(), ratioText.c_str(), bandwidthText.c_str(),
              input.path.c_str());
  // What a peer needs to time the same batch (bench/varlen_peers.py).
  if (!result.seqLensQ.empty())
    std::printf("    sequences seq_lens=%s kv_seq_lens=%s\n",
                result.seqLensQ.c_str(), result.seqLensK.c_str());
  std::string kernelSummary, kernelPredicted, kernelFlops, kernelBytes;
  for (size_t k = 0; k < pipeline.kernels().size(); ++k) {
    const rt::Kernel &kernel = pipeline.kernels()[k];
    const rt::KernelAttributes &attributes = kernel.attributes();
    const rt::KernelDecl &decl = manifest.kernels[k];
    double ms = result.kernelMedianMs[k];
    std::string model;
    if (decl.hasCost) {
      model =
          " predicted_ms=" + formatNumber(decl.predictedMs, 4) + " meas/pred=" +
          (decl.predictedMs > 0 ? formatNumber(ms / decl.predictedMs, 3)
                                : std::string("-")) +
          " TB/s=" + formatNumber(decl.costBytes / (ms * 1e-3) / 1e12, 3) +
          " TFLOP/s=" + formatNumber(decl.costFlops / (ms * 1e-3) / 1e12, 4);
      std::string sep = k ? ";" : "";
      kernelPredicted +=
          sep + kernel.name() + ":" + formatNumber(decl.predictedMs, 6);
      kernelFlops +=
          sep + kernel.name() + ":" + formatNumber(decl.costFlops, 15);
      kernelBytes +=
          sep + kernel.name() + ":" + formatNumber(decl.costBytes, 15);
    }
    std::printf("    kernel %-24s median_ms=%.4f regs=%d static_smem=%d "
                "dynamic_smem=%lld local_bytes=%d%s\n",
                kernel.name().c_str(), ms, attributes.registers,
                attributes.staticSharedBytes, (long long)decl.shape.sharedBytes,
                attributes.localBytes, model.c_str());
    kernelSummary += (k ? ";" : "") + kernel.name() + ":" + formatNumber(ms, 6);
  }
  std::fflush(stdout);

  Record record;
  record.add("file", input.path);
  record.add("direction", std::string(rt::nameOf(problem.direction)));
  record.add("pipeline", std::string(rt::nameOf(problem.pipeline)));
  record.add("dtype", std::string(rt::nameOf(problem.dtype)));
  record.add("B", problem.batch);
  record.add("H", problem.heads);
  record.add("Hkv", problem.kvHeads);
  record.add("N", problem.seqLenQ);
  record.add("Nk", problem.seqLenK);
  record.add("D", problem.headDim);
  record.add("causal", int64_t(problem.causal));
  record.add("window_left", problem.windowLeft);
  record.add("window_right", problem.windowRight);
  record.add("runtime_sizes", int64_t(runTime));
  record.add("layout", runTime ? options.layout : std::string("bhnd"));
  record.add("median_ms", result.medianMs);
  record.add("min_ms", result.minMs);
  record.add("tflops", result.tflops);
  record.add("flops", result.flops);
  record.add("warmup", int64_t(options.warmup));
  record.add("reps", int64_t(options.reps));
  record.add("input_sets", result.inputSets);
  record.add("extra_mem_bytes", int64_t(workspaceBytes));
  record.add("measured_extra_mem_bytes", pipeline.measuredWorkspaceBytes());
  record.add("kernel_median_ms", kernelSummary);
  auto addModel = [&](const char *key, double value) {
    if (hasCosts)
      record.add(key, value);
    else
      record.add(key, std::string());
  };
  addModel("predicted_ms", predictedMs);
  addModel("measured_over_predicted", ratio);
  if (hasCosts)
    record.add("model_bytes", int64_t(manifest.costBytes()));
  else
    record.add("model_bytes", std::string());
  addModel("achieved_tbps", achievedTbps);
  record.add("kernel_predicted_ms", kernelPredicted);
  record.add("kernel_model_flops", kernelFlops);
  record.add("kernel_model_bytes", kernelBytes);
  record.add("device", context.deviceName());
  records.push_back(std::move(record));
  records.push_back(std::move(record));
  return true;
}

} // namespace

int attn::run::runBench(const Options &options) {
  std::vector<InputFile> inputs = readInputs(options.files);
  bool anyFailed = false, anyValid = false;
  for (const InputFile &input : inputs) {
    anyValid |= input.status.ok();
    if (!input.status.ok()) {
      std::printf("FAIL %s\n", input.status.message().c_str());
      anyFailed = true;
    }
  }
  std::unique_ptr<rt::Context> context;
  bool skipped = false;
  if (anyValid) {
    context = openDevice(skipped);
    if (!context)
      return anyFailed || !skipped ? kExitFail : kExitSkipped;
    std::printf("device: %s (sm_%d, %d SMs); warmup %d, reps %d\n",
                context->deviceName().c_str(), context->computeCapability(),
                context->multiprocessorCount(), options.warmup, options.reps);
    std::printf("%-9s %-5s %4s %4s %6s %4s %3s %10s %10s %9s %5s %14s "
                "%10s %9s %6s  %s\n",
                "pipeline", "dtype", "B", "H", "N", "D", "cau", "median_ms",
                "min_ms", "TFLOP/s", "sets", "extra_bytes", "pred_ms",
                "meas/pred", "TB/s", "file");
  }

  std::vector<Record> records;
  auto start = std::chrono::steady_clock::now();
  for (size_t index = 0; index < inputs.size(); ++index) {
    const InputFile &input = inputs[index];
    if (!input.status.ok())
      continue;
    std::fprintf(
        stderr, "[%zu/%zu, %.0f s] %s\n", index + 1, inputs.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        input.path.c_str());
    std::fflush(stderr);
    rt::Expected<rt::Pipeline> pipeline =
        rt::Pipeline::load(*context, input.text, input.path);
    if (!pipeline.ok()) {
      std::printf("FAIL %s error: %s file=%s\n",
                  input.manifest.problem.describe().c_str(),
                  pipeline.status().message().c_str(), input.path.c_str());
      anyFailed = true;
      continue;
    }
    // Kernels of run-time sizes run once per --sizes, on one load.
    std::vector<rt::Problem> problems = {input.manifest.problem};
    if (input.manifest.isDynamic() && !options.sizes.empty()) {
      problems.clear();
      for (const SizeSet &sizes : options.sizes)
        problems.push_back(sizes.apply(input.manifest.problem));
    }
    for (const rt::Problem &problem : problems)
      anyFailed |= !benchOne(*context, input, *pipeline, problem, index,
                             options, records);
  }

  if (!options.csvPath.empty())
    if (rt::Status status = writeCsv(options.csvPath, records); !status.ok()) {
      std::printf("FAIL %s\n", status.message().c_str());
      anyFailed = true;
    }
  if (!options.jsonPath.empty())
    if (rt::Status status = writeJson(options.jsonPath, records);
        !status.ok()) {
      std::printf("FAIL %s\n", status.message().c_str());
      anyFailed = true;
    }
  return anyFailed ? kExitFail : kExitPass;
}
