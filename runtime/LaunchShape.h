//===- LaunchShape.h - Grid, block, shared memory of a launch --*- C++ -*-===//
//
// The shape of one kernel launch and the limits every launch must respect on
// the chips this project targets (sm_80 and later). Checked before any driver
// call, so a bad shape is refused with the rule it breaks.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_LAUNCHSHAPE_H
#define ATTN_RUNTIME_LAUNCHSHAPE_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>

namespace attn::rt {

struct Dim3 {
  int64_t x = 1, y = 1, z = 1;

  /// "x,y,z", the manifest's spelling.
  std::string str() const;
};

struct LaunchShape {
  Dim3 grid;
  Dim3 block;
  /// Dynamic shared memory in bytes.
  int64_t sharedBytes = 0;
};

/// Limits of a launch (CUDA compute capability 8.0 and later).
struct LaunchLimits {
  static constexpr int64_t kMaxThreadsPerBlock = 1024;
  static constexpr int64_t kMaxBlockXY = 1024;
  static constexpr int64_t kMaxBlockZ = 64;
  static constexpr int64_t kMaxGridX = 2147483647; // 2^31 - 1
  static constexpr int64_t kMaxGridYZ = 65535;
  /// Largest opt-in dynamic shared memory of a block (H100: 227 KiB).
  static constexpr int64_t kMaxSharedBytes = 227 * 1024;
  /// Dynamic shared memory above this needs
  /// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES set first.
  static constexpr int64_t kDefaultSharedBytes = 48 * 1024;
};

/// Success if `shape` is within LaunchLimits, else an InvalidArgument error
/// naming the rule that was broken ("block 0,1,1 has a zero dimension").
Status validateLaunchShape(const LaunchShape &shape);

} // namespace attn::rt

#endif // ATTN_RUNTIME_LAUNCHSHAPE_H
