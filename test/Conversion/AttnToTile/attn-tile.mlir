// RUN: attn-opt %s -split-input-file -attn-tile | FileCheck %s
// RUN: attn-opt %s -split-input-file -attn-select-tiling="block-m=64 block-n=32 num-warps=4" -attn-tile | FileCheck %s --check-prefix=OPTS

// attn.attention becomes one kernel over the grid (⌈N/block-m⌉, H, B) (row
// blocks along x: programs running together share a head's K and V in L2)
// with an exact two-pass softmax: a loop for the row maximum, then a loop
// for the row sums and P·V; the host calls it with tile.launch.

// D = 64, f16: block-m 128, block-n 64, 4 warps. Scores are in the log2
// domain: scale·log2(e) = (1/√64)·1.4427 = 0.18034.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-SAME:    (%[[Q:.*]]: memref<1x2x64x64xf16>, %[[K:.*]]: memref<1x2x64x64xf16>, %[[V:.*]]: memref<1x2x64x64xf16>, %[[O:.*]]: memref<1x2x64x64xf16>)
// CHECK-SAME:    attributes {tile.config = #tile.config<grid = [1, 2, 1], warps = 4, {{.*}}>}
// CHECK:         %[[B:.*]] = tile.program_id 2
// CHECK:         %[[H:.*]] = tile.program_id 1
// CHECK:         %[[PID0:.*]] = tile.program_id 0
// CHECK:         %[[BM:.*]] = arith.constant 128 : index
// CHECK:         %[[ROW0:.*]] = arith.muli %[[PID0]], %[[BM]]
// CHECK:         %[[QT:.*]] = tile.load %[[Q]][%[[B]], %[[H]], %[[ROW0]], %{{.*}}] : memref<1x2x64x64xf16> -> tensor<128x64xf16>
// CHECK-DAG:     %[[N:.*]] = arith.constant 64 : index
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : tensor<128xf32>
//
// Pass 1: the row maximum.
// CHECK:         %[[M:.*]] = scf.for %[[J:.*]] = %[[LB:.*]] to %[[N]] step %[[STEP:.*]] iter_args(%[[MI:.*]] = %[[NEGINF]]) -> (tensor<128xf32>) {
// CHECK:           %[[KT:.*]] = tile.load %[[K]][%[[B]], %[[H]], %[[J]], %{{.*}}] : memref<1x2x64x64xf16> -> tensor<64x64xf16>
// CHECK:           %[[S:.*]] = tile.dot %[[QT]], %[[KT]] transpose_rhs : tensor<128x64xf16>, tensor<64x64xf16> -> tensor<128x64xf32>
// CHECK:           %[[SC:.*]] = arith.constant dense<0.180336878> : tensor<128x64xf32>
// CHECK:           %[[SS:.*]] = arith.mulf %[[S]], %[[SC]]
// CHECK:           %[[X:.*]] = tile.mask %[[SS]][%[[ROW0]], %[[J]]] cols 64 : tensor<128x64xf32>
// CHECK:           %[[RM:.*]] = tile.reduce max %[[X]] : tensor<128x64xf32> -> tensor<128xf32>
// CHECK:           %[[MNEW:.*]] = arith.maximumf %[[MI]], %[[RM]] : tensor<128xf32>
// CHECK:           scf.yield %[[MNEW]]
// CHECK:         }
//
// Pass 2: row sums of exp2(x - m) and the unnormalized P·V, same range.
// CHECK:         %[[SUM:.*]]:2 = scf.for %[[J2:.*]] = %[[LB]] to %[[N]] step %[[STEP]] iter_args(%[[L:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}}) -> (tensor<128xf32>, tensor<128x64xf32>) {
// CHECK:           %[[X2:.*]] = tile.mask %{{.*}}[%[[ROW0]], %[[J2]]] cols 64 : tensor<128x64xf32>
// CHECK:           %[[MB:.*]] = tile.broadcast %[[M]] : tensor<128xf32> -> tensor<128x64xf32>
// CHECK:           %[[D:.*]] = arith.subf %[[X2]], %[[MB]]
// CHECK:           %[[P:.*]] = math.exp2 %[[D]] : tensor<128x64xf32>
// CHECK:           %[[RS:.*]] = tile.reduce sum %[[P]] : tensor<128x64xf32> -> tensor<128xf32>
// CHECK:           %[[LNEW:.*]] = arith.addf %[[L]], %[[RS]]
// CHECK:           %[[VT:.*]] = tile.load %[[V]][%[[B]], %[[H]], %[[J2]], %{{.*}}] : memref<1x2x64x64xf16> -> tensor<64x64xf16>
// CHECK:           %[[P16:.*]] = arith.truncf %[[P]] : tensor<128x64xf32> to tensor<128x64xf16>
// CHECK:           %[[ACCNEW:.*]] = tile.dot %[[P16]], %[[VT]], %[[ACC]] : tensor<128x64xf16>, tensor<64x64xf16>, tensor<128x64xf32> -> tensor<128x64xf32>
// CHECK:           scf.yield %[[LNEW]], %[[ACCNEW]]
// CHECK:         }
//
// One division per row by the row sum at the end, then a multiply.
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<128xf32>
// CHECK:         %[[INV:.*]] = arith.divf %[[ONE]], %[[SUM]]#0 : tensor<128xf32>
// CHECK:         %[[LB2:.*]] = tile.broadcast %[[INV]] : tensor<128xf32> -> tensor<128x64xf32>
// CHECK:         %[[OUT:.*]] = arith.mulf %[[SUM]]#1, %[[LB2]]
// CHECK:         %[[OUT16:.*]] = arith.truncf %[[OUT]] : tensor<128x64xf32> to tensor<128x64xf16>
// CHECK:         tile.store %[[OUT16]], %[[O]][%[[B]], %[[H]], %[[ROW0]], %{{.*}}] : tensor<128x64xf16>, memref<1x2x64x64xf16>
// CHECK-NOT:     tile.store
// CHECK:         return
//
// CHECK-LABEL: func.func @attention
// CHECK-SAME:    (%[[AQ:.*]]: tensor<1x2x64x64xf16>, %[[AK:.*]]: tensor<1x2x64x64xf16>, %[[AV:.*]]: tensor<1x2x64x64xf16>)
// CHECK-NOT:     attn.attention
// CHECK:         %[[R:.*]] = tile.launch @attn_fwd(%[[AQ]], %[[AK]], %[[AV]]) names ["q", "k", "v", "o"]
// CHECK-SAME:      : (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
// CHECK:         return %[[R]]

