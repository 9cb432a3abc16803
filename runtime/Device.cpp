//===- Device.cpp - Context, buffers, modules, kernels, events ------------===//

#include "runtime/Device.h"

#include <cstdint>
#include <utility>

using namespace attn::rt;

//===----------------------------------------------------------------------===//
// Context
//===----------------------------------------------------------------------===//

Expected<std::unique_ptr<Context>> Context::create(int ordinal) {
  Expected<const CudaDriver *> driver = CudaDriver::instance();
  if (!driver.ok())
    return driver.status();
  return create(**driver, ordinal);
}

Expected<std::unique_ptr<Context>> Context::create(const CudaDriver &driver,
                                                   int ordinal) {
  const DriverApi &api = driver.api();
  if (Status status =
          driver.check(api.cuInit(0), "cuInit", "initializing the CUDA driver");
      !status.ok())
    return status;

  int count = 0;
  if (Status status = driver.check(api.cuDeviceGetCount(&count),
                                   "cuDeviceGetCount", "counting devices");
      !status.ok())
    return status;
  if (count == 0)
    return Status::error(StatusCode::NoDevice,
                         "the CUDA driver reports no device");
  if (ordinal < 0 || ordinal >= count)
    return Status::error(StatusCode::InvalidArgument,
                         "device " + std::to_string(ordinal) +
                             " does not exist; the driver reports " +
                             std::to_string(count) + " device(s)");

  std::string doing = "opening device " + std::to_string(ordinal);
  CUdevice device = 0;
  if (Status status =
          driver.check(api.cuDeviceGet(&device, ordinal), "cuDeviceGet", doing);
      !status.ok())
    return status;
  CUcontext context = nullptr;
  if (Status status =
          driver.check(api.cuDevicePrimaryCtxRetain(&context, device),
                       "cuDevicePrimaryCtxRetain", doing);
      !status.ok())
    return status;
  // From here on the destructor releases the primary context.
  std::unique_ptr<Context> result(new Context(driver, device, context));
  if (Status status = result->makeCurrent(); !status.ok())
    return status;

  char name[256] = {};
  if (Status status =
          driver.check(api.cuDeviceGetName(name, sizeof name - 1, device),
                       "cuDeviceGetName", doing);
      !status.ok())
    return status;
  result->name_ = name;

  int major = 0, minor = 0;
  std::pair<CUdevice_attribute, int *> attributes[] = {
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, &major},
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, &minor},
      {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, &result->multiprocessors_}};
  for (auto [attribute, slot] : attributes)
    if (Status status =
            driver.check(api.cuDeviceGetAttribute(slot, attribute, device),
                         "cuDeviceGetAttribute", doing);
        !status.ok())
      return status;
  result->computeCapability_ = major * 10 + minor;
  return result;
}

Context::Context(const CudaDriver &driver, CUdevice device, CUcontext context)
    : driver_(driver), device_(device), context_(context) {}

Context::~Context() { driver_.api().cuDevicePrimaryCtxRelease_v2(device_); }

Status Context::makeCurrent() const {
  return driver_.check(driver_.api().cuCtxSetCurrent(context_),
                       "cuCtxSetCurrent",
                       "making the device's context current");
}

Status Context::synchronize(const std::string &doing) const {
  return driver_.check(driver_.api().cuCtxSynchronize(), "cuCtxSynchronize",
                       doing);
}

Expected<MemInfo> Context::memInfo() const {
  MemInfo info;
  if (Status status = driver_.check(
          driver_.api().cuMemGetInfo_v2(&info.freeBytes, &info.totalBytes),
          "cuMemGetInfo_v2", "reading the device's free memory");
      !status.ok())
    return status;
  return info;
}

//===----------------------------------------------------------------------===//
// DeviceBuffer
//===----------------------------------------------------------------------===//

