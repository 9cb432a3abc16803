//===- GpuTest.cpp - Runtime tests that need a GPU ------------------------===//
//
// Each test skips itself (GTEST_SKIP) where there is no CUDA driver or no
// device, so that a machine without a GPU reports them skipped, not passed.
//
//===----------------------------------------------------------------------===//

#include "runtime/Device.h"
#include "runtime/Pipeline.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace attn;

namespace {

/// out[i] = float(i) for i = blockIdx.x * blockDim.x + threadIdx.x.
const char *const kWriteIndexPtx = R"(
.version 7.8
.target sm_80
.address_size 64

.visible .entry write_index(.param .u64 out)
{
  .reg .b32 %r<5>;
  .reg .b64 %rd<4>;
  .reg .f32 %f<2>;
  ld.param.u64 %rd1, [out];
  cvta.to.global.u64 %rd2, %rd1;
  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %tid.x;
  mad.lo.s32 %r4, %r1, %r2, %r3;
  cvt.rn.f32.u32 %f1, %r4;
  mul.wide.u32 %rd3, %r4, 4;
  add.s64 %rd2, %rd2, %rd3;
  st.global.f32 [%rd2], %f1;
  ret;
}
)";

class Gpu : public ::testing::Test {
protected:
  void SetUp() override {
    auto created = rt::Context::create();
    if (!created.ok() && created.status().isUnavailable())
      GTEST_SKIP() << created.status().message();
    ASSERT_TRUE(created.ok()) << created.status().message();
    context = created.take();
  }

  std::unique_ptr<rt::Context> context;
};

TEST_F(Gpu, BadPtxSurfacesTheJitLog) {
  const char *ptx = ".version 7.8\n.target sm_80\n.address_size 64\n"
                    ".visible .entry broken()\n{\n  bogus.instruction;\n}\n";
  auto module = rt::Module::loadPtx(*context, ptx, "bad.ptx");
  ASSERT_FALSE(module.ok());
  const std::string &message = module.status().message();
  EXPECT_EQ(module.status().code(), rt::StatusCode::DriverError);
  EXPECT_EQ(
      message.rfind("cuModuleLoadDataEx failed (CUDA_ERROR_INVALID_PTX", 0), 0u)
      << message;
  EXPECT_NE(message.find("while loading module 'bad.ptx'; JIT log: "),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("JIT log: (empty)"), std::string::npos) << message;
}

TEST_F(Gpu, KernelRunsAndWritesItsOutput) {
  auto module = rt::Module::loadPtx(*context, kWriteIndexPtx, "index.ptx");
  ASSERT_TRUE(module.ok()) << module.status().message();
  auto kernel = module->kernel("write_index");
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_GT(kernel->attributes().registers, 0);

  const int count = 256;
  auto buffer = rt::DeviceBuffer::allocate(*context, count * 4, "out");
  ASSERT_TRUE(buffer.ok()) << buffer.status().message();
  ASSERT_TRUE(buffer->fill(0xFF).ok());

  rt::LaunchShape shape;
  shape.grid = {2, 1, 1};
  shape.block = {128, 1, 1};
  // More than 48 KiB of dynamic shared memory needs the attribute set first.
  shape.sharedBytes = 64 * 1024;
  rt::KernelArgs args;
  args.addPointer(buffer->pointer());
  rt::Status launched = kernel->launch(shape, args);
  ASSERT_TRUE(launched.ok()) << launched.message();
  ASSERT_TRUE(context->synchronize("running write_index").ok());

  std::vector<float> out(count);
  ASSERT_TRUE(buffer->download(out.data(), count * 4).ok());
  for (int i = 0; i < count; ++i)
    ASSERT_EQ(out[size_t(i)], float(i)) << i;
}

TEST_F(Gpu, MissingKernelNamesModuleAndEntry) {
  auto module = rt::Module::loadPtx(*context, kWriteIndexPtx, "index.ptx");
  ASSERT_TRUE(module.ok()) << module.status().message();
  auto kernel = module->kernel("attn_qk");
  ASSERT_FALSE(kernel.ok());
  EXPECT_EQ(kernel.status().message().rfind(
                "cuModuleGetFunction failed (CUDA_ERROR_NOT_FOUND", 0),
            0u)
      << kernel.status().message();
  EXPECT_NE(kernel.status().message().find(
                "while looking up kernel 'attn_qk' in module 'index.ptx'"),
            std::string::npos);
}

