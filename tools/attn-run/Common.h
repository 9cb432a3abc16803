//===- Common.h - What the attn-run subcommands share ----------*- C++ -*-===//

#ifndef ATTN_TOOLS_ATTNRUN_COMMON_H
#define ATTN_TOOLS_ATTNRUN_COMMON_H

#include "runtime/Device.h"
#include "runtime/Manifest.h"
#include "runtime/Status.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attn::run {

/// Exit codes. 77 is CTest's SKIP_RETURN_CODE convention.
constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSkipped = 77;

/// The sizes of one run of a kernel compiled for run-time sizes (--sizes
/// B=2,H=8,Hkv=2,Nq=1000,Nk=1000; Hkv defaults to H and Nk to Nq).
struct SizeSet {
  int64_t batch = 0, heads = 0, kvHeads = 0, seqLenQ = 0, seqLenK = 0;
  /// Packed sequences (S=..): their number; the run draws their lengths.
  int64_t sequences = 0;

  /// Parses "B=2,H=8,Nq=1000" (B, H and Nq required; Hkv, Nk and S
  /// optional); nullopt if malformed.
  static std::optional<SizeSet> parse(std::string_view text);
  /// `problem` with these sizes.
  rt::Problem apply(rt::Problem problem) const;
  /// "b2-h8-kv2-q1000-k1000" (and "-s16"), for file names.
  std::string tag() const;
};

/// Whether `run` (the manifest's problem `compiled`, with --sizes applied)
/// can run: every size known, and S given only to kernels that pack
/// sequences.
rt::Status checkRunSizes(const rt::Problem &compiled, const rt::Problem &run);

struct Options {
  std::vector<std::string> files;
  /// Run-time-size manifests run once per set; others ignore them.
  std::vector<SizeSet> sizes;
  /// The layout of Q, K, V, O for run-time-size manifests: "bhnd" (packed)
  /// or "bnhd".
  std::string layout = "bhnd";
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

/// The strides of a `role` tensor of `problem` in `layout` ("bhnd" packed,
/// "bnhd" [B,N,H,D]; lse always packed).
std::vector<int64_t> layoutStrides(const rt::Problem &problem,
                                   rt::TensorRole role,
                                   const std::string &layout);
/// Bytes from the first element to one past the last of a `role` tensor
/// laid out with `strides`.
uint64_t spanBytes(const rt::Problem &problem, rt::TensorRole role,
                   const std::vector<int64_t> &strides);
/// `packed` (row-major bytes of a `role` tensor) laid out with `strides`,
/// and back.
std::vector<uint8_t> toLayout(const rt::Problem &problem, rt::TensorRole role,
                              const std::vector<int64_t> &strides,
                              const std::vector<uint8_t> &packed);
std::vector<uint8_t> fromLayout(const rt::Problem &problem, rt::TensorRole role,
                                const std::vector<int64_t> &strides,
                                const std::vector<uint8_t> &laidOut);

/// Writes `bytes` bytes at `data` to `path` (check --save).
rt::Status writeFile(const std::string &path, const void *data, size_t bytes);

} // namespace attn::run

#endif // ATTN_TOOLS_ATTNRUN_COMMON_H
