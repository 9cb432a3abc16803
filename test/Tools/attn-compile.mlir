// RUN: split-file --leading-lines %s %t
//
// A problem given by flags; --ptxas= skips the ptxas report.
// RUN: attn-compile --shape 1x2x64x64 --ptxas= -o %t/fused.ptx | FileCheck %s --check-prefix=STDOUT
// RUN: FileCheck %s --input-file=%t/fused.ptx --check-prefix=FUSED
// RUN: attn-compile --shape 2x4x100x64 --dtype bf16 --causal --pipeline unfused --ptxas= -o %t/unfused.ptx | FileCheck %s --check-prefix=STDOUT-UNFUSED
// RUN: FileCheck %s --input-file=%t/unfused.ptx --check-prefix=UNFUSED
// RUN: attn-compile --shape 1x2x64x128 --lse --ptxas= -o %t/lse.ptx
// RUN: FileCheck %s --input-file=%t/lse.ptx --check-prefix=LSE
// RUN: attn-compile --shape 1x1x256x64 --dtype f32 --block-m 32 --block-n 16 --num-warps 2 --num-stages 3 --chip sm_80 --ptxas= -o %t/options.ptx
// RUN: FileCheck %s --input-file=%t/options.ptx --check-prefix=OPTIONS
//
// A problem read from a file, with an explicit scale.
// RUN: attn-compile %t/scaled.mlir --ptxas= -o %t/scaled.ptx
// RUN: FileCheck %s --input-file=%t/scaled.ptx --check-prefix=SCALED
//
// Errors.
// RUN: not attn-compile --shape 1x2x3 -o %t/err.ptx 2>&1 | FileCheck %s --check-prefix=ERR-SHAPE
// RUN: not attn-compile --shape 1x2xNx64 -o %t/err.ptx 2>&1 | FileCheck %s --check-prefix=ERR-INT
// RUN: not attn-compile --shape 1x2x64x64 --pipeline fancy -o %t/err.ptx 2>&1 | FileCheck %s --check-prefix=ERR-PIPELINE
// RUN: not attn-compile --shape 1x2x64x64 --pipeline unfused --lse -o %t/err.ptx 2>&1 | FileCheck %s --check-prefix=ERR-LSE
// RUN: not attn-compile --shape 1x2x64x72 -o %t/err.ptx 2>&1 | FileCheck %s --check-prefix=ERR-HEADDIM
// RUN: not attn-compile --shape 1x2x64x64 --dtype f64 -o %t/err.ptx 2>&1 | FileCheck %s --check-prefix=ERR-DTYPE
// RUN: not attn-compile -o %t/err.ptx 2>&1 | FileCheck %s --check-prefix=ERR-NOINPUT
// RUN: not attn-compile %t/two.mlir -o %t/err.ptx 2>&1 | FileCheck %s --check-prefix=ERR-TWO
// RUN: not attn-compile %t/missing.mlir -o %t/err.ptx 2>&1 | FileCheck %s --check-prefix=ERR-READ

// attn-compile writes PTX whose first lines are the manifest the runtime
// reads (runtime/Manifest.h): the problem, its tensors, the workspaces, then
// the kernels in launch order with their grid, block, dynamic shared
// memory and arguments, and
// the cost model's FLOPs, device-memory bytes and h100 roofline time per
// kernel (attn-report-cost prints the same figures).

// STDOUT: fused: 1 kernel(s), {{[0-9]+}} bytes of PTX -> {{.*}}fused.ptx
// STDOUT-NOT: ptxas

// FUSED:      // attn.version 2
// FUSED-NEXT: // attn.problem direction=forward pipeline=fused B=1 H=2 Hkv=2 Nq=64 Nk=64 D=64 dtype=f16 causal=0 scale=0.125 lse=0
// FUSED-NEXT: // attn.tensor q role=q dtype=f16 shape=1,2,64,64 strides=8192,4096,64,1 align=16
// FUSED-NEXT: // attn.tensor k role=k dtype=f16 shape=1,2,64,64 strides=8192,4096,64,1 align=16
// FUSED-NEXT: // attn.tensor v role=v dtype=f16 shape=1,2,64,64 strides=8192,4096,64,1 align=16
// FUSED-NEXT: // attn.tensor o role=o dtype=f16 shape=1,2,64,64 strides=8192,4096,64,1 align=16
// FUSED-NEXT: // attn.kernel attn_fwd grid=1,2,1 block=128,1,1 smem=55296 args=q,k,v,o
// FUSED-NEXT: // attn.cost kernel=attn_fwd flops=2138112 bytes=65536 predicted_ms=1.9563e-05
// FUSED-NOT:  // attn.
// FUSED:      .target sm_90
// FUSED:      .visible .entry attn_fwd(

