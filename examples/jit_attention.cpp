//===- jit_attention.cpp - JIT attention from C++, run it, check it -------===//
//
// The C++ API end to end: describe an attention, JIT-compile it with the
// fused (FlashAttention) and the unfused (three kernels, S and P in memory)
// pipeline, run both on the GPU on the same random inputs, check each
// against a float64 CPU reference and time it.
//
//   jit_attention B H N D [--dtype f16|bf16|f32] [--causal] [--chip CHIP]
//                 [--kv-heads Hkv] [--kv-len Nk] [--window L,R]
//                 [--compiled-sizes] [--backward] [--seq-lens L1,L2,...]
//                 [--reps 20] [--check-rows 16]
//   jit_attention --help
//
// Exit status: 0 all checks passed, 1 a check failed or an error, 2 bad
// usage, 77 no GPU here (after compiling: the JIT itself needs none).
//
//===----------------------------------------------------------------------===//
#include "jit/Attention.h"
#include "runtime/Device.h"
#include "runtime/FloatConvert.h"
#include "runtime/Reference.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace attn;

namespace {

struct Options {
  jit::AttentionDesc desc;
  int reps = 20;
  int checkRows = 16;
  bool backward = false;
  /// Packed sequences' lengths (--seq-lens); empty: a dense batch.
  std::vector<int64_t> seqLens;
};

const char *const kUsage =
    "usage: jit_attention B H N D [--dtype f16|bf16|f32] [--causal]\n"
    "                     [--chip CHIP] [--kv-heads Hkv] [--kv-len Nk]\n"
    "                     [--window L,R] [--compiled-sizes] [--backward]\n"
    "                     [--seq-lens L1,L2,...] [--reps R] [--check-rows C]\n"
    "       jit_attention --help\n"
    "\n"
    "JIT-compiles attention over B batches and H heads of N rows of head\n"
    "dimension D with the fused (FlashAttention) and the unfused pipeline,\n"
    "runs both on the same random inputs on device 0, checks each against a\n"
    "float64 CPU reference and prints its median time and TFLOP/s.\n"
    "\n"
    "  B H N D          the problem size (positive integers)\n"
    "  --dtype T        element type of Q, K, V, O: f16, bf16 (default) or\n"
    "                   f32\n"
    "  --causal         mask keys after each query row (aligned to the\n"
    "                   bottom right when Nk != N)\n"
    "  --kv-heads Hkv   K/V heads, a divisor of H (grouped-query heads;\n"
    "                   default H)\n"
    "  --kv-len Nk      keys and values per head (default N)\n"
    "  --window L,R     sliding window: each row sees the L keys before its\n"
    "                   diagonal and the R after it, -1 for unbounded\n"
    "  --compiled-sizes compile the sizes into the kernels (default: one\n"
    "                   kernel for every size, given at launch)\n"
    "  --backward       also the gradient: the fused forward with the\n"
    "                   logsumexp, then each backward from a random dO; dQ,\n"
    "                   dK and dV of up to 4 heads checked, the backward\n"
    "                   timed (sizes compiled; Hkv = H, Nk = N, no window)\n"
    "  --seq-lens L,...  packed sequences of these lengths (B = 1, N their\n"
    "                   sum; flash_attn_varlen_func): the fused pipeline on\n"
    "                   [N, H, D] strides with the i32 offsets, each row\n"
    "                   checked against its own sequence's attention\n"
    "  --chip CHIP      compile for CHIP (sm_80, sm_86, sm_89, sm_90,\n"
    "                   sm_90a); default: device 0's chip, sm_90 without a\n"
    "                   GPU\n"
    "  --reps R         timed launches per pipeline, after 200 ms of untimed\n"
    "                   ones (the clocks come up from idle)\n"
    "                   (default 20)\n"
    "  --check-rows C   rows per (b,h) compared with the reference: the\n"
    "                   first, the last and C-2 between (default 16)\n"
    "  -h, --help       print this and exit\n"
    "\n"
    "The JIT's cache and debugging switches (ATTN_CACHE_DIR,\n"
    "ATTN_DISABLE_CACHE, ATTN_DUMP_DIR, ATTN_PASS_TIMING) apply.\n"
    "Exit status: 0 all checks passed, 1 a check failed or an error, 2 bad\n"
    "usage, 77 no GPU here (after compiling: the JIT itself needs none).\n";

int usage(const char *message) {
  std::fprintf(stderr, "jit_attention: %s\n%s", message, kUsage);
  return 2;
}

/// Refuses, before allocating, host memory the machine does not have.
bool hostMemoryFits(double bytes) {
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || pageSize <= 0)
    return true;
  double physical = double(pages) * double(pageSize);
  if (bytes <= physical)
    return true;
  std::printf("FAIL the inputs need %.0f bytes of host memory; this machine "
              "has %.0f\n",
              bytes, physical);
  return false;
}

