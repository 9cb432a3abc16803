//===- HostData.cpp - Random inputs for attn-run --------------------------===//

#include "tools/attn-run/HostData.h"

#include "runtime/FloatConvert.h"

#include <algorithm>

using namespace attn;
using namespace attn::run;

uint64_t Random::next() {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t attn::run::mixSeed(uint64_t seed, uint64_t stream) {
  Random random(seed ^ (stream * 0xd1b54a32d192ed03ull));
  return random.next();
}

std::vector<int32_t> attn::run::randomOffsets(int64_t sequences, int64_t total,
                                              uint64_t seed) {
  Random random(seed);
  std::vector<int32_t> offsets = {0, int32_t(total)};
  for (int64_t s = 1; s < sequences; ++s)
    offsets.push_back(int32_t(random.next() % uint64_t(total + 1)));
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

HostTensor attn::run::randomTensor(rt::DType type, int64_t count,
                                   uint64_t seed) {
  HostTensor tensor;
  tensor.values.resize(size_t(count));
  Random random(seed);
  for (float &value : tensor.values)
    value = rt::roundTo(type, float(random.symmetric()));
  tensor.bytes.resize(size_t(count) * rt::sizeOf(type));
  rt::encode(type, tensor.values.data(), count, tensor.bytes.data());
  return tensor;
}
