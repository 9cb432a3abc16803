//===- Device.h - Context, buffers, modules, kernels, events ---*- C++ -*-===//
//
// Thin RAII owners of driver objects. Each operation checks its CUresult and
// returns a Status whose message names the driver call, the driver's error
// and what the runtime was doing. Objects made from a Context must be
// destroyed before it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_DEVICE_H
#define ATTN_RUNTIME_DEVICE_H

#include "runtime/CudaDriver.h"
#include "runtime/KernelArgs.h"
#include "runtime/LaunchShape.h"
#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attn::rt {

struct MemInfo {
  size_t freeBytes = 0;
  size_t totalBytes = 0;
};

/// The primary context of one device, current on the creating thread.
class Context {
public:
  /// Initializes the driver, retains device `ordinal`'s primary context and
  /// makes it current. No device gives StatusCode::NoDevice.
  static Expected<std::unique_ptr<Context>> create(const CudaDriver &driver,
                                                   int ordinal = 0);
  /// The same with the process-wide driver (CudaDriver::instance()); no
  /// driver gives StatusCode::NoDriver.
  static Expected<std::unique_ptr<Context>> create(int ordinal = 0);

  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  const CudaDriver &driver() const { return driver_; }
  CUdevice device() const { return device_; }
  const std::string &deviceName() const { return name_; }
  /// Compute capability, e.g. 90 for sm_90.
  int computeCapability() const { return computeCapability_; }
  int multiprocessorCount() const { return multiprocessors_; }

  /// Makes this context current on the calling thread.
  Status makeCurrent() const;
  /// Waits for all work; `doing` says what the work was, for errors.
  Status synchronize(const std::string &doing) const;
  Expected<MemInfo> memInfo() const;

private:
  Context(const CudaDriver &driver, CUdevice device, CUcontext context);

  const CudaDriver &driver_;
  CUdevice device_;
  CUcontext context_;
  std::string name_;
  int computeCapability_ = 0;
  int multiprocessors_ = 0;
};

/// Device memory, freed on destruction.
class DeviceBuffer {
public:
  /// Allocates `bytes` (> 0); `what` names the buffer in errors.
  static Expected<DeviceBuffer> allocate(const Context &context, size_t bytes,
                                         const std::string &what);

  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer &&other) noexcept;
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer();

  CUdeviceptr pointer() const { return pointer_; }
  size_t bytes() const { return bytes_; }
  const std::string &name() const { return name_; }

  /// Copies `bytes` from the host to this buffer at `offset`.
  Status upload(const void *host, size_t bytes, size_t offset = 0);
  /// Copies `bytes` at `offset` of this buffer to the host. Waits for the
  /// work queued before it.
  Status download(void *host, size_t bytes, size_t offset = 0) const;
  /// Sets every byte to `value` (0xFF makes every f16/bf16/f32 a NaN).
  Status fill(uint8_t value);
  /// Frees now, reporting an error the destructor would have to ignore.
  Status release();

private:
  Status checkRange(const char *what, size_t bytes, size_t offset) const;

  const CudaDriver *driver_ = nullptr;
  CUdeviceptr pointer_ = 0;
  size_t bytes_ = 0;
  std::string name_;
};

/// What the driver reports of a compiled kernel.
struct KernelAttributes {
  int maxThreadsPerBlock = 1024;
  int registers = 0;
  int staticSharedBytes = 0;
  int localBytes = 0;
};

/// One __global__ function of a loaded module.
class Kernel {
public:
  /// `driver` must outlive the Kernel; tests may pass a driver of fakes.
  Kernel(const CudaDriver &driver, CUfunction function, std::string name,
         KernelAttributes attributes = {});

  const std::string &name() const { return name_; }
  const KernelAttributes &attributes() const { return attributes_; }

  /// Launches on `stream` with the parameters `args` (pointers, scalars,
  /// by-value blobs), in order. The shape is checked (validateLaunchShape
  /// and the kernel's own thread limit) before any driver call. Dynamic
  /// shared memory above 48 KiB is enabled with cuFuncSetAttribute first.
  /// Does not wait.
  Status launch(const LaunchShape &shape, const KernelArgs &args,
                CUstream stream = nullptr) const;

private:
  const CudaDriver *driver_;
  CUfunction function_;
  std::string name_;
  KernelAttributes attributes_;
  /// The dynamic shared memory limit set on the function so far.
  mutable int64_t sharedBytesEnabled_ = LaunchLimits::kDefaultSharedBytes;
};

/// A module JIT-compiled from PTX text, unloaded on destruction.
class Module {
public:
  /// Compiles and loads `ptx`; `name` names it in errors. A failed JIT
  /// compilation's error carries the JIT's error log.
  static Expected<Module> loadPtx(const Context &context,
                                  const std::string &ptx,
                                  const std::string &name);

  Module() = default;
  Module(Module &&other) noexcept;
  Module &operator=(Module &&other) noexcept;
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  ~Module();

  /// The kernel `entry` of this module, with its attributes queried.
  Expected<Kernel> kernel(const std::string &entry) const;
  /// What the JIT said on success (registers, spills).
  const std::string &jitInfoLog() const { return infoLog_; }
  const std::string &name() const { return name_; }

private:
  static Expected<Module> loadImage(const Context &context, const void *image,
                                    const std::string &name);

  const CudaDriver *driver_ = nullptr;
  CUmodule module_ = nullptr;
  std::string name_;
  std::string infoLog_;
};

/// A device event for timing work on a stream.
class Event {
public:
  static Expected<Event> create(const Context &context);

  Event() = default;
  Event(Event &&other) noexcept;
  Event &operator=(Event &&other) noexcept;
  Event(const Event &) = delete;
  Event &operator=(const Event &) = delete;
  ~Event();

  Status record(CUstream stream = nullptr);
  Status synchronize() const;
  /// Milliseconds from `start` to this event; both must have completed.
  Expected<float> millisecondsSince(const Event &start) const;

private:
  const CudaDriver *driver_ = nullptr;
  CUevent event_ = nullptr;
};

} // namespace attn::rt

#endif // ATTN_RUNTIME_DEVICE_H
