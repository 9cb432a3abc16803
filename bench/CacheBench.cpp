//===- CacheBench.cpp - Compile and kernel-cache timings of the JIT -------===//
//
// attn-cache-bench [B H N D] [--dtype bf16] [--pipeline fused] [--causal]
//                  [--chip CHIP] [--runs 5]
//   Times, for one description (default 1 16 4096 128 bf16 fused):
//   - cold compile: the first compile() of a new process, empty disk cache;
//   - disk hit: the first compile() of a new process, warm disk cache (to
//     PTX text on a host without a GPU, to a loaded module on a GPU host);
//   - in-process hit: compile() of a description compiled before.
//   New processes are this program run with --child; the times are those of
//   the compile() call, measured inside the child, plus the child's whole
//   run as the parent sees it.
//
// attn-cache-bench --child [B H N D] [...]
//   One compile() with the environment's cache, after the device start-up;
//   prints "origin=<compiled|disk> loaded=<0|1> us=<compile() microseconds>
//   context_ms=<device start-up>". The cache tests race two of these.
//
// attn-cache-bench --help prints the arguments.
//
//===----------------------------------------------------------------------===//
#include "jit/Attention.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

using namespace attn;

namespace {

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Args {
  jit::AttentionDesc desc;
  bool child = false;
  int runs = 5;
  std::vector<std::string> forward; // the description, for children
};

const char *const kUsage =
    "usage: attn-cache-bench [B H N D] [--dtype f16|bf16|f32]\n"
    "                        [--pipeline fused|unfused] [--causal]\n"
    "                        [--chip CHIP] [--runs R]\n"
    "       attn-cache-bench --child [B H N D] [...]\n"
    "       attn-cache-bench --help\n"
    "\n"
    "Times the JIT's compile() for one attention description: a cold\n"
    "compile (a new process, an empty disk cache), a disk hit (a new\n"
    "process, the cache the cold run filled) and an in-process hit.\n"
    "\n"
    "  B H N D          the problem size (default 1 16 4096 128)\n"
    "  --dtype T        element type: f16, bf16 (default) or f32\n"
    "  --pipeline P     fused (default) or unfused\n"
    "  --causal         a causal mask\n"
    "  --chip CHIP      compile for CHIP (default: device 0's, sm_90 without\n"
    "                   a GPU)\n"
    "  --runs R         cold runs (default 5); disk hits are 2R\n"
    "  --child          compile once with $ATTN_CACHE_DIR and print\n"
    "                   'origin=<compiled|disk> loaded=<0|1> us=<time of\n"
    "                   compile()> context_ms=<device start-up>'\n"
    "  -h, --help       print this and exit\n"
    "Exit status: 0 done, 1 a run failed, 2 bad usage.\n";

enum class Parsed { Run, Help, Error };

Parsed usageError(const std::string &message) {
  std::fprintf(stderr, "attn-cache-bench: %s\n%s", message.c_str(), kUsage);
  return Parsed::Error;
}

bool parsePositive(const std::string &text, int64_t &value) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit((unsigned char)c);
      }))
    return false;
  errno = 0;
  value = std::strtoll(text.c_str(), nullptr, 10);
  return errno == 0 && value > 0;
}

Parsed parse(int argc, char **argv, Args &args) {
  jit::AttentionDesc &d = args.desc;
  d.batch = 1, d.heads = 16, d.seqLen = 4096, d.headDim = 128;
  d.elementType = jit::ElementType::BF16;
  std::vector<int64_t> dims;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      return i + 1 < argc ? argv[++i] : std::string();
    };
    if (arg == "-h" || arg == "--help")
      return Parsed::Help;
    if (arg == "--child") {
      args.child = true;
    } else if (arg == "--runs") {
      int64_t runs = 0;
      if (!parsePositive(value(), runs) || runs > 1000)
        return usageError("--runs needs an integer from 1 to 1000");
      args.runs = int(runs);
    } else if (arg == "--dtype") {
      std::string t = value();
      if (t == "f16")
        d.elementType = jit::ElementType::F16;
      else if (t == "bf16")
        d.elementType = jit::ElementType::BF16;
      else if (t == "f32")
        d.elementType = jit::ElementType::F32;
      else
        return usageError("--dtype must be f16, bf16 or f32, got '" + t + "'");
      args.forward.insert(args.forward.end(), {arg, t});
    } else if (arg == "--pipeline") {
      std::string p = value();
      if (p != "fused" && p != "unfused")
        return usageError("--pipeline must be fused or unfused, got '" + p +
                          "'");
      d.pipeline =
          p == "unfused" ? jit::Pipeline::Unfused : jit::Pipeline::Fused;
      args.forward.insert(args.forward.end(), {arg, p});
    } else if (arg == "--chip") {
      std::string chip = value();
      if (chip.empty())
        return usageError("--chip needs a value");
      d.chip = chip;
      args.forward.insert(args.forward.end(), {arg, chip});
    } else if (arg == "--causal") {
      d.causal = true;
      args.forward.push_back(arg);
    } else if (int64_t dim = 0; parsePositive(arg, dim)) {
      dims.push_back(dim);
      args.forward.push_back(arg);
    } else {
      return usageError("unknown argument '" + arg + "'");
    }
  }
  if (!dims.empty()) {
    if (dims.size() != 4)
      return usageError("give the problem size as B H N D");
    d.batch = dims[0], d.heads = dims[1], d.seqLen = dims[2],
    d.headDim = dims[3];
  }
  return Parsed::Run;
}

