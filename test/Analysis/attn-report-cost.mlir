// RUN: attn-opt %s --attn-report-cost -o /dev/null | FileCheck %s
// RUN: attn-opt %s --attn-select-tiling="block-m=64 block-n=32 num-warps=4 num-stages=3" --attn-report-cost -o /dev/null | FileCheck %s --check-prefix=OPTS
// RUN: attn-opt %s --attn-fused-pipeline="block-m=64 block-n=32 num-warps=4 num-stages=3 stop-after=config" --attn-report-cost -o /dev/null | FileCheck %s --check-prefix=OPTS
// RUN: attn-opt %s --attn-report-cost="gpu=custom peak-tflops=100 bandwidth-tbps=3" -o /dev/null | FileCheck %s --check-prefix=CUSTOM
// RUN: attn-opt %s --attn-report-cost="gpu=a100 peak-tflops=624" -o /dev/null | FileCheck %s --check-prefix=USER
// RUN: attn-opt %s --attn-report-cost | FileCheck %s --check-prefix=IR
// RUN: attn-opt %S/../../examples/attention.mlir --attn-report-cost -o /dev/null | FileCheck %s --check-prefix=EXAMPLE

// attn-report-cost prints, for each attn.attention, the GPU model, the
// memory of Q+K+V+O against the unfused pipeline's S+P, and per pipeline a
// table: one row per kernel and a total.

// B=1, H=2, N=256, D=64, f16 (2 bytes). Fused: block-m 128, so 2 Q blocks
// each re-read K and V (64 KB per head): 2·(32 KB Q + 2·64 KB) = 320 KB
// read, O 64 KB written; FLOPs (4·64+5)·256²·2 = 34.2 M. M = (128 + 2·2·64)
// rows of 64·2+16 bytes = 55296 B, the kernel's shared memory.

// CHECK-LABEL: === attn cost report in @small: B=1 H=2 N=256 D=64 f16 ===
// CHECK-NEXT:  GPU h100: 990 TFLOP/s, 3.35 TB/s, balance point 296 FLOP/B
// CHECK-NEXT:  memory: Q+K+V+O 256 KB, S+P 512 KB, S+P share of the total 67 % (KB = 1024 B)
// CHECK-NEXT:  fused pipeline: block-m 128, block-n 64, num-warps 4, num-stages 2; on-chip M = 54 KB (55296 B)
// CHECK-NEXT:    HBM bytes = Q + O + ceil(N/block-m)·(K + V) per head, i.e. Θ(N²d²/M)
// CHECK-NEXT:    kernel FLOPs read written interm. FLOP/B bound time
// CHECK-NEXT:    attn_fwd 34.2 MFLOP 320 KB 64 KB 0 B 87.0 memory 117 ns
// CHECK-NEXT:    total 34.2 MFLOP 320 KB 64 KB 0 B 87.0 memory 117 ns
// CHECK-NEXT:  unfused pipeline: block-m 128, block-n 64, num-warps 8
// CHECK-NEXT:    S and P ([B,H,N,N]) are written to and read back from device memory
// CHECK-NEXT:    kernel FLOPs read written interm. FLOP/B bound time
// CHECK-NEXT:    attn_scores 16.8 MFLOP 128 KB 256 KB 256 KB 42.7 memory 117 ns
// CHECK-NEXT:    attn_softmax 655 kFLOP 256 KB 256 KB 512 KB 1.25 memory 157 ns
// CHECK-NEXT:    attn_pv 16.8 MFLOP 320 KB 64 KB 256 KB 42.7 memory 117 ns
// CHECK-NEXT:    total 34.2 MFLOP 704 KB 576 KB 512 KB 26.1 memory 391 ns
// CHECK-NEXT:  unfused / fused: 3.33x the time, 3.33x the device-memory traffic

// OPTS-LABEL: === attn cost report in @small:
// OPTS:        fused pipeline: block-m 64, block-n 32, num-warps 4, num-stages 3; on-chip M = 36 KB (36864 B)
// OPTS:          attn_fwd 34.2 MFLOP 576 KB 64 KB 0 B 52.2 memory 196 ns
// OPTS-NOT:    unfused pipeline

