// attn-compile and attn-cpu-run take the pipeline options as flags and
// refuse bad ones exactly as the pipelines do: one error line, status 1.

// RUN: not attn-compile %s --chip sm_75 -o %t.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-CHIP --implicit-check-not='{{.}}'
// COMPILE-CHIP: {{^.*}}attn-compile: error: chip=sm_75: not a valid value: use sm_80, sm_86, sm_89, sm_90 or sm_90a{{.*$}}
// RUN: not attn-compile %s --chip sm_100 -o %t.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-SM100 --implicit-check-not='{{.}}'
// COMPILE-SM100: {{^.*}}attn-compile: error: chip=sm_100: not a valid value{{.*$}}
// RUN: not attn-compile %s --chip garbage -o %t.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-GARBAGE --implicit-check-not='{{.}}'
// COMPILE-GARBAGE: {{^.*}}attn-compile: error: chip=garbage: not a valid value{{.*$}}
// RUN: not attn-compile %s --block-m abc -o %t.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-INT --implicit-check-not='{{.}}'
// COMPILE-INT: {{^.*}}attn-compile: error: block-m=abc: not an integer{{.*$}}
// RUN: not attn-compile %s --block-n 100000 -o %t.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-HUGE --implicit-check-not='{{.}}'
// COMPILE-HUGE: {{^.*}}attn-compile: error: block-n=100000: must be 0 (the default) or a multiple of 16 in [16, 256]{{.*$}}
// RUN: not attn-compile %s --num-stages 100 -o %t.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-STAGES --implicit-check-not='{{.}}'
// COMPILE-STAGES: {{^.*}}attn-compile: error: num-stages=100: must be 0 (the default, 2) or in [1, 8]{{.*$}}
// libLLVM's codegen flags of the same names are not the pipelines' stop-after.
// RUN: not attn-compile %s --stop-after=layouts -o %t.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-STOP --implicit-check-not='{{.}}'
// COMPILE-STOP: {{^.*}}attn-compile: error: Unknown command line argument '--stop-after=layouts'.{{.*$}}
// RUN: not attn-compile %s --start-before=foo -o %t.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-START --implicit-check-not='{{.}}'
// COMPILE-START: {{^.*}}attn-compile: error: Unknown command line argument '--start-before=foo'.{{.*$}}
// RUN: not attn-opt %s --stop-after=layouts --attn-fused-pipeline 2>&1 | FileCheck %s --check-prefix=OPT-STOP
// OPT-STOP: attn-opt: Unknown command line argument '--stop-after=layouts'.
// OPT-STOP-NOT: LLVM ERROR
// RUN: not attn-cpu-run %s --stop-before=x 2>&1 | FileCheck %s --check-prefix=CPU-STOP --implicit-check-not='{{.}}'
// CPU-STOP: {{^.*}}attn-cpu-run: error: Unknown command line argument '--stop-before=x'.{{.*$}}

// RUN: not attn-cpu-run %s --chip sm_75 2>&1 | FileCheck %s --check-prefix=CPU-CHIP --implicit-check-not='{{.}}'
// CPU-CHIP: {{^.*}}attn-cpu-run: error: chip=sm_75: not a valid value: use sm_80, sm_86, sm_89, sm_90 or sm_90a{{.*$}}
// RUN: not attn-cpu-run %s --chip sm_100 2>&1 | FileCheck %s --check-prefix=CPU-SM100 --implicit-check-not='{{.}}'
// CPU-SM100: {{^.*}}attn-cpu-run: error: chip=sm_100: not a valid value{{.*$}}
// RUN: not attn-cpu-run %s --chip garbage 2>&1 | FileCheck %s --check-prefix=CPU-GARBAGE --implicit-check-not='{{.}}'
// CPU-GARBAGE: {{^.*}}attn-cpu-run: error: chip=garbage: not a valid value{{.*$}}
// RUN: not attn-cpu-run %s --pipeline both 2>&1 | FileCheck %s --check-prefix=CPU-PIPELINE --implicit-check-not='{{.}}'
// CPU-PIPELINE: {{^.*}}attn-cpu-run: error: pipeline=both: not a valid value: use fused or unfused{{.*$}}
// RUN: not attn-cpu-run %s --rung tiles 2>&1 | FileCheck %s --check-prefix=CPU-RUNG --implicit-check-not='{{.}}'
// CPU-RUNG: {{^.*}}attn-cpu-run: error: rung=tiles: not a valid value: use config, tiled, online, promoted, layouts, gpu, nvvm or ptx{{.*$}}
// RUN: not attn-cpu-run %s --rung gpu 2>&1 | FileCheck %s --check-prefix=CPU-GPU --implicit-check-not='{{.}}'
// CPU-GPU: {{^.*}}attn-cpu-run: error: --rung gpu: the CPU path runs rungs 2-4 only: use tiled, online or promoted{{.*$}}
// RUN: not attn-cpu-run %s --num-warps 3 2>&1 | FileCheck %s --check-prefix=CPU-WARPS --implicit-check-not='{{.}}'
// CPU-WARPS: {{^.*}}attn-cpu-run: error: num-warps=3: must be 0 (the default), 1, 2, 4, 8 or 16{{.*$}}

func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16> -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}
