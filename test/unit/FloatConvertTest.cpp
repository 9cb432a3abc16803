//===- FloatConvertTest.cpp - f16 and bf16 on the host --------------------===//

#include "runtime/FloatConvert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace attn::rt;

namespace {

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return bits;
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

TEST(FloatConvert, EveryHalfRoundTrips) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    float value = halfToFloat(uint16_t(bits));
    bool isNaN = (bits & 0x7c00) == 0x7c00 && (bits & 0x3ff);
    if (isNaN) {
      EXPECT_TRUE(std::isnan(value)) << bits;
      uint16_t back = floatToHalf(value);
      EXPECT_TRUE((back & 0x7c00) == 0x7c00 && (back & 0x3ff)) << bits;
      continue;
    }
    ASSERT_EQ(floatToHalf(value), bits) << "half bits " << bits;
  }
}

TEST(FloatConvert, EveryBFloat16RoundTrips) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    float value = bfloat16ToFloat(uint16_t(bits));
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBFloat16(value))));
      continue;
    }
    ASSERT_EQ(floatToBFloat16(value), bits) << "bf16 bits " << bits;
  }
}

TEST(FloatConvert, HalfKnownValues) {
  EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(floatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(floatToHalf(0.0f), 0x0000);
  EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(halfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(floatToHalf(INFINITY), 0x7c00);
  EXPECT_EQ(floatToHalf(-INFINITY), 0xfc00);
}

TEST(FloatConvert, HalfRoundsToNearestEven) {
  // Ties between neighbours 2^-10 apart go to the even one.
  EXPECT_EQ(floatToHalf(1.0f + 0x1p-11f), 0x3c00);
  EXPECT_EQ(floatToHalf(1.0f + 3 * 0x1p-11f), 0x3c02);
  EXPECT_EQ(floatToHalf(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);
  // Overflow: 65520 is the tie between 65504 and 65536 (infinity).
  EXPECT_EQ(floatToHalf(65519.0f), 0x7bff);
  EXPECT_EQ(floatToHalf(65520.0f), 0x7c00);
  EXPECT_EQ(floatToHalf(1e10f), 0x7c00);
  // Subnormals (2^-24 is the smallest).
  EXPECT_EQ(floatToHalf(0x1p-24f), 0x0001);
  EXPECT_EQ(floatToHalf(0x1p-25f), 0x0000);
  EXPECT_EQ(floatToHalf(1.5f * 0x1p-25f), 0x0001);
  EXPECT_EQ(floatToHalf(3 * 0x1p-25f), 0x0002);
  EXPECT_EQ(floatToHalf(-0x1p-26f), 0x8000);
  EXPECT_EQ(floatToHalf(1e-30f), 0x0000);
  // The largest subnormal rounds up into the smallest normal.
  EXPECT_EQ(floatToHalf(0x1p-14f - 0x1p-26f), 0x0400);
}

TEST(FloatConvert, HalfIsNearestOnRandomValues) {
  uint32_t state = 12345;
  for (int i = 0; i < 200000; ++i) {
    state = state * 1664525u + 1013904223u;
    // Magnitudes from 2^-27 to 2^17: subnormal, normal and overflowing.
    float value =
        floatOf((state & 0x807fffffu) | ((100u + (state >> 24) % 45) << 23));
    uint16_t half = floatToHalf(value);
    if ((half & 0x7fff) == 0x7c00) {
      EXPECT_GE(std::fabs(value), 65520.0f) << value;
      continue;
    }
    double error = std::fabs(double(halfToFloat(half)) - value);
    for (int step : {-1, 1}) {
      uint16_t neighbour = uint16_t(half + step);
      if ((neighbour & 0x7fff) >= 0x7c00 || (neighbour ^ half) & 0x8000)
        continue;
      EXPECT_LE(error, std::fabs(double(halfToFloat(neighbour)) - value))
          << value;
    }
  }
}

TEST(FloatConvert, BFloat16RoundsToNearestEven) {
  EXPECT_EQ(floatToBFloat16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBFloat16(1.0f + 0x1p-8f), 0x3f80);
  EXPECT_EQ(floatToBFloat16(1.0f + 3 * 0x1p-8f), 0x3f82);
  EXPECT_EQ(floatToBFloat16(1.0f + 0x1p-8f + 0x1p-20f), 0x3f81);
  EXPECT_EQ(floatToBFloat16(-0.0f), 0x8000);
  EXPECT_EQ(floatToBFloat16(floatOf(0x7f7fffffu)), 0x7f80); // Max -> inf.
  EXPECT_EQ(floatToBFloat16(INFINITY), 0x7f80);
  EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBFloat16(NAN))));
  // A NaN whose payload is only in the low bits stays a NaN.
  EXPECT_TRUE(
      std::isnan(bfloat16ToFloat(floatToBFloat16(floatOf(0x7f800001u)))));
  EXPECT_EQ(bitsOf(bfloat16ToFloat(0x4049)), 0x40490000u);
}

TEST(FloatConvert, EncodeDecodeEachType) {
  const float values[] = {0.5f, -1.0f, 0.1f, 3.0f};
  for (DType type : {DType::F16, DType::BF16, DType::F32}) {
    uint8_t bytes[16];
    float back[4];
    encode(type, values, 4, bytes);
    decode(type, bytes, 4, back);
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(back[i], roundTo(type, values[i])) << nameOf(type);
  }
  EXPECT_EQ(roundTo(DType::F32, 0.1f), 0.1f);
  EXPECT_NE(roundTo(DType::F16, 0.1f), 0.1f);
  // 0xFF bytes, the runtime's poison, are NaN in every type.
  const uint8_t poison[4] = {0xff, 0xff, 0xff, 0xff};
  for (DType type : {DType::F16, DType::BF16, DType::F32}) {
    float value;
    decode(type, poison, 1, &value);
    EXPECT_TRUE(std::isnan(value)) << nameOf(type);
  }
}

} // namespace
