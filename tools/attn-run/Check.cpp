//===- Check.cpp - attn-run check: compare with a float64 reference -------===//
//
// For each PTX file: fresh random inputs, outputs and intermediates poisoned
// with NaN bytes, one run, then every output element must have been written
// and the result must match a float64 CPU reference computed from the
// rounded inputs within the dtype's bound on ||out - ref|| / ||ref||.
//
//===----------------------------------------------------------------------===//

#include "tools/attn-run/Check.h"
#include "tools/attn-run/CheckBackward.h"

#include "runtime/FloatConvert.h"
#include "runtime/Pipeline.h"
#include "runtime/Reference.h"
#include "tools/attn-run/HostData.h"
#include "tools/attn-run/Report.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <system_error>
#include <thread>
#include <tuple>

using namespace attn;
using namespace attn::run;

namespace {

/// Running error of a compared tensor, and where it is worst.
struct ErrorSums {
  double diffSquares = 0;
  double refSquares = 0;
  double maxAbs = 0;
  int64_t worstHead = -1, worstRow = 0, worstCol = 0;
  double worstGot = 0, worstWant = 0;

  void add(double got, double want, int64_t head, int64_t row, int64_t col) {
    double diff = got - want;
    diffSquares += diff * diff;
    refSquares += want * want;
    double magnitude = std::fabs(diff);
    // A NaN is the worst error there is; the first one stays the maximum.
    bool worse =
        worstHead < 0 ||
        (!std::isnan(maxAbs) && (std::isnan(magnitude) || magnitude > maxAbs));
    if (worse) {
      maxAbs = magnitude;
      worstHead = head, worstRow = row, worstCol = col;
      worstGot = got, worstWant = want;
    }
  }

  void merge(const ErrorSums &other) {
    diffSquares += other.diffSquares;
    refSquares += other.refSquares;
    if (other.worstHead < 0)
      return;
    if (worstHead < 0 || std::isnan(other.maxAbs) ||
        (!std::isnan(maxAbs) && other.maxAbs > maxAbs)) {
      maxAbs = other.maxAbs;
      worstHead = other.worstHead, worstRow = other.worstRow;
      worstCol = other.worstCol;
      worstGot = other.worstGot, worstWant = other.worstWant;
    }
  }

  double relative() const {
    return refSquares > 0 ? std::sqrt(diffSquares / refSquares)
                          : std::sqrt(diffSquares);
  }
};

/// The rows of head `head` to check: all of them when N <= 1024 or the
/// sample covers N, else `sample` distinct rows chosen from `seed`,
/// always including the first and the last.
std::vector<int64_t> rowsToCheck(int64_t n, int64_t sample, uint64_t seed) {
  std::vector<int64_t> rows;
  if (n <= 1024 || sample >= n) {
    for (int64_t i = 0; i < n; ++i)
      rows.push_back(i);
    return rows;
  }
  std::set<int64_t> chosen = {0, n - 1};
  Random random(seed);
  while (int64_t(chosen.size()) < std::max<int64_t>(sample, 2))
    chosen.insert(int64_t(random.next() % uint64_t(n)));
  return std::vector<int64_t>(chosen.begin(), chosen.end());
}

struct Comparison {
  ErrorSums output;
  ErrorSums lse;
  int64_t rowsChecked = 0;
};

/// Compares `got` (O) and `gotLse` with the reference on the sampled rows,
/// spread over every hardware thread.
Comparison compare(const rt::Problem &problem, const HostTensor &q,
                   const HostTensor &k, const HostTensor &v,
                   const std::vector<float> &got,
                   const std::vector<float> &gotLse, int64_t sample,
                   uint64_t seed, const std::vector<int32_t> &cuQ,
                   const std::vector<int32_t> &cuK) {
  int64_t heads = problem.batch * problem.heads;
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(heads));
  for (int64_t head = 0; head < heads; ++head)
    rows[size_t(head)] = rowsToCheck(problem.seqLenQ, sample,
                                     mixSeed(seed, 1000 + uint64_t(head)));

