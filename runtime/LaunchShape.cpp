//===- LaunchShape.cpp - Grid, block and shared memory of a launch --------===//

#include "runtime/LaunchShape.h"

using namespace attn::rt;

std::string Dim3::str() const {
  return std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(z);
}

static Status invalid(const std::string &message) {
  return Status::error(StatusCode::InvalidArgument, message);
}

Status attn::rt::validateLaunchShape(const LaunchShape &shape) {
  const Dim3 &block = shape.block;
  const Dim3 &grid = shape.grid;
  using L = LaunchLimits;

  if (block.x < 1 || block.y < 1 || block.z < 1)
    return invalid("block " + block.str() +
                   " has a zero or negative dimension");
  if (block.x > L::kMaxBlockXY || block.y > L::kMaxBlockXY ||
      block.z > L::kMaxBlockZ)
    return invalid(
        "block " + block.str() + " exceeds the per-dimension limit " +
        std::to_string(L::kMaxBlockXY) + "," + std::to_string(L::kMaxBlockXY) +
        "," + std::to_string(L::kMaxBlockZ));
  // Each factor is at most 1024 here, so the product cannot overflow.
  int64_t threads = block.x * block.y * block.z;
  if (threads > L::kMaxThreadsPerBlock)
    return invalid("block " + block.str() + " has " + std::to_string(threads) +
                   " threads; at most " +
                   std::to_string(L::kMaxThreadsPerBlock) + " are allowed");

  if (grid.x < 1 || grid.y < 1 || grid.z < 1)
    return invalid("grid " + grid.str() + " has a zero or negative dimension");
  if (grid.x > L::kMaxGridX)
    return invalid("grid " + grid.str() + ": x exceeds " +
                   std::to_string(L::kMaxGridX));
  if (grid.y > L::kMaxGridYZ || grid.z > L::kMaxGridYZ)
    return invalid("grid " + grid.str() + ": y and z may not exceed " +
                   std::to_string(L::kMaxGridYZ));

  if (shape.sharedBytes < 0)
    return invalid("dynamic shared memory of " +
                   std::to_string(shape.sharedBytes) + " bytes is negative");
  if (shape.sharedBytes > L::kMaxSharedBytes)
    return invalid("dynamic shared memory of " +
                   std::to_string(shape.sharedBytes) +
                   " bytes exceeds the limit of " +
                   std::to_string(L::kMaxSharedBytes) + " bytes (227 KiB)");
  return Status::success();
}
