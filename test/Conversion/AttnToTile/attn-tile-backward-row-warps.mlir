// RUN: attn-opt %s -attn-select-tiling="block-m=48 num-warps=4" -attn-tile | FileCheck %s --check-prefix=M48

// Block-m 48 on 4 warps (D = 64 fills them, so dQ is transposed): the
// kernels whose tiles are 48 query rows run on the most warps whose 16-row
// atoms divide 48, one.
// M48-LABEL: func.func private @attn_bwd_preprocess
// M48-SAME:    warps = 1, block_m = 48
// M48-LABEL: func.func private @attn_bwd_dkdv
// M48-SAME:    warps = 4, block_m = 48, block_n = 128
// M48:         tile.atomic_add {{.*}} transpose
// M48-LABEL: func.func private @attn_bwd_dq_convert
// M48-SAME:    warps = 1, block_m = 48
func.func @d64(%do: tensor<1x2x100x64xf16>, %q: tensor<1x2x100x64xf16>, %k: tensor<1x2x100x64xf16>, %v: tensor<1x2x100x64xf16>, %o: tensor<1x2x100x64xf16>, %lse: tensor<1x2x100xf32>) -> (tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100xf32> -> tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>
  return %dq, %dk, %dv : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>
}
