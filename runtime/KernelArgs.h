//===- KernelArgs.h - The parameters of one kernel launch ------*- C++ -*-===//
//
// cuLaunchKernel takes its parameters as `void **`: one pointer per
// parameter, to the parameter's bytes. KernelArgs collects typed parameters
// (device pointers, scalars, by-value blobs such as a 128-byte CUtensorMap)
// in order, each at an offset aligned as the parameter requires, and hands
// out that pointer array.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_KERNELARGS_H
#define ATTN_RUNTIME_KERNELARGS_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace attn::rt {

class KernelArgs {
public:
  /// The largest alignment a parameter may ask for.
  static constexpr size_t kMaxAlignment = 128;

  /// A device address (CUdeviceptr), 8 bytes.
  void addPointer(uint64_t address);
  void addI32(int32_t value);
  void addI64(int64_t value);
  void addF32(float value);
  /// `size` bytes at `data`, passed by value at an `alignment`-aligned
  /// offset (a power of two, at most kMaxAlignment).
  void addBytes(const void *data, size_t size, size_t alignment);

  size_t size() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }
  void clear();

  /// The bytes of parameter `index`.
  const void *data(size_t index) const;
  size_t bytes(size_t index) const { return slots_[index].size; }
  /// One pointer per parameter, for cuLaunchKernel's kernelParams (which
  /// only reads them); valid until the next add or clear.
  void **pointers() const;

private:
  struct Slot {
    size_t offset;
    size_t size;
  };
  struct alignas(kMaxAlignment) Block {
    unsigned char bytes[kMaxAlignment];
  };

  std::vector<Block> storage_;
  size_t used_ = 0;
  std::vector<Slot> slots_;
  mutable std::vector<void *> pointers_;
};

} // namespace attn::rt

#endif // ATTN_RUNTIME_KERNELARGS_H