// With the block options: block-m 64 rows, block-n 32 columns.
// OPTS-LABEL: func.func private @attn_fwd
// OPTS-SAME:    tile.config = #tile.config<grid = [1, 2, 1], warps = 4, {{.*}}>
// OPTS:         tile.load {{.*}} -> tensor<64x64xf16>
// OPTS:         %[[STEP:.*]] = arith.constant 32 : index
// OPTS:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[STEP]]
// OPTS:           tile.load {{.*}} -> tensor<32x64xf16>
// OPTS:           tile.dot {{.*}} transpose_rhs : tensor<64x64xf16>, tensor<32x64xf16> -> tensor<64x32xf32>
// OPTS:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[STEP]]
// OPTS:           tile.dot {{.*}} : tensor<64x32xf16>, tensor<32x64xf16>, tensor<64x64xf32> -> tensor<64x64xf32>
// OPTS:         tile.store {{.*}} : tensor<64x64xf16>, memref<1x2x64x64xf16>

func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// The grid rounds up: N = 100 over block-m 128 (default) or 64 (OPTS);
// H = 3 heads along y, B = 2 batches along z.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-SAME:    attributes {tile.config = #tile.config<grid = [1, 3, 2], warps = 4, {{.*}}>}
// CHECK:         tile.program_id 2
// CHECK:         tile.program_id 1
// CHECK:         scf.for
// CHECK:           tile.mask %{{.*}}[%{{.*}}, %{{.*}}] cols 100 : tensor<128x64xf32>

// OPTS-LABEL: func.func private @attn_fwd
// OPTS-SAME:    attributes {tile.config = #tile.config<grid = [2, 3, 2], warps = 4, {{.*}}>}

