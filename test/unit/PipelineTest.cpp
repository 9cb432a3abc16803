//===- PipelineTest.cpp - The one launcher, on a fake driver --------------===//
//
// rt::Pipeline binds the problem's tensors by role, allocates workspaces
// once, encodes tensor maps and packs typed parameters. A driver of fakes
// records every launch, so all of it is checked without a GPU.
//
//===----------------------------------------------------------------------===//

#include "runtime/Pipeline.h"

#include "FakeDriver.h"
#include "ManifestExamples.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace attn;
using namespace attn::test;

namespace {

class FakePipeline : public ::testing::Test {
protected:
  void SetUp() override {
    driver = std::make_unique<rt::CudaDriver>(makeFakeDriverApi());
    auto created = rt::Context::create(*driver);
    ASSERT_TRUE(created.ok()) << created.status().message();
    context = created.take();
  }

  rt::Pipeline load(const rt::Manifest &manifest) {
    std::string ptx = rt::writeManifest(manifest) + ".version 8.0\n";
    auto pipeline = rt::Pipeline::load(*context, ptx, "fake.ptx");
    EXPECT_TRUE(pipeline.ok()) << pipeline.status().message();
    return pipeline.take();
  }

  /// Addresses 1 MiB apart from 0x7f0000000000, by role.
  static rt::TensorBindings bindAll(const rt::Problem &problem) {
    rt::TensorBindings tensors;
    for (rt::TensorRole role : problem.roles())
      tensors.bind(role, rt::TensorArg(address(role)));
    return tensors;
  }
  static uint64_t address(rt::TensorRole role) {
    return 0x7f0000000000 + (uint64_t(role) << 20);
  }

