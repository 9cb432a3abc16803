// attn-cpu-run checks what it would allocate and compute before it starts,
// and refuses bounds that cannot be met or mean nothing: one error line.

// RUN: not attn-cpu-run --shape 1x4294967296x64x64 2>&1 | FileCheck %s --check-prefix=HUGE --implicit-check-not='{{.}}'
// HUGE: {{^}}attn-cpu-run: error: B=1 H=4294967296 N=64 D=64 (unfused: S and P hold B*H*N^2 elements each) needs {{.*}} TiB of host memory; the CPU run allows 4.0 GiB: reduce H = 4294967296{{$}}
// RUN: not attn-cpu-run --shape 1x4294967296x64x64 --pipeline fused 2>&1 | FileCheck %s --check-prefix=HUGE-FUSED --implicit-check-not='{{.}}'
// HUGE-FUSED: {{^}}attn-cpu-run: error: B=1 H=4294967296 N=64 D=64 needs {{.*}} of host memory; the CPU run allows 4.0 GiB: reduce H = 4294967296{{$}}
// RUN: not attn-cpu-run --shape 1x1x100000x64 2>&1 | FileCheck %s --check-prefix=SP --implicit-check-not='{{.}}'
// SP: {{^}}attn-cpu-run: error: B=1 H=1 N=100000 D=64 (unfused: S and P hold B*H*N^2 elements each) needs 37.5 GiB of host memory; the CPU run allows 4.0 GiB: reduce N = 100000{{$}}
// RUN: not attn-cpu-run %s --pipeline fused 2>&1 | FileCheck %s --check-prefix=FILE --implicit-check-not='{{.}}'
// FILE: {{^}}attn-cpu-run: error: B=2 H=1 N=4611686018427387904 D=64 needs {{.*}} of host memory; the CPU run allows 4.0 GiB: reduce N = 4611686018427387904{{$}}
// RUN: not attn-cpu-run --shape 1x1x100000x64 --pipeline fused 2>&1 | FileCheck %s --check-prefix=WORK --implicit-check-not='{{.}}'
// WORK: {{^}}attn-cpu-run: error: B=1 H=1 N=100000 D=64 is 6.40e+11 multiply-adds (B*H*N^2*D); the CPU run allows 1.72e+10 (--max-work): reduce N = 100000{{$}}

// RUN: not attn-cpu-run --shape 1x1x64x64 --bound nan 2>&1 | FileCheck %s --check-prefix=NAN --implicit-check-not='{{.}}'
// NAN: {{^}}attn-cpu-run: error: --bound=nan: must be a positive number (0: the default by type){{$}}
// RUN: not attn-cpu-run --shape 1x1x64x64 --bound -1 2>&1 | FileCheck %s --check-prefix=NEG --implicit-check-not='{{.}}'
// NEG: {{^}}attn-cpu-run: error: --bound=-1: must be a positive number (0: the default by type){{$}}
// RUN: not attn-cpu-run --shape 1x1x64x64 --bound inf 2>&1 | FileCheck %s --check-prefix=INF --implicit-check-not='{{.}}'
// INF: {{^}}attn-cpu-run: error: --bound=inf: must be a positive number (0: the default by type){{$}}
// RUN: attn-cpu-run --shape 1x1x17x64 --bound 0.5 --pipeline fused | FileCheck %s --check-prefix=OK
// OK: PASS fused f16 rung=promoted B=1 H=1 N=17 D=64 {{.*}} bound=5e-01

func.func @attention(%q: tensor<2x1x4611686018427387904x64xf16>, %k: tensor<2x1x4611686018427387904x64xf16>,
                     %v: tensor<2x1x4611686018427387904x64xf16>) -> tensor<2x1x4611686018427387904x64xf16> {
  %o = attn.attention %q, %k, %v : tensor<2x1x4611686018427387904x64xf16>, tensor<2x1x4611686018427387904x64xf16>, tensor<2x1x4611686018427387904x64xf16> -> tensor<2x1x4611686018427387904x64xf16>
  return %o : tensor<2x1x4611686018427387904x64xf16>
}

// The backward counts its N×N buffers (P, dP and dS unfused; P at the fused
// pipeline's rung 2) and its 2.5 times the forward's work.
// RUN: not attn-cpu-run --shape 1x65536x64x64 --backward 2>&1 | FileCheck %s --check-prefix=BWD-HUGE --implicit-check-not='{{.}}'
// BWD-HUGE: {{^}}attn-cpu-run: error: B=1 H=65536 N=64 D=64 (unfused: P, dP and dS hold B*H*N^2 elements each) needs {{.*}} GiB of host memory; the CPU run allows 4.0 GiB: reduce H = 65536{{$}}
// RUN: not attn-cpu-run --shape 1x1x40000x64 --backward --pipeline fused 2>&1 | FileCheck %s --check-prefix=BWD-WORK --implicit-check-not='{{.}}'
// BWD-WORK: {{^}}attn-cpu-run: error: B=1 H=1 N=40000 D=64 is 2.56e+11 multiply-adds (2.5*B*H*N^2*D for the backward); the CPU run allows 1.72e+10 (--max-work): reduce N = 40000{{$}}
// RUN: not attn-cpu-run --shape 1x1x16x64 --backward --lse 2>&1 | FileCheck %s --check-prefix=BWD-LSE --implicit-check-not='{{.}}'
// BWD-LSE: {{^}}attn-cpu-run: error: --lse is a forward flag; the backward reads the logsumexp, --backward alone says so{{$}}
