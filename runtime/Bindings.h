//===- Bindings.h - The problem's tensors for one run ----------*- C++ -*-===//
//
// A run of a compiled problem takes one device tensor per role (q, k, v, o,
// ...): an address and, optionally, strides and the size of the memory
// behind it. checkBindings holds them against the manifest's attn.tensor
// declarations before any driver call, with one message per rule that
// names the tensor: missing, null, misaligned, strides of the wrong rank or
// not the declared ones, memory too small.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_BINDINGS_H
#define ATTN_RUNTIME_BINDINGS_H

#include "runtime/Manifest.h"
#include "runtime/Status.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace attn::rt {

/// One device tensor.
struct TensorArg {
  TensorArg() = default;
  TensorArg(uint64_t address, std::vector<int64_t> strides = {},
            uint64_t bytes = 0, std::vector<int64_t> shape = {})
      : address(address), strides(std::move(strides)), bytes(bytes),
        shape(std::move(shape)) {}

  /// The device address (CUdeviceptr).
  uint64_t address = 0;
  /// Strides in elements, one per dimension; empty means "the declared
  /// ones" (packed, for kernels compiled for strides known at launch).
  /// Kernels compiled for a fixed layout read that layout only: other
  /// strides are refused, not copied.
  std::vector<int64_t> strides;
  /// Bytes of memory from `address` on; 0 means unknown (not checked).
  uint64_t bytes = 0;
  /// The sizes of its dimensions; empty means "the declared ones". Kernels
  /// compiled for sizes known at launch take them from here.
  std::vector<int64_t> shape;
};

/// The tensors of one run, by role.
class TensorBindings {
public:
  TensorBindings &bind(TensorRole role, TensorArg arg) {
    args_[size_t(role)] = std::move(arg);
    return *this;
  }
  /// The tensor bound to `role`, or null.
  const TensorArg *find(TensorRole role) const {
    const std::optional<TensorArg> &arg = args_[size_t(role)];
    return arg ? &*arg : nullptr;
  }

private:
  std::array<std::optional<TensorArg>, kNumTensorRoles> args_;
};

/// Success if `bindings` has a tensor for every attn.tensor of `manifest`
/// and each fits its declaration; else an InvalidArgument error that starts
/// with the tensor's name ("q: null device pointer"). A binding for a role
/// the problem does not have is refused too.
Status checkBindings(const Manifest &manifest, const TensorBindings &bindings);

} // namespace attn::rt

#endif // ATTN_RUNTIME_BINDINGS_H