  std::unique_ptr<rt::CudaDriver> driver;
  std::unique_ptr<rt::Context> context;
};

uint64_t pointerIn(const std::string &bytes) {
  uint64_t value = 0;
  EXPECT_EQ(bytes.size(), 8u);
  std::memcpy(&value, bytes.data(), sizeof value);
  return value;
}

TEST_F(FakePipeline, UnfusedRunPassesTensorsAndWorkspacesInOrder) {
  rt::Manifest manifest = unfusedExample();
  rt::Pipeline pipeline = load(manifest);
  fakeDriverState().paramSizes = {8, 8, 8};
  fakeDriverState().paramSizesByLaunch = {{8, 8, 8}, {8, 8}, {8, 8, 8},
                                          {8, 8, 8}, {8, 8}, {8, 8, 8}};
  EXPECT_TRUE(fakeDriverState().allocations.empty())
      << "workspaces wait for the first run";

  rt::TensorBindings tensors = bindAll(manifest.problem);
  ASSERT_EQ(pipeline.run(tensors).message(), "");
  ASSERT_EQ(pipeline.run(tensors).message(), "");
  const FakeDriverState &state = fakeDriverState();
  // S and P, allocated once, 131072 bf16 elements each.
  EXPECT_EQ(state.allocations, (std::vector<size_t>{262144, 262144}));
  EXPECT_EQ(pipeline.measuredWorkspaceBytes(), 2 * 262144);
  ASSERT_EQ(state.launches, 6);
  using R = rt::TensorRole;
  const CUdeviceptr s = 0x10000000, p = 0x10100000;
  EXPECT_EQ(state.launchArgs[0],
            (std::vector<CUdeviceptr>{address(R::Q), address(R::K), s}));
  EXPECT_EQ(state.launchArgs[1], (std::vector<CUdeviceptr>{s, p}));
  EXPECT_EQ(state.launchArgs[2],
            (std::vector<CUdeviceptr>{p, address(R::V), address(R::O)}));
  EXPECT_EQ(state.launchDims[0],
            (std::vector<unsigned>{2, 8, 8, 128, 1, 1, 36864}));
}

TEST_F(FakePipeline, TensorMapsAreEncodedAndScalarsPassedByValue) {
  rt::Manifest manifest = tensorMapExample();
  rt::Pipeline pipeline = load(manifest);
  // q, k_tma, v_tma, o, seq_k (i32), heads (i64), log2e_scale (f32),
  // window (i32).
  fakeDriverState().paramSizes = {8, 128, 128, 8, 4, 8, 4, 4};
  ASSERT_EQ(pipeline.run(bindAll(manifest.problem)).message(), "");

  const FakeDriverState &state = fakeDriverState();
  using R = rt::TensorRole;
  ASSERT_EQ(state.tensorMaps.size(), 2u);
  const FakeTensorMapCall &k = state.tensorMaps[0];
  EXPECT_EQ(k.address, address(R::K));
  EXPECT_EQ(k.dtype, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16);
  EXPECT_EQ(k.rank, 3u);
  EXPECT_EQ(k.dims, (std::vector<uint64_t>{64, 256, 2}));
  EXPECT_EQ(k.strides, (std::vector<uint64_t>{128, 32768}));
  EXPECT_EQ(k.box, (std::vector<unsigned>{64, 64, 1}));
  EXPECT_EQ(k.elementStrides, (std::vector<unsigned>{1, 1, 1}));
  EXPECT_EQ(k.swizzle, CU_TENSOR_MAP_SWIZZLE_128B);
  EXPECT_EQ(k.l2Promotion, CU_TENSOR_MAP_L2_PROMOTION_L2_128B);
  EXPECT_EQ(state.tensorMaps[1].address, address(R::V));
  EXPECT_EQ(state.tensorMaps[1].swizzle, CU_TENSOR_MAP_SWIZZLE_NONE);

  ASSERT_EQ(state.launchParams.size(), 1u);
  const std::vector<std::string> &params = state.launchParams[0];
  EXPECT_EQ(pointerIn(params[0]), address(R::Q));
  EXPECT_EQ(params[1], fakeTensorMapBytes(address(R::K)));
  EXPECT_EQ(params[2], fakeTensorMapBytes(address(R::V)));
  EXPECT_EQ(state.launchParamAddresses[0][1] % 64, 0u);
  EXPECT_EQ(state.launchParamAddresses[0][2] % 64, 0u);
  EXPECT_EQ(pointerIn(params[3]), address(R::O));
  int32_t seqK = 0, window = 0;
  int64_t heads = 0;
  float scale = 0;
  std::memcpy(&seqK, params[4].data(), 4);
  std::memcpy(&heads, params[5].data(), 8);
  std::memcpy(&scale, params[6].data(), 4);
  std::memcpy(&window, params[7].data(), 4);
  EXPECT_EQ(seqK, 256);
  EXPECT_EQ(heads, 8);
  EXPECT_EQ(scale, 0.18033688011112042f);
  EXPECT_EQ(window, -1);
  // 200704 bytes of dynamic shared memory were enabled first.
  EXPECT_EQ(state.sharedBytesSet, std::vector<int>{200704});
}

TEST_F(FakePipeline, BindingsAreCheckedBeforeAnyLaunch) {
  rt::Manifest manifest = fusedExample(); // [1,2,64,128] f16, lse
  rt::Pipeline pipeline = load(manifest);
  using R = rt::TensorRole;
  auto errorOf = [&](const rt::TensorBindings &tensors) {
    rt::Status status = pipeline.run(tensors);
    EXPECT_EQ(status.code(), rt::StatusCode::InvalidArgument);
    return status.message();
  };
  rt::TensorBindings tensors = bindAll(manifest.problem);
  ASSERT_EQ(pipeline.run(tensors).message(), "");
  int launches = fakeDriverState().launches;

  rt::TensorBindings missing = tensors;
  missing.bind(R::V, rt::TensorArg());
  EXPECT_EQ(errorOf(missing), "fake.ptx: v: null device pointer");
  rt::TensorBindings noLse;
  for (R role : {R::Q, R::K, R::V, R::O})
    noLse.bind(role, *tensors.find(role));
  EXPECT_EQ(errorOf(noLse), "fake.ptx: lse: no tensor given for role lse");
  rt::TensorBindings extra = tensors;
  extra.bind(R::DQ, rt::TensorArg(address(R::DQ)));
  EXPECT_EQ(errorOf(extra), "fake.ptx: dq: a tensor is given for role dq, "
                            "which this problem does not have");
  rt::TensorBindings misaligned = tensors;
  misaligned.bind(R::Lse, rt::TensorArg(address(R::Lse) + 2));
  EXPECT_EQ(errorOf(misaligned),
            "fake.ptx: lse: address 0x7f0000400002 is not 4-byte aligned; the "
            "kernels use vector loads and stores of that width");
  rt::TensorBindings strided = tensors;
  strided.bind(R::K, rt::TensorArg(address(R::K), {16384, 128, 256, 1}));
  EXPECT_EQ(errorOf(strided),
            "fake.ptx: k: strides [16384,128,256,1] are not the packed "
            "row-major layout of k [B,Hkv,Nk,D] = [1,2,64,128] (strides "
            "[16384,8192,128,1]); dimension 1 has stride 128 where 8192 is "
            "needed. The kernels read that layout only: make a contiguous "
            "copy first");
  rt::TensorBindings small = tensors;
  small.bind(R::O, rt::TensorArg(address(R::O), {}, 1024));
  EXPECT_EQ(errorOf(small),
            "fake.ptx: o: the memory given holds 1024 bytes; o [B,H,Nq,D] = "
            "[1,2,64,128] of f16 needs 32768");
  EXPECT_EQ(fakeDriverState().launches, launches);

  // Given strides equal to the declared ones, or any stride on an extent-1
  // dimension, are fine.
  rt::TensorBindings explicitStrides = tensors;
  explicitStrides.bind(R::Q,
                       rt::TensorArg(address(R::Q), {7, 8192, 128, 1}, 32768));
  EXPECT_TRUE(pipeline.run(explicitStrides).ok());
}

TEST_F(FakePipeline, TensorMapErrorsNameTheCallAndTheMap) {
  rt::Manifest manifest = tensorMapExample();
  rt::Pipeline pipeline = load(manifest);
  fakeDriverState().paramSizes = {};
  fakeDriverState().tensorMapResult = CUDA_ERROR_INVALID_VALUE;
  rt::Status status = pipeline.run(bindAll(manifest.problem));
  EXPECT_EQ(status.code(), rt::StatusCode::DriverError);
  EXPECT_EQ(
      status.message(),
      "fake.ptx: cuTensorMapEncodeTiled failed (CUDA_ERROR_INVALID_VALUE: "
      "invalid argument) while encoding tensor map 'k_tma' of tensor "
      "'k'");
  EXPECT_EQ(fakeDriverState().launches, 0);
}

TEST_F(FakePipeline, DriverWithoutTensorMapsSaysSo) {
  rt::DriverApi api = makeFakeDriverApi();
  api.cuTensorMapEncodeTiled = nullptr;
  rt::CudaDriver old(api, "libcuda-11.so");
  auto created = rt::Context::create(old);
  ASSERT_TRUE(created.ok());
  rt::Manifest manifest = tensorMapExample();
  auto pipeline = rt::Pipeline::load(
      **created, rt::writeManifest(manifest) + ".version 8.0\n", "old.ptx");
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
  rt::Status status = pipeline->run(bindAll(manifest.problem));
  EXPECT_EQ(status.message(),
            "old.ptx: the CUDA driver \"libcuda-11.so\" lacks "
            "cuTensorMapEncodeTiled (CUDA 12.0 or later has it), which tensor "
            "map 'k_tma' of tensor 'k' needs");
}

TEST_F(FakePipeline, TensorMapNeedsASixteenByteAlignedAddress) {
  // A tensor the kernels need only 2-byte aligned, mapped by a tensor map:
  // the map's own rule refuses the address.
  rt::Manifest manifest = tensorMapExample();
  manifest.tensors[1].alignment = 2;
  rt::Pipeline pipeline = load(manifest);
  rt::TensorBindings tensors = bindAll(manifest.problem);
  tensors.bind(rt::TensorRole::K,
               rt::TensorArg(address(rt::TensorRole::K) + 2));
  EXPECT_EQ(pipeline.run(tensors).message(),
            "fake.ptx: tensor map 'k_tma' of tensor 'k': address "
            "0x7f0000100002 is not 16-byte aligned, as cuTensorMapEncodeTiled "
            "requires");
}

TEST_F(FakePipeline, TimingChecksEverySetFirst) {
  rt::Manifest manifest = fusedExample();
  rt::Pipeline pipeline = load(manifest);
  rt::TensorBindings bad = bindAll(manifest.problem);
  bad.bind(rt::TensorRole::Q, rt::TensorArg());
  auto timing = pipeline.time({bindAll(manifest.problem), bad}, 1, 2);
  ASSERT_FALSE(timing.ok());
  EXPECT_EQ(timing.status().message(), "fake.ptx: q: null device pointer");
  EXPECT_EQ(fakeDriverState().launches, 0);
  EXPECT_EQ(pipeline.time({}, 1, 2).status().message(),
            "timing needs at least one set of tensors");
  EXPECT_EQ(
      pipeline.time({bindAll(manifest.problem)}, 0, 2000000).status().message(),
      "timing needs warmup in [0, 1000000] and reps in [1, 1000000], "
      "got 0 and 2000000");
}

} // namespace

