//===- FloatConvert.cpp - f16 and bf16 on the host ------------------------===//

#include "runtime/FloatConvert.h"

#include <cmath>
#include <cstring>

using namespace attn::rt;

static uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

static float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

uint16_t attn::rt::floatToHalf(float value) {
  uint32_t bits = bitsOf(value);
  uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
  uint32_t exponent = (bits >> 23) & 0xffu;
  uint32_t mantissa = bits & 0x7fffffu;

  if (exponent == 0xff) // Infinity, or NaN kept quiet and a NaN.
    return sign | 0x7c00u | (mantissa ? 0x200u | (mantissa >> 13) : 0u);

  // Unbiased exponent; half normals have -14 <= e <= 15.
  int32_t e = int32_t(exponent) - 127;
  if (e > 15)
    return sign | 0x7c00u;

  // The significand with its implicit bit (float zero/subnormals are far
  // below the half range and round to zero below).
  uint32_t significand = exponent ? (mantissa | 0x800000u) : mantissa;
  // Bits to drop from the 24-bit significand: 13 for normals, more for
  // results that are half subnormals (e < -14).
  int32_t shift = e >= -14 ? 13 : 13 + (-14 - e);
  if (shift > 24 + 1) // Less than half of the smallest subnormal.
    return sign;
  uint32_t kept = significand >> shift;
  uint32_t rest = significand & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1u)))
    ++kept; // May carry into the exponent, which is the right result.

  if (e >= -14) // Normal: put back the exponent; kept holds the implicit bit.
    return sign | uint16_t(((uint32_t(e + 15) << 10) + (kept - 0x400u)));
  return sign | uint16_t(kept); // Subnormal (or rounded up to the min normal).
}

float attn::rt::halfToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1f)
    return floatOf(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0)
    return floatOf(sign | ((exponent + 112) << 23) | (mantissa << 13));
  if (mantissa == 0)
    return floatOf(sign);
  // Subnormal: mantissa * 2^-24, exact in float.
  float magnitude = float(mantissa) * (1.0f / 16777216.0f);
  return sign ? -magnitude : magnitude;
}

uint16_t attn::rt::floatToBFloat16(float value) {
  uint32_t bits = bitsOf(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN: keep it a quiet NaN.
    return uint16_t((bits >> 16) | 0x40u);
  uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return uint16_t((bits + rounding) >> 16);
}

float attn::rt::bfloat16ToFloat(uint16_t bits) {
  return floatOf(uint32_t(bits) << 16);
}

float attn::rt::roundTo(DType type, float value) {
  switch (type) {
  case DType::F16:
    return halfToFloat(floatToHalf(value));
  case DType::BF16:
    return bfloat16ToFloat(floatToBFloat16(value));
  case DType::F32:
    return value;
  case DType::I32:
    return std::nearbyint(value);
  }
  return value;
}

void attn::rt::encode(DType type, const float *values, int64_t count,
                      void *out) {
  if (type == DType::F32) {
    std::memcpy(out, values, size_t(count) * sizeof(float));
    return;
  }
  if (type == DType::I32) {
    auto *ints = static_cast<int32_t *>(out);
    for (int64_t i = 0; i < count; ++i)
      ints[i] = int32_t(std::lround(values[i]));
    return;
  }
  auto *bits = static_cast<uint16_t *>(out);
  bool isHalf = type == DType::F16;
  for (int64_t i = 0; i < count; ++i)
    bits[i] = isHalf ? floatToHalf(values[i]) : floatToBFloat16(values[i]);
}

void attn::rt::decode(DType type, const void *in, int64_t count,
                      float *values) {
  if (type == DType::F32) {
    std::memcpy(values, in, size_t(count) * sizeof(float));
    return;
  }
  if (type == DType::I32) {
    const auto *ints = static_cast<const int32_t *>(in);
    for (int64_t i = 0; i < count; ++i)
      values[i] = float(ints[i]);
    return;
  }
  const auto *bits = static_cast<const uint16_t *>(in);
  bool isHalf = type == DType::F16;
  for (int64_t i = 0; i < count; ++i)
    values[i] = isHalf ? halfToFloat(bits[i]) : bfloat16ToFloat(bits[i]);
}
