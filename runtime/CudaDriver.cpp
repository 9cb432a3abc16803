//===- CudaDriver.cpp - The CUDA driver API, loaded with dlopen -----------===//

#include "runtime/CudaDriver.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

using namespace attn::rt;

namespace {

/// Older names to try when a versioned symbol is missing (drivers before
/// CUDA 12.8 export only cuEventElapsedTime, of the same signature).
const char *fallbackSymbol(const char *symbol) {
  if (std::strcmp(symbol, "cuEventElapsedTime_v2") == 0)
    return "cuEventElapsedTime";
  return nullptr;
}

std::string lastDlError() {
  const char *text = dlerror();
  return text ? text : "unknown error";
}

} // namespace

std::string CudaDriver::defaultLibraryPath() {
  const char *path = std::getenv("ATTN_LIBCUDA");
  if (path && *path)
    return path;
  return "libcuda.so.1";
}

Expected<std::unique_ptr<CudaDriver>>
CudaDriver::load(const std::string &libraryPath) {
  dlerror();
  // The handle is never closed: unloading libcuda while the process may still
  // hold contexts is unsafe, and dlopen counts references anyway.
  void *handle = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return Status::error(StatusCode::NoDriver,
                         "no CUDA driver found: dlopen(\"" + libraryPath +
                             "\") failed: " + lastDlError());

  DriverApi api;
  auto lookUp = [&](const char *symbol, void *&slot) -> Status {
    dlerror();
    slot = dlsym(handle, symbol);
    if (!slot)
      if (const char *older = fallbackSymbol(symbol))
        slot = dlsym(handle, older);
    if (slot)
      return Status::success();
    return Status::error(StatusCode::DriverError,
                         "the CUDA driver \"" + libraryPath +
                             "\" lacks the entry point " + symbol +
                             " (driver too old?): " + lastDlError());
  };
#define ATTN_DRIVER_LOOKUP(name)                                               \
  {                                                                            \
    void *slot = nullptr;                                                      \
    if (Status status = lookUp(#name, slot); !status.ok())                     \
      return status;                                                           \
    api.name = reinterpret_cast<decltype(api.name)>(slot);                     \
  }
  ATTN_CUDA_DRIVER_FUNCTIONS(ATTN_DRIVER_LOOKUP)
#undef ATTN_DRIVER_LOOKUP
#define ATTN_DRIVER_LOOKUP_OPTIONAL(name)                                      \
  api.name = reinterpret_cast<decltype(api.name)>(dlsym(handle, #name));
  ATTN_CUDA_DRIVER_OPTIONAL_FUNCTIONS(ATTN_DRIVER_LOOKUP_OPTIONAL)
#undef ATTN_DRIVER_LOOKUP_OPTIONAL

  return std::make_unique<CudaDriver>(api, libraryPath);
}

Expected<const CudaDriver *> CudaDriver::instance() {
  // Initialized once, thread-safely; the result (driver or error) is kept.
  static Expected<std::unique_ptr<CudaDriver>> loaded =
      load(defaultLibraryPath());
  if (!loaded.ok())
    return loaded.status();
  return static_cast<const CudaDriver *>(loaded->get());
}

CudaDriver::CudaDriver(const DriverApi &api, std::string libraryPath)
    : api_(api), libraryPath_(std::move(libraryPath)) {}

std::string CudaDriver::describe(CUresult result) const {
  const char *name = nullptr;
  const char *text = nullptr;
  if (api_.cuGetErrorName)
    api_.cuGetErrorName(result, &name);
  if (api_.cuGetErrorString)
    api_.cuGetErrorString(result, &text);
  std::string described =
      name ? name : "CUDA error " + std::to_string(static_cast<int>(result));
  if (text)
    described += std::string(": ") + text;
  return described;
}

Status CudaDriver::check(CUresult result, const char *call,
                         const std::string &doing) const {
  if (result == CUDA_SUCCESS)
    return Status::success();
  StatusCode code = result == CUDA_ERROR_NO_DEVICE ? StatusCode::NoDevice
                                                   : StatusCode::DriverError;
  return Status::error(code, std::string(call) + " failed (" +
                                 describe(result) + ") while " + doing);
}
