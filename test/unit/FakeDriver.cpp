//===- FakeDriver.cpp - A driver table of recording fakes -----------------===//

#include "FakeDriver.h"

#include <cstring>

using namespace attn;
using namespace attn::test;

namespace {

FakeDriverState state;
int fakeContext = 0;
int fakeModule = 0;
int fakeFunction = 0;

CUresult getErrorName(CUresult result, const char **name) {
  switch (result) {
  case CUDA_ERROR_INVALID_PTX:
    *name = "CUDA_ERROR_INVALID_PTX";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NO_DEVICE:
    *name = "CUDA_ERROR_NO_DEVICE";
    return CUDA_SUCCESS;
  case CUDA_ERROR_INVALID_VALUE:
    *name = "CUDA_ERROR_INVALID_VALUE";
    return CUDA_SUCCESS;
  default:
    *name = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult getErrorString(CUresult result, const char **text) {
  switch (result) {
  case CUDA_ERROR_INVALID_PTX:
    *text = "a PTX JIT compilation failed";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NO_DEVICE:
    *text = "no CUDA-capable device is detected";
    return CUDA_SUCCESS;
  case CUDA_ERROR_INVALID_VALUE:
    *text = "invalid argument";
    return CUDA_SUCCESS;
  default:
    *text = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult init(unsigned) { return state.initResult; }

CUresult deviceGetCount(int *count) {
  *count = state.deviceCount;
  return CUDA_SUCCESS;
}

CUresult deviceGet(CUdevice *device, int ordinal) {
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult primaryCtxRetain(CUcontext *context, CUdevice) {
  ++state.primaryContextRetains;
  *context = reinterpret_cast<CUcontext>(&fakeContext);
  return CUDA_SUCCESS;
}

CUresult primaryCtxRelease(CUdevice) {
  ++state.primaryContextReleases;
  return CUDA_SUCCESS;
}

CUresult ctxSetCurrent(CUcontext) { return CUDA_SUCCESS; }

CUresult deviceGetName(char *name, int length, CUdevice) {
  std::strncpy(name, "Fake GPU", size_t(length));
  return CUDA_SUCCESS;
}

CUresult deviceGetAttribute(int *value, CUdevice_attribute attribute,
                            CUdevice) {
  *value = attribute == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR ? 9 : 0;
  return CUDA_SUCCESS;
}

CUresult funcGetAttribute(int *value, CUfunction_attribute attribute,
                          CUfunction) {
  ++state.attributeQueries;
  *value = attribute == CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK ? 1024 : 0;
  return CUDA_SUCCESS;
}

CUresult funcSetAttribute(CUfunction, CUfunction_attribute attribute,
                          int value) {
  if (attribute == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
    state.sharedBytesSet.push_back(value);
  return CUDA_SUCCESS;
}

CUresult launchKernel(CUfunction, unsigned gridX, unsigned gridY,
                      unsigned gridZ, unsigned blockX, unsigned blockY,
                      unsigned blockZ, unsigned sharedBytes, CUstream,
                      void **params, void **extra) {
  size_t launch = size_t(state.launches++);
  const std::vector<size_t> &sizes = launch < state.paramSizesByLaunch.size()
                                         ? state.paramSizesByLaunch[launch]
                                         : state.paramSizes;
  std::vector<CUdeviceptr> args;
  std::vector<std::string> bytes;
  std::vector<uintptr_t> addresses;
  for (size_t i = 0; i < sizes.size(); ++i) {
    size_t size = sizes[i];
    bytes.emplace_back(static_cast<const char *>(params[i]), size);
    addresses.push_back(reinterpret_cast<uintptr_t>(params[i]));
    if (size == 8)
      args.push_back(*static_cast<CUdeviceptr *>(params[i]));
  }
  state.launchArgs.push_back(args);
  state.launchParams.push_back(bytes);
  state.launchParamAddresses.push_back(addresses);
  state.launchDims.push_back(
      {gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes});
  return extra ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

CUresult moduleLoadDataEx(CUmodule *module, const void *, unsigned,
                          CUjit_option *, void **) {
  ++state.modulesLoaded;
  *module = reinterpret_cast<CUmodule>(&fakeModule);
  return CUDA_SUCCESS;
}

CUresult moduleUnload(CUmodule) { return CUDA_SUCCESS; }

CUresult moduleGetFunction(CUfunction *function, CUmodule, const char *) {
  *function = reinterpret_cast<CUfunction>(&fakeFunction);
  return CUDA_SUCCESS;
}

CUresult memGetInfo(size_t *freeBytes, size_t *totalBytes) {
  size_t used = 0;
  for (size_t bytes : state.allocations)
    used += bytes;
  *totalBytes = size_t(80) << 30;
  *freeBytes = *totalBytes - used;
  return CUDA_SUCCESS;
}

CUresult memAlloc(CUdeviceptr *pointer, size_t bytes) {
  *pointer = 0x10000000 + (CUdeviceptr(state.allocations.size()) << 20);
  state.allocations.push_back(bytes);
  return CUDA_SUCCESS;
}

CUresult memFree(CUdeviceptr) {
  ++state.frees;
  return CUDA_SUCCESS;
}

CUresult memsetD8(CUdeviceptr, unsigned char, size_t) { return CUDA_SUCCESS; }

CUresult ctxSynchronize() { return CUDA_SUCCESS; }

CUresult tensorMapEncodeTiled(CUtensorMap *map, CUtensorMapDataType dtype,
                              cuuint32_t rank, void *address,
                              const cuuint64_t *dims, const cuuint64_t *strides,
                              const cuuint32_t *box,
                              const cuuint32_t *elementStrides,
                              CUtensorMapInterleave, CUtensorMapSwizzle swizzle,
                              CUtensorMapL2promotion l2Promotion,
                              CUtensorMapFloatOOBfill) {
  FakeTensorMapCall call;
  call.dtype = dtype;
  call.rank = rank;
  call.address = reinterpret_cast<uintptr_t>(address);
  call.dims.assign(dims, dims + rank);
  call.strides.assign(strides, strides + rank - 1);
  call.box.assign(box, box + rank);
  call.elementStrides.assign(elementStrides, elementStrides + rank);
  call.swizzle = swizzle;
  call.l2Promotion = l2Promotion;
  state.tensorMaps.push_back(call);
  if (state.tensorMapResult != CUDA_SUCCESS)
    return state.tensorMapResult;
  std::string bytes = fakeTensorMapBytes(call.address);
  std::memcpy(map, bytes.data(), sizeof *map);
  return CUDA_SUCCESS;
}

} // namespace

FakeDriverState &attn::test::fakeDriverState() { return state; }

std::string attn::test::fakeTensorMapBytes(uint64_t address) {
  std::string bytes(sizeof(CUtensorMap), char(0xA5));
  std::memcpy(bytes.data(), &address, sizeof address);
  return bytes;
}

rt::DriverApi attn::test::makeFakeDriverApi(size_t launchArgCount) {
  state = FakeDriverState();
  state.paramSizes.assign(launchArgCount, 8);
  rt::DriverApi api;
  api.cuGetErrorName = getErrorName;
  api.cuGetErrorString = getErrorString;
  api.cuInit = init;
  api.cuDeviceGetCount = deviceGetCount;
  api.cuDeviceGet = deviceGet;
  api.cuDevicePrimaryCtxRetain = primaryCtxRetain;
  api.cuDevicePrimaryCtxRelease_v2 = primaryCtxRelease;
  api.cuCtxSetCurrent = ctxSetCurrent;
  api.cuCtxSynchronize = ctxSynchronize;
  api.cuDeviceGetName = deviceGetName;
  api.cuDeviceGetAttribute = deviceGetAttribute;
  api.cuFuncGetAttribute = funcGetAttribute;
  api.cuFuncSetAttribute = funcSetAttribute;
  api.cuLaunchKernel = launchKernel;
  api.cuModuleLoadDataEx = moduleLoadDataEx;
  api.cuModuleUnload = moduleUnload;
  api.cuModuleGetFunction = moduleGetFunction;
  api.cuMemGetInfo_v2 = memGetInfo;
  api.cuMemAlloc_v2 = memAlloc;
  api.cuMemFree_v2 = memFree;
  api.cuMemsetD8_v2 = memsetD8;
  api.cuTensorMapEncodeTiled = tensorMapEncodeTiled;
  return api;
}