bool parseInt(const char *text, int64_t &value) {
  char *end = nullptr;
  long long parsed = std::strtoll(text, &end, 10);
  if (!*text || *end)
    return false;
  value = parsed;
  return true;
}

double seconds() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

/// splitmix64, uniform in [-1, 1).
struct Random {
  uint64_t state;
  double next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return double(z >> 11) * 0x1.0p-52 - 1.0;
  }
};

/// A random tensor as the device sees it: values rounded to the dtype.
std::vector<float> randomTensor(rt::DType type, int64_t count, uint64_t seed) {
  Random random{seed};
  std::vector<float> values(static_cast<size_t>(count));
  for (float &value : values)
    value = rt::roundTo(type, float(random.next()));
  return values;
}

const char *typeName(jit::ElementType type) {
  switch (type) {
  case jit::ElementType::F16:
    return "f16";
  case jit::ElementType::BF16:
    return "bf16";
  case jit::ElementType::F32:
    return "f32";
  }
  return "?";
}

double boundFor(rt::DType type) {
  return type == rt::DType::F32 ? 1e-5 : type == rt::DType::F16 ? 2e-3 : 1e-2;
}

struct Inputs {
  std::vector<float> q, k, v;
  rt::DeviceBuffer dq, dk, dv, dout;
};

struct CheckResult {
  double relError = 0;
  int64_t rows = 0;      ///< rows compared with the reference
  int64_t nonFinite = 0; ///< NaN or infinite elements in the whole output
};

/// Compares `checkRows` rows of every head (first, last and spread between)
/// with the float64 reference, on all cores.
CheckResult check(const rt::Problem &problem, const Inputs &in,
                  const std::vector<float> &out, int checkRows) {
  int64_t heads = problem.batch * problem.heads, n = problem.seqLenQ,
          d = problem.headDim;
  std::vector<int64_t> rows;
  int64_t count = std::min<int64_t>(checkRows, n);
  for (int64_t i = 0; i < count; ++i)
    rows.push_back(count == 1 ? 0 : i * (n - 1) / (count - 1));
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<double> diff(threads), ref(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::vector<double> row(static_cast<size_t>(d)), scratch;
      double lse = 0;
      for (int64_t head = t; head < heads; head += threads)
        for (int64_t r : rows) {
          rt::referenceRow(problem, in.q.data(), in.k.data(), in.v.data(), head,
                           r, row.data(), lse, scratch);
          const float *got = &out[size_t((head * n + r) * d)];
          for (int64_t c = 0; c < d; ++c) {
            double delta = double(got[c]) - row[size_t(c)];
            diff[t] += delta * delta;
            ref[t] += row[size_t(c)] * row[size_t(c)];
          }
        }
    });
  for (std::thread &thread : pool)
    thread.join();
  CheckResult result;
  double diffSum = 0, refSum = 0;
  for (unsigned t = 0; t < threads; ++t)
    diffSum += diff[t], refSum += ref[t];
  result.relError = std::sqrt(diffSum / std::max(refSum, 1e-300));
  result.rows = heads * int64_t(rows.size());
  return result;
}

/// Untimed launches for at least 200 ms (and at least 3): the GPU's clocks
/// come up from the idle of the compile before anything is timed.
template <typename Launch>
rt::Status warmUp(rt::Context &context, Launch launch) {
  double start = seconds();
  for (int i = 0; i < 3 || seconds() - start < 0.2; ++i) {
    if (rt::Status s = launch(); !s.ok())
      return s;
    if (i % 16 == 15) // A bounded queue.
      if (rt::Status s = context.synchronize("warming up"); !s.ok())
        return s;
  }
  return context.synchronize("warming up");
}

