//===- TileAttrs.td - layouts and the kernel configuration -*- tablegen -*-===//
//
// Layouts say how a tile is spread over a program's threads or where it sits
// in shared memory; they are the encodings of tile tensor types, so every
// tile's distribution is visible in the IR and in lit tests (the idea of
// Triton's #blocked/#mma/#shared, in this project's own terms). The GPU
// lowering's type converter and patterns read them.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_TILE_ATTRS
#define ATTN_DIALECT_TILE_ATTRS

include "dialects/Tile/IR/TileBase.td"
include "mlir/IR/TensorEncoding.td"

class Tile_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Tile_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

/// An MmaFamily parameter that is `sync` unless given.
def Tile_DefaultMmaFamily : EnumParameter<Tile_MmaFamily> {
  let defaultValue = "MmaFamily::sync";
}

def Tile_MmaEncodingAttr : Tile_Attr<"MmaEncoding", "mma",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let summary = "register layout of a tensor-core accumulator tile";
  let description = [{
    A 2-D tile of R rows in the accumulator layout of the 16×8 tensor-core
    fragment: rows are cut into 16-row atoms spread over `warps` warps, and
    within an atom, lane `4g + t` of a warp holds the elements
    (g, 2t), (g, 2t+1), (g+8, 2t), (g+8, 2t+1) of each 8-column slice.

    * `sync` (`mma.sync` m16n8, sm_80 and later): warp w owns the R/W
      contiguous rows [w·R/W, (w+1)·R/W), i.e. R/(16·W) atoms.
    * `wgmma` (sm_90a): warps form warpgroups of four; the tile's 64-row
      slabs go to the warpgroups in turn, and warp w of a warpgroup owns
      rows 16·(w mod 4) + [0, 16) of each of its slabs (the `wgmma` m64
      accumulator).

    Each thread holds a tile as R/(16·W)·C/8 pieces `vector<2x2xT>` (row
    pair × column pair). Rows must be a multiple of 16·W and columns of 8.

    ```mlir
    tensor<128x64xf32, #tile.mma<sync, warps = 4>>
    ```
  }];
  let parameters = (ins EnumParameter<Tile_MmaFamily>:$family,
                        "unsigned":$warps);
  let assemblyFormat = "`<` $family `,` `warps` `=` $warps `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Rows all warps cover together with one atom each: 16·W.
    int64_t rowsPerStep() const { return 16 * getWarps(); }
  }];
}

def Tile_SliceEncodingAttr : Tile_Attr<"SliceEncoding", "slice",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let summary = "a 1-D tile that is one dimension of a 2-D layout";
  let description = [{
    The values of a 2-D layout `parent` with dimension `dim` removed. With
    `dim = 1`, a row vector (one value per row: running maxima, sums, the
    logsumexp) held by every thread that holds part of that row, i.e. the
    four threads of a quad replicate each value, as a `vector<2xT>` per
    16-row atom (rows g and g+8). With `dim = 0`, a column vector (one value
    per column: the logsumexp of each query when the queries are the
    columns), held by every thread that holds part of that column, as a
    `vector<2xT>` per 8-column slice (columns 2t and 2t+1).

    ```mlir
    tensor<128xf32, #tile.slice<dim = 1, #tile.mma<sync, warps = 4>>>
    ```
  }];
  let parameters = (ins "unsigned":$dim, "MmaEncodingAttr":$parent);
  let assemblyFormat = "`<` `dim` `=` $dim `,` $parent `>`";
  let genVerifyDecl = 1;
}

