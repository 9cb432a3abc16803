//===- AttnDialect.h - the attn dialect -------------------------*- C++ -*-===//
#ifndef ATTN_DIALECTS_ATTN_ATTNDIALECT_H
#define ATTN_DIALECTS_ATTN_ATTNDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialects/Attn/IR/AttnDialect.h.inc"
#include "dialects/Attn/IR/AttnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Attn/IR/AttnAttrs.h.inc"

#endif // ATTN_DIALECTS_ATTN_ATTNDIALECT_H
