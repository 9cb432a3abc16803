// Causal self-attention over 2 batches x 4 heads, 1000 tokens, head dim 64,
// in bf16: the main job's example. Compile it with either pipeline:
//   attn-opt --attn-fused-pipeline examples/attention.mlir
//   attn-opt --attn-unfused-pipeline examples/attention.mlir
func.func @attention(%q: tensor<2x4x1000x64xbf16>, %k: tensor<2x4x1000x64xbf16>,
                     %v: tensor<2x4x1000x64xbf16>) -> tensor<2x4x1000x64xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<2x4x1000x64xbf16>, tensor<2x4x1000x64xbf16>, tensor<2x4x1000x64xbf16>
      -> tensor<2x4x1000x64xbf16>
  return %o : tensor<2x4x1000x64xbf16>
}
