//===- CudaDriver.h - The CUDA driver API, loaded with dlopen --*- C++ -*-===//
//
// The runtime never links libcuda. The driver is opened with dlopen the first
// time it is needed, so every program that uses the runtime starts on a
// machine without a GPU driver and can say plainly that none was found.
//
// cuda.h is included for its types and enums only. The entry points are
// function pointers looked up by their exported (versioned) names, collected
// in a DriverApi table. A CudaDriver wraps one table; tests may build one from
// a table of fakes to check what the runtime does before it calls the driver.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_CUDADRIVER_H
#define ATTN_RUNTIME_CUDADRIVER_H

#include "runtime/Status.h"

#include <cuda.h>

#include <memory>
#include <string>

namespace attn::rt {

/// Every driver entry point the runtime uses, by its exported symbol name.
/// Where cuda.h maps a name to a versioned one (cuMemAlloc -> cuMemAlloc_v2)
/// the versioned name is listed.
#define ATTN_CUDA_DRIVER_FUNCTIONS(X)                                          \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuDevicePrimaryCtxRelease_v2)                                              \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuMemGetInfo_v2)                                                           \
  X(cuMemAlloc_v2)                                                             \
  X(cuMemFree_v2)                                                              \
  X(cuMemcpyHtoD_v2)                                                           \
  X(cuMemcpyDtoH_v2)                                                           \
  X(cuMemsetD8_v2)                                                             \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleGetFunction)                                                       \
  X(cuModuleUnload)                                                            \
  X(cuFuncGetAttribute)                                                        \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy_v2)                                                         \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuEventElapsedTime_v2)

/// Entry points some drivers lack; a missing one is null, and the runtime
/// says which call it needed when it is used. cuTensorMapEncodeTiled came
/// with CUDA 12.0.
#define ATTN_CUDA_DRIVER_OPTIONAL_FUNCTIONS(X) X(cuTensorMapEncodeTiled)

/// The table of driver entry points. A null member was not loaded.
struct DriverApi {
#define ATTN_DRIVER_API_MEMBER(name) decltype(&::name) name = nullptr;
  ATTN_CUDA_DRIVER_FUNCTIONS(ATTN_DRIVER_API_MEMBER)
  ATTN_CUDA_DRIVER_OPTIONAL_FUNCTIONS(ATTN_DRIVER_API_MEMBER)
#undef ATTN_DRIVER_API_MEMBER
};

class CudaDriver {
public:
  /// The library the process-wide driver is loaded from: $ATTN_LIBCUDA if
  /// set and not empty, else "libcuda.so.1".
  static std::string defaultLibraryPath();

  /// Opens `libraryPath` and looks up every entry point: a fresh loader,
  /// independent of the process-wide one. Fails with StatusCode::NoDriver
  /// ("no CUDA driver found: dlopen(...) failed: ...") when the library cannot
  /// be opened, and StatusCode::DriverError when it lacks an entry point
  /// (other than the optional ones).
  static Expected<std::unique_ptr<CudaDriver>>
  load(const std::string &libraryPath);

  /// The process-wide driver, loaded from defaultLibraryPath() on the first
  /// call. The outcome of that first call (driver or error) is kept.
  static Expected<const CudaDriver *> instance();

  /// Wraps a table that did not come from a library (tests use fakes).
  explicit CudaDriver(const DriverApi &api,
                      std::string libraryPath = "<in-process table>");

  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;

  const DriverApi &api() const { return api_; }
  const std::string &libraryPath() const { return libraryPath_; }

  /// "CUDA_ERROR_NAME: the driver's description" for `result`.
  std::string describe(CUresult result) const;

  /// Success if `result` is CUDA_SUCCESS; otherwise an error that reads
  /// "<call> failed (<name>: <description>) while <doing>".
  /// CUDA_ERROR_NO_DEVICE maps to StatusCode::NoDevice, others to
  /// StatusCode::DriverError.
  Status check(CUresult result, const char *call,
               const std::string &doing) const;

private:
  DriverApi api_;
  std::string libraryPath_;
};

} // namespace attn::rt

#endif // ATTN_RUNTIME_CUDADRIVER_H
