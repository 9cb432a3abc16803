//===- Instantiate.cpp - A run-time-size manifest for one run -------------===//

#include "runtime/Instantiate.h"

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

/// The problem sizes that dimension `dim` of a `role` tensor is.
std::optional<ProblemField> fieldOf(TensorRole role, size_t dim) {
  std::string names = Problem::dimNames(role);
  size_t start = 0;
  for (size_t i = 0; i < dim; ++i) {
    start = names.find(',', start);
    if (start == std::string::npos)
      return std::nullopt;
    ++start;
  }
  return parseProblemField(names.substr(start, names.find(',', start) - start));
}

} // namespace

Expected<Problem> attn::rt::bindSizes(const Manifest &manifest,
                                      const TensorBindings &tensors) {
  Problem problem = manifest.problem;
  if (!problem.hasDynamicSizes())
    return problem;
  // Which tensor gave each size, for messages.
  std::string source[kNumProblemFields];
  for (const TensorDecl &decl : manifest.tensors) {
    const TensorArg *arg = tensors.find(decl.role);
    if (!arg)
      return invalid(decl.name + ": no tensor given for role " +
                     nameOf(decl.role));
    bool needsShape = false;
    for (int64_t size : decl.shape)
      needsShape |= size == kDynamicSize;
    if (arg->shape.empty()) {
      if (needsShape)
        return invalid(decl.name +
                       ": no shape given; the kernels were "
                       "compiled for sizes known at launch, "
                       "which they take from the tensors' "
                       "shapes [" +
                       std::string(Problem::dimNames(decl.role)) + "]");
      continue;
    }
    if (arg->shape.size() != decl.shape.size())
      return invalid(decl.name + ": shape " + bracketed(arg->shape) + " has " +
                     std::to_string(arg->shape.size()) +
                     " dimensions; the tensor is [" +
                     Problem::dimNames(decl.role) + "]");
    for (size_t i = 0; i < decl.shape.size(); ++i) {
      // Packed sequences' offsets: [S+1].
      bool offsets =
          decl.role == TensorRole::CuQ || decl.role == TensorRole::CuK;
      std::optional<ProblemField> field =
          offsets ? ProblemField::S : fieldOf(decl.role, i);
      if (!field)
        continue;
      int64_t given = offsets ? arg->shape[i] - 1 : arg->shape[i];
      int64_t &size = [&]() -> int64_t & {
        switch (*field) {
        case ProblemField::B:
          return problem.batch;
        case ProblemField::H:
          return problem.heads;
        case ProblemField::Hkv:
          return problem.kvHeads;
        case ProblemField::Nq:
          return problem.seqLenQ;
        case ProblemField::Nk:
          return problem.seqLenK;
        case ProblemField::S:
          return problem.sequences;
        case ProblemField::D:
          break;
        }
        return problem.headDim;
      }();
      const char *name = nameOf(*field);
      if (given < 1)
        return invalid(decl.name + ": shape " + bracketed(arg->shape) +
                       " has " + name + " = " + std::to_string(given) +
                       (offsets ? "; S + 1 offsets of at least one sequence"
                                : "; every size must be at least 1"));
      if (size == kDynamicSize) {
        size = given;
        source[int(*field)] = decl.name;
        continue;
      }
      if (given != size)
        return invalid(decl.name + ": shape " + bracketed(arg->shape) +
                       " has " + name + " = " + std::to_string(given) +
                       " where " +
                       (source[int(*field)].empty()
                            ? std::string("the kernels were compiled for ")
                            : source[int(*field)] + " has ") +
                       name + " = " + std::to_string(size));
    }
  }
  if (problem.hasDynamicSizes())
    return invalid("the tensors leave a size unknown: " + problem.describe());
  if (Status status = problem.validate(); !status.ok())
    return invalid("the tensors' sizes: " + status.message());
  return problem;
}

