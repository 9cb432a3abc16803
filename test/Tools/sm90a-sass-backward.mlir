// REQUIRES: ptxas, cuobjdump
// The sm_90a fused backward (D <= 128 takes wgmma by default) assembles as
// planned: `ptxas -arch=sm_90a -v` has no warning and no C75xx advisory
// (wgmma serialized or waits injected), and the SASS of attn_bwd_dkdv has
// HGMMA for its five products (Sᵀ = K·Qᵀ and dPᵀ = V·dOᵀ from shared
// memory, dV and dK with Pᵀ and dSᵀ in registers, dQ with an M-major A:
// .tnspA), UTMALDG, USETMAXREG both ways, and no HMMA; the logsumexp and
// δ come by bulk copies (UBLKCP) and are read from shared memory (LDS.64),
// and at D = 64 dQ is added a pair at a time (REDG ... F32x2). The
// query-row side kernels (δ, dQ's conversion) have no products.

// RUN: attn-compile --chip=sm_90a --backward --shape 1x2x256x128 --dtype bf16 --causal --ptxas= -o %t.d128.ptx
// RUN: %ptxas -arch=sm_90a -v %t.d128.ptx -o %t.d128.cubin > %t.d128.log 2>&1
// RUN: FileCheck %s --check-prefix=QUIET < %t.d128.log
// RUN: %cuobjdump -sass %t.d128.cubin | FileCheck %s --check-prefix=D128 --implicit-check-not=HMMA
// RUN: attn-compile --chip=sm_90a --backward --shape 1x2x256x64 --dtype f16 --ptxas= -o %t.d64.ptx
// RUN: %ptxas -arch=sm_90a -v %t.d64.ptx -o %t.d64.cubin > %t.d64.log 2>&1
// RUN: FileCheck %s --check-prefix=QUIET < %t.d64.log
// RUN: %cuobjdump -sass %t.d64.cubin | FileCheck %s --check-prefix=D64 --implicit-check-not=HMMA
//
// With async-products (off by default) the same kernel assembles, its
// products started early (ptxas then adds a C7517 wait at the loop's end:
// the advisory is expected there).
// RUN: attn-compile --chip=sm_90a --backward --async-products --shape 1x2x256x128 --dtype bf16 --causal --ptxas= -o %t.async.ptx
// RUN: %ptxas -arch=sm_90a %t.async.ptx -o %t.async.cubin
// RUN: %cuobjdump -sass %t.async.cubin | FileCheck %s --check-prefix=D128 --implicit-check-not=HMMA
//
// mma=sync keeps the mma.sync kernel: HMMA, no HGMMA.
// RUN: attn-compile --chip=sm_90a --mma=sync --backward --shape 1x2x256x128 --dtype bf16 --ptxas= -o %t.sync.ptx
// RUN: %ptxas -arch=sm_90a %t.sync.ptx -o %t.sync.cubin
// RUN: %cuobjdump -sass %t.sync.cubin | FileCheck %s --check-prefix=SYNC --implicit-check-not=HGMMA

// QUIET-NOT: warning
// QUIET-NOT: C75

// D128: Function : attn_bwd_dkdv
// D128-DAG: USETMAXREG.DEALLOC.CTAPOOL
// D128-DAG: USETMAXREG.TRY_ALLOC.CTAPOOL
// D128-DAG: UTMALDG.3D
// D128-DAG: UBLKCP.S.G
// D128-DAG: LDS.64
// D128-DAG: HGMMA.64x64x16.F32.BF16 {{.*}}gdesc[UR{{[0-9]+}}], RZ, !UPT
// D128-DAG: HGMMA.64x128x16.F32.BF16 R{{[0-9]+}}, R{{[0-9]+}}, gdesc[UR{{[0-9]+}}].tnspB
// D128-DAG: HGMMA.64x64x16.F32.BF16 {{.*}}gdesc[UR{{[0-9]+}}].tnspA.tnspB
// D128: Function : attn_bwd_preprocess

// D64: Function : attn_bwd_dkdv
// D64-DAG: UTMALDG.3D
// D64-DAG: UBLKCP.S.G
// D64-DAG: LDS.64
// D64-DAG: REDG.E.ADD.F32x2
// D64-DAG: HGMMA.64x128x16.F32 {{.*}}gdesc[UR{{[0-9]+}}], RZ, !UPT
// D64-DAG: HGMMA.64x64x16.F32 R{{[0-9]+}}, R{{[0-9]+}}, gdesc[UR{{[0-9]+}}].tnspB
// D64-DAG: HGMMA.64x64x16.F32 {{.*}}gdesc[UR{{[0-9]+}}].tnspA.tnspB
// D64: Function : attn_bwd_preprocess

// SYNC: Function : attn_bwd_dkdv
// SYNC: HMMA.16816.F32.BF16
