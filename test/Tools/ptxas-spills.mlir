// REQUIRES: ptxas
// RUN: attn-compile --shape 1x2x256x64 --dtype f16 -o %t.f16.d64.ptx | FileCheck %s --check-prefix=FUSED
// RUN: attn-compile --shape 1x2x256x64 --dtype bf16 -o %t.bf16.d64.ptx | FileCheck %s --check-prefix=FUSED
// RUN: attn-compile --shape 1x2x256x128 --dtype f16 -o %t.f16.d128.ptx | FileCheck %s --check-prefix=FUSED
// RUN: attn-compile --shape 1x2x256x128 --dtype bf16 -o %t.bf16.d128.ptx | FileCheck %s --check-prefix=FUSED
// RUN: attn-compile --shape 1x2x256x64 --dtype f16 --causal --lse -o %t.f16.lse.ptx | FileCheck %s --check-prefix=FUSED
// RUN: attn-compile --pipeline unfused --shape 1x2x256x64 --dtype f16 -o %t.u.f16.d64.ptx | FileCheck %s --check-prefix=UNFUSED
// RUN: attn-compile --pipeline unfused --shape 1x2x256x64 --dtype bf16 -o %t.u.bf16.d64.ptx | FileCheck %s --check-prefix=UNFUSED
// RUN: attn-compile --pipeline unfused --shape 1x2x256x128 --dtype f16 -o %t.u.f16.d128.ptx | FileCheck %s --check-prefix=UNFUSED
// RUN: attn-compile --pipeline unfused --shape 1x2x256x128 --dtype bf16 -o %t.u.bf16.d128.ptx | FileCheck %s --check-prefix=UNFUSED

// The default configurations keep every kernel in registers: ptxas
// (-O3, sm_90) reports no spill stores or loads.

// FUSED: fused: 1 kernel(s)
// FUSED-NEXT: ptxas attn_fwd: spill stores 0 B, spill loads 0 B, registers {{[0-9]+}}
// FUSED-NOT: ptxas

// UNFUSED: unfused: 3 kernel(s)
// UNFUSED-DAG: ptxas attn_scores: spill stores 0 B, spill loads 0 B, registers {{[0-9]+}}
// UNFUSED-DAG: ptxas attn_softmax: spill stores 0 B, spill loads 0 B, registers {{[0-9]+}}
// UNFUSED-DAG: ptxas attn_pv: spill stores 0 B, spill loads 0 B, registers {{[0-9]+}}
