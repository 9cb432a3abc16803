//===- TileDialect.cpp - the tile dialect ---------------------------------===//
#include "dialects/Tile/IR/TileDialect.h"
#include "dialects/Tile/IR/TileOps.h"

using namespace mlir;

#include "dialects/Tile/IR/TileDialect.cpp.inc"

void attn::tile::TileDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Tile/IR/TileOps.cpp.inc"
      >();
}
