// Bad pipeline options are one error line naming the option, the value and
// the rule (the valid values of an enumeration), before any pass runs.

// RUN: not attn-opt %s --attn-fused-pipeline="chip=sm_75" 2>&1 | FileCheck %s --check-prefix=SM75 --implicit-check-not='{{.}}'
// SM75: {{^.*}}error: chip=sm_75: not a valid value: use sm_80, sm_86, sm_89, sm_90 or sm_90a{{.*$}}

// RUN: not attn-opt %s --attn-unfused-pipeline="chip=sm_100" 2>&1 | FileCheck %s --check-prefix=SM100 --implicit-check-not='{{.}}'
// SM100: {{^.*}}error: chip=sm_100: not a valid value: use sm_80, sm_86, sm_89, sm_90 or sm_90a{{.*$}}

// RUN: not attn-opt %s --attn-fused-pipeline="chip=garbage" 2>&1 | FileCheck %s --check-prefix=GARBAGE --implicit-check-not='{{.}}'
// GARBAGE: {{^.*}}error: chip=garbage: not a valid value: use sm_80{{.*$}}

// RUN: not attn-opt %s --attn-fused-pipeline="chip=" 2>&1 | FileCheck %s --check-prefix=EMPTY --implicit-check-not='{{.}}'
// EMPTY: {{^.*}}error: chip=: not a valid value: use sm_80{{.*$}}

// RUN: not attn-opt %s --attn-fused-pipeline="stop-after=tiles" 2>&1 | FileCheck %s --check-prefix=STOP --implicit-check-not='{{.}}'
// STOP: {{^.*}}error: stop-after=tiles: not a valid value: use config, tiled, online, promoted, layouts, gpu, nvvm or ptx{{.*$}}

// RUN: not attn-opt %s --attn-fused-pipeline="bogus=1" 2>&1 | FileCheck %s --check-prefix=UNKNOWN --implicit-check-not='{{.}}'
// UNKNOWN: {{^.*}}error: unknown option 'bogus'; the options are async-products, block-m, block-n, chip, deterministic, mma, num-stages, num-warps, overlap-softmax, peel-masked-steps, pingpong, split-keys, stop-after, testing-skip-delta, testing-skip-rescale{{.*$}}

// RUN: not attn-opt %s --attn-fused-pipeline="block-m=abc" 2>&1 | FileCheck %s --check-prefix=NOTINT --implicit-check-not='{{.}}'
// NOTINT: {{^.*}}error: block-m=abc: not an integer{{.*$}}

// RUN: not attn-opt %s --attn-fused-pipeline="block-n=100000" 2>&1 | FileCheck %s --check-prefix=HUGE --implicit-check-not='{{.}}'
// HUGE: {{^.*}}error: block-n=100000: must be 0 (the default) or a multiple of 16 in [16, 256]{{.*$}}

// RUN: not attn-opt %s --attn-fused-pipeline="num-warps=3" 2>&1 | FileCheck %s --check-prefix=WARPS --implicit-check-not='{{.}}'
// WARPS: {{^.*}}error: num-warps=3: must be 0 (the default), 1, 2, 4, 8 or 16{{.*$}}

// RUN: not attn-opt %s --attn-unfused-pipeline="num-stages=100" 2>&1 | FileCheck %s --check-prefix=STAGES --implicit-check-not='{{.}}'
// STAGES: {{^.*}}error: num-stages=100: must be 0 (the default, 2) or in [1, 8]{{.*$}}

func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16> -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}