func.func @ragged(%q: tensor<2x3x100x64xf16>, %k: tensor<2x3x100x64xf16>,
                  %v: tensor<2x3x100x64xf16>) -> tensor<2x3x100x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<2x3x100x64xf16>, tensor<2x3x100x64xf16>, tensor<2x3x100x64xf16>
      -> tensor<2x3x100x64xf16>
  return %o : tensor<2x3x100x64xf16>
}

// -----

// Causal: both loops stop at min(N, row0 + block-m), and the mask hides the
// scores above the diagonal. Row blocks run last to first (the longest
// rows start first, the short ones fill the launch's tail).

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         %[[PID0:.*]] = tile.program_id 0
// CHECK:         %[[LAST:.*]] = arith.constant 1 : index
// CHECK:         %[[RB:.*]] = arith.subi %[[LAST]], %[[PID0]]
// CHECK:         %[[BM:.*]] = arith.constant 128 : index
// CHECK:         %[[ROW0:.*]] = arith.muli %[[RB]], %[[BM]]
// CHECK:         %[[N:.*]] = arith.constant 256 : index
// CHECK:         %[[BM2:.*]] = arith.constant 128 : index
// CHECK:         %[[ROWEND:.*]] = arith.addi %[[ROW0]], %[[BM2]]
// CHECK:         %[[END:.*]] = arith.minui %[[N]], %[[ROWEND]]
// CHECK:         scf.for %[[J:.*]] = %{{.*}} to %[[END]] step
// CHECK:           tile.mask %{{.*}}[%[[ROW0]], %[[J]]] cols 256 causal : tensor<128x64xf32>
// CHECK:         scf.for %[[J2:.*]] = %{{.*}} to %[[END]] step
// CHECK:           tile.mask %{{.*}}[%[[ROW0]], %[[J2]]] cols 256 causal : tensor<128x64xf32>

func.func @causal(%q: tensor<1x2x256x64xf16>, %k: tensor<1x2x256x64xf16>,
                  %v: tensor<1x2x256x64xf16>) -> tensor<1x2x256x64xf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>
      -> tensor<1x2x256x64xf16>
  return %o : tensor<1x2x256x64xf16>
}

// -----

// An explicit scale is folded with log2(e): 0.5·1.4427 = 0.72135.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         arith.constant dense<0.72134751> : tensor<128x64xf32>
// CHECK:         arith.constant dense<0.72134751> : tensor<128x64xf32>

