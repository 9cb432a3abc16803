//===- AttnOps.td - the attn dialect: high-level attention -*- tablegen -*-===//
//
// Rung 1 of the IR ladder: attention as one op with tensor semantics.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_OPS
#define ATTN_DIALECT_ATTN_OPS

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::attn";
  let summary = "High-level attention: softmax(Q·Kᵀ·scale)·V as one op";
  let description = [{
    The entry point of the attn compiler. Its single op, `attn.attention`,
    is lowered either to one FlashAttention kernel (the fused pipeline) or
    to three kernels that materialize S and P (the unfused pipeline).
  }];
  let useDefaultAttributePrinterParser = 1;
}

def Attn_PipelineKind : I32EnumAttr<"PipelineKind",
    "how attn.attention is compiled", [
    I32EnumAttrCase<"fused", 0>, I32EnumAttrCase<"unfused", 1>]> {
  let cppNamespace = "::attn";
  let genSpecializedAttr = 0;
}

def Attn_MmaKind : I32EnumAttr<"MmaKind",
    "the tensor-core instructions a tiling is built for", [
    I32EnumAttrCase<"sync", 0>, I32EnumAttrCase<"wgmma", 1>]> {
  let cppNamespace = "::attn";
  let genSpecializedAttr = 0;
}

def Attn_DefaultMmaKind : EnumParameter<Attn_MmaKind> {
  let defaultValue = "MmaKind::sync";
}

def Attn_TilingAttr : AttrDef<Attn_Dialect, "Tiling"> {
  let mnemonic = "tiling";
  let summary = "the tile configuration chosen for an attn.attention";
  let description = [{
    Which pipeline compiles the op and with which tiles: `block_m` query
    rows per program, `block_n` keys per loop step, `warps` per program,
    `stages` shared-memory buffers per pipelined K/V tile, for `chip`, with
    the tensor-core instructions `mma`: `sync` (mma.sync, the default, not
    printed) or `wgmma` (sm_90a: TMA copies and wgmma products in a
    warp-specialized kernel; `warps` then counts the compute warps, and a
    warpgroup of producers comes on top). `split_keys` (forward, fused; 0,
    the default, is not printed) splits the keys of each row block into
    chunks of that many keys, one program each, whose partial outputs and
    logsumexps a second kernel combines: flash-decoding, which lets a few
    queries against many keys use the whole GPU.
    `attn-select-tiling` chooses it (the defaults tuned per chip, head
    dimension and element type, or the options given) and checks it against
    the problem; the tiling passes, the cost model and the manifest read it
    from here.

    ```mlir
    #attn.tiling<fused, block_m = 128, block_n = 32, warps = 4, stages = 2,
                 chip = "sm_90">
    ```
  }];
  let parameters = (ins EnumParameter<Attn_PipelineKind>:$pipeline,
                        "int64_t":$block_m, "int64_t":$block_n,
                        "int64_t":$warps, "int64_t":$stages,
                        StringRefParameter<>:$chip,
                        Attn_DefaultMmaKind:$mma,
                        DefaultValuedParameter<"int64_t", "0">:$split_keys);
  let assemblyFormat = [{
    `<` $pipeline `,` `block_m` `=` $block_m `,` `block_n` `=` $block_n `,`
    `warps` `=` $warps `,` `stages` `=` $stages `,` `chip` `=` $chip
    (`,` `mma` `=` $mma^)? (`,` `split_keys` `=` $split_keys^)? `>`
  }];
}

