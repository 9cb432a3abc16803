//===- AttnDialect.cpp - the attn dialect ---------------------------------===//
#include "dialects/Attn/AttnDialect.h"
#include "dialects/Attn/AttnOps.h"

using namespace mlir;

#include "dialects/Attn/AttnDialect.cpp.inc"

void attn::AttnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Attn/AttnOps.cpp.inc"
      >();
}