/// Runs, checks and times one kernel on `problem`; false if its check
/// failed.
bool runOne(const char *label, const jit::Kernel &kernel,
            const rt::Problem &problem, Inputs &in, const Options &options,
            rt::Context &context) {
  auto fail = [&](const rt::Status &status) {
    std::printf("%-8s FAIL %s\n", label, status.message().c_str());
    return false;
  };
  // Poison the output: every element the kernel leaves unwritten is a NaN.
  if (rt::Status s = in.dout.fill(0xFF); !s.ok())
    return fail(s);
  // The shapes say what the tensors are (V's and O's follow K's and Q's).
  jit::TensorRef q(in.dq.pointer(), problem.shape(rt::TensorRole::Q)),
      k(in.dk.pointer(), problem.shape(rt::TensorRole::K)), v(in.dv.pointer()),
      o(in.dout.pointer());
  if (rt::Status s = kernel.launch(q, k, v, o); !s.ok())
    return fail(s);
  if (rt::Status s = context.synchronize(std::string("running ") + label);
      !s.ok())
    return fail(s);
  std::vector<uint8_t> bytes(in.dout.bytes());
  if (rt::Status s = in.dout.download(bytes.data(), bytes.size()); !s.ok())
    return fail(s);
  int64_t elements = problem.elements(rt::TensorRole::O);
  std::vector<float> out(static_cast<size_t>(elements));
  rt::decode(problem.dtype, bytes.data(), elements, out.data());
  CheckResult result = check(problem, in, out, options.checkRows);
  // Every element must have been written, not only the rows compared.
  result.nonFinite = std::count_if(out.begin(), out.end(), [](float value) {
    return !std::isfinite(value);
  });
  double bound = boundFor(problem.dtype);
  bool pass = result.nonFinite == 0 && result.relError <= bound;

  // Median of device-event timings after a warm-up.
  std::vector<rt::Event> events;
  for (int i = 0; i <= options.reps; ++i) {
    rt::Expected<rt::Event> event = rt::Event::create(context);
    if (!event.ok())
      return fail(event.status());
    events.push_back(event.take());
  }
  if (rt::Status s = warmUp(context, [&] { return kernel.launch(q, k, v, o); });
      !s.ok())
    return fail(s);
  if (rt::Status s = events[0].record(); !s.ok())
    return fail(s);
  for (int i = 0; i < options.reps; ++i) {
    if (rt::Status s = kernel.launch(q, k, v, o); !s.ok())
      return fail(s);
    if (rt::Status s = events[size_t(i) + 1].record(); !s.ok())
      return fail(s);
  }
  if (rt::Status s = events.back().synchronize(); !s.ok())
    return fail(s);
  std::vector<double> ms;
  for (int i = 0; i < options.reps; ++i) {
    rt::Expected<float> elapsed =
        events[size_t(i) + 1].millisecondsSince(events[size_t(i)]);
    if (!elapsed.ok())
      return fail(elapsed.status());
    ms.push_back(*elapsed);
  }
  std::sort(ms.begin(), ms.end());
  double median = ms[ms.size() / 2];
  std::printf("%-8s %s rel_err %.2e (bound %.0e, %lld rows; %lld non-finite)"
              "  %.3f ms  %.1f TFLOP/s\n",
              label, pass ? "PASS" : "FAIL", result.relError, bound,
              (long long)result.rows, (long long)result.nonFinite, median,
              problem.flops() / (median * 1e-3) / 1e12);
  return pass;
}

/// Allocates a device buffer for each role of `problem` and uploads the
/// inputs it has host values for; false (after printing why) on failure.
bool allocate(
    const rt::Problem &problem, rt::Context &context,
    const std::vector<std::pair<rt::TensorRole, const std::vector<float> *>>
        &roles,
    std::vector<rt::DeviceBuffer> &buffers) {
  for (auto [role, host] : roles) {
    size_t size = problem.bytes(role);
    auto buffer = rt::DeviceBuffer::allocate(context, size, rt::nameOf(role));
    if (!buffer.ok()) {
      std::printf("FAIL %s\n", buffer.status().message().c_str());
      return false;
    }
    buffers.push_back(buffer.take());
    if (!host)
      continue;
    std::vector<uint8_t> staging(size);
    rt::encode(problem.dtypeOf(role), host->data(), problem.elements(role),
               staging.data());
    if (rt::Status s = buffers.back().upload(staging.data(), size); !s.ok()) {
      std::printf("FAIL %s\n", s.message().c_str());
      return false;
    }
  }
  return true;
}

