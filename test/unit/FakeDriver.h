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

#include <vector>

namespace attn::test {

struct FakeDriverState {
  CUresult initResult = CUDA_SUCCESS;
  int deviceCount = 1;
  int primaryContextRetains = 0;
  int primaryContextReleases = 0;
  int launches = 0;
  int attributeQueries = 0;
  /// Values passed to cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES).
  std::vector<int> sharedBytesSet;
  /// The 64-bit parameters of each launch, read through kernelParams.
  std::vector<std::vector<CUdeviceptr>> launchArgs;
  /// Grid and block of each launch.
  std::vector<std::vector<unsigned>> launchDims;
};

/// The state the fakes record into; reset by makeFakeDriverApi().
FakeDriverState &fakeDriverState();

/// A fresh state and a table of fakes; `launchArgCounts` is how many
/// parameters the fake cuLaunchKernel reads.
rt::DriverApi makeFakeDriverApi(size_t launchArgCount = 0);

} // namespace attn::test

#endif // ATTN_TEST_UNIT_FAKEDRIVER_H
