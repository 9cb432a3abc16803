//===- DType.h - Element types of attention tensors ------------*- C++ -*-===//

#ifndef ATTN_RUNTIME_DTYPE_H
#define ATTN_RUNTIME_DTYPE_H

#include <cstddef>
#include <optional>
#include <string_view>

namespace attn::rt {

/// The element types of Q, K, V and O (f16, bf16, f32), and i32 for the
/// sequence offsets of a packed batch.
enum class DType { F16, BF16, F32, I32 };

/// Bytes of one element.
inline size_t sizeOf(DType type) {
  return type == DType::F32 || type == DType::I32 ? 4 : 2;
}

/// The manifest's spelling: "f16", "bf16", "f32", "i32".
inline const char *nameOf(DType type) {
  switch (type) {
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F32:
    return "f32";
  case DType::I32:
    return "i32";
  }
  return "?";
}

inline std::optional<DType> parseDType(std::string_view text) {
  if (text == "f16")
    return DType::F16;
  if (text == "bf16")
    return DType::BF16;
  if (text == "f32")
    return DType::F32;
  if (text == "i32")
    return DType::I32;
  return std::nullopt;
}

} // namespace attn::rt

#endif // ATTN_RUNTIME_DTYPE_H
