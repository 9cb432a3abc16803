// RUN: attn-opt %s --attn-report-cost="gpu=v100" -verify-diagnostics -o /dev/null
// RUN: not attn-opt %s --attn-report-cost="gpu=custom peak-tflops=100" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CUSTOM
// RUN: not attn-opt %s --attn-report-cost="pipeline=fancy" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: not attn-opt %s --attn-select-tiling="block-m=48" --attn-report-cost -o /dev/null 2>&1 | FileCheck %s --check-prefix=CONFIG
// RUN: not attn-opt %s --attn-select-tiling="pipeline=unfused" --attn-report-cost="pipeline=fused" -o /dev/null 2>&1 | FileCheck %s --check-prefix=OTHER
// RUN: not attn-opt %s --attn-fused-pipeline="stop-after=tiled" --attn-report-cost -o /dev/null 2>&1 | FileCheck %s --check-prefix=RUNG

// The options are checked before anything is printed; a tile configuration
// the pipelines would reject is rejected where it is selected, with the
// same diagnostic; the report reads rung 1.

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
// CONFIG: error: block-m 48 must be a multiple of 16 x num-warps (64) and at most 256
// OTHER: error: the op's tiling #attn.tiling<unfused, {{.*}}> is for the unfused pipeline; pipeline=fused does not report it
// RUNG: error: attn-report-cost: the module holds no attn.attention or attn.attention_backward (the report reads rung 1)
