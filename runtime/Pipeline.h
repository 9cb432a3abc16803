//===- Pipeline.h - Load and run the kernels of one PTX file ---*- C++ -*-===//
//
// A Pipeline is one compiled attention problem, ready to run: the manifest
// of its PTX file, the loaded module and its kernels, and the workspaces the
// manifest declares. run() binds the problem's tensors by role, allocates
// the workspaces (once), encodes the tensor maps, and launches every kernel
// in file order on one stream with the typed arguments its manifest line
// names. It is the one launcher: attn-run and the JIT both launch with it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_PIPELINE_H
#define ATTN_RUNTIME_PIPELINE_H

#include "runtime/Bindings.h"
#include "runtime/Device.h"
#include "runtime/Manifest.h"
#include "runtime/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attn::rt {

/// Device-event timings of repeated runs.
struct PipelineTiming {
  /// Milliseconds of each whole run, one entry per repetition.
  std::vector<double> totalMs;
  /// kernelMs[k][r]: milliseconds of kernel k in repetition r.
  std::vector<std::vector<double>> kernelMs;
};

/// A TensorArg for the whole of `buffer`, with its size.
TensorArg tensorArg(const DeviceBuffer &buffer);

class Pipeline {
public:
  /// Reads, parses and loads the PTX file at `path`.
  static Expected<Pipeline> loadFile(const Context &context,
                                     const std::string &path);
  /// Parses the manifest of `ptx`, JIT-loads it and looks up every kernel.
  /// `name` names it in errors.
  static Expected<Pipeline> load(const Context &context, const std::string &ptx,
                                 const std::string &name);
  /// A pipeline of an already loaded module (from a cubin, say) and its
  /// parsed manifest.
  static Expected<Pipeline> create(const Context &context, Manifest manifest,
                                   Module module, const std::string &name);

  Pipeline(Pipeline &&) noexcept;
  Pipeline &operator=(Pipeline &&) noexcept;
  ~Pipeline();

  const Manifest &manifest() const { return manifest_; }
  const Problem &problem() const { return manifest_.problem; }
  const std::vector<Kernel> &kernels() const { return kernels_; }
  const std::string &jitInfoLog() const { return module_.jitInfoLog(); }

  /// Bytes of the workspaces, as the manifest declares them.
  uint64_t workspaceBytes() const { return manifest_.workspaceBytes(); }
  /// The drop of the device's free memory (cuMemGetInfo) across their
  /// allocation; allocation granularity and other processes make it differ.
  int64_t measuredWorkspaceBytes() const;

  /// Allocates the workspaces if they are not yet; run() does it at its
  /// first call. Thread-safe. Workspaces of run-time size are allocated by
  /// the runs that need them (and grown when a run needs more).
  Status allocateWorkspaces() const;
  /// Allocates (or grows) the workspaces a run of `tensors` needs.
  Status allocateWorkspaces(const TensorBindings &tensors) const;
  /// Sets every byte of every workspace to `value` (allocating them first).
  Status fillWorkspaces(uint8_t value) const;
  /// Checks `tensors` (checkBindings), then launches every kernel in order
  /// on `stream` (null: the default stream); does not wait. Runs of one
  /// pipeline share its workspaces: runs on different streams must not
  /// overlap. A manifest of run-time sizes is instantiated for the tensors
  /// first (Instantiate.h; kept for their sizes and strides).
  Status run(const TensorBindings &tensors, CUstream stream = nullptr) const;
  /// The manifest a run of `tensors` launches with: the pipeline's, or its
  /// instance for their sizes and strides.
  Expected<std::shared_ptr<const Manifest>>
  instanceFor(const TensorBindings &tensors) const;
  /// Runs `warmup` times, then `reps` times with device events around each
  /// kernel, cycling through `sets` (one set of tensors per run), and waits.
  Expected<PipelineTiming> time(const std::vector<TensorBindings> &sets,
                                int warmup, int reps) const;

private:
  struct Workspaces;

  Pipeline();
  /// Allocates (or grows) the workspaces for `instance`.
  Status allocateWorkspaces(const Manifest &instance) const;
  /// The instance for `tensors`, checked, with its workspaces allocated.
  Expected<std::shared_ptr<const Manifest>>
  prepare(const TensorBindings &tensors) const;
  /// The parameters of kernel `index` for `tensors` (already checked).
  Status packArguments(const Manifest &instance, size_t index,
                       const TensorBindings &tensors, KernelArgs &args) const;
  Status launchKernel(const Manifest &instance, size_t index,
                      const TensorBindings &tensors, CUstream stream,
                      KernelArgs &scratch) const;

  const Context *context_ = nullptr;
  std::string name_;
  Manifest manifest_;
  Module module_;
  std::vector<Kernel> kernels_;
  /// What each kernel's arguments name, resolved once.
  std::vector<std::vector<ArgRef>> args_;
  std::unique_ptr<Workspaces> workspaces_;
};

} // namespace attn::rt

#endif // ATTN_RUNTIME_PIPELINE_H
