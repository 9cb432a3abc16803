// RUN: attn-opt %s --attn-report-cost="gpu=v100" -verify-diagnostics -o /dev/null
// RUN: not attn-opt %s --attn-report-cost="gpu=custom peak-tflops=100" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CUSTOM
// RUN: not attn-opt %s --attn-report-cost="pipeline=fancy" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: not attn-opt %s --attn-report-cost="num-stages=0" -o /dev/null 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not attn-opt %s --attn-report-cost="block-m=48" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CONFIG

// The options are checked before anything is printed; a tile configuration
// the pipelines would reject is rejected with the same diagnostic.

// expected-error @below {{unknown gpu 'v100'; expected a100, h100 or custom}}
module {
func.func @f(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}
}

// CUSTOM: error: gpu=custom needs peak-tflops= and bandwidth-tbps=
// PIPELINE: error: unknown pipeline 'fancy'; expected fused, unfused or both
// STAGES: error: num-stages must be at least 1, got 0
// CONFIG: error: block-m 48 must be a positive multiple of 16 x num-warps (64)
