//===- AttnDialect.cpp - the attn dialect ---------------------------------===//
#include "dialects/Attn/IR/AttnDialect.h"
#include "dialects/Attn/IR/AttnOps.h"

using namespace mlir;

#include "dialects/Attn/IR/AttnDialect.cpp.inc"

void attn::AttnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Attn/IR/AttnOps.cpp.inc"
      >();
}
