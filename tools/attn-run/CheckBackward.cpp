//===- CheckBackward.cpp - attn-run check of a gradient -------------------===//
//
// The gradient's counterpart of Check.cpp: every head's reference is a
// float64 forward (O, lse: the kernels' inputs) and backward
// (runtime/Reference.h), spread over the hardware threads; all rows are
// compared. A gradient that is exactly zero (N = 1: every dS is 0) is
// measured against dV's norm, the problem's scale.
//
//===----------------------------------------------------------------------===//
#include "tools/attn-run/CheckBackward.h"

#include "runtime/FloatConvert.h"
#include "runtime/Pipeline.h"
#include "runtime/Reference.h"
#include "tools/attn-run/HostData.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

using namespace attn;
using namespace attn::run;

namespace {

using R = rt::TensorRole;

/// Calls `work(head)` for every head, spread over the hardware threads.
template <typename Work> void forEachHead(int64_t heads, Work work) {
  unsigned count = std::max(1u, std::thread::hardware_concurrency());
  count = unsigned(std::clamp<int64_t>(heads, 1, count));
  std::atomic<int64_t> next{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < count; ++t)
    threads.emplace_back([&] {
      for (int64_t head; (head = next++) < heads;)
        work(head);
    });
  for (std::thread &thread : threads)
    thread.join();
}

/// ||got - want|| / ||want|| (||want|| replaced by `zeroScale` when 0), and
/// the count of non-finite values.
std::pair<double, int64_t> relativeError(const std::vector<float> &got,
                                         const std::vector<double> &want,
                                         double zeroScale) {
  double diff = 0, ref = 0;
  int64_t nonFinite = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    nonFinite += !std::isfinite(got[i]);
    double d = double(got[i]) - want[i];
    diff += d * d;
    ref += want[i] * want[i];
  }
  if (ref == 0)
    ref = zeroScale * zeroScale;
  return {std::sqrt(diff / std::max(ref, 1e-300)), nonFinite};
}

double norm(const std::vector<double> &v) {
  double sum = 0;
  for (double x : v)
    sum += x * x;
  return std::sqrt(sum);
}

struct Outcome {
  double relErr[3] = {0, 0, 0}; // dq, dk, dv
  int64_t nonFinite = 0;
  int64_t workspaceBytes = 0;
};

/// SAVE_DIR/NAME: NAME the file's name without ".ptx"; creates SAVE_DIR.
rt::Expected<std::string> saveBase(const std::string &saveDir,
                                   const std::string &path) {
  std::error_code error;
  std::filesystem::create_directories(saveDir, error);
  if (error)
    return rt::Status::error(rt::StatusCode::IoError,
                             "cannot create directory '" + saveDir +
                                 "': " + error.message());
  return saveDir + "/" + std::filesystem::path(path).stem().string();
}

