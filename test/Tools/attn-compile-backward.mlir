// RUN: attn-compile --shape 2x4x100x64 --dtype bf16 --causal --backward --block-m 64 --block-n 64 --num-warps 4 --ptxas= -o %t-fused.ptx | FileCheck %s --check-prefix=STDOUT
// RUN: FileCheck %s --input-file=%t-fused.ptx --check-prefix=FUSED
// RUN: attn-compile --shape 2x4x100x64 --dtype bf16 --causal --backward --deterministic --block-m 64 --block-n 64 --num-warps 4 --ptxas= -o %t-det.ptx
// RUN: FileCheck %s --input-file=%t-det.ptx --check-prefix=DET
// RUN: attn-compile --shape 2x4x100x64 --dtype f16 --backward --pipeline unfused --ptxas= -o %t-unfused.ptx
// RUN: FileCheck %s --input-file=%t-unfused.ptx --check-prefix=UNFUSED

// attn-compile writes a backward problem's PTX with its manifest: the nine
// tensors by role, the workspaces the kernels share (δ and dQ's f32
// accumulator for the fused pipeline; P, dP, dS for the unfused one) and
// the kernels in launch order with their arguments.

// STDOUT: fused: 3 kernel(s), {{[0-9]+}} bytes of PTX

// FUSED:      // attn.problem direction=backward pipeline=fused B=2 H=4 Hkv=4 Nq=100 Nk=100 D=64 dtype=bf16 causal=1 scale=0.125 lse=1
// FUSED-NEXT: // attn.tensor do role=do dtype=bf16 shape=2,4,100,64
// FUSED-NEXT: // attn.tensor q role=q
// FUSED-NEXT: // attn.tensor k role=k
// FUSED-NEXT: // attn.tensor v role=v
// FUSED-NEXT: // attn.tensor o role=o
// FUSED-NEXT: // attn.tensor lse role=lse dtype=f32 shape=2,4,100
// FUSED-NEXT: // attn.tensor dq role=dq
// FUSED-NEXT: // attn.tensor dk role=dk
// FUSED-NEXT: // attn.tensor dv role=dv
// FUSED-NEXT: // attn.workspace delta dtype=f32 elements=800
// FUSED-NEXT: // attn.workspace dq_acc dtype=f32 elements=51200
// FUSED-NEXT: // attn.kernel attn_bwd_preprocess grid=2,4,2 block=128,1,1 smem=0 args=do,o,delta,dq_acc
// FUSED-NEXT: // attn.kernel attn_bwd_dkdv grid=2,4,2 block=128,1,1 smem={{[0-9]+}} args=q,k,v,do,delta,dq_acc,lse,dk,dv
// FUSED-NEXT: // attn.kernel attn_bwd_dq_convert grid=2,4,2 block=128,1,1 smem=0 args=dq_acc,dq
// FUSED:      // attn.cost kernel=attn_bwd_dkdv flops=
// FUSED:      .entry attn_bwd_dkdv(

// DET-NOT:    dq_acc
// DET:        // attn.kernel attn_bwd_dkdv {{.*}} args=q,k,v,do,delta,lse,dk,dv
// DET-NEXT:   // attn.kernel attn_bwd_dq {{.*}} args=k,v,do,delta,lse,q,dq

// UNFUSED:      // attn.workspace p dtype=f16 elements=80000
// UNFUSED-NEXT: // attn.workspace dp dtype=f16 elements=80000
// UNFUSED-NEXT: // attn.workspace delta dtype=f32 elements=800
// UNFUSED-NEXT: // attn.workspace ds dtype=f16 elements=80000
// UNFUSED-NEXT: // attn.kernel attn_bwd_probs {{.*}} args=q,k,lse,p
// UNFUSED-NEXT: // attn.kernel attn_bwd_dv {{.*}} args=p,do,dv
// UNFUSED-NEXT: // attn.kernel attn_bwd_dp {{.*}} args=do,v,dp
// UNFUSED-NEXT: // attn.kernel attn_bwd_delta {{.*}} args=p,dp,delta
// UNFUSED-NEXT: // attn.kernel attn_bwd_ds {{.*}} args=p,dp,delta,ds
// UNFUSED-NEXT: // attn.kernel attn_bwd_dq {{.*}} args=ds,k,dq
// UNFUSED-NEXT: // attn.kernel attn_bwd_dk {{.*}} args=ds,q,dk