def Attn_ProblemOpInterface : OpInterface<"ProblemOpInterface"> {
  let cppNamespace = "::attn";
  let description = [{
    An op that states one attention problem: the forward `attn.attention`
    or its gradient `attn.attention_backward`. Both have a query side
    `[B, H, Nq, D]` and a key side `[B, Hkv, Nk, D]` of one element type,
    a `scale`, a `causal` flag and, once `attn-select-tiling` has run, a
    `#attn.tiling`: what choosing a tiling, the cost model and the tools
    need to know of either.
  }];
  let methods = [
    InterfaceMethod<"[B, H, Nq, D] of the query", "::llvm::ArrayRef<int64_t>",
                    "getShape">,
    InterfaceMethod<"[B, Hkv, Nk, D] of the key and value",
                    "::llvm::ArrayRef<int64_t>", "getKeyShape">,
    InterfaceMethod<"Element type of Q, K, V and O", "::mlir::Type",
                    "getElementType">,
    InterfaceMethod<"Whether row i sees keys j <= i + Nk - Nq only", "bool",
                    "getCausal">,
    InterfaceMethod<"The scale of Q·Kᵀ: the attribute, or 1/√D", "float",
                    "getEffectiveScale">,
    InterfaceMethod<"The tiling attn-select-tiling chose, or null",
                    "::attn::TilingAttr", "getTilingAttr">,
    InterfaceMethod<"Records the tiling", "void", "setTilingAttr",
                    (ins "::attn::TilingAttr":$tiling)>,
    InterfaceMethod<"Whether this is the gradient of attention", "bool",
                    "isBackward">,
    InterfaceMethod<"The sliding window's left extent (keys before the "
                    "row's diagonal it sees), or none: unbounded",
                    "::std::optional<int64_t>", "getWindowLeft">,
    InterfaceMethod<"The sliding window's right extent, or none: unbounded",
                    "::std::optional<int64_t>", "getWindowRight">,
  ];
  let extraSharedClassDeclaration = [{
    int64_t getBatch() { return $_op.getShape()[0]; }
    int64_t getNumHeads() { return $_op.getShape()[1]; }
    int64_t getQuerySeqLen() { return $_op.getShape()[2]; }
    int64_t getHeadDim() { return $_op.getShape()[3]; }
    int64_t getKvHeads() { return $_op.getKeyShape()[1]; }
    int64_t getKeySeqLen() { return $_op.getKeyShape()[2]; }
    /// Query heads per K/V head: H / Hkv.
    int64_t getGroupSize() { return getNumHeads() / getKvHeads(); }
    /// The bottom-right alignment of the causal mask: query row i sees
    /// keys j <= i + Nk - Nq.
    int64_t getCausalOffset() { return getKeySeqLen() - getQuerySeqLen(); }
    /// Whether B, H, Hkv, Nq and Nk are known only at run time ('?'): the
    /// kernels take them, and the strides, from their arguments.
    bool hasRunTimeSizes() {
      return ::mlir::ShapedType::isDynamic($_op.getShape()[0]);
    }
  }];
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

/// The accessors both problem ops share, on top of ProblemOpInterface's.
defvar Attn_ProblemAccessors = [{
    /// The scale applied to Q·Kᵀ: the attribute, or 1/√D when absent.
    float getEffectiveScale();
    ::mlir::Type getElementType() {
      return ::llvm::cast<::mlir::ShapedType>(getQuery().getType())
          .getElementType();
    }
    ::llvm::ArrayRef<int64_t> getShape() {
      return ::llvm::cast<::mlir::ShapedType>(getQuery().getType()).getShape();
    }
    ::llvm::ArrayRef<int64_t> getKeyShape() {
      return ::llvm::cast<::mlir::ShapedType>(getKey().getType()).getShape();
    }
}];

def Attn_AttentionOp : Attn_Op<"attention",
    [Pure, AttrSizedOperandSegments, Attn_ProblemOpInterface]> {
  let summary = "scaled dot-product attention over batches and heads";
  let description = [{
    Computes `O = softmax(Q·Kᵀ·scale)·V` for every batch and head.

    Q is a rank-4 tensor `[B, H, Nq, D]` and K and V are `[B, Hkv,
    Nk, D]`, of one element type (f16, bf16 or f32); O has Q's type. H is a
    multiple of Hkv: query head h reads K/V head h / (H / Hkv) (grouped-query
    attention; Hkv = 1 is multi-query attention). Nq and Nk may differ
    (cross-attention, prefill against a cache, decoding). `scale` defaults
    to 1/√D. With `causal`, the mask is aligned to the bottom right, as
    FlashAttention aligns it: query row i attends to keys j ≤ i + Nk − Nq
    (j ≤ i when Nq = Nk). `window [L, R]` is sliding-window (local)
    attention, aligned the same way: row i sees keys i + Nk − Nq − L ≤ j ≤
    i + Nk − Nq + R, −1 leaving a side unbounded (FlashAttention's
    `window_size`); with `causal` as well, R is at most 0. A row that sees
    no key (causal with Nq > Nk, rows i < Nq − Nk; or outside every window)
    gets zeros, and logsumexp −inf. B, H, Hkv, Nq and Nk may all be `?`
    (sizes known only at run time; D never is). An optional second result
    of type `tensor<BxHxNqxf32>` returns the per-row logsumexp (natural log)
    of the scaled, masked scores. `tiling`, set by `attn-select-tiling`,
    records the tile configuration chosen for it.

    `sequences(%cu_q, %cu_k)` makes it a batch of sequences of different
    lengths packed one after another (FlashAttention's
    `flash_attn_varlen_func`): B is 1 (or `?`, 1 at launch), Q holds every sequence's queries
    along Nq and K and V every sequence's keys along Nk, and the two i32
    offset vectors of S + 1 entries (cumulative lengths, from 0 to Nq and to
    Nk) bound sequence s's queries to [cu_q[s], cu_q[s+1]) and its keys to
    [cu_k[s], cu_k[s+1]). A query attends only to its own sequence's keys,
    with the causal mask and the window aligned to the bottom right of each
    sequence; a sequence may be empty. The offsets must start at 0, never
    decrease and end at Nq (Nk): the kernels read them as given. With the
    `[B, N, H, D]` layout of
    run-time sizes, this is FlashAttention's packed `[total, H, D]`.

    ```mlir
    %o = attn.attention %q, %k, %v causal
        : tensor<2x4x128x64xf16>, tensor<2x4x128x64xf16>, tensor<2x4x128x64xf16>
        -> tensor<2x4x128x64xf16>
    %o2, %lse = attn.attention %q, %k, %v scale 1.250000e-01
        : tensor<2x4x128x64xf16>, tensor<2x4x128x64xf16>, tensor<2x4x128x64xf16>
        -> tensor<2x4x128x64xf16>, tensor<2x4x128xf32>
    // 8 query heads over 2 K/V heads; 16 new queries against 1024 keys.
    %o3 = attn.attention %q8, %k2, %v2 causal
        : tensor<1x8x16x128xbf16>, tensor<1x2x1024x128xbf16>,
          tensor<1x2x1024x128xbf16> -> tensor<1x8x16x128xbf16>
    // Each query sees itself and the 256 keys before it.
    %o4 = attn.attention %q, %k, %v causal window [256, 0]
        : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>
        -> tensor<?x?x?x64xbf16>
    // Sequences of different lengths, packed.
    %o5 = attn.attention %q, %k, %v sequences(%cu_q, %cu_k) causal
        : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>,
          tensor<?xi32>, tensor<?xi32> -> tensor<?x?x?x64xbf16>
    ```
  }];

  let arguments = (ins AnyTensor:$query, AnyTensor:$key, AnyTensor:$value,
                       Optional<AnyTensor>:$querySeqOffsets,
                       Optional<AnyTensor>:$keySeqOffsets,
                       OptionalAttr<F32Attr>:$scale, UnitAttr:$causal,
                       OptionalAttr<DenseI64ArrayAttr>:$window,
                       OptionalAttr<Attn_TilingAttr>:$tiling);
  let results = (outs AnyTensor:$output, Optional<AnyTensor>:$lse);

  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`sequences` `(` $querySeqOffsets^ `,` $keySeqOffsets `)`)?
    (`scale` $scale^)? (`causal` $causal^)?
    (`window` $window^)? attr-dict `:` type($query) `,` type($key) `,`
    type($value) (`,` type($querySeqOffsets)^ `,` type($keySeqOffsets))?
    `->` type(results)
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = Attn_ProblemAccessors # [{
    bool isBackward() { return false; }
    /// Whether Q, K and V pack sequences of different lengths (`sequences`).
    bool hasSequences() { return getQuerySeqOffsets() != nullptr; }
    /// The window's sides; none when unbounded (-1) or without a window.
    ::std::optional<int64_t> getWindowLeft() {
      if (!getWindow() || (*getWindow())[0] < 0)
        return ::std::nullopt;
      return (*getWindow())[0];
    }
    ::std::optional<int64_t> getWindowRight() {
      if (!getWindow() || (*getWindow())[1] < 0)
        return ::std::nullopt;
      return (*getWindow())[1];
    }
  }];
}

