//===- KernelArgs.cpp - The parameters of one kernel launch ---------------===//

#include "runtime/KernelArgs.h"

#include <cassert>
#include <cstring>

using namespace attn::rt;

void KernelArgs::addPointer(uint64_t address) {
  addBytes(&address, sizeof address, alignof(uint64_t));
}

void KernelArgs::addI32(int32_t value) {
  addBytes(&value, sizeof value, alignof(int32_t));
}

void KernelArgs::addI64(int64_t value) {
  addBytes(&value, sizeof value, alignof(int64_t));
}

void KernelArgs::addF32(float value) {
  addBytes(&value, sizeof value, alignof(float));
}

void KernelArgs::addBytes(const void *data, size_t size, size_t alignment) {
  assert(alignment && (alignment & (alignment - 1)) == 0 &&
         alignment <= kMaxAlignment && "alignment must be a power of two");
  size_t offset = (used_ + alignment - 1) & ~(alignment - 1);
  size_t end = offset + size;
  storage_.resize((end + kMaxAlignment - 1) / kMaxAlignment);
  std::memcpy(reinterpret_cast<unsigned char *>(storage_.data()) + offset, data,
              size);
  slots_.push_back({offset, size});
  used_ = end;
}

void KernelArgs::clear() {
  storage_.clear();
  used_ = 0;
  slots_.clear();
  pointers_.clear();
}

const void *KernelArgs::data(size_t index) const {
  return reinterpret_cast<const unsigned char *>(storage_.data()) +
         slots_[index].offset;
}

void **KernelArgs::pointers() const {
  pointers_.clear();
  auto *base =
      reinterpret_cast<unsigned char *>(const_cast<Block *>(storage_.data()));
  for (const Slot &slot : slots_)
    pointers_.push_back(base + slot.offset);
  return pointers_.data();
}
