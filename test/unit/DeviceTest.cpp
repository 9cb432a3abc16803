//===- DeviceTest.cpp - Kernel launches checked before the driver ---------===//

#include "runtime/Device.h"
#include "runtime/KernelArgs.h"

#include "FakeDriver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

using namespace attn;

namespace {

/// A kernel on the fake driver; its function handle is never dereferenced.
rt::Kernel fakeKernel(const rt::CudaDriver &driver, int maxThreads = 1024) {
  static int function;
  rt::KernelAttributes attributes;
  attributes.maxThreadsPerBlock = maxThreads;
  return rt::Kernel(driver, reinterpret_cast<CUfunction>(&function), "attn_qk",
                    attributes);
}

const rt::KernelArgs kNoArgs;

rt::LaunchShape shape(rt::Dim3 grid, rt::Dim3 block, int64_t shared = 0) {
  rt::LaunchShape launch;
  launch.grid = grid;
  launch.block = block;
  launch.sharedBytes = shared;
  return launch;
}

TEST(KernelLaunch, BadBlockIsRefusedBeforeAnyDriverCall) {
  rt::CudaDriver driver(test::makeFakeDriverApi());
  rt::Kernel kernel = fakeKernel(driver);

  rt::Status zero = kernel.launch(shape({1, 1, 1}, {0, 1, 1}), kNoArgs);
  EXPECT_EQ(zero.code(), rt::StatusCode::InvalidArgument);
  EXPECT_EQ(zero.message(), "refusing to launch kernel 'attn_qk': block "
                            "0,1,1 has a zero or negative dimension");

  rt::Status tooMany = kernel.launch(shape({1, 1, 1}, {64, 32, 1}), kNoArgs);
  EXPECT_EQ(tooMany.message(), "refusing to launch kernel 'attn_qk': block "
                               "64,32,1 has 2048 threads; at most 1024 are "
                               "allowed");

  rt::Status gridY = kernel.launch(shape({1, 65536, 1}, {128, 1, 1}), kNoArgs);
  EXPECT_FALSE(gridY.ok());
  rt::Status shared =
      kernel.launch(shape({1, 1, 1}, {128, 1, 1}, 300 * 1024), kNoArgs);
  EXPECT_FALSE(shared.ok());

  EXPECT_EQ(test::fakeDriverState().launches, 0);
  EXPECT_TRUE(test::fakeDriverState().sharedBytesSet.empty());
}

TEST(KernelLaunch, BlockAboveKernelLimitIsRefused) {
  rt::CudaDriver driver(test::makeFakeDriverApi());
  rt::Kernel kernel = fakeKernel(driver, /*maxThreads=*/256);
  rt::Status status = kernel.launch(shape({1, 1, 1}, {512, 1, 1}), kNoArgs);
  EXPECT_EQ(status.message(),
            "refusing to launch kernel 'attn_qk': block 512,1,1 has 512 "
            "threads but the compiled kernel allows at most 256");
  EXPECT_EQ(test::fakeDriverState().launches, 0);
}

TEST(KernelLaunch, PassesPointersShapeAndSharedMemory) {
  rt::CudaDriver driver(test::makeFakeDriverApi(/*launchArgCount=*/3));
  rt::Kernel kernel = fakeKernel(driver);
  std::vector<CUdeviceptr> pointers = {0x1000, 0x2000, 0xdead0000beef};
  rt::KernelArgs args;
  for (CUdeviceptr pointer : pointers)
    args.addPointer(pointer);

  ASSERT_TRUE(kernel.launch(shape({2, 8, 8}, {128, 1, 1}, 36864), args).ok());
  // Up to 48 KiB needs no attribute.
  EXPECT_TRUE(test::fakeDriverState().sharedBytesSet.empty());

  ASSERT_TRUE(
      kernel.launch(shape({3, 1, 1}, {256, 1, 1}, 100 * 1024), args).ok());
  ASSERT_TRUE(
      kernel.launch(shape({3, 1, 1}, {256, 1, 1}, 100 * 1024), args).ok());
  // Set once, before the first launch that needs it.
  EXPECT_EQ(test::fakeDriverState().sharedBytesSet,
            std::vector<int>{100 * 1024});

  const test::FakeDriverState &state = test::fakeDriverState();
  ASSERT_EQ(state.launches, 3);
  EXPECT_EQ(state.launchArgs[0], pointers);
  EXPECT_EQ(state.launchDims[0],
            (std::vector<unsigned>{2, 8, 8, 128, 1, 1, 36864}));
  EXPECT_EQ(state.launchDims[2],
            (std::vector<unsigned>{3, 1, 1, 256, 1, 1, 100 * 1024}));
}

TEST(KernelLaunch, PassesTypedParametersByValueAligned) {
  rt::CudaDriver driver(test::makeFakeDriverApi());
  test::fakeDriverState().paramSizes = {8, 4, 128, 8, 4};
  rt::Kernel kernel = fakeKernel(driver);
  rt::KernelArgs args;
  args.addPointer(0x7f0000001000);
  args.addI32(-7);
  std::string blob(128, '\0');
  for (size_t i = 0; i < blob.size(); ++i)
    blob[i] = char(i);
  args.addBytes(blob.data(), blob.size(), 64);
  args.addI64(int64_t(1) << 40);
  args.addF32(0.5f);
  ASSERT_EQ(args.size(), 5u);
  ASSERT_TRUE(kernel.launch(shape({1, 1, 1}, {32, 1, 1}), args).ok());

  const test::FakeDriverState &state = test::fakeDriverState();
  ASSERT_EQ(state.launchParams.size(), 1u);
  const std::vector<std::string> &params = state.launchParams[0];
  uint64_t pointer = 0;
  std::memcpy(&pointer, params[0].data(), 8);
  EXPECT_EQ(pointer, 0x7f0000001000u);
  int32_t i32 = 0;
  std::memcpy(&i32, params[1].data(), 4);
  EXPECT_EQ(i32, -7);
  EXPECT_EQ(params[2], blob);
  EXPECT_EQ(state.launchParamAddresses[0][2] % 64, 0u)
      << "a by-value blob sits at its alignment";
  int64_t i64 = 0;
  std::memcpy(&i64, params[3].data(), 8);
  EXPECT_EQ(i64, int64_t(1) << 40);
  float f32 = 0;
  std::memcpy(&f32, params[4].data(), 4);
  EXPECT_EQ(f32, 0.5f);
  for (size_t i = 0; i < params.size(); ++i)
    EXPECT_EQ(state.launchParamAddresses[0][i] %
                  std::min<size_t>(params[i].size(), 64),
              0u)
        << "parameter " << i << " is aligned to its size";
}

TEST(KernelLaunch, KernelWithoutFunctionIsRefused) {
  rt::CudaDriver driver(test::makeFakeDriverApi());
  rt::Kernel kernel(driver, nullptr, "missing");
  rt::Status status = kernel.launch(shape({1, 1, 1}, {32, 1, 1}), kNoArgs);
  EXPECT_EQ(status.message(),
            "refusing to launch kernel 'missing': it has no loaded function");
  EXPECT_EQ(test::fakeDriverState().launches, 0);
}

TEST(DeviceBuffer, UnallocatedBufferRefusesCopies) {
  rt::DeviceBuffer buffer;
  char byte = 0;
  rt::Status status = buffer.upload(&byte, 1);
  EXPECT_EQ(status.code(), rt::StatusCode::InvalidArgument);
  EXPECT_EQ(status.message(), "cannot upload an unallocated device buffer");
  EXPECT_TRUE(buffer.release().ok());
}

} // namespace