def Attn_AttentionBackwardOp : Attn_Op<"attention_backward",
    [Pure, Attn_ProblemOpInterface]> {
  let summary = "gradients of attn.attention: dQ, dK, dV from dO";
  let description = [{
    The backward pass of `O = softmax(Q·Kᵀ·scale)·V`: given the gradient
    `grad_output` (dO) of a loss with respect to O, returns its gradients
    with respect to Q, K and V. It takes what the forward had and made: Q,
    K, V, the output O and the per-row logsumexp `lse` of the forward's
    second result (so the probabilities P = exp(Q·Kᵀ·scale − lse) can be
    rebuilt without a second softmax):

        dV = Pᵀ·dO     dP = dO·Vᵀ     dS = P ∘ (dP − rowsum(dO ∘ O))
        dQ = scale·dS·K                dK = scale·dSᵀ·Q

    dO, Q, K, V, O and the three results are static rank-4 tensors
    `[B, H, N, D]` of one element type (f16, bf16 or f32); `lse` is
    `tensor<BxHxNxf32>`. (The backward takes K and V of Q's shape only, so
    far: Hkv = H, Nk = Nq.) `scale` and `causal` must be those of the forward
    (scale defaults to 1/√D). `tiling`, set by `attn-select-tiling`: block_n
    keys per program (the dK and dV rows it owns), block_m query rows per
    loop step.

    ```mlir
    %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse causal
        : tensor<2x4x128x64xbf16>, tensor<2x4x128x64xbf16>,
          tensor<2x4x128x64xbf16>, tensor<2x4x128x64xbf16>,
          tensor<2x4x128x64xbf16>, tensor<2x4x128xf32>
        -> tensor<2x4x128x64xbf16>, tensor<2x4x128x64xbf16>,
           tensor<2x4x128x64xbf16>
    ```
  }];

  let arguments = (ins AnyTensor:$grad_output, AnyTensor:$query,
                       AnyTensor:$key, AnyTensor:$value, AnyTensor:$output,
                       AnyTensor:$lse, OptionalAttr<F32Attr>:$scale,
                       UnitAttr:$causal,
                       OptionalAttr<Attn_TilingAttr>:$tiling);
  let results = (outs AnyTensor:$grad_query, AnyTensor:$grad_key,
                      AnyTensor:$grad_value);

  let assemblyFormat = [{
    $grad_output `,` $query `,` $key `,` $value `,` $output `,` $lse
    (`scale` $scale^)? (`causal` $causal^)? attr-dict `:` type($grad_output)
    `,` type($query) `,` type($key) `,` type($value) `,` type($output) `,`
    type($lse) `->` type(results)
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = Attn_ProblemAccessors # [{
    bool isBackward() { return true; }
    ::std::optional<int64_t> getWindowLeft() { return ::std::nullopt; }
    ::std::optional<int64_t> getWindowRight() { return ::std::nullopt; }
  }];
}

#endif // ATTN_DIALECT_ATTN_OPS