namespace {

/// The dynamic example's tensors for B, H = Hkv, Nq, Nk, with shapes.
rt::TensorBindings dynamicTensors(int64_t b, int64_t h, int64_t nq,
                                  int64_t nk) {
  rt::Problem p = rt::Problem::attention(b, h, nq, 128, rt::DType::BF16);
  p.seqLenK = nk;
  rt::TensorBindings tensors;
  uint64_t address = 0x7f0000000000;
  for (rt::TensorRole role : p.roles()) {
    tensors.bind(role, rt::TensorArg(address, {}, 0, p.shape(role)));
    address += uint64_t(1) << 30;
  }
  return tensors;
}

TEST_F(FakePipeline, RunTimeSizesComeFromTheTensorsOfEachRun) {
  rt::Manifest manifest = dynamicExample();
  rt::Pipeline pipeline = load(manifest);
  // attn_qk: q, k_map, s, k_size2 (i64), q_stride2 (i64); attn_pv: s, v,
  // o, s_rows (i32).
  fakeDriverState().paramSizesByLaunch = {
      {8, 128, 8, 8, 8}, {8, 8, 8, 4}, {8, 128, 8, 8, 8}, {8, 8, 8, 4},
      {8, 128, 8, 8, 8}, {8, 8, 8, 4}};
  EXPECT_TRUE(fakeDriverState().allocations.empty());
  ASSERT_EQ(pipeline.run(dynamicTensors(2, 4, 1000, 300)).message(), "");
  // A smaller problem reuses the workspace; a larger one grows it.
  ASSERT_EQ(pipeline.run(dynamicTensors(1, 4, 17, 40)).message(), "");
  ASSERT_EQ(pipeline.run(dynamicTensors(2, 4, 1000, 4096)).message(), "");
  const FakeDriverState &state = fakeDriverState();
  EXPECT_EQ(state.allocations,
            (std::vector<size_t>{2 * 4 * 1000 * 300 * 2,
                                 2 * 4 * 1000 * 4096 * 2}));
  ASSERT_EQ(state.launches, 6);
  // Grids: B*H, ceil(Nq/128), ceil(Nk/64) and B*H, ceil(Nq/128), 1.
  EXPECT_EQ(state.launchDims[0], (std::vector<unsigned>{8, 8, 5, 256, 1, 1, 0}));
  EXPECT_EQ(state.launchDims[1], (std::vector<unsigned>{8, 8, 1, 256, 1, 1, 0}));
  EXPECT_EQ(state.launchDims[2], (std::vector<unsigned>{4, 1, 1, 256, 1, 1, 0}));
  EXPECT_EQ(state.launchDims[4],
            (std::vector<unsigned>{8, 8, 64, 256, 1, 1, 0}));
  // Scalars of the first and second runs: Nk, q's row stride (packed: D),
  // H*Nq.
  int64_t nk = 0, stride = 0;
  int32_t rows = 0;
  std::memcpy(&nk, state.launchParams[0][3].data(), 8);
  std::memcpy(&stride, state.launchParams[0][4].data(), 8);
  std::memcpy(&rows, state.launchParams[1][3].data(), 4);
  EXPECT_EQ(nk, 300);
  EXPECT_EQ(stride, 128);
  EXPECT_EQ(rows, 4000);
  std::memcpy(&nk, state.launchParams[2][3].data(), 8);
  std::memcpy(&rows, state.launchParams[3][3].data(), 4);
  EXPECT_EQ(nk, 40);
  EXPECT_EQ(rows, 68);
  // The map of k is encoded from the run's own sizes.
  ASSERT_EQ(state.tensorMaps.size(), 3u);
  EXPECT_EQ(state.tensorMaps[1].dims, (std::vector<uint64_t>{128, 40, 4, 1}));
  // A run without shapes is refused before any launch.
  rt::TensorBindings noShapes = dynamicTensors(1, 4, 17, 40);
  noShapes.bind(rt::TensorRole::Q, rt::TensorArg(0x7f0000000000));
  EXPECT_EQ(pipeline.run(noShapes).message(),
            "fake.ptx: q: no shape given; the kernels were compiled for sizes "
            "known at launch, which they take from the tensors' shapes "
            "[B,H,Nq,D]");
  EXPECT_EQ(state.launches, 6);
}

} // namespace