func.func @explicit_scale(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                          %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v scale 0.5
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// The logsumexp result: one more memref argument and buffer name; after O,
// lse = (m + log2(l))·ln 2 is stored per row.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-SAME:    (%{{[^:]*}}: memref<1x2x64x64xf16>, %{{[^:]*}}: memref<1x2x64x64xf16>, %{{[^:]*}}: memref<1x2x64x64xf16>,
// CHECK-SAME:    %[[O:[^:]*]]: memref<1x2x64x64xf16>, %[[LSE:[^:]*]]: memref<1x2x64xf32>)
// CHECK:         %[[B:.*]] = tile.program_id 2
// CHECK:         %[[H:.*]] = tile.program_id 1
// CHECK:         %[[ROW0:.*]] = arith.muli
// CHECK:         %[[M:.*]] = scf.for
// CHECK:         %[[SUM:.*]]:2 = scf.for
// CHECK:         tile.store %{{.*}}, %[[O]]
// CHECK-DAG:     %[[LN2:.*]] = arith.constant dense<0.693147182> : tensor<128xf32>
// CHECK-DAG:     %[[LOGL:.*]] = math.log2 %[[SUM]]#0 : tensor<128xf32>
// CHECK:         %[[LSE2:.*]] = arith.addf %[[M]], %[[LOGL]]
// CHECK:         %[[LSEV:.*]] = arith.mulf %[[LSE2]], %[[LN2]]
// CHECK:         tile.store %[[LSEV]], %[[LSE]][%[[B]], %[[H]], %[[ROW0]]] : tensor<128xf32>, memref<1x2x64xf32>
// CHECK-LABEL: func.func @with_lse
// CHECK:         %[[R:.*]]:2 = tile.launch @attn_fwd(%{{.*}}, %{{.*}}, %{{.*}}) names ["q", "k", "v", "o", "lse"]
// CHECK-SAME:      -> (tensor<1x2x64x64xf16>, tensor<1x2x64xf32>)
// CHECK:         return %[[R]]#0, %[[R]]#1

func.func @with_lse(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                    %v: tensor<1x2x64x64xf16>)
    -> (tensor<1x2x64x64xf16>, tensor<1x2x64xf32>) {
  %o, %lse = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
  return %o, %lse : tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
}

// -----

// Default configurations: D = 128 takes 4 warps of two 16-row atoms and
// block-n 32; D = 256 and f32 take block-m 64 and block-n 32; f32 keeps f32
// operands (no truncf).

// CHECK-LABEL: func.func private @attn_fwd(
// CHECK-SAME:    tile.config = #tile.config<grid = [2, 1, 1], warps = 4, {{.*}}>
// CHECK:         tile.load {{.*}} -> tensor<128x128xf16>
// CHECK-LABEL: func.func private @attn_fwd_0(
// CHECK-SAME:    tile.config = #tile.config<grid = [4, 1, 1], warps = 4, {{.*}}>
// CHECK:         tile.load {{.*}} -> tensor<64x256xbf16>
// CHECK:         tile.dot {{.*}} transpose_rhs : tensor<64x256xbf16>, tensor<32x256xbf16> -> tensor<64x32xf32>
// CHECK:         arith.truncf %{{.*}} : tensor<64x32xf32> to tensor<64x32xbf16>
// CHECK-LABEL: func.func private @attn_fwd_1(
// CHECK-SAME:    tile.config = #tile.config<grid = [4, 1, 1], warps = 4, {{.*}}>
// CHECK:         tile.load {{.*}} -> tensor<64x32xf32>
// CHECK-NOT:     arith.truncf
// CHECK:         tile.dot {{.*}}, %{{.*}} : tensor<64x32xf32>, tensor<32x32xf32>, tensor<64x32xf32> -> tensor<64x32xf32>
// CHECK-NOT:     arith.truncf
// CHECK:         return
// CHECK-LABEL: func.func @configs
// CHECK:         tile.launch @attn_fwd(
// CHECK:         tile.launch @attn_fwd_0(
// CHECK:         tile.launch @attn_fwd_1(

func.func @configs(%a: tensor<1x1x256x128xf16>, %b: tensor<1x1x256x256xbf16>,
                   %c: tensor<1x1x256x32xf32>)
    -> (tensor<1x1x256x128xf16>, tensor<1x1x256x256xbf16>, tensor<1x1x256x32xf32>) {
  %0 = attn.attention %a, %a, %a
      : tensor<1x1x256x128xf16>, tensor<1x1x256x128xf16>, tensor<1x1x256x128xf16>
      -> tensor<1x1x256x128xf16>
  %1 = attn.attention %b, %b, %b
      : tensor<1x1x256x256xbf16>, tensor<1x1x256x256xbf16>, tensor<1x1x256x256xbf16>
      -> tensor<1x1x256x256xbf16>
  %2 = attn.attention %c, %c, %c
      : tensor<1x1x256x32xf32>, tensor<1x1x256x32xf32>, tensor<1x1x256x32xf32>
      -> tensor<1x1x256x32xf32>
  return %0, %1, %2 : tensor<1x1x256x128xf16>, tensor<1x1x256x256xbf16>, tensor<1x1x256x32xf32>
}

// -----

// Grouped-query heads and a longer key sequence: query head h reads K/V
// head h / (H / Hkv) = h / 4; the loops run over Nk = 300 keys and the
// causal mask is aligned to the bottom right, its rows shifted by
// Nk - Nq = 200, so the loops stop at min(Nk, row0 + block-m + 200).

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-SAME:    %{{.*}}: memref<1x8x100x64xf16>, %{{.*}}: memref<1x2x300x64xf16>, %{{.*}}: memref<1x2x300x64xf16>, %{{.*}}: memref<1x8x100x64xf16>
// CHECK-SAME:    grid = [1, 8, 1]
// CHECK:         %[[B:.*]] = tile.program_id 2
// CHECK:         %[[H:.*]] = tile.program_id 1
// CHECK:         %[[GROUP:.*]] = arith.constant 4 : index
// CHECK:         %[[HKV:.*]] = arith.divui %[[H]], %[[GROUP]]
// CHECK:         %[[ROW0:.*]] = arith.muli
// CHECK:         tile.load %{{.*}}[%[[B]], %[[H]], %[[ROW0]], %{{.*}}] : memref<1x8x100x64xf16>
// CHECK:         %[[NK:.*]] = arith.constant 300 : index
// CHECK:         %[[SHIFT:.*]] = arith.constant 328 : index
// CHECK:         %[[LAST:.*]] = arith.addi %[[ROW0]], %[[SHIFT]]
// CHECK:         %[[END:.*]] = arith.minui %[[NK]], %[[LAST]]
// CHECK:         %[[OFFSET:.*]] = arith.constant 200 : index
// CHECK:         %[[MASKROW:.*]] = arith.addi %[[ROW0]], %[[OFFSET]]
// CHECK:         arith.constant dense<0xFF800000> : tensor<128xf32>
// CHECK:         scf.for %[[J:.*]] = %{{.*}} to %[[END]] step
// CHECK:           tile.load %{{.*}}[%[[B]], %[[HKV]], %[[J]], %{{.*}}] : memref<1x2x300x64xf16>
// CHECK:           tile.mask %{{.*}}[%[[MASKROW]], %[[J]]] cols 300 causal
// CHECK:         scf.for %[[J2:.*]] = %{{.*}} to %[[END]] step
// CHECK:           tile.load %{{.*}}[%[[B]], %[[HKV]], %[[J2]], %{{.*}}] : memref<1x2x300x64xf16>
// CHECK:           tile.load %{{.*}}[%[[B]], %[[HKV]], %[[J2]], %{{.*}}] : memref<1x2x300x64xf16>
// CHECK-NOT:     arith.maximumf
// CHECK:         tile.store %{{.*}}, %{{.*}}[%[[B]], %[[H]], %[[ROW0]], %{{.*}}] : tensor<128x64xf16>, memref<1x8x100x64xf16>

func.func @gqa_prefill(%q: tensor<1x8x100x64xf16>, %k: tensor<1x2x300x64xf16>,
                       %v: tensor<1x2x300x64xf16>) -> tensor<1x8x100x64xf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x8x100x64xf16>, tensor<1x2x300x64xf16>, tensor<1x2x300x64xf16>
      -> tensor<1x8x100x64xf16>
  return %o : tensor<1x8x100x64xf16>
}