// S and P hold 2·4·100·100 = 80000 elements each.
// STDOUT-UNFUSED: unfused: 3 kernel(s), {{[0-9]+}} bytes of PTX -> {{.*}}unfused.ptx
// UNFUSED:      // attn.version 2
// UNFUSED-NEXT: // attn.problem direction=forward pipeline=unfused B=2 H=4 Hkv=4 Nq=100 Nk=100 D=64 dtype=bf16 causal=1 scale=0.125 lse=0
// UNFUSED-COUNT-4: // attn.tensor {{[qkvo]}} role={{[qkvo]}} dtype=bf16 shape=2,4,100,64 strides=25600,6400,64,1 align=16
// UNFUSED-NEXT: // attn.workspace s dtype=bf16 elements=80000
// UNFUSED-NEXT: // attn.workspace p dtype=bf16 elements=80000
// UNFUSED-NEXT: // attn.kernel attn_scores grid=8,1,2 block=256,1,1 smem=27648 args=q,k,s
// UNFUSED-NEXT: // attn.kernel attn_softmax grid=8,1,1 block=256,1,1 smem=0 args=s,p
// UNFUSED-NEXT: // attn.kernel attn_pv grid=8,1,1 block=256,1,1 smem=55296 args=p,v,o
// UNFUSED-NEXT: // attn.cost kernel=attn_scores flops=10240000 bytes=364800 predicted_ms=0.000108896
// UNFUSED-NEXT: // attn.cost kernel=attn_softmax flops=400000 bytes=320000 predicted_ms=9.55224e-05
// UNFUSED-NEXT: // attn.cost kernel=attn_pv flops=10240000 bytes=364800 predicted_ms=0.000108896
// UNFUSED-NOT:  // attn.
// UNFUSED:      .visible .entry attn_scores(
// UNFUSED:      .visible .entry attn_softmax(
// UNFUSED:      .visible .entry attn_pv(

// LSE:      // attn.problem direction=forward pipeline=fused B=1 H=2 Hkv=2 Nq=64 Nk=64 D=128 dtype=f16 causal=0 scale=0.0883883461356163 lse=1
// LSE:      // attn.tensor lse role=lse dtype=f32 shape=1,2,64 strides=128,64,1 align=4
// LSE-NOT:  // attn.workspace
// LSE-NEXT: // attn.kernel attn_fwd grid=1,2,1 block=128,1,1 smem=69632 args=q,k,v,o,lse
// LSE:      .param .u64 .ptr .align 1 attn_fwd_param_4

// f32 rows are padded by 4 floats: Q 32×68 (8704 bytes) and three slots
// each of K and V 16×68 (4352 bytes).
// OPTIONS:      // attn.problem direction=forward pipeline=fused B=1 H=1 Hkv=1 Nq=256 Nk=256 D=64 dtype=f32 causal=0 scale=0.125 lse=0
// OPTIONS:      // attn.kernel attn_fwd grid=8,1,1 block=64,1,1 smem=34816 args=q,k,v,o
// OPTIONS:      .target sm_80

// SCALED:      // attn.problem direction=forward pipeline=fused B=1 H=2 Hkv=2 Nq=48 Nk=48 D=32 dtype=bf16 causal=1 scale=0.5 lse=0
// SCALED:      // attn.kernel attn_fwd grid=1,2,1 block=128,1,1 smem={{[0-9]+}} args=q,k,v,o

// ERR-SHAPE: attn-compile: error: --shape must be BxHxNxD, got '1x2x3'
// ERR-INT: attn-compile: error: --shape: 'N' is not an integer
// ERR-PIPELINE: attn-compile: error: pipeline=fancy: not a valid value: use fused or unfused
// ERR-LSE: {{^}}<--shape 1x2x64x64>:2:10: error: 'attn.attention' op the unfused pipeline does not produce the logsumexp result; use the fused pipeline
// ERR-HEADDIM: {{^}}<--shape 1x2x64x72>:2:8: error: head dimension 72 is not a multiple of 16, the MMA contraction step for 'f16'
// ERR-DTYPE: attn-compile: error: --dtype must be f16, bf16 or f32, got 'f64'
// ERR-NOINPUT: attn-compile: error: give an input .mlir file ('-' for standard input) or --shape
// ERR-TWO: two.mlir:{{[0-9]+}}:8: error: the module must hold exactly one attn.attention or attn.attention_backward, found 2; this is the second
// ERR-READ: attn-compile: error: cannot read '{{.*}}missing.mlir': No such file or directory

//--- scaled.mlir
func.func @attention(%q: tensor<1x2x48x32xbf16>, %k: tensor<1x2x48x32xbf16>,
                     %v: tensor<1x2x48x32xbf16>) -> tensor<1x2x48x32xbf16> {
  %o = attn.attention %q, %k, %v scale 0.5 causal
      : tensor<1x2x48x32xbf16>, tensor<1x2x48x32xbf16>, tensor<1x2x48x32xbf16>
      -> tensor<1x2x48x32xbf16>
  return %o : tensor<1x2x48x32xbf16>
}

//--- two.mlir
func.func @two(%a: tensor<1x1x64x64xf16>) -> (tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16>) {
  %0 = attn.attention %a, %a, %a
      : tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16>
      -> tensor<1x1x64x64xf16>
  %1 = attn.attention %a, %a, %a causal
      : tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16>
      -> tensor<1x1x64x64xf16>
  return %0, %1 : tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16>
}