Expected<Manifest> attn::rt::instantiate(const Manifest &manifest,
                                         const TensorBindings &tensors) {
  if (!manifest.isDynamic())
    return manifest;
  Expected<Problem> bound = bindSizes(manifest, tensors);
  if (!bound.ok())
    return bound.status();
  Manifest out = manifest;
  out.problem = *bound;
  const Problem &problem = out.problem;
  auto evaluate = [&](const SizeExpr &e, const std::string &what) {
    Expected<int64_t> value = e.evaluate(problem);
    if (!value.ok())
      return Expected<int64_t>(invalid(what + ": " + value.status().message()));
    return value;
  };

  for (TensorDecl &tensor : out.tensors) {
    tensor.shape = problem.shape(tensor.role);
    std::vector<int64_t> packed = problem.packedStrides(tensor.role);
    const TensorArg *arg = tensors.find(tensor.role);
    int64_t elementBytes = int64_t(sizeOf(tensor.dtype));
    for (size_t i = 0; i < tensor.strides.size(); ++i) {
      if (tensor.strides[i] != kDynamicSize)
        continue;
      int64_t stride = packed[i];
      if (arg && !arg->strides.empty()) {
        if (arg->strides.size() != tensor.shape.size())
          return invalid(
              tensor.name + ": " + std::to_string(arg->strides.size()) +
              " strides given for a tensor [" + Problem::dimNames(tensor.role) +
              "]; give one per dimension, or none for packed");
        stride = arg->strides[i];
      }
      // The kernels access rows as wide as the tensor's declared
      // alignment: 16-byte vectors and tensor maps for Q, K, V, O; 4-byte
      // values for lse.
      if (stride < 1 || (stride * elementBytes) % tensor.alignment != 0)
        return invalid(tensor.name + ": stride " + std::to_string(stride) +
                       " of dimension " + std::to_string(i) + " (" +
                       nameOf(*fieldOf(tensor.role, i)) +
                       ") is not a positive multiple of " +
                       std::to_string(tensor.alignment) +
                       " bytes; the kernels access its rows " +
                       (tensor.alignment >= 16
                            ? "with 16-byte vector loads and tensor maps"
                            : "in units of that size"));
      tensor.strides[i] = stride;
    }
  }
  for (WorkspaceDecl &workspace : out.workspaces) {
    Expected<int64_t> count =
        evaluate(workspace.elements, "workspace '" + workspace.name + "'");
    if (!count.ok())
      return count.status();
    workspace.elements = SizeExpr::constant(*count);
  }
  for (TensorMapDecl &map : out.tensorMaps) {
    if (!map.isDynamic())
      continue;
    const TensorDecl *tensor = out.findTensor(map.tensor);
    size_t rank = tensor->shape.size();
    int64_t elementBytes = int64_t(sizeOf(tensor->dtype));
    for (size_t j = 0; j < rank; ++j) {
      map.dims[j] = tensor->shape[rank - 1 - j];
      if (j > 0)
        map.strides[j - 1] = tensor->strides[rank - 1 - j] * elementBytes;
    }
  }
  for (ScalarDecl &scalar : out.scalars) {
    if (scalar.stride) {
      const TensorDecl *tensor = out.findTensor(scalar.stride->tensor);
      scalar.intValue = tensor->strides[size_t(scalar.stride->dim)];
      scalar.stride.reset();
    } else if (scalar.size) {
      Expected<int64_t> value =
          evaluate(*scalar.size, "scalar '" + scalar.name + "'");
      if (!value.ok())
        return value.status();
      scalar.intValue = *value;
      scalar.floatValue = double(*value);
      scalar.size.reset();
    }
  }
  for (KernelDecl &kernel : out.kernels) {
    int64_t *extents[3] = {&kernel.shape.grid.x, &kernel.shape.grid.y,
                           &kernel.shape.grid.z};
    for (size_t i = 0; i < 3; ++i) {
      if (kernel.grid[i].constantValue())
        continue;
      Expected<int64_t> extent =
          evaluate(kernel.grid[i], "the grid of kernel '" + kernel.name + "'");
      if (!extent.ok())
        return extent.status();
      *extents[i] = *extent;
      kernel.grid[i] = SizeExpr();
    }
  }
  // The checks of a file's manifest (launch limits, tensor-map rules,
  // spans) hold for these numbers too.
  Expected<Manifest> checked = parseManifest(writeManifest(out), "");
  if (!checked.ok()) {
    // Drop the ":<line>: " of a text the caller never sees.
    std::string message = checked.status().message();
    size_t colon = message.find(": ");
    return invalid(
        "for " + problem.describe() + ": " +
        (colon == std::string::npos ? message : message.substr(colon + 2)));
  }
  return checked;
}
