//===- AttnOps.h - attn.attention and its gradient --------------*- C++ -*-===//
#ifndef ATTN_DIALECTS_ATTN_ATTNOPS_H
#define ATTN_DIALECTS_ATTN_ATTNOPS_H

#include "dialects/Attn/IR/AttnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Attn/IR/AttnInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/Attn/IR/AttnOps.h.inc"

#endif // ATTN_DIALECTS_ATTN_ATTNOPS_H
