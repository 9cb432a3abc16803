//===- LaunchShapeTest.cpp - The limits of a launch -----------------------===//

#include "runtime/LaunchShape.h"

#include <gtest/gtest.h>

using namespace attn::rt;

namespace {

std::string check(Dim3 grid, Dim3 block, int64_t shared = 0) {
  LaunchShape shape;
  shape.grid = grid;
  shape.block = block;
  shape.sharedBytes = shared;
  Status status = validateLaunchShape(shape);
  return status.ok() ? "ok" : status.message();
}

TEST(LaunchShape, AcceptsTheLimits) {
  EXPECT_EQ(check({2147483647, 65535, 65535}, {1024, 1, 1}, 227 * 1024), "ok");
  EXPECT_EQ(check({1, 1, 1}, {16, 1, 64}), "ok");
  EXPECT_EQ(check({1, 1, 1}, {1, 1024, 1}), "ok");
}

TEST(LaunchShape, RefusesEachRule) {
  EXPECT_EQ(check({1, 1, 1}, {128, 0, 1}),
            "block 128,0,1 has a zero or negative dimension");
  EXPECT_EQ(check({1, 1, 1}, {1, 1, 65}),
            "block 1,1,65 exceeds the per-dimension limit 1024,1024,64");
  EXPECT_EQ(check({1, 1, 1}, {2048, 1, 1}),
            "block 2048,1,1 exceeds the per-dimension limit 1024,1024,64");
  EXPECT_EQ(check({1, 1, 1}, {512, 2, 2}),
            "block 512,2,2 has 2048 threads; at most 1024 are allowed");
  EXPECT_EQ(check({0, 1, 1}, {128, 1, 1}),
            "grid 0,1,1 has a zero or negative dimension");
  EXPECT_EQ(check({2147483648, 1, 1}, {128, 1, 1}),
            "grid 2147483648,1,1: x exceeds 2147483647");
  EXPECT_EQ(check({1, 1, 65536}, {128, 1, 1}),
            "grid 1,1,65536: y and z may not exceed 65535");
  EXPECT_EQ(check({1, 1, 1}, {128, 1, 1}, 227 * 1024 + 1),
            "dynamic shared memory of 232449 bytes exceeds the limit of "
            "232448 bytes (227 KiB)");
  EXPECT_EQ(check({1, 1, 1}, {128, 1, 1}, -1),
            "dynamic shared memory of -1 bytes is negative");
}

} // namespace
