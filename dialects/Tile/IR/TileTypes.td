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

def Tile_TensorMapType : TypeDef<Tile_Dialect, "TensorMap"> {
  let mnemonic = "tensor_map";
  let summary = "a TMA descriptor of a tensor, passed by value to a kernel";
  let description = [{
    A kernel parameter the runtime encodes with `cuTensorMapEncodeTiled`
    (a CUtensorMap, 128 bytes passed as a grid constant) over a global
    tensor seen as a stack of matrices: the tensor's last two dimensions are
    the rows and columns of each matrix and its leading dimensions, flattened,
    pick the matrix. One TMA copy moves a box of `rows` x `cols` elements into
    shared memory, laid out as `swizzle` says (the layout of a
    `#tile.shared<swizzle = ...>` buffer: rows of `swizzle` bytes); elements
    outside the matrix read as zero, so a box never reaches into the next
    head.

    ```mlir
    !tile.tensor_map<128x64xbf16, swizzle = 128>
    ```
  }];
  let parameters = (ins "int64_t":$rows, "int64_t":$cols,
                        "::mlir::Type":$elementType, "int64_t":$swizzle);
  let assemblyFormat = [{
    `<` custom<BoxShape>($rows, $cols, $elementType) `,` `swizzle` `=`
    $swizzle `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Bytes one box moves.
    int64_t getBoxBytes() const {
      return getRows() * getCols() * getElementType().getIntOrFloatBitWidth() /
             8;
    }
  }];
}

def Tile_MBarrierType : TypeDef<Tile_Dialect, "MBarrier"> {
  let mnemonic = "mbarrier";
  let summary = "a ring of completion barriers in shared memory";
  let description = [{
    `slots` barriers, one per slot of the buffers they guard (an mbarrier
    each on the GPU). A barrier completes a phase when what it waits for has
    happened: the bytes of the copies that signal it have landed, or every
    compute warp has released the slot. Waiters name the phase's parity.

    ```mlir
    !tile.mbarrier<2>
    ```
  }];
  let parameters = (ins "int64_t":$slots);
  let assemblyFormat = "`<` $slots `>`";
  let genVerifyDecl = 1;
}

#endif // ATTN_DIALECT_TILE_TYPES
