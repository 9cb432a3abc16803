// The gradient of examples/attention.mlir's attention: dQ, dK, dV from the
// upstream gradient dO, the forward's inputs, its output O and its
// logsumexp. Run it on the CPU against float64 gradients:
//   build/bin/attn-cpu-run examples/attention_backward.mlir
func.func @attention_backward(
    %do: tensor<1x4x256x64xbf16>, %q: tensor<1x4x256x64xbf16>,
    %k: tensor<1x4x256x64xbf16>, %v: tensor<1x4x256x64xbf16>,
    %o: tensor<1x4x256x64xbf16>, %lse: tensor<1x4x256xf32>)
    -> (tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>,
        tensor<1x4x256x64xbf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse causal
      : tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>,
        tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>,
        tensor<1x4x256x64xbf16>, tensor<1x4x256xf32>
      -> tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>,
         tensor<1x4x256x64xbf16>
  return %dq, %dk, %dv : tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>,
                         tensor<1x4x256x64xbf16>
}
