//===- TileOps.td - the tile dialect: Triton-style tile IR -*- tablegen -*-===//
//
// The ops of rungs 2-4 (TileBase.td describes the dialect).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_TILE_OPS
#define ATTN_DIALECT_TILE_OPS

include "dialects/Tile/IR/TileTypes.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Tile_Tile2D : 2DTensorOf<[F16, BF16, F32]>;
def Tile_Row : 1DTensorOf<[F32]>;

//===----------------------------------------------------------------------===//
// Host side
//===----------------------------------------------------------------------===//

def Tile_LaunchOp : Tile_Op<"launch",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>, AttrSizedOperandSegments]> {
  let summary = "run a tile kernel over its grid (host side)";
  let description = [{
    Calls the kernel `callee` with `inputs` and returns fresh tensors for its
    outputs: the kernel's memref arguments are the inputs followed by the
    outputs. `names` names every input and output buffer (q, k, v, o, lse,
    s, p) for the runtime. `config` is the callee's #tile.config, copied
    here so that it survives the kernel's lowering (it must equal the
    callee's while the callee is a tile kernel). A result that is not
    returned by the enclosing function is an intermediate buffer the runtime
    allocates (S and P of the unfused pipeline). A name is one buffer, and
    launches run in order: a kernel may update an input in place (the fused
    backward's dQ accumulator, which its dK/dV kernel adds into with
    `tile.atomic_add`), and later launches of that buffer see the update. A
    kernel that copies with
    TMA takes tensor maps after its buffers: `tensor_maps` says which buffer
    each is encoded from, and `names` names them too, after the buffers.

    Sizes known only at launch: a kernel whose #tile.config has `?` grid
    sizes gets them from `grid` (one index per `?`, in x, y, z order), and
    the outputs' dynamic dimensions come from `sizes` (one index per `?` of
    the output types, in order), as `tensor.empty` takes them. After the
    GPU mapping, a kernel whose buffers have sizes or strides known only at
    launch takes them as scalars after its tensor maps: `scalars` says what
    each is, and `names` names them last.

    ```mlir
    %s = tile.launch @attn_scores(%q, %k) names ["q", "k", "s"]
        : (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
    %o = tile.launch @attn_fwd(%q, %k, %v) grid [%rows, %h, %b]
        sizes [%b, %h, %nq] names ["q", "k", "v", "o"]
        : (tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>)
        -> tensor<?x?x?x64xf16>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyTensor>:$inputs,
                       Variadic<Index>:$grid, Variadic<Index>:$sizes,
                       StrArrayAttr:$names,
                       OptionalAttr<Tile_ConfigAttr>:$config,
                       OptionalAttr<TypedArrayAttrBase<Tile_TensorMapArgAttr,
                           "tensor maps">>:$tensor_maps,
                       OptionalAttr<TypedArrayAttrBase<Tile_ScalarArgAttr,
                           "scalars">>:$scalars);
  let results = (outs Variadic<AnyTensor>:$outputs);
  let assemblyFormat = [{
    $callee `(` $inputs `)` (`grid` ` ` `[` $grid^ `]`)?
    (`sizes` ` ` `[` $sizes^ `]`)?
    `names` $names attr-dict `:` functional-type($inputs, $outputs)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::TypeRange":$outputs, "::llvm::StringRef":$callee,
                   "::mlir::ValueRange":$inputs,
                   "::llvm::ArrayRef<::llvm::StringRef>":$names,
                   "ConfigAttr":$config), [{
      build($_builder, $_state, outputs, callee, inputs, ::mlir::ValueRange(),
            ::mlir::ValueRange(), $_builder.getStrArrayAttr(names), config,
            ::mlir::ArrayAttr(), ::mlir::ArrayAttr());
    }]>,
    OpBuilder<(ins "::mlir::TypeRange":$outputs, "::llvm::StringRef":$callee,
                   "::mlir::ValueRange":$inputs, "::mlir::ValueRange":$grid,
                   "::mlir::ValueRange":$sizes,
                   "::llvm::ArrayRef<::llvm::StringRef>":$names,
                   "ConfigAttr":$config), [{
      build($_builder, $_state, outputs, callee, inputs, grid, sizes,
            $_builder.getStrArrayAttr(names), config, ::mlir::ArrayAttr(),
            ::mlir::ArrayAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    /// The buffers: inputs, then outputs.
    size_t numBuffers() { return getInputs().size() + getOutputs().size(); }
    size_t numTensorMaps() {
      return getTensorMaps() ? getTensorMaps()->size() : 0;
    }
    size_t numScalars() { return getScalars() ? getScalars()->size() : 0; }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Kernel side
//===----------------------------------------------------------------------===//

def Tile_ProgramIdOp : Tile_Op<"program_id", [Pure]> {
  let summary = "index of this program along a grid dimension";
  let arguments = (ins ConfinedAttr<I32Attr, [IntMinValue<0>, IntMaxValue<2>]>:$dim);
  let results = (outs Index:$result);
  let assemblyFormat = "$dim attr-dict";
}

def Tile_LoadOp : Tile_Op<"load", [MemoryEffects<[MemRead]>]> {
  let summary = "load a 2-D tile from the last two dimensions of a memref";
  let description = [{
    Reads the tile whose top-left element is `source[indices]`, shaped like
    the result, or a row vector (one f32 per tile row: a logsumexp, a δ)
    along the last dimension. Elements past the memref's bounds read as
    zero (ragged edges). The result lives in registers: it may have a
    register layout, never a #tile.shared one (shared memory is filled by
    `tile.async_copy`).
  }];
  let arguments = (ins AnyMemRef:$source, Variadic<Index>:$indices);
  let results = (outs TensorRankOf<[F16, BF16, F32], [1, 2]>:$result);
  let assemblyFormat = [{
    $source `[` $indices `]` attr-dict `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_StoreOp : Tile_Op<"store", [MemoryEffects<[MemWrite]>]> {
  let summary = "store a tile; elements past the bounds are dropped";
  let description = [{
    Writes a 2-D tile to the last two dimensions of `dest` at
    `dest[indices]`, or a row vector (one value per tile row) along the last
    dimension. Elements past the memref's bounds are not written. A tile in
    shared memory is stored after `attn-assign-layouts` converts it to a
    register layout.
  }];
  let arguments = (ins AnyTypeOf<[Tile_Tile2D, Tile_Row]>:$value, AnyMemRef:$dest,
                       Variadic<Index>:$indices);
  let assemblyFormat = [{
    $value `,` $dest `[` $indices `]` attr-dict `:` type($value) `,`
    type($dest)
  }];
  let hasVerifier = 1;
}

def Tile_AtomicAddOp : Tile_Op<"atomic_add",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "add a tile into global memory, atomically per element";
  let description = [{
    Adds each element of an f32 tile to the element of `dest` it lands on
    (top-left at `dest[indices]`, as `tile.store` places it), as one atomic
    read-modify-write per element: programs that add into the same elements
    at the same time all count, in an unspecified order (the sum is not
    bit-for-bit reproducible). Elements past the bounds are dropped. The
    fused backward accumulates dQ this way.

    ```mlir
    tile.atomic_add %dq, %dqacc[%b, %h, %row, %c0]
        : tensor<64x64xf32>, memref<1x2x200x64xf32>
    ```

    With `transpose`, the tile's transpose is added: element (r, c) lands
    on `dest[indices]` + (c, r) (the backward's dQᵀ, computed with the head
    dimension along the rows).
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$value, AnyMemRef:$dest,
                       Variadic<Index>:$indices, UnitAttr:$transpose);
  let assemblyFormat = [{
    $value `,` $dest `[` $indices `]` (`transpose` $transpose^)? attr-dict
    `:` type($value) `,` type($dest)
  }];
  let hasVerifier = 1;
}

def Tile_DotOp : Tile_Op<"dot", [Pure]> {
  let summary = "tile matrix product with f32 accumulation";
  let description = [{
    `result = lhs · rhs (+ acc)`; `transpose_lhs` makes it `lhsᵀ · rhs` and
    `transpose_rhs` `lhs · rhsᵀ` (the backward's Pᵀ·dO, dSᵀ·Q, dO·Vᵀ).
    Operands are f16, bf16 or f32; the result and `acc` are f32. With
    layouts, the result has a #tile.mma layout, and each operand is either
    in shared memory (#tile.shared) or in registers as that layout's operand
    (#tile.operand<a> for lhs, #tile.operand<b> for rhs).

    With `async` (wgmma), the product only starts: its result may be used
    by `tile.dot_wait` alone, and its operands must not change until that
    wait, which returns the finished result.
  }];
  let arguments = (ins Tile_Tile2D:$lhs, Tile_Tile2D:$rhs,
                       Optional<2DTensorOf<[F32]>>:$acc, UnitAttr:$transpose_lhs,
                       UnitAttr:$transpose_rhs, UnitAttr:$async);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`,` $acc^)? (`transpose_lhs` $transpose_lhs^)?
    (`transpose_rhs` $transpose_rhs^)? (`async` $async^)? attr-dict
    `:` type($lhs) `,` type($rhs) (`,` type($acc)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_DotWaitOp : Tile_Op<"dot_wait",
    [DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "wait for asynchronous products";
  let description = [{
    Waits until at most `pending` of the asynchronous `tile.dot`s started
    before it are still running (the most recent ones), then returns its
    operands: the results of the products it waits for, finished, and the
    register operands those products read, which until this point must keep
    their values (listing them here keeps them alive).

    ```mlir
    %s = tile.dot %q, %k transpose_rhs async : ... -> tensor<128x128xf32, #mma>
    %o = tile.dot %p, %v, %acc async : ... -> tensor<128x128xf32, #mma>
    %s2 = tile.dot_wait %s pending = 1 : tensor<128x128xf32, #mma>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                       ConfinedAttr<I32Attr, [IntNonNegative]>:$pending);
  let results = (outs Variadic<AnyRankedTensor>:$outputs);
  let assemblyFormat = [{
    $inputs `pending` `=` $pending attr-dict `:` type($inputs)
  }];
  let hasVerifier = 1;
}

def Tile_ReduceOp : Tile_Op<"reduce", [Pure]> {
  let summary = "reduce each row of a tile (max or sum)";
  let arguments = (ins Tile_ReduceKind:$kind, 2DTensorOf<[F32]>:$input);
  let results = (outs Tile_Row:$result);
  let assemblyFormat = "$kind $input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Tile_BroadcastOp : Tile_Op<"broadcast", [Pure]> {
  let summary = "repeat a vector along one dimension of a tile";
  let description = [{
    With `dim = 1` (the default), the input holds one value per row and is
    repeated along the columns (a row maximum, the logsumexp of each query
    row); with `dim = 0` it holds one value per column and is repeated down
    the rows (the logsumexp of each query when the queries are the columns,
    as in the backward's Sᵀ). With layouts, the input is the
    `#tile.slice<dim = dim, ...>` of the result's.
  }];
  let arguments = (ins Tile_Row:$input,
                       DefaultValuedAttr<ConfinedAttr<I64Attr,
                           [IntMinValue<0>, IntMaxValue<1>]>, "1">:$dim);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input (`dim` $dim^)? attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_TransposeOp : Tile_Op<"transpose", [Pure]> {
  let summary = "the transpose of a tile (rungs 2-3 only)";
  let description = [{
    `result[c][r] = input[r][c]`. The tiled backward reads the saved P as
    Pᵀ this way; attn-recompute-probabilities then moves the transpose into
    the recomputation (Sᵀ = K·Qᵀ, the logsumexp broadcast down the rows, the
    mask transposed), so none is left by the time tiles get layouts, which
    refuse it.
  }];
  let arguments = (ins Tile_Tile2D:$input);
  let results = (outs Tile_Tile2D:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Tile_MaskOp : Tile_Op<"mask", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "set scores outside the valid region to -inf";
  let description = [{
    Element (r, c) of the tile stands for score (row_offset + r,
    col_offset + c). It becomes -inf when that column is past the number of
    columns (a constant, or an index known only at run time: `cols 256`,
    `cols %nk`), with `causal` when the column is after the row, with
    `left L` when it is before row - L and with `right R` when it is after
    row + R (a sliding window; the comparisons are signed: a bottom-right
    aligned mask shifts the rows by Nk - Nq, and row_offset may be negative
    when Nk < Nq).

    With `transposed`, the tile holds scores transposed: its rows are keys
    and its columns queries, so element (r, c) stands for score
    (col_offset + c, row_offset + r), and `cols` bounds the rows (the keys).

    Lowerings may first test, once per tile, whether any element needs the
    mask and skip the element tests when none does. `unconditional` says
    that the tile is known to need them (`attn-peel-masked-steps` marks the
    masks of the steps it peels): the element tests run without that
    branch. The result is the same either way.
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$input, Index:$row_offset,
                       Index:$col_offset, Optional<Index>:$dynamic_num_cols,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$num_cols,
                       UnitAttr:$causal,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$window_left,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$window_right,
                       UnitAttr:$unconditional, UnitAttr:$transposed);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input `[` $row_offset `,` $col_offset `]` `cols`
    custom<NumCols>($dynamic_num_cols, $num_cols)
    (`causal` $causal^)? (`left` $window_left^)? (`right` $window_right^)?
    (`unconditional` $unconditional^)? (`transposed` $transposed^)? attr-dict
    `:` type($input)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$type, "::mlir::Value":$input,
                   "::mlir::Value":$rowOffset, "::mlir::Value":$colOffset,
                   "int64_t":$numCols, "bool":$causal), [{
      build($_builder, $_state, type, input, rowOffset, colOffset,
            ::mlir::Value(), $_builder.getI64IntegerAttr(numCols), causal,
            ::mlir::IntegerAttr(), ::mlir::IntegerAttr(),
            /*unconditional=*/false, /*transposed=*/false);
    }]>,
    OpBuilder<(ins "::mlir::Type":$type, "::mlir::Value":$input,
                   "::mlir::Value":$rowOffset, "::mlir::Value":$colOffset,
                   "::mlir::OpFoldResult":$numCols, "bool":$causal)>
  ];
  let extraClassDeclaration = [{
    /// The number of columns: the attribute, or the dynamic operand.
    ::mlir::OpFoldResult getMixedNumCols();
    /// Whether it masks by a sliding window (left or right).
    bool hasWindow() { return getWindowLeft() || getWindowRight(); }
  }];
  let hasVerifier = 1;
}

def Tile_AllocSharedOp : Tile_Op<"alloc_shared"> {
  let summary = "a (multi-buffered) tile buffer in shared memory";
  let description = [{
    Allocates a `!tile.buffer` in the program's workgroup memory.
    `attn-allocate-shared` assigns each buffer its byte `offset` in the
    kernel's dynamic shared memory.

    ```mlir
    %kbuf = tile.alloc_shared {offset = 16384 : i64}
        : !tile.buffer<2x64x64xbf16, #tile.shared<pad = 8>>
    ```
  }];
  let arguments = (ins OptionalAttr<I64Attr>:$offset);
  let results = (outs Tile_BufferType:$buffer);
  let assemblyFormat = "attr-dict `:` type($buffer)";
  let hasVerifier = 1;
}

def Tile_AsyncCopyOp : Tile_Op<"async_copy"> {
  let summary = "start copying a tile from global memory into a buffer slot";
  let description = [{
    Asynchronously copies the tile at `source[indices]` (shaped like one slot
    of `buffer`) into slot `slot`. Elements past the source's bounds become
    zero. Complete after a later `tile.async_commit` + `tile.async_wait`.
  }];
  let arguments = (ins AnyMemRef:$source, Variadic<Index>:$indices,
                       Tile_BufferType:$buffer, Index:$slot);
  let assemblyFormat = [{
    $source `[` $indices `]` `,` $buffer `[` $slot `]` attr-dict `:`
    type($source) `,` type($buffer)
  }];
  let hasVerifier = 1;
}

def Tile_AsyncCommitOp : Tile_Op<"async_commit"> {
  let summary = "close the current group of asynchronous copies";
  let assemblyFormat = "attr-dict";
}

def Tile_AsyncWaitOp : Tile_Op<"async_wait"> {
  let summary = "wait until at most `pending` copy groups are in flight";
  let arguments = (ins ConfinedAttr<I32Attr, [IntNonNegative]>:$pending);
  let assemblyFormat = "$pending attr-dict";
}

def Tile_BarrierOp : Tile_Op<"barrier"> {
  let summary = "synchronize all threads of a program, or its compute warps";
  let description = [{
    Every thread of the program waits until all have arrived; their shared
    memory writes before it are then visible to all. With `warps`, only the
    first `warps` warps take part: the compute warps of a warp-specialized
    kernel, inside the compute region of a `tile.warp_specialize`, where the
    producers never arrive.

    ```mlir
    tile.barrier
    tile.barrier {warps = 8 : i64}
    ```
  }];
  let arguments = (ins OptionalAttr<ConfinedAttr<I64Attr,
                                    [IntPositive]>>:$warps);
  let builders = [OpBuilder<(ins), [{
    build($_builder, $_state, ::mlir::IntegerAttr());
  }]>];
  let assemblyFormat = "attr-dict";
}

def Tile_LocalLoadOp : Tile_Op<"local_load", [MemoryEffects<[MemRead]>]> {
  let summary = "view one slot of a shared buffer as a tile";
  let description = [{
    The tile in slot `slot` of `buffer`, as a tensor with the buffer's
    #tile.shared encoding: it stays in shared memory, where `tile.dot` reads
    its operands; any other use needs a `tile.convert_layout` to registers.

    A slot of one row read as a vector (`tensor<Lxf32>`, a vector staged by
    `tile.bulk_load`) is read into registers instead: each thread reads the
    elements its layout gives it (a #tile.slice), where the op stands.

    ```mlir
    %k = tile.local_load %kbuf[%slot]
        : !tile.buffer<2x64x64xbf16, #tile.shared<pad = 8>>
        -> tensor<64x64xbf16, #tile.shared<pad = 8>>
    %lse = tile.local_load %lbuf[%slot]
        : !tile.buffer<2x1x128xf32, #tile.shared<>> -> tensor<128xf32>
    ```
  }];
  let arguments = (ins Tile_BufferType:$buffer, Index:$slot);
  let results = (outs AnyTypeOf<[Tile_Tile2D, Tile_Row]>:$result);
  let assemblyFormat = [{
    $buffer `[` $slot `]` attr-dict `:` type($buffer) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_LocalStoreOp : Tile_Op<"local_store", [MemoryEffects<[MemWrite]>]> {
  let summary = "write a tile in registers into one slot of a shared buffer";
  let description = [{
    Stores `value` into slot `slot` of `buffer`, each thread its own
    elements. Other threads see them after a `tile.barrier`, and so do
    `wgmma` products, which read through the async proxy, when the buffer
    is swizzled (the store ends with a proxy fence). This is how a tile
    computed in registers becomes an operand that must come from shared
    memory: `attn-assign-layouts` stages the lhs of a product with
    `transpose_lhs` and a B operand computed in registers (the backward's
    dSᵀ) this way.

    ```mlir
    tile.local_store %p, %pbuf[%c0]
        : tensor<64x64xf16, #mma>, !tile.buffer<1x64x64xf16, #tile.shared<pad = 8>>
    ```
  }];
  let arguments = (ins Tile_Tile2D:$value, Tile_BufferType:$buffer,
                       Index:$slot);
  let assemblyFormat = [{
    $value `,` $buffer `[` $slot `]` attr-dict `:` type($value) `,`
    type($buffer)
  }];
  let hasVerifier = 1;
}

def Tile_ConvertLayoutOp : Tile_Op<"convert_layout",
    [Pure, SameOperandsAndResultShape, SameOperandsAndResultElementType]> {
  let summary = "move a tile to another layout";
  let description = [{
    The same tile with another encoding: the explicit point where data moves
    between threads, or between shared memory and registers. Accumulator to
    A operand (#tile.mma -> #tile.operand<a>) regroups registers without
    moving data; shared to registers (#tile.shared -> #tile.mma) reads the
    tile from shared memory.

    ```mlir
    %a = tile.convert_layout %p : tensor<128x32xbf16, #mma>
        -> tensor<128x32xbf16, #tile.operand<a, #mma>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Hopper: TMA copies, barriers, warp specialization
//===----------------------------------------------------------------------===//

def Tile_AllocMBarrierOp : Tile_Op<"alloc_mbarrier"> {
  let summary = "a ring of barriers in shared memory";
  let description = [{
    One barrier per slot of the buffers it guards, initialized at the
    kernel's start (a program-wide `tile.barrier` must follow before any
    use). A `copy` barrier's phase completes when the bytes of the
    `tile.tma_load` that signals it have landed; a `release` barrier's when
    every compute warp has released the slot (`tile.mbarrier_arrive`).
    `attn-allocate-shared` assigns the byte `offset`.

    ```mlir
    %full = tile.alloc_mbarrier copy {offset = 98304 : i64} : !tile.mbarrier<2>
    ```
  }];
  let arguments = (ins Tile_BarrierKind:$kind, OptionalAttr<I64Attr>:$offset);
  let results = (outs Tile_MBarrierType:$barrier);
  let assemblyFormat = "$kind attr-dict `:` type($barrier)";
  let hasVerifier = 1;
}

def Tile_BulkLoadOp : Tile_Op<"bulk_load"> {
  let summary = "start a bulk copy of a vector into a one-row buffer slot";
  let description = [{
    Starts copying the `L` contiguous elements of `source` that start at
    `indices` (along its last dimension) into slot `slot` of `buffer`, a
    buffer of one row of `L` elements, and signals barrier `slot` of
    `barrier` (a `copy` barrier) when they have landed: one bulk copy
    (`cp.async.bulk`), no tensor map. The vector lies inside its row: the
    last dimension is static, a multiple of `L`, and its rows and the
    vector are multiples of 16 bytes (the copy's alignment); the producer
    warps of the backward stage the logsumexp and δ of each step this way.
    On the GPU one thread issues it.

    ```mlir
    tile.bulk_load %lse[%b, %h, %j], %lbuf[%slot], %lfull
        : memref<2x32x8192xf32>, !tile.buffer<2x1x128xf32, #tile.shared<>>,
          !tile.mbarrier<2>
    ```
  }];
  let arguments = (ins AnyMemRef:$source, Variadic<Index>:$indices,
                       Tile_BufferType:$buffer, Index:$slot,
                       Tile_MBarrierType:$barrier);
  let assemblyFormat = [{
    $source `[` $indices `]` `,` $buffer `[` $slot `]` `,` $barrier attr-dict
    `:` type($source) `,` type($buffer) `,` type($barrier)
  }];
  let hasVerifier = 1;
}

def Tile_TmaLoadOp : Tile_Op<"tma_load"> {
  let summary = "start a TMA copy of a tile into a buffer slot";
  let description = [{
    Starts copying the tile whose top-left element is row `row`, column
    `col` of the matrix at `matrix` of the tensor `map` describes into slot
    `slot` of `buffer`, as boxes of the map's shape side by side along the
    columns. `matrix` locates the matrix in the tensor's leading
    dimensions: one index into them flattened (a packed tensor's map views
    them as one dimension), or one index per leading dimension, outermost
    first (a tensor of run-time sizes and strides: the map is its own view).
    The copy signals barrier `slot` of `barrier` (a `copy` barrier) when its
    bytes have landed; elements outside the matrix become zero. On the GPU
    one thread issues it.

    ```mlir
    tile.tma_load %kmap[%bh, %row, %c0], %kbuf[%slot], %kfull
        : !tile.tensor_map<128x64xbf16, swizzle = 128>,
          !tile.buffer<2x128x128xbf16, #tile.shared<swizzle = 128>>,
          !tile.mbarrier<2>
    tile.tma_load %kmap[%b, %h, %row, %c0], %kbuf[%slot], %kfull : ...
    ```
  }];
  let arguments = (ins Tile_TensorMapType:$map, Variadic<Index>:$matrix,
                       Index:$row, Index:$col, Tile_BufferType:$buffer,
                       Index:$slot, Tile_MBarrierType:$barrier);
  let assemblyFormat = [{
    $map `[` custom<TmaIndices>($matrix, $row, $col) `]` `,` $buffer `[`
    $slot `]` `,` $barrier attr-dict `:` type($map) `,` type($buffer) `,`
    type($barrier)
  }];
  let hasVerifier = 1;
}

def Tile_MBarrierWaitOp : Tile_Op<"mbarrier_wait"> {
  let summary = "wait until a barrier has completed the phase of a parity";
  let description = [{
    Blocks until barrier `slot` of `barrier` has completed the phase whose
    parity is `parity` (0 or 1). The n-th use of a slot (n = 0, 1, ...)
    completes phase parity n mod 2; waiting for the parity before the first
    phase (1 on a fresh barrier) returns at once, which is how a producer
    finds every slot free on its first round.
  }];
  let arguments = (ins Tile_MBarrierType:$barrier, Index:$slot, Index:$parity);
  let assemblyFormat = [{
    $barrier `[` $slot `]` `,` $parity attr-dict `:` type($barrier)
  }];
}

def Tile_MBarrierArriveOp : Tile_Op<"mbarrier_arrive"> {
  let summary = "release a buffer slot: the compute warps are done with it";
  let description = [{
    Arrives on barrier `slot` of a `release` barrier. Every compute warp
    arrives once per use of the slot, after its last read of the slot's
    tile; the phase completes when all have.
  }];
  let arguments = (ins Tile_MBarrierType:$barrier, Index:$slot);
  let assemblyFormat = "$barrier `[` $slot `]` attr-dict `:` type($barrier)";
}

def Tile_WarpSpecializeOp : Tile_Op<"warp_specialize",
    [NoTerminator, SingleBlock]> {
  let summary = "producer warps copy, compute warps compute";
  let description = [{
    Splits a program's warps as its #tile.config says: the `producer`
    region runs on the last `producer_warps` warps (one warp issues the
    copies; the others idle), the `compute` region on all the others, at
    the same time. They communicate through shared buffers guarded by
    `tile.mbarrier_*` only. Each side first resizes its register file
    (`setmaxnreg`): producers give registers up, compute warps take them.

    ```mlir
    tile.warp_specialize {producer_registers = 24 : i64,
                          compute_registers = 240 : i64} producer {
      ...
    } compute {
      ...
    }
    ```
  }];
  let arguments = (ins I64Attr:$producer_registers, I64Attr:$compute_registers);
  let regions = (region SizedRegion<1>:$producer, SizedRegion<1>:$compute);
  // `attr-dict-with-keyword producer {...} compute {...}`, parsed by hand:
  // see WarpSpecializeOp::parse.
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def Tile_MmaTurnStartOp : Tile_Op<"mma_turn_start"> {
  let summary = "give the first turn at issuing products to warpgroup 0";
  let description = [{
    With `tile.mma_turn_wait` and `tile.mma_turn_pass`, makes the compute
    warpgroups of a program take turns at starting their products (ping-pong,
    FlashAttention-3's inter-warpgroup overlap): while one warpgroup's
    products run, the other computes its softmax. Executed once by every
    compute warpgroup before the first turn.
  }];
  let assemblyFormat = "attr-dict";
}

def Tile_MmaTurnWaitOp : Tile_Op<"mma_turn_wait"> {
  let summary = "wait until it is this warpgroup's turn to issue products";
  let assemblyFormat = "attr-dict";
}

def Tile_MmaTurnPassOp : Tile_Op<"mma_turn_pass"> {
  let summary = "hand the turn to the next compute warpgroup";
  let assemblyFormat = "attr-dict";
}

#endif // ATTN_DIALECT_TILE_OPS