// A GPU with a low balance point (100 TFLOP/s over 3 TB/s = 33 FLOP/B):
// the matrix products become compute-bound, the softmax stays memory-bound.
// CUSTOM-LABEL: === attn cost report in @small:
// CUSTOM-NEXT:  GPU custom: 100 TFLOP/s, 3 TB/s, balance point 33 FLOP/B
// CUSTOM:         attn_fwd 34.2 MFLOP 320 KB 64 KB 0 B 87.0 compute 342 ns
// CUSTOM:         attn_scores {{.*}} 42.7 compute 168 ns
// CUSTOM-NEXT:    attn_softmax {{.*}} 1.25 memory 175 ns
// CUSTOM-NEXT:    attn_pv {{.*}} 42.7 compute 168 ns
// CUSTOM-NEXT:    total {{.*}} 26.1 mixed 510 ns
// CUSTOM-NEXT:  unfused / fused: 1.49x the time, 3.33x the device-memory traffic

// USER: GPU a100 (user figures): 624 TFLOP/s, 2 TB/s, balance point 312 FLOP/B

// The IR is left as it is.
// IR: func.func @small
// IR:   attn.attention

func.func @small(%q: tensor<1x2x256x64xf16>) -> tensor<1x2x256x64xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>
      -> tensor<1x2x256x64xf16>
  return %o : tensor<1x2x256x64xf16>
}

// Causal, ragged N = 1000, D = 128, bf16, with the logsumexp. Block i of
// 128 query rows reads K/V rows up to min(N, 128·(i+1)) rounded up to
// block-n 32: 128 + 256 + ... + 896 + 1000 = 4584 rows per head, so
// 8·(4584·2·128·2 B) + Q 2048000 B = 19.9 MB read; O plus the f32 lse
// (32000 B) written. The unfused pipeline cannot produce the lse.

// CHECK-LABEL: === attn cost report in @causal_lse: B=2 H=4 N=1000 D=128 bf16, causal, lse ===
// CHECK:       memory: Q+K+V+O 7.81 MB, S+P 30.5 MB, S+P share of the total 80 % (KB = 1024 B)
// CHECK-NEXT:  fused pipeline: block-m 128, block-n 32, num-warps 4, num-stages 2; on-chip M = 68 KB (69632 B)
// CHECK-NEXT:    HBM bytes = Q + O + ceil(N/block-m)·(K + V) per head (causal: K/V up to each block's last row), i.e. Θ(N²d²/M)
// CHECK-NEXT:    kernel
// CHECK-NEXT:    attn_fwd 2.33 GFLOP 19.9 MB 1.98 MB 0 B 102 memory 6.84 us
// CHECK-NEXT:    total
// CHECK-NEXT:  unfused pipeline: not reported; it does not produce the logsumexp result
func.func @causal_lse(%q: tensor<2x4x1000x128xbf16>) -> (tensor<2x4x1000x128xbf16>, tensor<2x4x1000xf32>) {
  %o, %lse = attn.attention %q, %q, %q causal
      : tensor<2x4x1000x128xbf16>, tensor<2x4x1000x128xbf16>, tensor<2x4x1000x128xbf16>
      -> tensor<2x4x1000x128xbf16>, tensor<2x4x1000xf32>
  return %o, %lse : tensor<2x4x1000x128xbf16>, tensor<2x4x1000xf32>
}

// The README's example.
// EXAMPLE:      === attn cost report in @attention: B=2 H=4 N=1000 D=64 bf16, causal ===
// EXAMPLE:      attn_fwd 1.18 GFLOP 9.93 MB 0.977 MB 0 B 103 memory 3.41 us
// EXAMPLE:      attn_softmax 40 MFLOP 15.3 MB 15.3 MB 30.5 MB 1.25 memory 9.55 us
// EXAMPLE:      unfused / fused: 5.95x the time, 5.95x the device-memory traffic