  // Work items: up to 16 rows of one head.
  constexpr int64_t kRowsPerItem = 16;
  struct Item {
    int64_t head, begin, end;
  };
  std::vector<Item> items;
  for (int64_t head = 0; head < heads; ++head) {
    int64_t count = int64_t(rows[size_t(head)].size());
    for (int64_t begin = 0; begin < count; begin += kRowsPerItem)
      items.push_back({head, begin, std::min(count, begin + kRowsPerItem)});
  }

  unsigned threadCount = std::max(1u, std::thread::hardware_concurrency());
  threadCount = unsigned(std::clamp<size_t>(items.size(), 1, threadCount));
  std::vector<Comparison> partial(threadCount);
  std::atomic<size_t> next{0};
  auto work = [&](unsigned id) {
    Comparison &mine = partial[id];
    std::vector<double> scratch, out(size_t(problem.headDim));
    const int64_t d = problem.headDim;
    for (size_t i = next++; i < items.size(); i = next++) {
      const Item &item = items[i];
      for (int64_t r = item.begin; r < item.end; ++r) {
        int64_t row = rows[size_t(item.head)][size_t(r)];
        double lse = 0;
        if (problem.sequences > 0)
          rt::referencePackedRow(
              problem, cuQ.data(), cuK.data(), q.values.data(), k.values.data(),
              v.values.data(), item.head, row, out.data(), lse, scratch);
        else
          rt::referenceRow(problem, q.values.data(), k.values.data(),
                           v.values.data(), item.head, row, out.data(), lse,
                           scratch);
        const float *gotRow =
            got.data() + (item.head * problem.seqLenQ + row) * d;
        for (int64_t c = 0; c < d; ++c)
          mine.output.add(gotRow[c], out[size_t(c)], item.head, row, c);
        if (problem.lse && std::isfinite(lse)) // -inf: checked apart
          mine.lse.add(gotLse[size_t(item.head * problem.seqLenQ + row)], lse,
                       item.head, row, 0);
        ++mine.rowsChecked;
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned id = 1; id < threadCount; ++id)
    threads.emplace_back(work, id);
  work(0);
  for (std::thread &thread : threads)
    thread.join();

  Comparison total;
  for (const Comparison &part : partial) {
    total.output.merge(part.output);
    total.lse.merge(part.lse);
    total.rowsChecked += part.rowsChecked;
  }
  return total;
}

int64_t countNonFinite(const std::vector<float> &values) {
  int64_t count = 0;
  for (float value : values)
    count += !std::isfinite(value);
  return count;
}

std::string describeWorst(const rt::Problem &problem, const ErrorSums &sums,
                          const char *tensor) {
  if (sums.worstHead < 0)
    return "";
  int64_t b = sums.worstHead / problem.heads,
          h = sums.worstHead % problem.heads;
  return std::string(" worst_") + tensor + "=[b=" + std::to_string(b) +
         ",h=" + std::to_string(h) + ",i=" + std::to_string(sums.worstRow) +
         (std::string(tensor) == "o" ? ",d=" + std::to_string(sums.worstCol)
                                     : "") +
         "] got=" + formatNumber(sums.worstGot, 6) +
         " want=" + formatNumber(sums.worstWant, 6);
}

class FileCheck {
public:
  /// Checks `input` on `pipeline` (loaded from it): the manifest's problem,
  /// or, for a manifest of run-time sizes, that problem with `sizes` in
  /// --layout.
  FileCheck(const rt::Context &context, const InputFile &input,
            const rt::Pipeline &pipeline, size_t index, const Options &options,
            std::optional<SizeSet> sizes = std::nullopt)
      : context(context), input(input), pipeline(pipeline), options(options),
        seed(mixSeed(options.seed, index)), sizes(sizes),
        problem(sizes ? sizes->apply(input.manifest.problem)
                      : input.manifest.problem) {}

  /// Runs the check, prints its line and returns whether it passed.
  bool run(Record &record);

private:
  rt::Status execute();
  bool report(const rt::Status &status, Record &record);
  /// --save: the inputs and outputs as raw bytes, and the problem line.
  rt::Status save(const HostTensor &q, const HostTensor &k, const HostTensor &v,
                  const std::vector<float> &o,
                  const std::vector<float> &lse) const;

  const rt::Context &context;
  const InputFile &input;
  const rt::Pipeline &pipeline;
  const Options &options;
  uint64_t seed;
  std::optional<SizeSet> sizes;
  rt::Problem problem;

  int64_t declaredBytes = 0, measuredBytes = 0;
  int64_t nonFinite = 0, lseNonFinite = 0;
  Comparison comparison;
  /// Packed sequences: the offsets of this run (S + 1 each, random lengths
  /// from the seed, empty sequences included).
  std::vector<int32_t> cuQ, cuK;
};

bool FileCheck::run(Record &record) { return report(execute(), record); }

rt::Status FileCheck::save(const HostTensor &q, const HostTensor &k,
                           const HostTensor &v, const std::vector<float> &o,
                           const std::vector<float> &lse) const {
  std::string base = input.path;
  if (size_t slash = base.rfind('/'); slash != std::string::npos)
    base = base.substr(slash + 1);
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".ptx") == 0)
    base.resize(base.size() - 4);
  std::error_code error;
  std::filesystem::create_directories(options.saveDir, error);
  if (error)
    return rt::Status::error(rt::StatusCode::IoError,
                             "cannot create directory '" + options.saveDir +
                                 "': " + error.message());
  if (sizes)
    base += "-" + sizes->tag();
  base = options.saveDir + "/" + base;
  std::vector<uint8_t> oBytes(o.size() * rt::sizeOf(problem.dtype));
  rt::encode(problem.dtype, o.data(), int64_t(o.size()), oBytes.data());
  // The problem's manifest line.
  rt::Manifest described;
  described.problem = problem;
  std::string line = rt::writeManifest(described);
  if (size_t at = line.find("// attn.problem "); at != std::string::npos)
    line = line.substr(at, line.find('\n', at) - at) + "\n";
  for (auto [suffix, data, bytes] :
       {std::tuple<const char *, const void *, size_t>{".q.bin", q.bytes.data(),
                                                       q.bytes.size()},
        {".k.bin", k.bytes.data(), k.bytes.size()},
        {".v.bin", v.bytes.data(), v.bytes.size()},
        {".o.bin", oBytes.data(), oBytes.size()},
        {".lse.bin", lse.data(), lse.size() * sizeof(float)},
        {".problem", line.data(), line.size()}})
    if (rt::Status status = writeFile(base + suffix, data, bytes); !status.ok())
      return status;
  // Packed sequences: their offsets, as the kernels read them (i32).
  if (problem.sequences > 0)
    for (auto [suffix, offsets] :
         {std::pair{".cu_q.bin", &cuQ}, std::pair{".cu_k.bin", &cuK}})
      if (rt::Status status = writeFile(base + suffix, offsets->data(),
                                        offsets->size() * sizeof(int32_t));
          !status.ok())
        return status;
  return rt::Status::success();
}