// -----

// Fewer keys than queries, causal: rows i < Nq - Nk = 183 see no key. The
// loop end is clamped at 0 (the first row block runs no step), the running
// maximum starts at the lowest finite f32 instead of -inf (so exp2 of a
// masked score minus it is 0, not NaN), and the sum is kept at least
// FLT_MIN before the division: such rows get zeros.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         %[[ROW0:.*]] = arith.muli
// CHECK:         %[[NK:.*]] = arith.constant 17 : index
// CHECK:         %[[SHIFT:.*]] = arith.constant -55 : index
// CHECK:         %[[LAST:.*]] = arith.addi %[[ROW0]], %[[SHIFT]]
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : index
// CHECK:         %[[CLAMP:.*]] = arith.maxsi %[[LAST]], %[[ZERO]]
// CHECK:         %[[END:.*]] = arith.minui %[[NK]], %[[CLAMP]]
// CHECK:         %[[OFFSET:.*]] = arith.constant -183 : index
// CHECK:         %[[MASKROW:.*]] = arith.addi %[[ROW0]], %[[OFFSET]]
// CHECK:         %[[LOWEST:.*]] = arith.constant dense<-3.40282347E+38> : tensor<128xf32>
// CHECK:         %[[M:.*]] = scf.for %{{.*}} = %{{.*}} to %[[END]] step %{{.*}} iter_args(%{{.*}} = %[[LOWEST]])
// CHECK:           tile.mask %{{.*}}[%[[MASKROW]], %{{.*}}] cols 17 causal
// CHECK:         %[[SUMS:.*]]:2 = scf.for
// CHECK:         %[[TINY:.*]] = arith.constant dense<1.17549435E-38> : tensor<128xf32>
// CHECK:         %[[L:.*]] = arith.maximumf %[[SUMS]]#0, %[[TINY]]
// CHECK:         arith.divf %{{.*}}, %[[L]]

