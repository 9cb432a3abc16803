// RUN: attn-opt %s --attn-report-cost -o /dev/null | FileCheck %s
// RUN: attn-opt %s --attn-report-cost="pipeline=unfused" -o /dev/null | FileCheck %s --check-prefix=UNFUSED

// The cost of the gradient. B=1, H=4, N=256, D=64, bf16, causal.
// Fused (the defaults: block-m 128, block-n 128): the key-block programs
// visit 128·(128+256) = 49152 (query, key) pairs per head, 10d + 5 = 645
// FLOPs each (five products: 2.5 times the forward's 4d): 4·49152·645 =
// 126.8 MFLOP; its extra memory is δ and dQ's f32 accumulator,
// 4·256·(1 + 64)·4 B = 260 KB. Unfused: P, dP and dS are 4·256²·2 B = 512 KB
// each, and every product is the full 2·4·256²·64 = 33.6 MFLOP.

// CHECK:      === attn cost report in @attention_backward: backward, B=1 H=4 N=256 D=64 bf16, causal ===
// CHECK:      memory: Q+K+V+O+dO+dQ+dK+dV 1 MB; unfused P+dP+dS 1.5 MB (60 % of the total); fused δ + dQ accumulator 260 KB (KB = 1024 B)
// CHECK-NEXT: fused pipeline: block-m 128, block-n 128, num-warps 8, num-stages 2
// CHECK-NEXT:   P recomputed on chip from Q, K and lse
// CHECK-NEXT:   kernel FLOPs read written interm. FLOP/B bound time
// CHECK-NEXT:   attn_bwd_preprocess 131 kFLOP 256 KB 260 KB 260 KB
// CHECK-NEXT:   attn_bwd_dkdv 127 MFLOP {{.*}} 260 KB
// CHECK-NEXT:   attn_bwd_dq_convert 65.5 kFLOP 256 KB 128 KB
// CHECK-NEXT:   total 127 MFLOP {{.*}} 260 KB
// CHECK-NEXT: unfused pipeline: block-m 128, block-n 64, num-warps 8
// CHECK-NEXT:   P, dP and dS ([B,H,N,N]) are written to and read back from device memory
// CHECK:        total 170 MFLOP {{.*}} 1.5 MB
// CHECK-NEXT: unfused / fused: {{[0-9.]+}}x the time

// UNFUSED:      attn_bwd_probs 34.9 MFLOP 260 KB 512 KB 512 KB
// UNFUSED-NEXT: attn_bwd_dv 33.6 MFLOP 640 KB 128 KB 512 KB
// UNFUSED-NEXT: attn_bwd_dp 33.6 MFLOP 256 KB 512 KB 1 MB
// UNFUSED-NEXT: attn_bwd_delta 524 kFLOP 1 MB 4 KB 1 MB
// UNFUSED-NEXT: attn_bwd_ds 524 kFLOP 1 MB 512 KB 1.5 MB
// UNFUSED-NEXT: attn_bwd_dq 33.6 MFLOP 640 KB 128 KB 1.5 MB
// UNFUSED-NEXT: attn_bwd_dk 33.6 MFLOP 640 KB 128 KB 1.5 MB
// UNFUSED-NEXT: total 170 MFLOP 4.38 MB 1.88 MB 1.5 MB

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
