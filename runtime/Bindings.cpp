//===- Bindings.cpp - The problem's tensors for one run -------------------===//

#include "runtime/Bindings.h"

#include <cstdio>

using namespace attn::rt;

namespace {

Status invalid(const std::string &message) {
  return Status::error(StatusCode::InvalidArgument, message);
}

std::string bracketed(const std::vector<int64_t> &values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? "," : "") + std::to_string(values[i]);
  return text + "]";
}

std::string hex(uint64_t value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%llx", (unsigned long long)value);
  return buffer;
}

Status checkTensor(const TensorDecl &decl, const TensorArg &arg) {
  const std::string &name = decl.name;
  if (arg.address == 0)
    return invalid(name + ": null device pointer");
  if (arg.address % uint64_t(decl.alignment) != 0)
    return invalid(name + ": address " + hex(arg.address) + " is not " +
                   std::to_string(decl.alignment) +
                   "-byte aligned; the kernels use vector loads and stores "
                   "of that width");
  std::string layout = name + " [" + Problem::dimNames(decl.role) +
                       "] = " + bracketed(decl.shape);
  if (!arg.shape.empty() && arg.shape != decl.shape)
    return invalid(name + ": shape " + bracketed(arg.shape) + " is not " +
                   layout + ", the shape the kernels were compiled for");
  if (!arg.strides.empty()) {
    if (arg.strides.size() != decl.shape.size())
      return invalid(name + ": " + std::to_string(arg.strides.size()) +
                     " strides given for the rank-" +
                     std::to_string(decl.shape.size()) + " tensor " + layout +
                     "; give one per dimension, or none for the layout the "
                     "kernels were compiled for");
    for (size_t i = 0; i < decl.shape.size(); ++i) {
      // A dimension of extent 1 is never stepped over: any stride will do.
      if (decl.shape[i] == 1 || arg.strides[i] == decl.strides[i])
        continue;
      return invalid(
          name + ": strides " + bracketed(arg.strides) + " are not the " +
          (decl.isPacked()
               ? "packed row-major layout of " + layout
               : "layout of " + layout + " the kernels were compiled for") +
          " (strides " + bracketed(decl.strides) + "); dimension " +
          std::to_string(i) + " has stride " + std::to_string(arg.strides[i]) +
          " where " + std::to_string(decl.strides[i]) +
          " is needed. The kernels read that layout only: make a " +
          (decl.isPacked() ? "contiguous copy" : "copy in it") + " first");
    }
  }
  if (arg.bytes != 0 && arg.bytes < decl.spanBytes())
    return invalid(name + ": the memory given holds " +
                   std::to_string(arg.bytes) + " bytes; " + layout + " of " +
                   nameOf(decl.dtype) + " needs " +
                   std::to_string(decl.spanBytes()));
  return Status::success();
}

} // namespace

Status attn::rt::checkBindings(const Manifest &manifest,
                               const TensorBindings &bindings) {
  for (const TensorDecl &decl : manifest.tensors) {
    const TensorArg *arg = bindings.find(decl.role);
    if (!arg)
      return invalid(decl.name + ": no tensor given for role " +
                     nameOf(decl.role));
    if (Status status = checkTensor(decl, *arg); !status.ok())
      return status;
  }
  for (int i = 0; i < kNumTensorRoles; ++i) {
    TensorRole role = TensorRole(i);
    if (bindings.find(role) && !manifest.tensorFor(role))
      return invalid(std::string(nameOf(role)) +
                     ": a tensor is given for role " + nameOf(role) +
                     ", which this problem does not have");
  }
  return Status::success();
}
