// RUN: attn-opt %s --attn-report-cost="gpu=a100 pipeline=unfused" -o /dev/null | FileCheck %s --check-prefixes=CHECK,A100
// RUN: attn-opt %s --attn-report-cost="gpu=h100 pipeline=unfused" -o /dev/null | FileCheck %s --check-prefixes=CHECK,H100

// Arithmetic intensity of the three unfused steps for N ≫ d (here
// N = 262144 = 4096·d, one head, FP16), against the GPUs' balance points
// (peak / bandwidth). Per head:
//   S = Q·Kᵀ     2N²d FLOPs over 2·N·d·2 + N²·2 bytes  -> d·N/(N + 2d) ≈ d
//   softmax      5N² FLOPs over N²·2 read + N²·2 written -> 1.25
//   O = P·V      2N²d FLOPs over N²·2 + 2·N·d·2 bytes  -> ≈ d
// All three sit far below either balance point: memory-bound.

// CHECK-LABEL: === attn cost report in @d64: B=1 H=1 N=262144 D=64 f16 ===
// A100-NEXT:   GPU a100: 312 TFLOP/s, 2 TB/s, balance point 156 FLOP/B
// H100-NEXT:   GPU h100: 990 TFLOP/s, 3.35 TB/s, balance point 296 FLOP/B
// CHECK:       unfused pipeline:
// CHECK:       kernel FLOPs read written interm. FLOP/B bound time
// CHECK-NEXT:  attn_scores {{.*}} 64.0 memory
// CHECK-NEXT:  attn_softmax {{.*}} 1.25 memory
// CHECK-NEXT:  attn_pv {{.*}} 64.0 memory
// CHECK-NEXT:  total {{.*}} memory
func.func @d64(%q: tensor<1x1x262144x64xf16>) -> tensor<1x1x262144x64xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x1x262144x64xf16>, tensor<1x1x262144x64xf16>, tensor<1x1x262144x64xf16>
      -> tensor<1x1x262144x64xf16>
  return %o : tensor<1x1x262144x64xf16>
}

// The same with d = 128: ≈ 128 FLOP/B, still below 156 and 296.

// CHECK-LABEL: === attn cost report in @d128: B=1 H=1 N=262144 D=128 f16 ===
// CHECK:       attn_scores {{.*}} 128 memory
// CHECK-NEXT:  attn_softmax {{.*}} 1.25 memory
// CHECK-NEXT:  attn_pv {{.*}} 128 memory
func.func @d128(%q: tensor<1x1x262144x128xf16>) -> tensor<1x1x262144x128xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x1x262144x128xf16>, tensor<1x1x262144x128xf16>, tensor<1x1x262144x128xf16>
      -> tensor<1x1x262144x128xf16>
  return %o : tensor<1x1x262144x128xf16>
}
