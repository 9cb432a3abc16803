//===- Passes.h - analyses that print ---------------------------*- C++ -*-===//
#ifndef ATTN_COMPILER_ANALYSIS_PASSES_H
#define ATTN_COMPILER_ANALYSIS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace attn {

#define GEN_PASS_DECL
#include "compiler/Analysis/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Analysis/Passes.h.inc"

} // namespace attn

#endif // ATTN_COMPILER_ANALYSIS_PASSES_H
