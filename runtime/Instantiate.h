//===- Instantiate.h - A run-time-size manifest for one run ----*- C++ -*-===//
//
// A kernel compiled for run-time sizes has a manifest with "?" sizes and
// strides, and size expressions for its grid, workspaces and scalars
// (runtime/Manifest.h). For one run, the tensors it is given say what they
// are: B, H and Nq come from the shape of q (and do, for a backward), Hkv
// and Nk from the shape of k, every "?" stride from the tensor's strides
// (packed where none are given). instantiate() returns the manifest with
// every number filled in, checked as parseManifest checks a file, so the
// launcher works on it as on a manifest of fixed sizes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_INSTANTIATE_H
#define ATTN_RUNTIME_INSTANTIATE_H

#include "runtime/Bindings.h"
#include "runtime/Manifest.h"
#include "runtime/Status.h"

namespace attn::rt {

/// The problem of `manifest` with the sizes of `tensors` where it has "?":
/// an InvalidArgument error names the tensor and the size that is missing
/// or disagrees ("k: shape [2,4,100,64] has B = 2 where q has B = 1").
Expected<Problem> bindSizes(const Manifest &manifest,
                            const TensorBindings &tensors);

/// `manifest` for the run of `tensors`: sizes, strides, tensor maps, grid,
/// workspaces and scalars known. A manifest that is not dynamic comes back
/// as it is. Errors name the tensor, or the rule the sizes break.
Expected<Manifest> instantiate(const Manifest &manifest,
                               const TensorBindings &tensors);

} // namespace attn::rt

#endif // ATTN_RUNTIME_INSTANTIATE_H
