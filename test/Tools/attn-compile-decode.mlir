// RUN: attn-compile --shape 2x32x1x128 --kv-heads 8 --kv-len 4096 --causal --lse --dtype bf16 --chip sm_90a --ptxas= -o %t.ptx
// RUN: FileCheck %s --input-file=%t.ptx
// RUN: attn-compile --shape 2x32x1x128 --kv-heads 8 --kv-len 4096 --causal --dtype bf16 --chip sm_90a --split-keys 0 --ptxas= -o %t.whole.ptx
// RUN: FileCheck %s --input-file=%t.whole.ptx --check-prefix=WHOLE
// RUN: not attn-compile --shape 2x32x1x128 --kv-heads 8 --kv-len 4096 --dtype bf16 --chip sm_90a --split-keys 64 --ptxas= -o %t.bad.ptx 2>&1 | FileCheck %s --check-prefix=BAD

// The manifest of a decoding kernel (B=2, H=32, Hkv=8, Nq=1, Nk=4096): the
// problem's tensors as they are, the split workspaces in the packed view
// ([B·S, Hkv, 4, D] f32 and [B·S, Hkv, 4]), and Q's tensor map encoding
// that view (rows of 4 heads, B·Hkv = 16 matrices), which is what the
// kernel's copies index; 8 splits of 512 keys, then the combining kernel.
// CHECK:      // attn.tensor q role=q dtype=bf16 shape=2,32,1,128 strides=4096,128,128,1 align=16
// CHECK:      // attn.tensor lse role=lse dtype=f32 shape=2,32,1 strides=32,1,1 align=4
// CHECK:      // attn.workspace o_split dtype=f32 elements=65536
// CHECK:      // attn.workspace lse_split dtype=f32 elements=512
// CHECK:      // attn.tensormap q_map tensor=q dtype=bf16 rank=3 dims=128,4,16 strides=256,1024 box=64,64,1
// CHECK:      // attn.tensormap k_map tensor=k dtype=bf16 rank=3 dims=128,4096,16
// CHECK:      // attn.kernel attn_fwd grid=1,8,16 block=256,1,1 smem={{[0-9]+}} args=q,k,v,o_split,lse_split,q_map,k_map,v_map
// CHECK:      // attn.kernel attn_fwd_combine grid=1,8,2 block=128,1,1 smem=0 args=o_split,lse_split,o,lse
// CHECK:      // attn.cost kernel=attn_fwd
// CHECK:      // attn.cost kernel=attn_fwd_combine

// WHOLE-NOT:  attn.workspace
// WHOLE:      // attn.kernel attn_fwd grid=1,8,2 block=256,1,1 smem={{[0-9]+}} args=q,k,v,o,q_map,k_map,v_map
// WHOLE-NOT:  attn_fwd_combine

// BAD: error: split-keys 64 must be a multiple of block-n (128)