def Tile_OperandEncodingAttr : Tile_Attr<"OperandEncoding", "operand",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let summary = "register layout of a matrix-product operand";
  let description = [{
    A tile held in registers as the `index` operand of a matrix product whose
    result has layout `parent`. For the 16×8 families, the A operand of one
    k-step (16 columns for 16-bit types, 8 for f32 as TF32) is per atom one
    `vector<4x2xT>` (`vector<4x1xf32>`): exactly the elements of two adjacent
    accumulator pieces, so an accumulator tile becomes an A operand without
    moving data between threads (`tile.convert_layout`).

    ```mlir
    tensor<128x32xbf16, #tile.operand<a, #tile.mma<sync, warps = 4>>>
    ```
  }];
  let parameters = (ins EnumParameter<Tile_OperandIndex>:$index,
                        "MmaEncodingAttr":$parent);
  let assemblyFormat = "`<` $index `,` $parent `>`";
  let genVerifyDecl = 1;
}

def Tile_SharedEncodingAttr : Tile_Attr<"SharedEncoding", "shared",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let summary = "a tile in shared memory, with its bank-conflict layout";
  let description = [{
    Rows of C elements in workgroup memory, either padded by `pad` elements
    (row pitch C + pad: with 16 bytes of padding the eight 16-byte rows an
    `ldmatrix` reads fall in distinct banks) or swizzled: with
    `swizzle = 128`, rows are 128 bytes and the 16-byte chunk index is
    XORed with (row mod 8), the layout TMA writes and `wgmma` reads (tiles
    start 1024-byte aligned). Encodes `!tile.buffer` types and the tensors
    `tile.local_load` views in them.

    ```mlir
    #tile.shared<pad = 8>
    #tile.shared<swizzle = 128>
    ```
  }];
  let parameters = (ins DefaultValuedParameter<"int64_t", "0">:$pad,
                        DefaultValuedParameter<"int64_t", "0">:$swizzle);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Elements between the starts of two rows of a `cols`-wide tile.
    int64_t pitch(int64_t cols) const { return cols + getPad(); }
    /// Alignment of a buffer's start in bytes.
    int64_t alignment() const { return getSwizzle() ? 1024 : 128; }
  }];
}