func.func @fewer_keys(%q: tensor<1x2x200x64xf16>, %k: tensor<1x2x17x64xf16>,
                      %v: tensor<1x2x17x64xf16>) -> tensor<1x2x200x64xf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x2x200x64xf16>, tensor<1x2x17x64xf16>, tensor<1x2x17x64xf16>
      -> tensor<1x2x200x64xf16>
  return %o : tensor<1x2x200x64xf16>
}

// -----

// Run-time sizes: the kernel's memrefs have '?' sizes and strides; B, H,
// Hkv, Nq and Nk are memref.dim of Q and K; a query head reads K/V head
// h / (H / Hkv); the causal row blocks count down from ceil(Nq / block-m),
// the mask's rows are shifted by Nk - Nq and its columns end at Nk; rows
// may see no key (lowest finite start, FLT_MIN floor). The host computes
// the grid (ceil(Nq / 128), H, B) and O's sizes (B, H, Nq) from Q.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-SAME:    (%[[Q:[a-z0-9]+]]: memref<?x?x?x64xf16, strided<[?, ?, ?, 1]>>, %[[K:[a-z0-9]+]]: memref<?x?x?x64xf16, strided<[?, ?, ?, 1]>>
// CHECK-SAME:    grid = [?, ?, ?]
// CHECK-DAG:     %[[H:.*]] = memref.dim %[[Q]], %c1
// CHECK-DAG:     %[[HKV:.*]] = memref.dim %[[K]], %c1
// CHECK-DAG:     %[[NQ:.*]] = memref.dim %[[Q]], %c2
// CHECK-DAG:     %[[NK:.*]] = memref.dim %[[K]], %c2
// CHECK:         %[[GROUP:.*]] = arith.divui %[[H]], %[[HKV]]
// CHECK:         %[[KVHEAD:.*]] = arith.divui %{{.*}}, %[[GROUP]]
// CHECK:         %[[BLOCKS:.*]] = arith.ceildivui %[[NQ]], %c128
// CHECK:         %[[LAST:.*]] = arith.subi %[[BLOCKS]], %c1
// CHECK:         arith.subi %[[LAST]], %{{.*}}
// CHECK:         arith.subi %[[NK]], %[[NQ]]
// CHECK:         arith.maxsi
// CHECK:         %[[END:.*]] = arith.minsi %[[NK]], %{{.*}}
// CHECK:         arith.constant dense<-3.40282347E+38> : tensor<128xf32>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %[[END]] step
// CHECK:           tile.load %[[K]][%{{.*}}, %[[KVHEAD]], %{{.*}}, %{{.*}}]
// CHECK:           tile.mask %{{.*}}[%{{.*}}, %{{.*}}] cols %[[NK]] causal
// CHECK:         arith.maximumf %{{.*}}, %{{.*}} : tensor<128xf32>
// CHECK-LABEL: func.func @runtime_sizes
// CHECK-SAME:    (%[[HQ:[a-z0-9]+]]: tensor<?x?x?x64xf16>
// CHECK:         %[[HNQ:.*]] = tensor.dim %[[HQ]], %c2
// CHECK:         %[[ROWS:.*]] = arith.ceildivui %[[HNQ]], %c128
// CHECK:         %[[HH:.*]] = tensor.dim %[[HQ]], %c1
// CHECK:         %[[HB:.*]] = tensor.dim %[[HQ]], %c0
// CHECK:         tile.launch @attn_fwd(%[[HQ]], %{{.*}}, %{{.*}}) grid [%[[ROWS]], %[[HH]], %[[HB]]] sizes [%{{.*}}, %{{.*}}, %{{.*}}] names ["q", "k", "v", "o"]
// CHECK-SAME:      grid = [?, ?, ?]