/// --backward: for each pipeline, the forward with the logsumexp, then the
/// gradient from a random dO (dQ, dK, dV poisoned first); up to 4 heads'
/// gradients compared with the float64 reference (relative error over the
/// three), the backward timed (median of `reps` after warmUp()). 0 when
/// every check passes.
int runBackward(jit::AttentionDesc desc, const Options &options,
                rt::Context &context) {
  desc.sizes = jit::Sizes::Compiled;
  jit::AttentionDesc backwardDesc = desc;
  backwardDesc.direction = jit::Direction::Backward;
  rt::Problem problem = backwardDesc.problem();
  using R = rt::TensorRole;
  int64_t elements = problem.elements(R::Q);
  std::vector<float> q = randomTensor(problem.dtype, elements, 1),
                     k = randomTensor(problem.dtype, elements, 2),
                     v = randomTensor(problem.dtype, elements, 3),
                     dO = randomTensor(problem.dtype, elements, 4);
  std::vector<rt::DeviceBuffer> b;
  if (!allocate(problem, context,
                {{R::Q, &q},
                 {R::K, &k},
                 {R::V, &v},
                 {R::DO, &dO},
                 {R::O, nullptr},
                 {R::Lse, nullptr},
                 {R::DQ, nullptr},
                 {R::DK, nullptr},
                 {R::DV, nullptr}},
                b))
    return 1;
  auto ref = [&](int i) { return jit::TensorRef(b[size_t(i)].pointer()); };
  jit::BackwardTensors tensors{ref(3), ref(0), ref(1), ref(2), ref(4),
                               ref(5), ref(6), ref(7), ref(8)};

  // The reference of up to 4 heads: the first, the last, two between.
  int64_t heads = problem.batch * problem.heads, n = problem.seqLenQ,
          d = problem.headDim;
  std::vector<int64_t> checked;
  for (int64_t i = 0, count = std::min<int64_t>(4, heads); i < count; ++i)
    checked.push_back(count == 1 ? 0 : i * (heads - 1) / (count - 1));
  size_t headElements = size_t(n * d);
  std::vector<std::vector<double>> want(checked.size());
  std::vector<std::thread> pool;
  for (size_t i = 0; i < checked.size(); ++i)
    pool.emplace_back([&, i] {
      want[i].assign(3 * headElements, 0.0);
      std::vector<double> scratch;
      double *dq = want[i].data();
      rt::referenceBackwardHead(problem, q.data(), k.data(), v.data(),
                                dO.data(), checked[i], dq, dq + headElements,
                                dq + 2 * headElements, scratch);
    });
  for (std::thread &thread : pool)
    thread.join();

  bool allPass = true;
  for (jit::Pipeline pipeline :
       {jit::Pipeline::Fused, jit::Pipeline::Unfused}) {
    const char *label = pipeline == jit::Pipeline::Fused ? "fused" : "unfused";
    // O and the logsumexp come from the fused forward for both: the
    // unfused pipeline's forward does not produce the logsumexp.
    backwardDesc.pipeline = pipeline;
    desc.pipeline = jit::Pipeline::Fused;
    desc.lse = true;
    auto forward = jit::compile(desc);
    auto backward = jit::compile(backwardDesc);
    auto fail = [&](const rt::Status &status) {
      std::printf("%-8s backward FAIL %s\n", label, status.message().c_str());
      allPass = false;
    };
    if (!forward.ok() || !backward.ok()) {
      fail(forward.ok() ? backward.status() : forward.status());
      continue;
    }
    rt::Status s = (*forward)->launch(tensors.query, tensors.key, tensors.value,
                                      tensors.output, tensors.lse);
    for (int i = 6; i < 9 && s.ok(); ++i)
      s = b[size_t(i)].fill(0xFF);
    if (s.ok())
      s = (*backward)->launchBackward(tensors);
    if (s.ok())
      s = context.synchronize(std::string("running the ") + label +
                              " backward");
    std::vector<float> got[3];
    std::vector<uint8_t> bytes(problem.bytes(R::DQ));
    for (int i = 0; i < 3 && s.ok(); ++i) {
      s = b[size_t(6 + i)].download(bytes.data(), bytes.size());
      got[i].resize(size_t(elements));
      rt::decode(problem.dtype, bytes.data(), elements, got[i].data());
    }
    if (!s.ok()) {
      fail(s);
      continue;
    }
    double diff = 0, norm = 0;
    int64_t nonFinite = 0;
    for (int i = 0; i < 3; ++i)
      for (float value : got[i])
        nonFinite += !std::isfinite(value);
    for (size_t h = 0; h < checked.size(); ++h)
      for (int i = 0; i < 3; ++i)
        for (size_t e = 0; e < headElements; ++e) {
          double w = want[h][i * headElements + e];
          double delta = got[i][size_t(checked[h]) * headElements + e] - w;
          diff += delta * delta;
          norm += w * w;
        }
    double relError = std::sqrt(diff / std::max(norm, 1e-300));
    double bound = boundFor(problem.dtype);
    bool pass = nonFinite == 0 && relError <= bound;
    allPass &= pass;

    std::vector<rt::Event> events;
    for (int i = 0; i <= options.reps && s.ok(); ++i) {
      rt::Expected<rt::Event> event = rt::Event::create(context);
      if (!event.ok())
        s = event.status();
      else
        events.push_back(event.take());
    }
    if (s.ok())
      s = warmUp(context, [&] { return (*backward)->launchBackward(tensors); });
    if (s.ok())
      s = events[0].record();
    for (int i = 0; i < options.reps && s.ok(); ++i) {
      s = (*backward)->launchBackward(tensors);
      if (s.ok())
        s = events[size_t(i) + 1].record();
    }
    if (s.ok())
      s = events.back().synchronize();
    std::vector<double> ms;
    for (int i = 0; i < options.reps && s.ok(); ++i) {
      rt::Expected<float> elapsed =
          events[size_t(i) + 1].millisecondsSince(events[size_t(i)]);
      if (!elapsed.ok())
        s = elapsed.status();
      else
        ms.push_back(*elapsed);
    }
    if (!s.ok()) {
      fail(s);
      continue;
    }
    std::sort(ms.begin(), ms.end());
    double median = ms[ms.size() / 2];
    std::printf("%-8s backward %s rel_err %.2e (bound %.0e, dQ/dK/dV of %zu "
                "heads; %lld non-finite)  %.3f ms  %.1f TFLOP/s\n",
                label, pass ? "PASS" : "FAIL", relError, bound, checked.size(),
                (long long)nonFinite, median,
                problem.flops() / (median * 1e-3) / 1e12);
  }
  return allPass ? 0 : 1;
}

