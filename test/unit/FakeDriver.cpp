//===- FakeDriver.cpp - A driver table of recording fakes -----------------===//

#include "FakeDriver.h"

#include <cstring>

using namespace attn;
using namespace attn::test;

namespace {

FakeDriverState state;
size_t argCount = 0;
int fakeContext = 0;

CUresult getErrorName(CUresult result, const char **name) {
  switch (result) {
  case CUDA_ERROR_INVALID_PTX:
    *name = "CUDA_ERROR_INVALID_PTX";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NO_DEVICE:
    *name = "CUDA_ERROR_NO_DEVICE";
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

CUresult funcGetAttribute(int *value, CUfunction_attribute, CUfunction) {
  ++state.attributeQueries;
  *value = 0;
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
  ++state.launches;
  std::vector<CUdeviceptr> args;
  for (size_t i = 0; i < argCount; ++i)
    args.push_back(*static_cast<CUdeviceptr *>(params[i]));
  state.launchArgs.push_back(args);
  state.launchDims.push_back(
      {gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes});
  return extra ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

} // namespace

FakeDriverState &attn::test::fakeDriverState() { return state; }

rt::DriverApi attn::test::makeFakeDriverApi(size_t launchArgCount) {
  state = FakeDriverState();
  argCount = launchArgCount;
  rt::DriverApi api;
  api.cuGetErrorName = getErrorName;
  api.cuGetErrorString = getErrorString;
  api.cuInit = init;
  api.cuDeviceGetCount = deviceGetCount;
  api.cuDeviceGet = deviceGet;
  api.cuDevicePrimaryCtxRetain = primaryCtxRetain;
  api.cuDevicePrimaryCtxRelease_v2 = primaryCtxRelease;
  api.cuCtxSetCurrent = ctxSetCurrent;
  api.cuDeviceGetName = deviceGetName;
  api.cuDeviceGetAttribute = deviceGetAttribute;
  api.cuFuncGetAttribute = funcGetAttribute;
  api.cuFuncSetAttribute = funcSetAttribute;
  api.cuLaunchKernel = launchKernel;
  return api;
}
