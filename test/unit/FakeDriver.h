//===- FakeDriver.h - A driver table of recording fakes --------*- C++ -*-===//
//
// A DriverApi whose entry points are fakes that count their calls and
// return what a test asks for, to check what the runtime does before and
// around driver calls without a GPU. Entry points with no fake are null: a
// call to one crashes the test, which is the point.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_UNIT_FAKEDRIVER_H
#define ATTN_TEST_UNIT_FAKEDRIVER_H

#include "runtime/CudaDriver.h"

#include <string>
#include <vector>

namespace attn::test {

/// What the fake cuTensorMapEncodeTiled was asked to encode.
struct FakeTensorMapCall {
  CUtensorMapDataType dtype;
  unsigned rank;
  uint64_t address;
  std::vector<uint64_t> dims, strides;
  std::vector<unsigned> box, elementStrides;
  CUtensorMapSwizzle swizzle;
  CUtensorMapL2promotion l2Promotion;
};

struct FakeDriverState {
  CUresult initResult = CUDA_SUCCESS;
  int deviceCount = 1;
  int primaryContextRetains = 0;
  int primaryContextReleases = 0;
  int launches = 0;
  int attributeQueries = 0;
  int modulesLoaded = 0;
  /// Values passed to cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES).
  std::vector<int> sharedBytesSet;
  /// The bytes the fake cuLaunchKernel reads of each parameter, in order;
  /// makeFakeDriverApi(n) sets n pointers of 8 bytes.
  std::vector<size_t> paramSizes;
  /// Per launch (by its index), when a launch's parameters differ.
  std::vector<std::vector<size_t>> paramSizesByLaunch;
  /// The 64-bit parameters of each launch (those of 8 bytes).
  std::vector<std::vector<CUdeviceptr>> launchArgs;
  /// The bytes of every parameter of each launch, and where they were.
  std::vector<std::vector<std::string>> launchParams;
  std::vector<std::vector<uintptr_t>> launchParamAddresses;
  /// Grid and block of each launch.
  std::vector<std::vector<unsigned>> launchDims;
  /// Sizes of cuMemAlloc calls; allocations get addresses 1 MiB apart from
  /// 0x10000000.
  std::vector<size_t> allocations;
  int frees = 0;
  std::vector<FakeTensorMapCall> tensorMaps;
  CUresult tensorMapResult = CUDA_SUCCESS;
};

/// The state the fakes record into; reset by makeFakeDriverApi().
FakeDriverState &fakeDriverState();

/// A fresh state and a table of fakes; the fake cuLaunchKernel reads
/// `launchArgCount` 8-byte parameters (change fakeDriverState().paramSizes
/// for others).
rt::DriverApi makeFakeDriverApi(size_t launchArgCount = 0);

/// The bytes the fake cuTensorMapEncodeTiled writes for `address`: the
/// address in the first 8 bytes, then 0xA5.
std::string fakeTensorMapBytes(uint64_t address);

} // namespace attn::test

#endif // ATTN_TEST_UNIT_FAKEDRIVER_H