int runChild(const Args &args) {
  // The device's start-up (cuInit, context) is paid once per process
  // whatever the cache holds: done first, timed apart.
  double start = now();
  bool gpu = jit::context().ok();
  double contextMs = (now() - start) * 1e3;
  start = now();
  auto kernel = jit::compile(args.desc);
  double elapsed = now() - start;
  if (!kernel.ok()) {
    std::printf("error: %s\n", kernel.status().message().c_str());
    return 1;
  }
  std::printf(
      "origin=%s loaded=%d us=%.0f context_ms=%.1f\n",
      (*kernel)->origin() == jit::Origin::Compiled ? "compiled" : "disk",
      (*kernel)->loaded() ? 1 : 0, elapsed * 1e6, gpu ? contextMs : 0.0);
  return 0;
}

std::string selfPath() {
  char path[4096];
  ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0)
    return "attn-cache-bench";
  path[length] = 0;
  return path;
}

struct ChildRun {
  bool ok = false;
  std::string origin;
  int loaded = 0;
  double compileUs = 0; ///< the compile() call, inside the child
  double wallMs = 0;    ///< the whole child process, from here
  double contextMs = 0; ///< the child's device start-up (0 without a GPU)
  std::string output;
};

ChildRun runChildProcess(const Args &args, const std::string &cacheDir) {
  std::string command =
      "ATTN_CACHE_DIR='" + cacheDir + "' '" + selfPath() + "' --child";
  for (const std::string &arg : args.forward)
    command += " '" + arg + "'";
  ChildRun run;
  double start = now();
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return run;
  char line[4096];
  while (std::fgets(line, sizeof line, pipe))
    run.output += line;
  int status = pclose(pipe);
  run.wallMs = (now() - start) * 1e3;
  char origin[32] = {};
  if (status == 0 &&
      std::sscanf(run.output.c_str(),
                  "origin=%31s loaded=%d us=%lf "
                  "context_ms=%lf",
                  origin, &run.loaded, &run.compileUs, &run.contextMs) == 4) {
    run.ok = true;
    run.origin = origin;
  }
  return run;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

} // namespace

int main(int argc, char **argv) {
  Args args;
  switch (parse(argc, argv, args)) {
  case Parsed::Help:
    std::printf("%s", kUsage);
    return 0;
  case Parsed::Error:
    return 2;
  case Parsed::Run:
    break;
  }
  if (args.child)
    return runChild(args);

  const jit::AttentionDesc &d = args.desc;
  std::printf("attn-cache-bench: B=%lld H=%lld N=%lld D=%lld %s %s, %d runs; "
              "%s\n",
              (long long)d.batch, (long long)d.heads, (long long)d.seqLen,
              (long long)d.headDim,
              d.elementType == jit::ElementType::BF16  ? "bf16"
              : d.elementType == jit::ElementType::F16 ? "f16"
                                                       : "f32",
              d.pipeline == jit::Pipeline::Fused ? "fused" : "unfused",
              args.runs, jit::compilerVersion());
  char pattern[] = "/tmp/attn-cache-bench-XXXXXX";
  if (!mkdtemp(pattern)) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string root = pattern;

  // Cold: a new process, an empty cache directory each time.
  std::vector<double> coldUs, coldWall;
  for (int i = 0; i < args.runs; ++i) {
    ChildRun run = runChildProcess(args, root + "/cold-" + std::to_string(i));
    if (!run.ok || run.origin != "compiled") {
      std::printf("FAIL cold run: %s\n", run.output.c_str());
      return 1;
    }
    coldUs.push_back(run.compileUs), coldWall.push_back(run.wallMs);
  }
  // Disk hits: new processes on the cache the first cold run filled.
  std::vector<double> diskUs, diskWall, contextMs;
  int loaded = 0;
  for (int i = 0; i < 2 * args.runs; ++i) {
    ChildRun run = runChildProcess(args, root + "/cold-0");
    if (!run.ok || run.origin != "disk") {
      std::printf("FAIL disk-hit run: %s\n", run.output.c_str());
      return 1;
    }
    diskUs.push_back(run.compileUs), diskWall.push_back(run.wallMs);
    contextMs.push_back(run.contextMs);
    loaded = run.loaded;
  }
  // In-process hits.
  ::setenv("ATTN_CACHE_DIR", (root + "/cold-0").c_str(), 1);
  auto first = jit::compile(d);
  if (!first.ok()) {
    std::printf("FAIL %s\n", first.status().message().c_str());
    return 1;
  }
  std::vector<double> hitUs;
  for (int i = 0; i < 10000; ++i) {
    double start = now();
    auto kernel = jit::compile(d);
    hitUs.push_back((now() - start) * 1e6);
    if (!kernel.ok() || *kernel != *first) {
      std::printf("FAIL in-process hit returned another kernel\n");
      return 1;
    }
  }
  std::sort(hitUs.begin(), hitUs.end());

  std::printf("cold compile (new process, empty cache): median %.1f ms, "
              "max %.1f ms; whole process median %.1f ms\n",
              median(coldUs) / 1e3,
              *std::max_element(coldUs.begin(), coldUs.end()) / 1e3,
              median(coldWall));
  std::printf("disk hit (new process) to %s: median %.2f ms, max %.2f ms; "
              "whole process median %.1f ms\n",
              loaded ? "a loaded module" : "PTX text", median(diskUs) / 1e3,
              *std::max_element(diskUs.begin(), diskUs.end()) / 1e3,
              median(diskWall));
  if (loaded)
    std::printf("device start-up per process (cuInit + context, before the "
                "timed compile()): median %.1f ms\n",
                median(contextMs));
  std::printf("in-process hit: median %.2f us, p99 %.2f us, max %.2f us "
              "(10000 calls)\n",
              hitUs[hitUs.size() / 2], hitUs[hitUs.size() * 99 / 100],
              hitUs.back());
  std::string cleanup = "rm -rf '" + root + "'";
  return std::system(cleanup.c_str()) == 0 ? 0 : 1;
}
