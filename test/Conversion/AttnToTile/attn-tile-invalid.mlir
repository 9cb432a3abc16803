// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/wrong-pipeline.mlir -attn-select-tiling="pipeline=unfused" -attn-tile -verify-diagnostics
// RUN: attn-opt %t/wrong-pipeline-unfused.mlir -attn-select-tiling -attn-tile-unfused -verify-diagnostics
// RUN: attn-opt %t/wrong-rung.mlir -attn-tile -verify-diagnostics
// RUN: attn-opt %t/wrong-rung.mlir -attn-tile-unfused -verify-diagnostics

// The tiling passes read each op's #attn.tiling: one chosen for the other
// pipeline is refused, and a module with no attn.attention is the wrong
// rung. (The rules of the tiling itself: Dialect/Attn/select-tiling-invalid.)

//--- wrong-pipeline.mlir

func.func @attention(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{was selected for the unfused pipeline, not the fused one}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- wrong-pipeline-unfused.mlir

func.func @attention(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{was selected for the fused pipeline, not the unfused one}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- wrong-rung.mlir

// expected-error @below {{the module holds no attn.attention or attn.attention_backward (the pass runs on rung 1)}}
module {
  func.func @nothing() {
    return
  }
}
