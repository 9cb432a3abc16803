//===- HostData.h - Random inputs for attn-run -----------------*- C++ -*-===//

#ifndef ATTN_TOOLS_ATTNRUN_HOSTDATA_H
#define ATTN_TOOLS_ATTNRUN_HOSTDATA_H

#include "runtime/DType.h"

#include <cstdint>
#include <vector>

namespace attn::run {

/// splitmix64: small, fast, and the same numbers on every platform.
class Random {
public:
  explicit Random(uint64_t seed) : state(seed) {}
  uint64_t next();
  /// Uniform in [-1, 1).
  double symmetric() { return double(next() >> 11) * 0x1.0p-52 - 1.0; }

private:
  uint64_t state;
};

/// A seed for stream `stream` of `seed` (per file, per tensor).
uint64_t mixSeed(uint64_t seed, uint64_t stream);

/// A tensor on the host: the values the device sees (rounded to the dtype)
/// and their bytes in that dtype.
struct HostTensor {
  std::vector<float> values;
  std::vector<uint8_t> bytes;
};

/// `count` values uniform in [-1, 1], rounded to `type` (round to nearest,
/// ties to even).
HostTensor randomTensor(rt::DType type, int64_t count, uint64_t seed);

/// The S + 1 offsets of `sequences` packed sequences holding `total` rows:
/// from 0 to `total` with S - 1 cut points drawn uniformly, so lengths vary
/// widely and may be 0.
std::vector<int32_t> randomOffsets(int64_t sequences, int64_t total,
                                   uint64_t seed);

} // namespace attn::run

#endif // ATTN_TOOLS_ATTNRUN_HOSTDATA_H
