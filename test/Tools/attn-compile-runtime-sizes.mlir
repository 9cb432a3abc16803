// RUN: attn-compile --shape 1x8x100x128 --kv-heads 2 --causal --dtype bf16 --runtime-sizes --chip sm_90 --ptxas= -o %t.sync.ptx
// RUN: FileCheck %s --input-file=%t.sync.ptx --check-prefix=SYNC
// RUN: attn-compile --shape 1x8x100x128 --kv-heads 2 --causal --dtype bf16 --runtime-sizes --chip sm_90a --ptxas= -o %t.wgmma.ptx
// RUN: FileCheck %s --input-file=%t.wgmma.ptx --check-prefix=WGMMA
// RUN: attn-compile --shape 1x8x100x64 --dtype f16 --runtime-sizes --pipeline unfused --chip sm_90 --ptxas= -o %t.unfused.ptx
// RUN: FileCheck %s --input-file=%t.unfused.ptx --check-prefix=UNFUSED
// RUN: attn-compile --shape 1x8x100x128 --kv-heads 2 --seq-lens 60,40 --causal --dtype bf16 --runtime-sizes --chip sm_90a --ptxas= -o %t.varlen.ptx
// RUN: FileCheck %s --input-file=%t.varlen.ptx --check-prefix=VARLEN
// RUN: not attn-compile --shape 1x8x100x64 --runtime-sizes --backward --ptxas= -o %t.bwd.ptx 2>&1 | FileCheck %s --check-prefix=BACKWARD

// attn-compile --runtime-sizes: one kernel for every B, H, Hkv, Nq and Nk
// (the --shape sizes only pick D and the rest). The manifest has '?' for
// the sizes and the strides of Q, K, V, O, a grid of size expressions, and
// the kernel takes each buffer's sizes and strides as i64 scalars after
// its pointers (and tensor maps).

// SYNC:      // attn.problem direction=forward pipeline=fused B=? H=? Hkv=? Nq=? Nk=? D=128 dtype=bf16 causal=1
// SYNC-NEXT: // attn.tensor q role=q dtype=bf16 shape=?,?,?,128 strides=?,?,?,1 align=16
// SYNC-NEXT: // attn.tensor k role=k dtype=bf16 shape=?,?,?,128 strides=?,?,?,1 align=16
// SYNC:      // attn.scalar q_size2 type=i32 from=Nq
// SYNC:      // attn.scalar q_stride2 type=i64 from=q.stride2
// SYNC:      // attn.scalar k_size1 type=i32 from=Hkv
// SYNC:      // attn.scalar k_size2 type=i32 from=Nk
// SYNC:      // attn.kernel attn_fwd grid=ceil(Nq/128),H,B block={{[0-9]+}},1,1 smem={{[0-9]+}} args=q,k,v,o,q_size0,q_size1,q_size2,q_stride0,q_stride1,q_stride2,k_size0,
// SYNC-NOT:  attn.cost
// SYNC:      .entry attn_fwd(
// SYNC-COUNT-4: .param .u64 .ptr .align {{[0-9]+}} attn_fwd_param_{{[0-9]+}},
// SYNC-NEXT:    .param .u32 attn_fwd_param_4,

// The wgmma path: tensor maps of each tensor's own view (rank 4, dims and
// strides taken at launch), boxes of 64 x 128 x 1 x 1.
// WGMMA:     // attn.tensormap q_map tensor=q dtype=bf16 rank=4 dims=?,?,?,? strides=?,?,? box=64,128,1,1 element_strides=1,1,1,1
// WGMMA:     // attn.tensormap k_map tensor=k dtype=bf16 rank=4 dims=?,?,?,? strides=?,?,? box=64,128,1,1
// WGMMA:     // attn.kernel attn_fwd grid=ceil(Nq/128),H,B block=384,1,1 smem={{[0-9]+}} args=q,k,v,o,q_map,k_map,v_map,q_size0,
// WGMMA:     cp.async.bulk.tensor.4d

// Packed sequences: S is a size too ('?', from the offsets' shape [S+1]);
// the grid is the row blocks of every sequence, ceil(Nq/128) + S + 1.
// VARLEN:    // attn.problem direction=forward pipeline=fused B=? H=? Hkv=? Nq=? Nk=? D=128 dtype=bf16 causal=1 {{.*}} S=?
// VARLEN:    // attn.tensor cu_q role=cu_q dtype=i32 shape=? strides=1 align=4
// VARLEN:    // attn.scalar cu_q_size0 type=i32 from=S+1
// VARLEN:    // attn.kernel attn_fwd grid=ceil(Nq/128)+S+1,H,B block=384,1,1 smem={{[0-9]+}} args=q,k,v,cu_q,cu_k,o,q_map,k_map,v_map,
// VARLEN:    cp.async.bulk.tensor.4d

// Unfused: S and P of B*H*Nq*Nk elements, rows padded to 16 bytes.
// UNFUSED:   // attn.workspace s dtype=f16 elements=8*ceil(Nk/8)*Nq*H*B
// UNFUSED:   // attn.scalar s_stride2 type=i64 from=8*ceil(Nk/8)
// UNFUSED:   // attn.kernel attn_scores grid=B*H,ceil(Nq/128),ceil(Nk/64)
// UNFUSED:   // attn.kernel attn_softmax grid=B*H,ceil(Nq/128),1
// UNFUSED:   // attn.kernel attn_pv grid=B*H,ceil(Nq/128),1

// BACKWARD: error: --runtime-sizes: the backward compiles for static sizes only, so far