def Tile_ConfigAttr : Tile_Attr<"Config", "config"> {
  let summary = "how a kernel runs: grid, warps, tile sizes, stages, memory";
  let description = [{
    The launch configuration of a tile kernel, chosen once (by
    `attn-select-tiling`, or the tiling pass's defaults) and read by every
    later pass, the cost model, the manifest and the drivers: the grid of
    programs, warps per program, the block sizes the kernel was tiled with
    (`block_m` rows per program, `block_n` keys per loop step), the
    pipelining depth of its shared-memory copies, the dynamic shared memory
    it needs (0 until `attn-allocate-shared`) and the chip it is built for.
    A kernel function carries it as `tile.config`; `tile.launch` carries a
    copy that must be equal.

    `mma` is the tensor-core family the kernel's products use (`sync`, the
    default, or `wgmma` on sm_90a). A warp-specialized kernel dedicates its
    last `producer_warps` warps (a warpgroup) to issuing copies; the other
    `warps - producer_warps` compute. `programs_per_sm` (1 by default) is
    how many programs the kernel is built to share an SM with: the launch's
    registers are the register file over that many programs' threads
    (setmaxnreg budgets follow), and ptxas is told the same
    (`.minnctapersm`); `attn-allocate-shared` lowers it when their shared
    memory does not fit. These three are printed only when not the default.

    A grid size of `?` depends on sizes known only at launch: the
    `tile.launch` of the kernel passes it.

    ```mlir
    #tile.config<grid = [8, 8, 1], warps = 4, block_m = 128, block_n = 32,
                 stages = 2, smem = 0, chip = "sm_90">
    #tile.config<grid = [?, ?, ?], warps = 4, block_m = 128, block_n = 64,
                 stages = 2, smem = 0, chip = "sm_90">
    #tile.config<grid = [8, 8, 1], warps = 12, block_m = 128, block_n = 128,
                 stages = 2, smem = 0, chip = "sm_90a", mma = wgmma,
                 producer_warps = 4>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$grid, "int64_t":$warps,
                        "int64_t":$block_m, "int64_t":$block_n,
                        "int64_t":$stages, "int64_t":$smem,
                        StringRefParameter<>:$chip,
                        Tile_DefaultMmaFamily:$mma,
                        DefaultValuedParameter<"int64_t", "0">:$producer_warps,
                        DefaultValuedParameter<"int64_t", "1">:$programs_per_sm);
  let assemblyFormat = [{
    `<` `grid` `=` `[` custom<Grid>($grid) `]` `,` `warps` `=` $warps `,`
    `block_m` `=` $block_m `,` `block_n` `=` $block_n `,`
    `stages` `=` $stages `,` `smem` `=` $smem `,` `chip` `=` $chip
    (`,` `mma` `=` $mma^)? (`,` `producer_warps` `=` $producer_warps^)?
    (`,` `programs_per_sm` `=` $programs_per_sm^)? `>`
  }];
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "::llvm::ArrayRef<int64_t>":$grid, "int64_t":$warps,
                     "int64_t":$block_m, "int64_t":$block_n,
                     "int64_t":$stages, "int64_t":$smem,
                     "::llvm::StringRef":$chip), [{
      return $_get($_ctxt, grid, warps, block_m, block_n, stages, smem, chip,
                   MmaFamily::sync, 0, 1);
    }]>
  ];
  let extraClassDeclaration = [{
    /// Threads per program: 32 per warp.
    int64_t threads() const { return 32 * getWarps(); }
    /// Warps that run the products and the softmax (all but the producers).
    int64_t computeWarps() const { return getWarps() - getProducerWarps(); }
    /// Whether a warpgroup of producers feeds the compute warps.
    bool isWarpSpecialized() const { return getProducerWarps() > 0; }
    /// The same configuration with `smem` bytes of shared memory.
    ConfigAttr withSmem(int64_t smem) const;
    /// The same configuration built for `programs` programs per SM.
    ConfigAttr withProgramsPerSM(int64_t programs) const;
    /// Grid sizes known only at launch (ShapedType::kDynamic in `grid`).
    int64_t numDynamicGridSizes() const;
  }];
}

def Tile_TensorMapArgAttr : Tile_Attr<"TensorMapArg", "tensor_map_arg"> {
  let summary = "a tensor map a launch passes, encoded from one of its buffers";
  let description = [{
    On `tile.launch`: the kernel parameter after the buffers that is a
    tensor map (`type`) of the launch's buffer number `source` (inputs,
    then outputs). The runtime encodes it from that buffer's address at
    every launch (the manifest's `attn.tensormap`).

    ```mlir
    #tile.tensor_map_arg<source = 1, !tile.tensor_map<128x64xbf16, swizzle = 128>>
    ```
  }];
  let parameters = (ins "int64_t":$source, "::mlir::Type":$type);
  let assemblyFormat = "`<` `source` `=` $source `,` $type `>`";
  let genVerifyDecl = 1;
}

def Tile_ScalarArgAttr : Tile_Attr<"ScalarArg", "scalar_arg"> {
  let summary = "a size or stride of a buffer that a launch passes by value";
  let description = [{
    On `tile.launch`, after the GPU mapping: a kernel parameter after the
    tensor maps that carries dimension `dim`'s size or stride (in elements)
    of the launch's buffer number `source` (inputs, then outputs), for a
    buffer whose sizes or strides are known only at launch. The runtime
    passes a size as an i32 and a stride as an i64 (the manifest's
    `attn.scalar`).

    ```mlir
    #tile.scalar_arg<size, source = 0, dim = 2>
    #tile.scalar_arg<stride, source = 1, dim = 0>
    ```
  }];
  let parameters = (ins EnumParameter<Tile_ScalarKind>:$kind,
                        "int64_t":$source, "int64_t":$dim);
  let assemblyFormat = "`<` $kind `,` `source` `=` $source `,` `dim` `=` $dim `>`";
  let genVerifyDecl = 1;
}

#endif // ATTN_DIALECT_TILE_ATTRS