Expected<DeviceBuffer> DeviceBuffer::allocate(const Context &context,
                                              size_t bytes,
                                              const std::string &what) {
  if (bytes == 0)
    return Status::error(StatusCode::InvalidArgument,
                         "refusing to allocate 0 bytes for '" + what + "'");
  const CudaDriver &driver = context.driver();
  DeviceBuffer buffer;
  CUresult result = driver.api().cuMemAlloc_v2(&buffer.pointer_, bytes);
  if (result != CUDA_SUCCESS) {
    std::string doing =
        "allocating " + std::to_string(bytes) + " bytes for '" + what + "'";
    if (result == CUDA_ERROR_OUT_OF_MEMORY)
      if (Expected<MemInfo> info = context.memInfo(); info.ok())
        doing += " (" + std::to_string(info->freeBytes) + " of " +
                 std::to_string(info->totalBytes) + " bytes free)";
    return driver.check(result, "cuMemAlloc_v2", doing);
  }
  buffer.driver_ = &driver;
  buffer.bytes_ = bytes;
  buffer.name_ = what;
  return buffer;
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&other) noexcept
    : driver_(other.driver_), pointer_(std::exchange(other.pointer_, 0)),
      bytes_(std::exchange(other.bytes_, 0)), name_(std::move(other.name_)) {}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  if (this != &other) {
    (void)release();
    driver_ = other.driver_;
    pointer_ = std::exchange(other.pointer_, 0);
    bytes_ = std::exchange(other.bytes_, 0);
    name_ = std::move(other.name_);
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() { (void)release(); }

Status DeviceBuffer::release() {
  if (!pointer_)
    return Status::success();
  CUdeviceptr pointer = std::exchange(pointer_, 0);
  bytes_ = 0;
  return driver_->check(driver_->api().cuMemFree_v2(pointer), "cuMemFree_v2",
                        "freeing '" + name_ + "'");
}

Status DeviceBuffer::checkRange(const char *what, size_t bytes,
                                size_t offset) const {
  if (!pointer_)
    return Status::error(StatusCode::InvalidArgument,
                         std::string("cannot ") + what +
                             " an unallocated device buffer");
  if (offset > bytes_ || bytes > bytes_ - offset)
    return Status::error(
        StatusCode::InvalidArgument,
        std::string("cannot ") + what + " " + std::to_string(bytes) +
            " bytes at offset " + std::to_string(offset) + " of '" + name_ +
            "', which holds " + std::to_string(bytes_) + " bytes");
  return Status::success();
}

Status DeviceBuffer::upload(const void *host, size_t bytes, size_t offset) {
  if (Status status = checkRange("upload", bytes, offset); !status.ok())
    return status;
  if (bytes == 0)
    return Status::success();
  return driver_->check(
      driver_->api().cuMemcpyHtoD_v2(pointer_ + offset, host, bytes),
      "cuMemcpyHtoD_v2",
      "uploading " + std::to_string(bytes) + " bytes to '" + name_ + "'");
}

Status DeviceBuffer::download(void *host, size_t bytes, size_t offset) const {
  if (Status status = checkRange("download", bytes, offset); !status.ok())
    return status;
  if (bytes == 0)
    return Status::success();
  return driver_->check(
      driver_->api().cuMemcpyDtoH_v2(host, pointer_ + offset, bytes),
      "cuMemcpyDtoH_v2",
      "downloading " + std::to_string(bytes) + " bytes from '" + name_ + "'");
}

Status DeviceBuffer::fill(uint8_t value) {
  if (Status status = checkRange("fill", bytes_, 0); !status.ok())
    return status;
  return driver_->check(driver_->api().cuMemsetD8_v2(pointer_, value, bytes_),
                        "cuMemsetD8_v2", "filling '" + name_ + "'");
}

//===----------------------------------------------------------------------===//
// Kernel
//===----------------------------------------------------------------------===//

Kernel::Kernel(const CudaDriver &driver, CUfunction function, std::string name,
               KernelAttributes attributes)
    : driver_(&driver), function_(function), name_(std::move(name)),
      attributes_(attributes) {}

Status Kernel::launch(const LaunchShape &shape, const KernelArgs &args,
                      CUstream stream) const {
  std::string refusing = "refusing to launch kernel '" + name_ + "'";
  if (Status status = validateLaunchShape(shape); !status.ok())
    return status.withContext(refusing);
  int64_t threads = shape.block.x * shape.block.y * shape.block.z;
  if (threads > attributes_.maxThreadsPerBlock)
    return Status::error(StatusCode::InvalidArgument,
                         refusing + ": block " + shape.block.str() + " has " +
                             std::to_string(threads) +
                             " threads but the compiled kernel allows at "
                             "most " +
                             std::to_string(attributes_.maxThreadsPerBlock));
  if (!function_)
    return Status::error(StatusCode::InvalidArgument,
                         refusing + ": it has no loaded function");

  const DriverApi &api = driver_->api();
  std::string doing = "launching kernel '" + name_ + "' with grid " +
                      shape.grid.str() + " block " + shape.block.str() +
                      " smem " + std::to_string(shape.sharedBytes);
  if (shape.sharedBytes > sharedBytesEnabled_) {
    if (Status status = driver_->check(
            api.cuFuncSetAttribute(
                function_, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                int(shape.sharedBytes)),
            "cuFuncSetAttribute",
            "enabling " + std::to_string(shape.sharedBytes) +
                " bytes of dynamic shared memory for kernel '" + name_ +
                "' (it uses " + std::to_string(attributes_.staticSharedBytes) +
                " bytes of static shared memory)");
        !status.ok())
      return status;
    sharedBytesEnabled_ = shape.sharedBytes;
  }

  void **params = args.empty() ? nullptr : args.pointers();
  return driver_->check(
      api.cuLaunchKernel(function_, unsigned(shape.grid.x),
                         unsigned(shape.grid.y), unsigned(shape.grid.z),
                         unsigned(shape.block.x), unsigned(shape.block.y),
                         unsigned(shape.block.z), unsigned(shape.sharedBytes),
                         stream, params, nullptr),
      "cuLaunchKernel", doing);
}

//===----------------------------------------------------------------------===//
// Module
//===----------------------------------------------------------------------===//

namespace {

constexpr size_t kJitLogBytes = 64 * 1024;

/// The text the JIT wrote to `buffer`, `reported` bytes long.
std::string jitLog(const std::vector<char> &buffer, void *reported) {
  size_t length = size_t(reinterpret_cast<uintptr_t>(reported));
  if (length > buffer.size())
    length = buffer.size();
  std::string text(buffer.data(), length);
  text = text.substr(0, text.find('\0'));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

} // namespace

Expected<Module> Module::loadPtx(const Context &context, const std::string &ptx,
                                 const std::string &name) {
  return loadImage(context, ptx.c_str(), name);
}

Expected<Module> Module::loadImage(const Context &context, const void *image,
                                   const std::string &name) {
  const CudaDriver &driver = context.driver();
  std::vector<char> infoLog(kJitLogBytes, 0), errorLog(kJitLogBytes, 0);
  CUjit_option options[] = {
      CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES,
      CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
      CU_JIT_LOG_VERBOSE};
  void *values[] = {infoLog.data(), reinterpret_cast<void *>(kJitLogBytes - 1),
                    errorLog.data(), reinterpret_cast<void *>(kJitLogBytes - 1),
                    reinterpret_cast<void *>(uintptr_t(1))};
  Module module;
  CUresult result = driver.api().cuModuleLoadDataEx(
      &module.module_, image, sizeof options / sizeof options[0], options,
      values);
  if (result != CUDA_SUCCESS) {
    std::string log = jitLog(errorLog, values[3]);
    Status status = driver.check(result, "cuModuleLoadDataEx",
                                 "loading module '" + name + "'");
    return Status::error(status.code(), status.message() + "; JIT log: " +
                                            (log.empty() ? "(empty)" : log));
  }
  module.driver_ = &driver;
  module.name_ = name;
  module.infoLog_ = jitLog(infoLog, values[1]);
  return module;
}

Module::Module(Module &&other) noexcept
    : driver_(other.driver_), module_(std::exchange(other.module_, nullptr)),
      name_(std::move(other.name_)), infoLog_(std::move(other.infoLog_)) {}

Module &Module::operator=(Module &&other) noexcept {
  if (this != &other) {
    if (module_)
      driver_->api().cuModuleUnload(module_);
    driver_ = other.driver_;
    module_ = std::exchange(other.module_, nullptr);
    name_ = std::move(other.name_);
    infoLog_ = std::move(other.infoLog_);
  }
  return *this;
}

Module::~Module() {
  if (module_)
    driver_->api().cuModuleUnload(module_);
}

Expected<Kernel> Module::kernel(const std::string &entry) const {
  if (!module_)
    return Status::error(StatusCode::InvalidArgument,
                         "cannot look up kernel '" + entry +
                             "' in a module that is not loaded");
  const DriverApi &api = driver_->api();
  std::string doing =
      "looking up kernel '" + entry + "' in module '" + name_ + "'";
  CUfunction function = nullptr;
  if (Status status = driver_->check(
          api.cuModuleGetFunction(&function, module_, entry.c_str()),
          "cuModuleGetFunction", doing);
      !status.ok())
    return status;

  KernelAttributes attributes;
  std::pair<CUfunction_attribute, int *> queries[] = {
      {CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, &attributes.maxThreadsPerBlock},
      {CU_FUNC_ATTRIBUTE_NUM_REGS, &attributes.registers},
      {CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, &attributes.staticSharedBytes},
      {CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, &attributes.localBytes}};
  for (auto [attribute, slot] : queries)
    if (Status status =
            driver_->check(api.cuFuncGetAttribute(slot, attribute, function),
                           "cuFuncGetAttribute", doing);
        !status.ok())
      return status;
  return Kernel(*driver_, function, entry, attributes);
}

//===----------------------------------------------------------------------===//
// Event
//===----------------------------------------------------------------------===//

Expected<Event> Event::create(const Context &context) {
  const CudaDriver &driver = context.driver();
  Event event;
  if (Status status = driver.check(
          driver.api().cuEventCreate(&event.event_, CU_EVENT_DEFAULT),
          "cuEventCreate", "creating a timing event");
      !status.ok())
    return status;
  event.driver_ = &driver;
  return event;
}

Event::Event(Event &&other) noexcept
    : driver_(other.driver_), event_(std::exchange(other.event_, nullptr)) {}

Event &Event::operator=(Event &&other) noexcept {
  if (this != &other) {
    if (event_)
      driver_->api().cuEventDestroy_v2(event_);
    driver_ = other.driver_;
    event_ = std::exchange(other.event_, nullptr);
  }
  return *this;
}

Event::~Event() {
  if (event_)
    driver_->api().cuEventDestroy_v2(event_);
}

Status Event::record(CUstream stream) {
  if (!event_)
    return Status::error(StatusCode::InvalidArgument,
                         "cannot record an event that was not created");
  return driver_->check(driver_->api().cuEventRecord(event_, stream),
                        "cuEventRecord", "recording a timing event");
}

Status Event::synchronize() const {
  if (!event_)
    return Status::error(StatusCode::InvalidArgument,
                         "cannot wait for an event that was not created");
  return driver_->check(driver_->api().cuEventSynchronize(event_),
                        "cuEventSynchronize", "waiting for a timing event");
}

Expected<float> Event::millisecondsSince(const Event &start) const {
  if (!event_ || !start.event_)
    return Status::error(StatusCode::InvalidArgument,
                         "cannot time between events that were not created");
  float milliseconds = 0;
  if (Status status = driver_->check(driver_->api().cuEventElapsedTime_v2(
                                         &milliseconds, start.event_, event_),
                                     "cuEventElapsedTime",
                                     "reading the time between two events");
      !status.ok())
    return status;
  return milliseconds;
}
