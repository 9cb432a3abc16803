//===- Common.h - What the attn-run subcommands share ----------*- C++ -*-===//

#ifndef ATTN_TOOLS_ATTNRUN_COMMON_H
#define ATTN_TOOLS_ATTNRUN_COMMON_H

#include "runtime/Device.h"
#include "runtime/Manifest.h"
#include "runtime/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attn::run {

/// Exit codes. 77 is CTest's SKIP_RETURN_CODE convention.
constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSkipped = 77;

struct Options {
  std::vector<std::string> files;
  uint64_t seed = 0;
  /// check: rows checked per (b,h) when N > 1024.
  int64_t rowsSample = 256;
  /// bench: untimed and timed runs.
  int warmup = 10;
  int reps = 50;
  std::string jsonPath;
  std::string csvPath;
  /// check: where to write each problem's inputs and outputs (raw bytes)
  /// for comparisons outside attn-run; empty: nowhere.
  std::string saveDir;
};

/// A PTX file read and its manifest parsed (or why not).
struct InputFile {
  std::string path;
  std::string text;
  rt::Status status = rt::Status::success();
  rt::Manifest manifest;
};

/// Reads every file and parses its manifest; no GPU needed.
std::vector<InputFile> readInputs(const std::vector<std::string> &paths);

/// Opens device 0. On failure prints "SKIPPED: <reason>" (no driver or no
/// device) or "FAIL: <reason>" and returns null; `skipped` says which.
std::unique_ptr<rt::Context> openDevice(bool &skipped);

/// The median of `values` (the mean of the middle two for an even count).
double median(std::vector<double> values);

/// Success if `bytes` of host memory can be had at all (no more than the
/// machine's physical memory), else an error naming `what` and both sizes:
/// checked before allocating, so that a huge problem is refused, not an
/// out-of-memory abort.
rt::Status checkHostMemory(uint64_t bytes, const std::string &what);

/// The relative L2 error a check accepts for results in `type`: f32 1e-5,
/// f16 2e-3, bf16 1e-2.
double errorBound(rt::DType type);

/// Writes `bytes` bytes at `data` to `path` (check --save).
rt::Status writeFile(const std::string &path, const void *data, size_t bytes);

} // namespace attn::run

#endif // ATTN_TOOLS_ATTNRUN_COMMON_H