rt::Status runBackward(const rt::Context &context, const InputFile &input,
                       uint64_t seed, const std::string &saveDir,
                       Outcome &outcome) {
  const rt::Problem &p = input.manifest.problem;
  if (p.kvHeads != p.heads || p.seqLenQ != p.seqLenK)
    return rt::Status::error(rt::StatusCode::InvalidArgument,
                             "the backward check covers Hkv = H and Nq = Nk");
  rt::Expected<rt::Pipeline> loaded =
      rt::Pipeline::load(context, input.text, input.path);
  if (!loaded.ok())
    return loaded.status();
  rt::Pipeline &pipeline = *loaded;
  if (rt::Status status = pipeline.fillWorkspaces(0xFF); !status.ok())
    return status;
  outcome.workspaceBytes = int64_t(pipeline.workspaceBytes());

  HostTensor q = randomTensor(p.dtype, p.elements(R::Q), mixSeed(seed, 1));
  HostTensor k = randomTensor(p.dtype, p.elements(R::K), mixSeed(seed, 2));
  HostTensor v = randomTensor(p.dtype, p.elements(R::V), mixSeed(seed, 3));
  HostTensor dO = randomTensor(p.dtype, p.elements(R::DO), mixSeed(seed, 4));

  // The forward's O (rounded to the dtype) and lse (f32), in float64.
  int64_t heads = p.batch * p.heads, d = p.headDim, n = p.seqLenQ;
  std::vector<float> o(size_t(p.elements(R::O))), lse(size_t(heads * n));
  forEachHead(heads, [&](int64_t head) {
    std::vector<double> row(static_cast<size_t>(d)), scratch;
    for (int64_t i = 0; i < n; ++i) {
      double rowLse;
      rt::referenceRow(p, q.values.data(), k.values.data(), v.values.data(),
                       head, i, row.data(), rowLse, scratch);
      for (int64_t c = 0; c < d; ++c)
        o[size_t((head * n + i) * d + c)] = rt::roundTo(p.dtype, float(row[c]));
      lse[size_t(head * n + i)] = float(rowLse);
    }
  });
  std::vector<uint8_t> oBytes(p.bytes(R::O));
  rt::encode(p.dtype, o.data(), int64_t(o.size()), oBytes.data());

  const R roles[9] = {R::DO,  R::Q,  R::K,  R::V, R::O,
                      R::Lse, R::DQ, R::DK, R::DV};
  const void *host[6] = {dO.bytes.data(), q.bytes.data(), k.bytes.data(),
                         v.bytes.data(),  oBytes.data(),  lse.data()};
  rt::DeviceBuffer buffers[9];
  rt::TensorBindings tensors;
  for (int i = 0; i < 9; ++i) {
    rt::Expected<rt::DeviceBuffer> buffer = rt::DeviceBuffer::allocate(
        context, p.bytes(roles[i]), rt::nameOf(roles[i]));
    if (!buffer.ok())
      return buffer.status();
    buffers[i] = buffer.take();
    tensors.bind(roles[i], rt::tensorArg(buffers[i]));
    rt::Status status = i < 6 ? buffers[i].upload(host[i], p.bytes(roles[i]))
                              : buffers[i].fill(0xFF);
    if (!status.ok())
      return status;
  }
  if (rt::Status status = pipeline.run(tensors); !status.ok())
    return status;
  if (rt::Status status =
          context.synchronize("running the kernels of '" + input.path + "'");
      !status.ok())
    return status;

  std::vector<float> got[3];
  std::vector<uint8_t> gotBytes[3];
  for (int i = 0; i < 3; ++i) {
    std::vector<uint8_t> &bytes = gotBytes[i];
    bytes.resize(p.bytes(roles[6 + i]));
    if (rt::Status status = buffers[6 + i].download(bytes.data(), bytes.size());
        !status.ok())
      return status;
    got[i].resize(size_t(p.elements(roles[6 + i])));
    rt::decode(p.dtype, bytes.data(), int64_t(got[i].size()), got[i].data());
  }
  if (!saveDir.empty()) {
    rt::Expected<std::string> base = saveBase(saveDir, input.path);
    if (!base.ok())
      return base.status();
    const void *data[9] = {host[0],
                           host[1],
                           host[2],
                           host[3],
                           host[4],
                           host[5],
                           gotBytes[0].data(),
                           gotBytes[1].data(),
                           gotBytes[2].data()};
    for (int i = 0; i < 9; ++i)
      if (rt::Status status =
              writeFile(*base + "." + rt::nameOf(roles[i]) + ".bin", data[i],
                        p.bytes(roles[i]));
          !status.ok())
        return status;
    std::string line;
    if (size_t at = input.text.find("// attn.problem ");
        at != std::string::npos)
      line = input.text.substr(at, input.text.find('\n', at) - at) + "\n";
    if (rt::Status status =
            writeFile(*base + ".problem", line.data(), line.size());
        !status.ok())
      return status;
  }

  std::vector<double> want[3];
  for (auto &w : want)
    w.assign(size_t(p.elements(R::Q)), 0.0);
  forEachHead(heads, [&](int64_t head) {
    std::vector<double> scratch;
    size_t at = size_t(head * n * d);
    rt::referenceBackwardHead(
        p, q.values.data(), k.values.data(), v.values.data(), dO.values.data(),
        head, &want[0][at], &want[1][at], &want[2][at], scratch);
  });
  double dvNorm = norm(want[2]);
  for (int i = 0; i < 3; ++i) {
    auto [rel, nonFinite] = relativeError(got[i], want[i], dvNorm);
    outcome.relErr[i] = rel;
    outcome.nonFinite += nonFinite;
  }
  return rt::Status::success();
}

} // namespace

bool attn::run::checkBackward(const rt::Context &context,
                              const InputFile &input, uint64_t seed,
                              const std::string &saveDir, Record &record) {
  const rt::Problem &p = input.manifest.problem;
  Outcome outcome;
  rt::Status status = runBackward(context, input, seed, saveDir, outcome);
  double bound = errorBound(p.dtype);
  bool passed = status.ok() && outcome.nonFinite == 0;
  for (double rel : outcome.relErr)
    passed &= rel <= bound;
  std::string line = std::string(passed ? "PASS " : "FAIL ") + p.describe();
  if (!status.ok()) {
    line += " error: " + status.message();
  } else {
    line += " dq_rel_err=" + formatNumber(outcome.relErr[0], 3) +
            " dk_rel_err=" + formatNumber(outcome.relErr[1], 3) +
            " dv_rel_err=" + formatNumber(outcome.relErr[2], 3) +
            " bound=" + formatNumber(bound, 3) +
            " extra_mem_bytes=" + std::to_string(outcome.workspaceBytes) +
            " nan_or_inf=" + std::to_string(outcome.nonFinite);
  }
  line += " file=" + input.path;
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  record.add("file", input.path);
  record.add("result", std::string(passed ? "PASS" : "FAIL"));
  record.add("direction", std::string("backward"));
  record.add("pipeline", std::string(rt::nameOf(p.pipeline)));
  record.add("dtype", std::string(rt::nameOf(p.dtype)));
  record.add("B", p.batch);
  record.add("H", p.heads);
  record.add("N", p.seqLenQ);
  record.add("D", p.headDim);
  record.add("causal", int64_t(p.causal));
  record.add("window_left", p.windowLeft);
  record.add("window_right", p.windowRight);
  record.add("dq_rel_err", outcome.relErr[0]);
  record.add("dk_rel_err", outcome.relErr[1]);
  record.add("dv_rel_err", outcome.relErr[2]);
  record.add("bound", bound);
  record.add("nan_or_inf", outcome.nonFinite);
  record.add("extra_mem_bytes", outcome.workspaceBytes);
  record.add("error", status.ok() ? std::string() : status.message());
  return passed;
}
