//===- TensorMap.cpp - Encode the manifest's tensor maps ------------------===//

#include "runtime/TensorMap.h"

#include <cstdio>

using namespace attn::rt;

static_assert(sizeof(CUtensorMap) == TensorMapDecl::kBytes,
              "the manifest's tensor maps are CUtensorMaps");

namespace {

CUtensorMapDataType dataTypeOf(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return CU_TENSOR_MAP_DATA_TYPE_FLOAT16;
  case DType::BF16:
    return CU_TENSOR_MAP_DATA_TYPE_BFLOAT16;
  case DType::F32:
    return CU_TENSOR_MAP_DATA_TYPE_FLOAT32;
  case DType::I32:
    return CU_TENSOR_MAP_DATA_TYPE_INT32;
  }
  return CU_TENSOR_MAP_DATA_TYPE_FLOAT32;
}

CUtensorMapSwizzle swizzleOf(Swizzle swizzle) {
  switch (swizzle) {
  case Swizzle::None:
    return CU_TENSOR_MAP_SWIZZLE_NONE;
  case Swizzle::B32:
    return CU_TENSOR_MAP_SWIZZLE_32B;
  case Swizzle::B64:
    return CU_TENSOR_MAP_SWIZZLE_64B;
  case Swizzle::B128:
    return CU_TENSOR_MAP_SWIZZLE_128B;
  }
  return CU_TENSOR_MAP_SWIZZLE_NONE;
}

CUtensorMapL2promotion promotionOf(L2Promotion promotion) {
  switch (promotion) {
  case L2Promotion::None:
    return CU_TENSOR_MAP_L2_PROMOTION_NONE;
  case L2Promotion::B64:
    return CU_TENSOR_MAP_L2_PROMOTION_L2_64B;
  case L2Promotion::B128:
    return CU_TENSOR_MAP_L2_PROMOTION_L2_128B;
  case L2Promotion::B256:
    return CU_TENSOR_MAP_L2_PROMOTION_L2_256B;
  }
  return CU_TENSOR_MAP_L2_PROMOTION_NONE;
}

} // namespace

Expected<CUtensorMap> attn::rt::encodeTensorMap(const CudaDriver &driver,
                                                const TensorMapDecl &map,
                                                uint64_t address) {
  std::string what =
      "tensor map '" + map.name + "' of tensor '" + map.tensor + "'";
  if (!driver.api().cuTensorMapEncodeTiled)
    return Status::error(StatusCode::DriverError,
                         "the CUDA driver \"" + driver.libraryPath() +
                             "\" lacks cuTensorMapEncodeTiled (CUDA 12.0 or "
                             "later has it), which " +
                             what + " needs");
  if (address % 16 != 0) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%llx", (unsigned long long)address);
    return Status::error(StatusCode::InvalidArgument,
                         what + ": address " + text +
                             " is not 16-byte aligned, as "
                             "cuTensorMapEncodeTiled requires");
  }
  if (map.rank() < 1 || map.rank() > TensorMapDecl::kMaxRank ||
      map.strides.size() + 1 != map.dims.size() ||
      map.box.size() != map.dims.size() ||
      map.elementStrides.size() != map.dims.size())
    return Status::error(StatusCode::InvalidArgument,
                         what + ": rank, dims, strides, box and element "
                                "strides do not agree");
  cuuint64_t dims[TensorMapDecl::kMaxRank], strides[TensorMapDecl::kMaxRank];
  cuuint32_t box[TensorMapDecl::kMaxRank],
      elementStrides[TensorMapDecl::kMaxRank];
  for (size_t i = 0; i < map.dims.size(); ++i) {
    dims[i] = cuuint64_t(map.dims[i]);
    box[i] = cuuint32_t(map.box[i]);
    elementStrides[i] = cuuint32_t(map.elementStrides[i]);
  }
  for (size_t i = 0; i < map.strides.size(); ++i)
    strides[i] = cuuint64_t(map.strides[i]);

  CUtensorMap encoded;
  if (Status status = driver.check(
          driver.api().cuTensorMapEncodeTiled(
              &encoded, dataTypeOf(map.dtype), cuuint32_t(map.rank()),
              reinterpret_cast<void *>(uintptr_t(address)), dims, strides, box,
              elementStrides, CU_TENSOR_MAP_INTERLEAVE_NONE,
              swizzleOf(map.swizzle), promotionOf(map.l2Promotion),
              CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE),
          "cuTensorMapEncodeTiled", "encoding " + what);
      !status.ok())
    return status;
  return encoded;
}
