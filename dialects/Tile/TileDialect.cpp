//===- TileDialect.cpp - the tile dialect ---------------------------------===//
#include "dialects/Tile/TileDialect.h"
#include "dialects/Tile/TileOps.h"

using namespace mlir;

#include "dialects/Tile/TileDialect.cpp.inc"

void attn::tile::TileDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Tile/TileOps.cpp.inc"
      >();
}