TEST_F(Gpu, BufferCopiesAreBoundsChecked) {
  auto buffer = rt::DeviceBuffer::allocate(*context, 16, "small");
  ASSERT_TRUE(buffer.ok()) << buffer.status().message();
  char host[32] = {};
  rt::Status status = buffer->upload(host, 32);
  EXPECT_EQ(status.code(), rt::StatusCode::InvalidArgument);
  EXPECT_EQ(status.message(), "cannot upload 32 bytes at offset 0 of 'small', "
                              "which holds 16 bytes");
  EXPECT_FALSE(buffer->download(host, 8, 12).ok());
  EXPECT_TRUE(buffer->download(host, 8, 8).ok());

  ASSERT_TRUE(buffer->fill(0xAB).ok());
  ASSERT_TRUE(buffer->download(host, 16).ok());
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(uint8_t(host[i]), 0xAB);

  auto empty = rt::DeviceBuffer::allocate(*context, 0, "nothing");
  EXPECT_EQ(empty.status().message(), "refusing to allocate 0 bytes for "
                                      "'nothing'");
}

TEST_F(Gpu, EventsTimeWork) {
  auto start = rt::Event::create(*context);
  auto stop = rt::Event::create(*context);
  ASSERT_TRUE(start.ok() && stop.ok());
  ASSERT_TRUE(start->record().ok());
  ASSERT_TRUE(stop->record().ok());
  ASSERT_TRUE(stop->synchronize().ok());
  auto ms = stop->millisecondsSince(*start);
  ASSERT_TRUE(ms.ok()) << ms.status().message();
  EXPECT_GE(*ms, 0.0f);
}

TEST_F(Gpu, PipelineRefusesMissingAndShortBuffers) {
  // write_index writes its workspace, then O ([1,1,16,16] f32: 256 floats).
  rt::Manifest manifest;
  manifest.problem = rt::Problem::attention(1, 1, 16, 16, rt::DType::F32);
  manifest.problem.scale = 0.25;
  for (rt::TensorRole role : manifest.problem.roles())
    manifest.tensors.push_back(
        rt::TensorDecl::packed(manifest.problem, role, 16));
  manifest.workspaces = {{"s", rt::DType::F32, rt::SizeExpr::constant(64)}};
  rt::KernelDecl first, second;
  first.name = second.name = "write_index";
  first.shape.grid = {1, 1, 1};
  first.shape.block = {64, 1, 1};
  first.args = {"s"};
  second.shape.grid = {2, 1, 1};
  second.shape.block = {128, 1, 1};
  second.args = {"o"};
  manifest.kernels = {first, second};
  std::string ptx = rt::writeManifest(manifest) + kWriteIndexPtx;
  auto pipeline = rt::Pipeline::load(*context, ptx, "test.ptx");
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
  EXPECT_EQ(pipeline->workspaceBytes(), 256u);
  ASSERT_TRUE(pipeline->allocateWorkspaces().ok());
  EXPECT_GE(pipeline->measuredWorkspaceBytes(), 0);

  auto big = rt::DeviceBuffer::allocate(*context, 1024, "big");
  auto small = rt::DeviceBuffer::allocate(*context, 64, "small");
  ASSERT_TRUE(big.ok() && small.ok());
  using R = rt::TensorRole;
  rt::TensorBindings tensors;
  for (R role : {R::Q, R::K, R::V})
    tensors.bind(role, rt::tensorArg(*big));
  EXPECT_EQ(pipeline->run(tensors).message(),
            "test.ptx: o: no tensor given for role o");
  tensors.bind(R::O, rt::tensorArg(*small));
  EXPECT_EQ(pipeline->run(tensors).message(),
            "test.ptx: o: the memory given holds 64 bytes; o [B,H,Nq,D] = "
            "[1,1,16,16] of f32 needs 1024");

  tensors.bind(R::O, rt::tensorArg(*big));
  ASSERT_TRUE(pipeline->run(tensors).ok());
  auto timing = pipeline->time({tensors}, 1, 3);
  ASSERT_TRUE(timing.ok()) << timing.status().message();
  EXPECT_EQ(timing->totalMs.size(), 3u);
  ASSERT_EQ(timing->kernelMs.size(), 2u);
  EXPECT_EQ(timing->kernelMs[1].size(), 3u);
  std::vector<float> out(256);
  ASSERT_TRUE(big->download(out.data(), 1024).ok());
  EXPECT_EQ(out[255], 255.0f);
}

} // namespace