rt::Status FileCheck::execute() {
  using R = rt::TensorRole;
  if (rt::Status status = checkRunSizes(input.manifest.problem, problem);
      !status.ok())
    return status;
  // Host memory first: the inputs as floats and in the dtype, the output
  // as floats and in the dtype, and the lse.
  uint64_t e = rt::sizeOf(problem.dtype) + sizeof(float);
  uint64_t hostBytes =
      (uint64_t(problem.elements(R::Q)) + 2 * uint64_t(problem.elements(R::K)) +
       uint64_t(problem.elements(R::O))) *
          e +
      (problem.lse ? problem.bytes(R::Lse) : 0);
  if (rt::Status status = checkHostMemory(hostBytes, "checking the problem");
      !status.ok())
    return status;

  // Layout (run-time sizes): strides of each tensor, and its shape for the
  // kernels to read their sizes from.
  bool runTime = input.manifest.isDynamic();
  auto stridesOf = [&](R role) {
    return runTime ? layoutStrides(problem, role, options.layout)
                   : problem.packedStrides(role);
  };

  HostTensor q =
      randomTensor(problem.dtype, problem.elements(R::Q), mixSeed(seed, 1));
  HostTensor k =
      randomTensor(problem.dtype, problem.elements(R::K), mixSeed(seed, 2));
  HostTensor v =
      randomTensor(problem.dtype, problem.elements(R::V), mixSeed(seed, 3));

  const R roles[7] = {R::Q, R::K, R::V, R::O, R::Lse, R::CuQ, R::CuK};
  rt::DeviceBuffer buffers[7];
  rt::TensorBindings tensors;
  if (problem.sequences > 0) {
    cuQ = randomOffsets(problem.sequences, problem.seqLenQ, mixSeed(seed, 4));
    cuK = randomOffsets(problem.sequences, problem.seqLenK, mixSeed(seed, 5));
  }
  for (int i = 0; i < 7; ++i) {
    if (!problem.hasRole(roles[i]))
      continue;
    std::vector<int64_t> strides = stridesOf(roles[i]);
    rt::Expected<rt::DeviceBuffer> buffer = rt::DeviceBuffer::allocate(
        context, spanBytes(problem, roles[i], strides), rt::nameOf(roles[i]));
    if (!buffer.ok())
      return buffer.status();
    buffers[i] = buffer.take();
    rt::TensorArg arg = rt::tensorArg(buffers[i]);
    if (runTime) {
      arg.strides = strides;
      arg.shape = problem.shape(roles[i]);
    }
    tensors.bind(roles[i], arg);
  }
  const HostTensor *inputs[3] = {&q, &k, &v};
  for (int i = 0; i < 3; ++i) {
    std::vector<uint8_t> laidOut =
        toLayout(problem, roles[i], stridesOf(roles[i]), inputs[i]->bytes);
    if (rt::Status status = buffers[i].upload(laidOut.data(), laidOut.size());
        !status.ok())
      return status;
  }
  for (int i = 3; i < 5; ++i)
    if (buffers[i].pointer())
      if (rt::Status status = buffers[i].fill(0xFF); !status.ok())
        return status;
  for (auto [i, offsets] : {std::pair{5, &cuQ}, std::pair{6, &cuK}})
    if (buffers[i].pointer())
      if (rt::Status status = buffers[i].upload(
              offsets->data(), offsets->size() * sizeof(int32_t));
          !status.ok())
        return status;

  // 0xFF bytes are NaN in every dtype: an element no kernel writes stays
  // NaN. Workspaces of run-time sizes are allocated by the first run of
  // these sizes: that run's are poisoned after it is prepared.
  if (runTime)
    if (rt::Status status = pipeline.allocateWorkspaces(tensors); !status.ok())
      return status;
  if (rt::Status status = pipeline.fillWorkspaces(0xFF); !status.ok())
    return status;
  if (runTime) {
    rt::Expected<std::shared_ptr<const rt::Manifest>> instance =
        pipeline.instanceFor(tensors);
    if (!instance.ok())
      return instance.status();
    declaredBytes = int64_t((*instance)->workspaceBytes());
  } else {
    declaredBytes = int64_t(pipeline.workspaceBytes());
  }
  measuredBytes = pipeline.measuredWorkspaceBytes();

  if (rt::Status status = pipeline.run(tensors); !status.ok())
    return status;
  if (rt::Status status =
          context.synchronize("running the kernels of '" + input.path + "'");
      !status.ok())
    return status;

  int64_t count = problem.elements(R::O);
  std::vector<uint8_t> bytes(spanBytes(problem, R::O, stridesOf(R::O)));
  if (rt::Status status = buffers[3].download(bytes.data(), bytes.size());
      !status.ok())
    return status;
  bytes = fromLayout(problem, R::O, stridesOf(R::O), bytes);
  std::vector<float> got(static_cast<size_t>(count)), gotLse;
  rt::decode(problem.dtype, bytes.data(), count, got.data());
  bytes = {};
  if (problem.lse) {
    gotLse.resize(size_t(problem.elements(R::Lse)));
    if (rt::Status status =
            buffers[4].download(gotLse.data(), gotLse.size() * sizeof(float));
        !status.ok())
      return status;
  }
  if (!options.saveDir.empty())
    if (rt::Status status = save(q, k, v, got, gotLse); !status.ok())
      return status;
  nonFinite = countNonFinite(got);
  // A row that sees no key has lse -inf; every other lse is finite.
  auto seesNoKey = [&](int64_t row) {
    if (problem.sequences <= 0)
      return rt::visibleKeys(problem, row) == 0;
    // Its own sequence's keys, aligned to that sequence.
    int64_t s = std::upper_bound(cuQ.begin(), cuQ.end(), row) - cuQ.begin() - 1;
    rt::Problem one = problem;
    one.sequences = 0;
    one.seqLenQ = cuQ[size_t(s) + 1] - cuQ[size_t(s)];
    one.seqLenK = cuK[size_t(s) + 1] - cuK[size_t(s)];
    return rt::visibleKeys(one, row - cuQ[size_t(s)]) == 0;
  };
  for (size_t i = 0; i < gotLse.size(); ++i) {
    int64_t row = int64_t(i) % problem.seqLenQ;
    lseNonFinite += seesNoKey(row)
                        ? gotLse[i] != -std::numeric_limits<float>::infinity()
                        : !std::isfinite(gotLse[i]);
  }
  comparison = compare(problem, q, k, v, got, gotLse, options.rowsSample, seed,
                       cuQ, cuK);
  return rt::Status::success();
}