func.func @runtime_sizes(%q: tensor<?x?x?x64xf16>, %k: tensor<?x?x?x64xf16>,
                         %v: tensor<?x?x?x64xf16>) -> tensor<?x?x?x64xf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>
      -> tensor<?x?x?x64xf16>
  return %o : tensor<?x?x?x64xf16>
}

// -----

// A causal sliding window of 100 keys: the loops start at the block of the
// first key the tile's first row sees, max(0, row0 - 100) rounded down to
// block-n, and stop at the causal end. The running maximum starts finite:
// the tile's later rows see none of the first block's keys.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         %[[ROW0:.*]] = arith.muli
// CHECK:         %[[LEFT:.*]] = arith.constant 100 : index
// CHECK:         %[[FIRST:.*]] = arith.subi %[[ROW0]], %[[LEFT]]
// CHECK:         %[[CLAMPED:.*]] = arith.maxsi %[[FIRST]], %{{.*}}
// CHECK:         %[[BLOCK:.*]] = arith.divui %[[CLAMPED]], %{{.*}}
// CHECK:         %[[BEGIN:.*]] = arith.muli %[[BLOCK]], %{{.*}}
// CHECK:         %[[END:.*]] = arith.minui
// CHECK:         %[[LOWEST:.*]] = arith.constant dense<-3.40282347E+38> : tensor<128xf32>
// CHECK:         scf.for %[[J:.*]] = %[[BEGIN]] to %[[END]] step %{{.*}} iter_args(%{{.*}} = %[[LOWEST]])
// CHECK:           tile.mask %{{.*}}[%[[ROW0]], %[[J]]] cols 256 causal left 100 :
// CHECK:         scf.for %[[J2:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK:           tile.mask %{{.*}}[%[[ROW0]], %[[J2]]] cols 256 causal left 100 :

func.func @causal_window(%q: tensor<1x2x256x64xf16>, %k: tensor<1x2x256x64xf16>,
                         %v: tensor<1x2x256x64xf16>) -> tensor<1x2x256x64xf16> {
  %o = attn.attention %q, %k, %v causal window [100, 0]
      : tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>
      -> tensor<1x2x256x64xf16>
  return %o : tensor<1x2x256x64xf16>
}

// -----

// A two-sided window over run-time sizes: rows are shifted by Nk - Nq for
// the mask, the loops run from the block of row0 + Nk - Nq - 16 to
// row0 + block-m + Nk - Nq + 8 (clamped to [0, Nk]).

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         %[[ROW0:.*]] = arith.muli
// CHECK:         %[[SHIFT:.*]] = arith.subi %[[NK:.*]], %[[NQ:.*]] : index
// CHECK:         %[[DIAG:.*]] = arith.addi %[[ROW0]], %[[SHIFT]]
// CHECK:         arith.subi %[[DIAG]], %{{.*}}
// CHECK:         %[[BEGIN:.*]] = arith.muli
// CHECK:         %[[SHIFT2:.*]] = arith.subi %[[NK]], %[[NQ]]
// CHECK:         %[[PAST:.*]] = arith.constant 136 : index
// CHECK:         %[[LASTROW:.*]] = arith.addi %[[ROW0]], %[[PAST]]
// CHECK:         %[[LAST:.*]] = arith.addi %[[LASTROW]], %[[SHIFT2]]
// CHECK:         %[[POS:.*]] = arith.maxsi %[[LAST]], %{{.*}}
// CHECK:         %[[END:.*]] = arith.minsi %[[NK]], %[[POS]]
// CHECK:         %[[MASKROW:.*]] = arith.addi %[[ROW0]], %{{.*}}
// CHECK:         scf.for %[[J:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK:           tile.mask %{{.*}}[%[[MASKROW]], %[[J]]] cols %[[NK]] left 16 right 8 :

func.func @window_runtime_sizes(%q: tensor<?x?x?x64xf16>, %k: tensor<?x?x?x64xf16>)
    -> tensor<?x?x?x64xf16> {
  %o = attn.attention %q, %k, %k window [16, 8]
      : tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>
      -> tensor<?x?x?x64xf16>
  return %o : tensor<?x?x?x64xf16>
}
