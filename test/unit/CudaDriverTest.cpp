//===- CudaDriverTest.cpp - Loading the driver and its errors -------------===//

#include "runtime/CudaDriver.h"
#include "runtime/Device.h"

#include "FakeDriver.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace attn;

namespace {

TEST(CudaDriver, MissingLibraryMeansNoDriver) {
  auto driver = rt::CudaDriver::load("/nonexistent/libcuda.so.1");
  ASSERT_FALSE(driver.ok());
  EXPECT_EQ(driver.status().code(), rt::StatusCode::NoDriver);
  EXPECT_TRUE(driver.status().isUnavailable());
  EXPECT_EQ(driver.status().message().rfind(
                "no CUDA driver found: dlopen(\"/nonexistent/libcuda.so.1\") "
                "failed: ",
                0),
            0u)
      << driver.status().message();
  // dlerror's own words follow.
  EXPECT_NE(driver.status().message().find("No such file"), std::string::npos)
      << driver.status().message();
}

TEST(CudaDriver, LibraryWithoutEntryPointsIsRefused) {
  // libc is a real library that has no cuInit.
  auto driver = rt::CudaDriver::load("libc.so.6");
  ASSERT_FALSE(driver.ok());
  EXPECT_EQ(driver.status().code(), rt::StatusCode::DriverError);
  EXPECT_NE(driver.status().message().find(
                "the CUDA driver \"libc.so.6\" lacks the entry point cuInit"),
            std::string::npos)
      << driver.status().message();
}

TEST(CudaDriver, LibraryPathComesFromEnvironment) {
  const char *saved = std::getenv("ATTN_LIBCUDA");
  std::string savedValue = saved ? saved : "";

  ::setenv("ATTN_LIBCUDA", "/opt/fake/libcuda.so", 1);
  EXPECT_EQ(rt::CudaDriver::defaultLibraryPath(), "/opt/fake/libcuda.so");
  ::setenv("ATTN_LIBCUDA", "", 1);
  EXPECT_EQ(rt::CudaDriver::defaultLibraryPath(), "libcuda.so.1");
  ::unsetenv("ATTN_LIBCUDA");
  EXPECT_EQ(rt::CudaDriver::defaultLibraryPath(), "libcuda.so.1");

  if (saved)
    ::setenv("ATTN_LIBCUDA", savedValue.c_str(), 1);
}

TEST(CudaDriver, ErrorNamesCallDriverErrorAndActivity) {
  rt::CudaDriver driver(test::makeFakeDriverApi());
  rt::Status status = driver.check(CUDA_ERROR_INVALID_PTX, "cuModuleLoadDataEx",
                                   "loading module 'x.ptx'");
  EXPECT_EQ(status.code(), rt::StatusCode::DriverError);
  EXPECT_EQ(status.message(),
            "cuModuleLoadDataEx failed (CUDA_ERROR_INVALID_PTX: a PTX JIT "
            "compilation failed) while loading module 'x.ptx'");
  EXPECT_TRUE(driver.check(CUDA_SUCCESS, "cuInit", "anything").ok());
}

TEST(CudaDriver, UnknownErrorCodeStillReadable) {
  rt::CudaDriver driver(test::makeFakeDriverApi());
  rt::Status status =
      driver.check(CUresult(12345), "cuMemAlloc_v2", "allocating 'q'");
  EXPECT_EQ(status.message(),
            "cuMemAlloc_v2 failed (CUDA error 12345) while allocating 'q'");
}

TEST(CudaDriver, NoDeviceIsUnavailable) {
  rt::DriverApi api = test::makeFakeDriverApi();
  test::fakeDriverState().initResult = CUDA_ERROR_NO_DEVICE;
  rt::CudaDriver driver(api);
  auto context = rt::Context::create(driver);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), rt::StatusCode::NoDevice);
  EXPECT_TRUE(context.status().isUnavailable());
  EXPECT_EQ(context.status().message(),
            "cuInit failed (CUDA_ERROR_NO_DEVICE: no CUDA-capable device is "
            "detected) while initializing the CUDA driver");
}

TEST(CudaDriver, ZeroDevicesIsUnavailable) {
  rt::DriverApi api = test::makeFakeDriverApi();
  test::fakeDriverState().deviceCount = 0;
  rt::CudaDriver driver(api);
  auto context = rt::Context::create(driver);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), rt::StatusCode::NoDevice);
}

TEST(CudaDriver, MissingOrdinalIsRefused) {
  rt::CudaDriver driver(test::makeFakeDriverApi());
  auto context = rt::Context::create(driver, 3);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), rt::StatusCode::InvalidArgument);
  EXPECT_EQ(context.status().message(),
            "device 3 does not exist; the driver reports 1 device(s)");
}

TEST(CudaDriver, ContextReleasesPrimaryContext) {
  rt::CudaDriver driver(test::makeFakeDriverApi());
  {
    auto context = rt::Context::create(driver);
    ASSERT_TRUE(context.ok()) << context.status().message();
    EXPECT_EQ((*context)->deviceName(), "Fake GPU");
    EXPECT_EQ((*context)->computeCapability(), 90);
  }
  EXPECT_EQ(test::fakeDriverState().primaryContextRetains, 1);
  EXPECT_EQ(test::fakeDriverState().primaryContextReleases, 1);
}

} // namespace