bool FileCheck::report(const rt::Status &status, Record &record) {
  double bound = errorBound(problem.dtype);
  double relErr = comparison.output.relative();
  double lseRelErr = comparison.lse.relative();
  bool passed = status.ok() && nonFinite == 0 && lseNonFinite == 0 &&
                relErr <= bound && (!problem.lse || lseRelErr <= bound);
  double unfusedBytes =
      2.0 * double(problem.scoreElements()) * double(rt::sizeOf(problem.dtype));

  std::string line =
      std::string(passed ? "PASS " : "FAIL ") + problem.describe() +
      (input.manifest.isDynamic() ? " runtime_sizes layout=" + options.layout
                                  : std::string());
  if (!status.ok()) {
    line += " error: " + status.message();
  } else {
    line += " rel_err=" + formatNumber(relErr, 3) +
            " max_abs=" + formatNumber(comparison.output.maxAbs, 3) +
            " bound=" + formatNumber(bound, 3) +
            " extra_mem_bytes=" + std::to_string(declaredBytes) +
            (problem.pipeline == rt::PipelineKind::Unfused ? " (expected"
                                                           : " (unfused:") +
            " 2*B*H*Nq*Nk*sizeof(dtype)=" + formatNumber(unfusedBytes, 15) +
            ") measured_extra_mem_bytes=" + std::to_string(measuredBytes);
    if (problem.lse)
      line += " lse_rel_err=" + formatNumber(lseRelErr, 3) +
              " lse_max_abs=" + formatNumber(comparison.lse.maxAbs, 3);
    line += " rows=" + std::to_string(comparison.rowsChecked) + "/" +
            std::to_string(problem.elements(rt::TensorRole::Lse));
    if (nonFinite || lseNonFinite)
      line += " nan_or_inf_o=" + std::to_string(nonFinite) +
              " nan_or_inf_lse=" + std::to_string(lseNonFinite);
    if (!passed) {
      line += describeWorst(problem, comparison.output, "o");
      if (problem.lse)
        line += describeWorst(problem, comparison.lse, "lse");
    }
  }
  line += " file=" + input.path;
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);

  record.add("file", input.path);
  record.add("result", std::string(passed ? "PASS" : "FAIL"));
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
  record.add("lse", int64_t(problem.lse));
  record.add("rel_err", relErr);
  record.add("max_abs", comparison.output.maxAbs);
  record.add("bound", bound);
  record.add("lse_rel_err", problem.lse ? lseRelErr : 0.0);
  record.add("lse_max_abs", problem.lse ? comparison.lse.maxAbs : 0.0);
  record.add("nan_or_inf", nonFinite + lseNonFinite);
  record.add("rows_checked", comparison.rowsChecked);
  record.add("extra_mem_bytes", declaredBytes);
  record.add("measured_extra_mem_bytes", measuredBytes);
  record.add("unfused_extra_mem_bytes", int64_t(unfusedBytes));
  record.add("error", status.ok() ? std::string() : status.message());
  return passed;
}

