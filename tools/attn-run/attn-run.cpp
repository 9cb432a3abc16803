//===- attn-run.cpp - Run compiled attention PTX on the GPU ---------------===//
//
//   attn-run check FILE.ptx... [--seed S] [--rows-sample R] [--json OUT]
//                              [--csv OUT] [--save DIR] [--sizes S]...
//                              [--layout bhnd|bnhd]
//   attn-run bench FILE.ptx... [--warmup W] [--reps R] [--seed S]
//                              [--json OUT] [--csv OUT] [--sizes S]...
//                              [--layout bhnd|bnhd]
//
// Exit status: 0 all passed, 1 something failed, 2 bad usage, 77 skipped
// (no CUDA driver or no GPU; the line "SKIPPED: <reason>" says which).
//
//===----------------------------------------------------------------------===//

#include "tools/attn-run/Bench.h"
#include "tools/attn-run/Check.h"
#include "tools/attn-run/Common.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

using namespace attn::run;

static const char *const kUsage =
    "usage: attn-run check FILE.ptx... [--seed S] [--rows-sample R]\n"
    "                      [--json OUT] [--csv OUT] [--save DIR]\n"
    "                      [--sizes "
    "B=..,H=..,Nq=..[,Hkv=..][,Nk=..][,S=..]]...\n"
    "                      [--layout bhnd|bnhd]\n"
    "       attn-run bench FILE.ptx... [--warmup W] [--reps R] [--seed S]\n"
    "                      [--json OUT] [--csv OUT] [--sizes ...]...\n"
    "                      [--layout bhnd|bnhd]\n"
    "\n"
    "check: runs each compiled attention problem on fresh random inputs and\n"
    "  compares it with a float64 CPU reference (all rows when N <= 1024, "
    "else\n"
    "  R sampled rows per (b,h), default 256). --save writes, per file, its\n"
    "  inputs and outputs to DIR/NAME.{q,k,v,o,lse}.bin (the problem's dtype;\n"
    "  lse f32) and DIR/NAME.problem (the manifest's attn.problem line).\n"
    "bench: times each problem with device events: W untimed runs (default\n"
    "  10), then the median of R timed runs (default 50).\n"
    "Kernels compiled for run-time sizes (attn-compile --runtime-sizes) run\n"
    "  once per --sizes (Hkv defaults to H, Nk to Nq), one load serving all,\n"
    "  with Q, K, V, O packed (--layout bhnd) or [B,N,H,D] (bnhd); other\n"
    "  kernels ignore both. Packed sequences take S=.. (their number; the\n"
    "  run draws their lengths, summing to Nq and Nk).\n"
    "Exit status: 0 pass, 1 fail, 2 usage, 77 skipped (no CUDA driver/GPU).\n"
    "ATTN_LIBCUDA overrides the driver library (default libcuda.so.1).\n";

static int usageError(const std::string &message) {
  std::fprintf(stderr, "attn-run: %s\n%s", message.c_str(), kUsage);
  return kExitUsage;
}

template <typename T>
static bool parseNumber(std::string_view text, T &value, T minimum) {
  const char *end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc() && ptr == end && value >= minimum;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usageError("missing subcommand");
  std::string_view command = argv[1];
  if (command == "-h" || command == "--help") {
    std::printf("%s", kUsage);
    return kExitPass;
  }
  bool isCheck = command == "check";
  if (!isCheck && command != "bench")
    return usageError("unknown subcommand '" + std::string(command) + "'");

  Options options;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", kUsage);
      return kExitPass;
    }
    if (arg.substr(0, 2) != "--" || arg == "--") {
      options.files.emplace_back(arg);
      continue;
    }
    // --name VALUE or --name=VALUE.
    std::string_view name = arg, value;
    size_t equals = arg.find('=');
    if (equals != std::string_view::npos) {
      name = arg.substr(0, equals);
      value = arg.substr(equals + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return usageError("option " + std::string(arg) + " needs a value");
    }
    bool valid = true;
    if (name == "--seed")
      valid = parseNumber<uint64_t>(value, options.seed, 0);
    else if (name == "--rows-sample" && isCheck)
      valid = parseNumber<int64_t>(value, options.rowsSample, 2);
    else if (name == "--warmup" && !isCheck)
      valid = parseNumber<int>(value, options.warmup, 0);
    else if (name == "--reps" && !isCheck)
      valid =
          parseNumber<int>(value, options.reps, 1) && options.reps <= 100000;
    else if (name == "--json")
      options.jsonPath = std::string(value);
    else if (name == "--csv")
      options.csvPath = std::string(value);
    else if (name == "--save" && isCheck)
      options.saveDir = std::string(value);
    else if (name == "--sizes") {
      std::optional<SizeSet> sizes = SizeSet::parse(value);
      valid = sizes.has_value();
      if (sizes)
        options.sizes.push_back(*sizes);
    } else if (name == "--layout") {
      options.layout = std::string(value);
      valid = value == "bhnd" || value == "bnhd";
    } else
      return usageError("unknown option " + std::string(name) + " for " +
                        std::string(command));
    if (!valid || value.empty())
      return usageError("bad value '" + std::string(value) + "' for " +
                        std::string(name));
  }
  if (options.files.empty())
    return usageError("no PTX files given");

  return isCheck ? runCheck(options) : runBench(options);
}
