//===- Pipeline.h - Load and run the kernels of one PTX file ---*- C++ -*-===//
//
// A Pipeline is one compiled attention problem, ready to run: the manifest
// of its PTX file, the JIT-loaded module, its kernels and the intermediate
// buffers the manifest declares. run() launches every kernel in file order
// with the device pointers its manifest line names.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_PIPELINE_H
#define ATTN_RUNTIME_PIPELINE_H

#include "runtime/Device.h"
#include "runtime/Manifest.h"
#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attn::rt {

/// The problem's own tensors on the device. `lse` is needed only when the
/// problem has lse=1.
struct PipelineIo {
  const DeviceBuffer *q = nullptr;
  const DeviceBuffer *k = nullptr;
  const DeviceBuffer *v = nullptr;
  const DeviceBuffer *o = nullptr;
  const DeviceBuffer *lse = nullptr;
};

/// Device-event timings of repeated runs.
struct PipelineTiming {
  /// Milliseconds of each whole run, one entry per repetition.
  std::vector<double> totalMs;
  /// kernelMs[k][r]: milliseconds of kernel k in repetition r.
  std::vector<std::vector<double>> kernelMs;
};

/// The text of the file at `path`.
Expected<std::string> readFile(const std::string &path);

class Pipeline {
public:
  /// Reads, parses and loads the PTX file at `path`.
  static Expected<Pipeline> loadFile(const Context &context,
                                     const std::string &path);
  /// Parses the manifest of `ptx`, JIT-loads it, looks up every kernel and
  /// allocates the intermediate buffers. `name` names it in errors.
  static Expected<Pipeline> load(const Context &context, const std::string &ptx,
                                 const std::string &name);

  const Manifest &manifest() const { return manifest_; }
  const Problem &problem() const { return manifest_.problem; }
  const std::vector<Kernel> &kernels() const { return kernels_; }
  const std::string &jitInfoLog() const { return module_.jitInfoLog(); }

  /// Bytes of the intermediate buffers, as the manifest declares them.
  uint64_t intermediateBytes() const { return manifest_.intermediateBytes(); }
  /// The drop of the device's free memory (cuMemGetInfo) across their
  /// allocation; allocation granularity and other processes make it differ.
  int64_t measuredIntermediateBytes() const { return measuredBytes_; }

  /// Success if `io` holds every tensor the problem needs, each large enough.
  Status checkIo(const PipelineIo &io) const;
  /// Sets every byte of every intermediate buffer to `value`.
  Status fillIntermediates(uint8_t value);
  /// Launches every kernel in order on the default stream; does not wait.
  Status run(const PipelineIo &io) const;
  /// Runs `warmup` times, then `reps` times with device events around each
  /// kernel, cycling through `ioSets` (one set per run), and waits.
  Expected<PipelineTiming> time(const std::vector<PipelineIo> &ioSets,
                                int warmup, int reps) const;

private:
  /// Where a kernel parameter comes from.
  struct ArgSlot {
    enum Kind { Q, K, V, O, Lse, Intermediate } kind;
    size_t intermediate = 0;
  };

  Pipeline() = default;
  Status resolveArgs(const PipelineIo &io, size_t kernel,
                     std::vector<CUdeviceptr> &args) const;

  const Context *context_ = nullptr;
  std::string name_;
  Manifest manifest_;
  Module module_;
  std::vector<Kernel> kernels_;
  std::vector<std::vector<ArgSlot>> argSlots_;
  std::vector<DeviceBuffer> intermediates_;
  int64_t measuredBytes_ = 0;
};

} // namespace attn::rt

#endif // ATTN_RUNTIME_PIPELINE_H
