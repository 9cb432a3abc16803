//===- TensorMap.h - Encode the manifest's tensor maps ---------*- C++ -*-===//
//
// An attn.tensormap declaration becomes a CUtensorMap at every launch:
// cuTensorMapEncodeTiled (through the dlopen'ed driver) on the address of
// the tensor it maps. The result is passed to the kernel by value.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_TENSORMAP_H
#define ATTN_RUNTIME_TENSORMAP_H

#include "runtime/CudaDriver.h"
#include "runtime/Manifest.h"
#include "runtime/Status.h"

#include <cstdint>

namespace attn::rt {

/// Encodes `map` for its tensor at device address `address`. Refuses, before
/// calling the driver, an address that is not 16-byte aligned and a driver
/// without cuTensorMapEncodeTiled; a driver error names the call and the
/// tensor map.
Expected<CUtensorMap> encodeTensorMap(const CudaDriver &driver,
                                      const TensorMapDecl &map,
                                      uint64_t address);

} // namespace attn::rt

#endif // ATTN_RUNTIME_TENSORMAP_H
