//===- TileTypes.td - the tile dialect's types -------------*- tablegen -*-===//
#ifndef ATTN_DIALECT_TILE_TYPES
#define ATTN_DIALECT_TILE_TYPES

include "dialects/Tile/IR/TileAttrs.td"

def Tile_BufferType : TypeDef<Tile_Dialect, "Buffer"> {
  let mnemonic = "buffer";
  let summary = "multi-buffered tile storage in shared memory";
  let description = [{
    `slots` buffers of a rows×cols tile in workgroup memory, laid out as its
    #tile.shared encoding says (padded rows or a swizzle). Multi-buffering
    lets the copy of the next tile overlap the use of the current one.

    ```mlir
    !tile.buffer<2x64x64xbf16, #tile.shared<pad = 8>>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType,
                        "SharedEncodingAttr":$encoding);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getSlots() const { return getShape()[0]; }
    int64_t getRows() const { return getShape()[1]; }
    int64_t getCols() const { return getShape()[2]; }
    /// The tensor type of one slot as tile.local_load views it.
    ::mlir::RankedTensorType getSlotType() const;
    /// Bytes of all slots, padding included.
    int64_t getSizeInBytes() const;
  }];
}

#endif // ATTN_DIALECT_TILE_TYPES
