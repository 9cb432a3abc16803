//===- AttnDialect.h - the attn dialect -------------------------*- C++ -*-===//
#ifndef ATTN_DIALECTS_ATTN_ATTNDIALECT_H
#define ATTN_DIALECTS_ATTN_ATTNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Attn/IR/AttnDialect.h.inc"

#endif // ATTN_DIALECTS_ATTN_ATTNDIALECT_H
