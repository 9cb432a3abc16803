//===- FloatConvert.h - f16 and bf16 on the host ---------------*- C++ -*-===//
//
// Conversions between float and the 16-bit formats, by bit manipulation, so
// that host code needs no CUDA headers. float -> 16 bits rounds to nearest,
// ties to even, overflows to infinity and keeps NaN a NaN; 16 bits -> float
// is exact.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_FLOATCONVERT_H
#define ATTN_RUNTIME_FLOATCONVERT_H

#include "runtime/DType.h"

#include <cstdint>

namespace attn::rt {

uint16_t floatToHalf(float value);
float halfToFloat(uint16_t bits);
uint16_t floatToBFloat16(float value);
float bfloat16ToFloat(uint16_t bits);

/// `value` rounded to `type` and back: the float the device will see.
float roundTo(DType type, float value);

/// Writes `count` floats as `type` to `out` (count * sizeOf(type) bytes).
void encode(DType type, const float *values, int64_t count, void *out);
/// Reads `count` elements of `type` from `in` as floats.
void decode(DType type, const void *in, int64_t count, float *values);

} // namespace attn::rt

#endif // ATTN_RUNTIME_FLOATCONVERT_H