Record failedInput(const InputFile &input) {
  std::printf("FAIL %s\n", input.status.message().c_str());
  Record record;
  record.add("file", input.path);
  record.add("result", std::string("FAIL"));
  record.add("error", input.status.message());
  return record;
}

} // namespace

int attn::run::runCheck(const Options &options) {
  std::vector<InputFile> inputs = readInputs(options.files);
  std::vector<Record> records;
  bool anyFailed = false, anyValid = false;
  for (const InputFile &input : inputs) {
    anyValid |= input.status.ok();
    if (!input.status.ok()) {
      records.push_back(failedInput(input));
      anyFailed = true;
    }
  }

  std::unique_ptr<rt::Context> context;
  bool skipped = false;
  if (anyValid) {
    context = openDevice(skipped);
    if (!context)
      return anyFailed || !skipped ? kExitFail : kExitSkipped;
  }

  for (size_t index = 0; index < inputs.size(); ++index) {
    const InputFile &input = inputs[index];
    if (!input.status.ok())
      continue;
    if (input.manifest.problem.direction == rt::Direction::Backward) {
      Record record;
      anyFailed |= !checkBackward(*context, input, mixSeed(options.seed, index),
                                  options.saveDir, record);
      records.push_back(std::move(record));
      continue;
    }
    // One load serves every run of the file (every size set of a kernel
    // compiled for run-time sizes).
    rt::Expected<rt::Pipeline> pipeline =
        rt::Pipeline::load(*context, input.text, input.path);
    if (!pipeline.ok()) {
      InputFile failed = input;
      failed.status = pipeline.status();
      records.push_back(failedInput(failed));
      anyFailed = true;
      continue;
    }
    std::vector<std::optional<SizeSet>> runs = {std::nullopt};
    if (input.manifest.isDynamic() && !options.sizes.empty())
      runs.assign(options.sizes.begin(), options.sizes.end());
    for (const std::optional<SizeSet> &sizes : runs) {
      Record record;
      anyFailed |= !FileCheck(*context, input, *pipeline, index, options, sizes)
                        .run(record);
      records.push_back(std::move(record));
    }
  }

  std::pair<const std::string *,
            rt::Status (*)(const std::string &, const std::vector<Record> &)>
      outputs[] = {{&options.jsonPath, writeJson},
                   {&options.csvPath, writeCsv}};
  for (auto [path, write] : outputs) {
    if (path->empty())
      continue;
    if (rt::Status status = write(*path, records); !status.ok()) {
      std::printf("FAIL %s\n", status.message().c_str());
      anyFailed = true;
    }
  }
  return anyFailed ? kExitFail : kExitPass;
}
