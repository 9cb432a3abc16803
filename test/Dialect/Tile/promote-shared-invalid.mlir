// RUN: attn-opt %s -attn-promote-shared -verify-diagnostics

// The pass promotes the loads of tile kernels; a module without any is run
// on the wrong rung.

// expected-error @below {{attn-promote-shared: the module holds no tile kernel (the pass runs on rungs 2-3, after attn-tile)}}
module {
func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}
}
