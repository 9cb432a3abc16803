// RUN: attn-opt %s --attn-report-cost="pipeline=unfused" -o /dev/null | FileCheck %s

// The memory wall of standard attention, as the textbook tabulates it.
// One head, d = 64, FP16: Q, K, V, O take 4·N·d·2 bytes together, the
// unfused pipeline's S and P 2·N²·2; S+P's share of the total is rounded to
// a whole percent. Binary units: 1 KB = 1024 B.

// CHECK-LABEL: === attn cost report in @n512: B=1 H=1 N=512 D=64 f16 ===
// CHECK:       memory: Q+K+V+O 256 KB, S+P 1 MB, S+P share of the total 80 %
func.func @n512(%q: tensor<1x1x512x64xf16>) -> tensor<1x1x512x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x1x512x64xf16>, tensor<1x1x512x64xf16>, tensor<1x1x512x64xf16> -> tensor<1x1x512x64xf16>
  return %o : tensor<1x1x512x64xf16>
}

// CHECK-LABEL: === attn cost report in @n1024: B=1 H=1 N=1024 D=64 f16 ===
// CHECK:       memory: Q+K+V+O 512 KB, S+P 4 MB, S+P share of the total 89 %
func.func @n1024(%q: tensor<1x1x1024x64xf16>) -> tensor<1x1x1024x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x1x1024x64xf16>, tensor<1x1x1024x64xf16>, tensor<1x1x1024x64xf16> -> tensor<1x1x1024x64xf16>
  return %o : tensor<1x1x1024x64xf16>
}

// CHECK-LABEL: === attn cost report in @n2048: B=1 H=1 N=2048 D=64 f16 ===
// CHECK:       memory: Q+K+V+O 1 MB, S+P 16 MB, S+P share of the total 94 %
func.func @n2048(%q: tensor<1x1x2048x64xf16>) -> tensor<1x1x2048x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x1x2048x64xf16>, tensor<1x1x2048x64xf16>, tensor<1x1x2048x64xf16> -> tensor<1x1x2048x64xf16>
  return %o : tensor<1x1x2048x64xf16>
}

// CHECK-LABEL: === attn cost report in @n4096: B=1 H=1 N=4096 D=64 f16 ===
// CHECK:       memory: Q+K+V+O 2 MB, S+P 64 MB, S+P share of the total 97 %
func.func @n4096(%q: tensor<1x1x4096x64xf16>) -> tensor<1x1x4096x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x1x4096x64xf16>, tensor<1x1x4096x64xf16>, tensor<1x1x4096x64xf16> -> tensor<1x1x4096x64xf16>
  return %o : tensor<1x1x4096x64xf16>
}

// CHECK-LABEL: === attn cost report in @n8192: B=1 H=1 N=8192 D=64 f16 ===
// CHECK:       memory: Q+K+V+O 4 MB, S+P 256 MB, S+P share of the total 98 %
func.func @n8192(%q: tensor<1x1x8192x64xf16>) -> tensor<1x1x8192x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x1x8192x64xf16>, tensor<1x1x8192x64xf16>, tensor<1x1x8192x64xf16> -> tensor<1x1x8192x64xf16>
  return %o : tensor<1x1x8192x64xf16>
}

// CHECK-LABEL: === attn cost report in @n16384: B=1 H=1 N=16384 D=64 f16 ===
// CHECK:       memory: Q+K+V+O 8 MB, S+P 1 GB, S+P share of the total 99 %
func.func @n16384(%q: tensor<1x1x16384x64xf16>) -> tensor<1x1x16384x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x1x16384x64xf16>, tensor<1x1x16384x64xf16>, tensor<1x1x16384x64xf16> -> tensor<1x1x16384x64xf16>
  return %o : tensor<1x1x16384x64xf16>
}

// Multi-head: S and P take 4·H·N² bytes per batch element in FP16, and the
// runtime holds both for the whole pipeline (the total row's intermediate
// column).

// CHECK-LABEL: === attn cost report in @b1_h12_n2048: B=1 H=12 N=2048 D=64 f16 ===
// CHECK:       S+P 192 MB,
// CHECK:       total {{.*}} 192 MB {{[0-9.]+}} memory
func.func @b1_h12_n2048(%q: tensor<1x12x2048x64xf16>) -> tensor<1x12x2048x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x12x2048x64xf16>, tensor<1x12x2048x64xf16>, tensor<1x12x2048x64xf16> -> tensor<1x12x2048x64xf16>
  return %o : tensor<1x12x2048x64xf16>
}

// CHECK-LABEL: === attn cost report in @b1_h12_n4096: B=1 H=12 N=4096 D=64 f16 ===
// CHECK:       S+P 768 MB,
// CHECK:       total {{.*}} 768 MB {{[0-9.]+}} memory
func.func @b1_h12_n4096(%q: tensor<1x12x4096x64xf16>) -> tensor<1x12x4096x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x12x4096x64xf16>, tensor<1x12x4096x64xf16>, tensor<1x12x4096x64xf16> -> tensor<1x12x4096x64xf16>
  return %o : tensor<1x12x4096x64xf16>
}

// CHECK-LABEL: === attn cost report in @b1_h12_n8192: B=1 H=12 N=8192 D=64 f16 ===
// CHECK:       S+P 3 GB,
// CHECK:       total {{.*}} 3 GB {{[0-9.]+}} memory
func.func @b1_h12_n8192(%q: tensor<1x12x8192x64xf16>) -> tensor<1x12x8192x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x12x8192x64xf16>, tensor<1x12x8192x64xf16>, tensor<1x12x8192x64xf16> -> tensor<1x12x8192x64xf16>
  return %o : tensor<1x12x8192x64xf16>
}

// CHECK-LABEL: === attn cost report in @b8_h12_n2048: B=8 H=12 N=2048 D=64 f16 ===
// CHECK:       S+P 1.5 GB,
// CHECK:       total {{.*}} 1.5 GB {{[0-9.]+}} memory
func.func @b8_h12_n2048(%q: tensor<8x12x2048x64xf16>) -> tensor<8x12x2048x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<8x12x2048x64xf16>, tensor<8x12x2048x64xf16>, tensor<8x12x2048x64xf16> -> tensor<8x12x2048x64xf16>
  return %o : tensor<8x12x2048x64xf16>
}

// CHECK-LABEL: === attn cost report in @b8_h12_n4096: B=8 H=12 N=4096 D=64 f16 ===
// CHECK:       S+P 6 GB,
// CHECK:       total {{.*}} 6 GB {{[0-9.]+}} memory
func.func @b8_h12_n4096(%q: tensor<8x12x4096x64xf16>) -> tensor<8x12x4096x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<8x12x4096x64xf16>, tensor<8x12x4096x64xf16>, tensor<8x12x4096x64xf16> -> tensor<8x12x4096x64xf16>
  return %o : tensor<8x12x4096x64xf16>
}