/// --seq-lens: the fused pipeline on packed sequences, Q, K, V and O in
/// [N, H, D] memory (flash_attn_varlen_func's layout), launched with the
/// i32 offsets; `checkRows` rows of every head checked against their own
/// sequence's float64 attention, the launch timed.
int runSequences(const Options &options,
                 const rt::Expected<rt::Context *> &ctx) {
  jit::AttentionDesc desc = options.desc;
  double start = seconds();
  auto kernel = jit::compile(desc);
  if (!kernel.ok()) {
    std::printf("fused    FAIL %s\n", kernel.status().message().c_str());
    return 1;
  }
  std::printf("fused    JIT %.1f ms; %s, S = %lld sequences, for %s\n",
              (seconds() - start) * 1e3,
              (*kernel)->loaded() ? "loaded" : "PTX only",
              (long long)desc.sequences, (*kernel)->chip().c_str());
  if (!ctx.ok()) {
    std::printf("SKIPPED: %s\n", ctx.status().message().c_str());
    return ctx.status().isUnavailable() ? 77 : 1;
  }
  rt::Context &context = **ctx;
  jit::AttentionDesc sized = desc;
  sized.sizes = jit::Sizes::Compiled;
  rt::Problem p = sized.problem();
  int64_t h = p.heads, hkv = p.kvHeads, n = p.seqLenQ, d = p.headDim;
  std::vector<int32_t> offsets = {0};
  for (int64_t length : options.seqLens)
    offsets.push_back(offsets.back() + int32_t(length));
  // Host values packed [1, H, N, D] (the reference's); [N, H, D] on the
  // device.
  std::vector<float> host[3] = {randomTensor(p.dtype, h * n * d, 1),
                                randomTensor(p.dtype, hkv * n * d, 2),
                                randomTensor(p.dtype, hkv * n * d, 3)};
  int64_t heads[4] = {h, hkv, hkv, h};
  rt::DeviceBuffer buffers[6];
  for (int t = 0; t < 4; ++t) {
    size_t bytes = size_t(heads[t] * n * d) * rt::sizeOf(p.dtype);
    auto buffer =
        rt::DeviceBuffer::allocate(context, bytes, std::string(1, "qkvo"[t]));
    if (!buffer.ok()) {
      std::printf("FAIL %s\n", buffer.status().message().c_str());
      return 1;
    }
    buffers[t] = buffer.take();
    if (t == 3)
      continue;
    std::vector<float> laidOut(host[t].size());
    for (int64_t head = 0; head < heads[t]; ++head)
      for (int64_t r = 0; r < n; ++r)
        std::copy_n(&host[t][size_t((head * n + r) * d)], d,
                    &laidOut[size_t((r * heads[t] + head) * d)]);
    std::vector<uint8_t> staging(bytes);
    rt::encode(p.dtype, laidOut.data(), int64_t(laidOut.size()),
               staging.data());
    if (rt::Status s = buffers[t].upload(staging.data(), bytes); !s.ok()) {
      std::printf("FAIL %s\n", s.message().c_str());
      return 1;
    }
  }
  for (int t = 4; t < 6; ++t) {
    auto buffer = rt::DeviceBuffer::allocate(context, offsets.size() * 4,
                                             t == 4 ? "cu_q" : "cu_k");
    if (!buffer.ok() ||
        !buffer->upload(offsets.data(), offsets.size() * 4).ok()) {
      std::printf("FAIL the offsets' buffers\n");
      return 1;
    }
    buffers[t] = buffer.take();
  }
  if (rt::Status s = buffers[3].fill(0xFF); !s.ok()) { // NaN where unwritten
    std::printf("FAIL %s\n", s.message().c_str());
    return 1;
  }
  auto ref = [&](int t) {
    return jit::TensorRef(buffers[t].pointer(), {1, heads[t], n, d},
                          {n * heads[t] * d, d, heads[t] * d, 1});
  };
  int64_t s = desc.sequences;
  jit::ForwardTensors tensors{ref(0),
                              ref(1),
                              ref(2),
                              ref(3),
                              {},
                              {buffers[4].pointer(), {s + 1}},
                              {buffers[5].pointer(), {s + 1}}};
  if (rt::Status st = (*kernel)->launch(tensors);
      !st.ok() || !(st = context.synchronize("the packed launch")).ok()) {
    std::printf("fused    FAIL %s\n", st.message().c_str());
    return 1;
  }
  std::vector<uint8_t> bytes(buffers[3].bytes());
  if (!buffers[3].download(bytes.data(), bytes.size()).ok())
    return 1;
  std::vector<float> out(static_cast<size_t>(h * n * d));
  rt::decode(p.dtype, bytes.data(), int64_t(out.size()), out.data());
  int64_t nonFinite = std::count_if(out.begin(), out.end(),
                                    [](float x) { return !std::isfinite(x); });
  double diff = 0, norm = 0, lse = 0;
  int64_t count = std::min<int64_t>(options.checkRows, n), rows = 0;
  std::vector<double> row(static_cast<size_t>(d)), scratch;
  for (int64_t head = 0; head < h; ++head)
    for (int64_t i = 0; i < count; ++i, ++rows) {
      int64_t r = count == 1 ? 0 : i * (n - 1) / (count - 1);
      rt::referencePackedRow(p, offsets.data(), offsets.data(), host[0].data(),
                             host[1].data(), host[2].data(), head, r,
                             row.data(), lse, scratch);
      for (int64_t c = 0; c < d; ++c) {
        double e = out[size_t((r * h + head) * d + c)] - row[size_t(c)];
        diff += e * e, norm += row[size_t(c)] * row[size_t(c)];
      }
    }
  double relError = std::sqrt(diff / std::max(norm, 1e-300));
  double bound = boundFor(p.dtype);
  bool pass = nonFinite == 0 && relError <= bound;
  // Timed: device events around `reps` launches in a row (after
  // warmUp()), and the host's time per launch() call (its checks and the
  // run-time sizes' instantiation).
  rt::Expected<rt::Event> before = rt::Event::create(context),
                          after = rt::Event::create(context);
  if (!before.ok() || !after.ok())
    return 1;
  if (!warmUp(context, [&] { return (*kernel)->launch(tensors); }).ok())
    return 1;
  double hostSeconds = 0;
  if (!before->record().ok())
    return 1;
  for (int i = 0; i < options.reps; ++i) {
    double t0 = seconds();
    if (!(*kernel)->launch(tensors).ok())
      return 1;
    hostSeconds += seconds() - t0;
  }
  if (!after->record().ok() || !after->synchronize().ok())
    return 1;
  rt::Expected<float> elapsed = after->millisecondsSince(*before);
  if (!elapsed.ok())
    return 1;
  double perLaunch = *elapsed / options.reps, flops = 0;
  std::printf("fused    launch() takes %.1f us of host time\n",
              hostSeconds / options.reps * 1e6);
  for (int64_t length : options.seqLens)
    flops += 4.0 * double(h) * double(d) * double(length) * double(length) *
             (desc.causal ? 0.5 : 1.0);
  std::printf("fused    %s rel_err %.2e (bound %.0e, %lld rows; %lld "
              "non-finite)  %.3f ms  %.1f TFLOP/s\n",
              pass ? "PASS" : "FAIL", relError, bound, (long long)rows,
              (long long)nonFinite, perLaunch,
              flops / (perLaunch * 1e-3) / 1e12);
  return pass ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  jit::AttentionDesc &desc = options.desc;
  desc.elementType = jit::ElementType::BF16;
  std::vector<int64_t> dims;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char * {
      return i + 1 < argc ? argv[++i] : nullptr;
    };
    int64_t number = 0;
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", kUsage);
      return 0;
    } else if (arg == "--causal") {
      desc.causal = true;
    } else if (arg == "--dtype") {
      const char *v = value();
      std::string type = v ? v : "";
      if (type == "f16")
        desc.elementType = jit::ElementType::F16;
      else if (type == "bf16")
        desc.elementType = jit::ElementType::BF16;
      else if (type == "f32")
        desc.elementType = jit::ElementType::F32;
      else
        return usage("--dtype must be f16, bf16 or f32");
    } else if (arg == "--window") {
      const char *v = value();
      std::string text = v ? v : "";
      size_t comma = text.find(',');
      int64_t left = 0, right = 0;
      if (comma == std::string::npos ||
          !parseInt(text.substr(0, comma).c_str(), left) ||
          !parseInt(text.substr(comma + 1).c_str(), right) || left < -1 ||
          right < -1)
        return usage("--window needs L,R: integers, each at least 0 or -1");
      desc.windowLeft = left, desc.windowRight = right;
    } else if (arg == "--compiled-sizes") {
      desc.sizes = jit::Sizes::Compiled;
    } else if (arg == "--backward") {
      options.backward = true;
    } else if (arg == "--seq-lens") {
      const char *v = value();
      std::string text = v ? v : "";
      options.seqLens.clear();
      for (size_t at = 0; at <= text.size();) {
        size_t comma = std::min(text.find(',', at), text.size());
        if (!parseInt(text.substr(at, comma - at).c_str(), number) ||
            number < 0)
          return usage("--seq-lens needs lengths L1,L2,...: integers, each at "
                       "least 0");
        options.seqLens.push_back(number);
        at = comma + 1;
      }
    } else if (arg == "--kv-heads" || arg == "--kv-len") {
      const char *v = value();
      if (!v || !parseInt(v, number) || number < 1)
        return usage((arg + " needs a positive integer").c_str());
      (arg == "--kv-heads" ? desc.kvHeads : desc.seqLenK) = number;
    } else if (arg == "--chip") {
      const char *v = value();
      if (!v)
        return usage("--chip needs a value");
      desc.chip = v;
    } else if (arg == "--reps" || arg == "--check-rows") {
      const char *v = value();
      if (!v || !parseInt(v, number) || number < 1)
        return usage((arg + " needs a positive integer").c_str());
      (arg == "--reps" ? options.reps : options.checkRows) = int(number);
    } else if (parseInt(arg.c_str(), number)) {
      dims.push_back(number);
    } else {
      return usage(("unknown argument '" + arg + "'").c_str());
    }
  }
  if (dims.size() != 4)
    return usage("give the problem size as B H N D");
  desc.batch = dims[0], desc.heads = dims[1], desc.seqLen = dims[2],
  desc.headDim = dims[3];
  if (!options.seqLens.empty()) {
    int64_t total = 0;
    for (int64_t length : options.seqLens)
      total += length;
    if (desc.batch != 1 || desc.seqLen != total)
      return usage(("--seq-lens: B must be 1 and N the lengths' sum, " +
                    std::to_string(total))
                       .c_str());
    if (options.backward || desc.seqLenK)
      return usage("--seq-lens: the forward of self-attention per sequence "
                   "(no --backward, no --kv-len)");
    desc.sequences = int64_t(options.seqLens.size());
  }
  // The problem of this run (the kernel's sizes may be known at launch).
  jit::AttentionDesc sized = desc;
  sized.sizes = jit::Sizes::Compiled;
  rt::Problem problem = sized.problem();
  std::printf("jit_attention: B=%lld H=%lld Hkv=%lld Nq=%lld Nk=%lld D=%lld "
              "%s causal=%d window=%lld,%lld sizes=%s chip=%s\ncompiler: "
              "%s\ncache: %s\n",
              (long long)problem.batch, (long long)problem.heads,
              (long long)problem.kvHeads, (long long)problem.seqLenQ,
              (long long)problem.seqLenK, (long long)desc.headDim,
              typeName(desc.elementType), desc.causal ? 1 : 0,
              (long long)desc.windowLeft, (long long)desc.windowRight,
              desc.sizes == jit::Sizes::AtLaunch ? "at-launch" : "compiled",
              desc.chip.empty() ? "(the device's)" : desc.chip.c_str(),
              jit::compilerVersion(),
              jit::cacheDirectory().empty() ? "(disabled)"
                                            : jit::cacheDirectory().c_str());

  // The device first: its start-up is paid once per process, not per
  // kernel. Without one the JIT still compiles; running is skipped.
  double start = seconds();
  rt::Expected<rt::Context *> ctx = jit::context();
  if (ctx.ok())
    std::printf("device: %s (sm_%d, %d SMs), started in %.1f ms\n",
                (*ctx)->deviceName().c_str(), (*ctx)->computeCapability(),
                (*ctx)->multiprocessorCount(), (seconds() - start) * 1e3);
  else
    std::printf("device: none (%s)\n", ctx.status().message().c_str());

  if (!options.seqLens.empty())
    return runSequences(options, ctx);

  // JIT both pipelines. On a GPU host compile() also loads the module.
  struct Compiled {
    const char *label;
    std::shared_ptr<const jit::Kernel> kernel;
  } compiled[] = {{"fused", nullptr}, {"unfused", nullptr}};
  for (Compiled &c : compiled) {
    desc.pipeline = c.label == std::string("fused") ? jit::Pipeline::Fused
                                                    : jit::Pipeline::Unfused;
    start = seconds();
    auto kernel = jit::compile(desc);
    double elapsed = seconds() - start;
    if (!kernel.ok()) {
      std::printf("%-8s FAIL %s\n", c.label, kernel.status().message().c_str());
      return 1;
    }
    c.kernel = kernel.take();
    // The same description again: the in-process cache's object.
    start = seconds();
    auto again = jit::compile(desc);
    double hit = seconds() - start;
    std::printf("%-8s JIT %.1f ms (%s, %s), then %.2f us (in-process, %s "
                "object); %zu kernel(s), %zu bytes of PTX for %s\n",
                c.label, elapsed * 1e3,
                c.kernel->origin() == jit::Origin::Compiled ? "compiled"
                                                            : "disk cache",
                c.kernel->loaded() ? "loaded" : "PTX only", hit * 1e6,
                again.ok() && *again == c.kernel ? "same" : "another",
                c.kernel->manifest().kernels.size(), c.kernel->ptx().size(),
                c.kernel->chip().c_str());
  }

  // The gradient's kernels, compiled here so that a description the
  // backward does not take is refused before anything runs.
  if (options.backward)
    for (jit::Pipeline pipeline :
         {jit::Pipeline::Fused, jit::Pipeline::Unfused}) {
      jit::AttentionDesc backward = desc;
      backward.sizes = jit::Sizes::Compiled;
      backward.direction = jit::Direction::Backward;
      backward.pipeline = pipeline;
      const char *label =
          pipeline == jit::Pipeline::Fused ? "fused" : "unfused";
      start = seconds();
      auto kernel = jit::compile(backward);
      if (!kernel.ok()) {
        std::printf("%-8s backward FAIL %s\n", label,
                    kernel.status().message().c_str());
        return 1;
      }
      std::printf("%-8s backward JIT %.1f ms; %zu kernel(s)\n", label,
                  (seconds() - start) * 1e3,
                  (*kernel)->manifest().kernels.size());
    }

  if (!ctx.ok()) {
    std::printf("SKIPPED: %s\n", ctx.status().message().c_str());
    return ctx.status().isUnavailable() ? 77 : 1;
  }
  rt::Context &context = **ctx;

  using R = rt::TensorRole;
  int64_t elements = problem.elements(R::Q),
          kvElements = problem.elements(R::K);
  // q, k, v as floats, one staging copy, the output as bytes and floats.
  if (!hostMemoryFits(double(std::max(elements, kvElements)) *
                      (4 * sizeof(float) + 2 * rt::sizeOf(problem.dtype))))
    return 1;
  Inputs in;
  in.q = randomTensor(problem.dtype, elements, 1);
  in.k = randomTensor(problem.dtype, kvElements, 2);
  in.v = randomTensor(problem.dtype, kvElements, 3);
  std::vector<uint8_t> staging(size_t(std::max(elements, kvElements)) *
                               rt::sizeOf(problem.dtype));
  rt::DeviceBuffer *buffers[] = {&in.dq, &in.dk, &in.dv, &in.dout};
  const std::vector<float> *hosts[] = {&in.q, &in.k, &in.v, nullptr};
  const char *names[] = {"q", "k", "v", "o"};
  R roles[] = {R::Q, R::K, R::V, R::O};
  for (int i = 0; i < 4; ++i) {
    size_t size = problem.bytes(roles[i]);
    auto buffer = rt::DeviceBuffer::allocate(context, size, names[i]);
    if (!buffer.ok()) {
      std::printf("FAIL %s\n", buffer.status().message().c_str());
      return 1;
    }
    *buffers[i] = buffer.take();
    if (!hosts[i])
      continue;
    rt::encode(problem.dtype, hosts[i]->data(), problem.elements(roles[i]),
               staging.data());
    if (rt::Status s = buffers[i]->upload(staging.data(), size); !s.ok()) {
      std::printf("FAIL %s\n", s.message().c_str());
      return 1;
    }
  }

  bool allPass = true;
  for (Compiled &c : compiled)
    allPass &= runOne(c.label, *c.kernel, problem, in, options, context);
  if (options.backward)
    allPass &= runBackward(desc, options, context) == 0;
  return allPass ? 0 : 1;
}
