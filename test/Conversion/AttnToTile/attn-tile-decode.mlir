// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/decode.mlir -attn-select-tiling=chip=sm_90a | FileCheck %t/decode.mlir --check-prefix=SELECT
// RUN: attn-opt %t/decode.mlir -attn-select-tiling=chip=sm_90a -attn-tile | FileCheck %t/decode.mlir
// RUN: attn-opt %t/decode.mlir -attn-select-tiling="chip=sm_90a split-keys=0" | FileCheck %t/decode.mlir --check-prefix=NOSPLIT
// RUN: attn-opt %t/unpacked.mlir -split-input-file -attn-select-tiling="chip=sm_90a split-keys=1024" -attn-tile | FileCheck %t/unpacked.mlir
// RUN: attn-opt %t/long-queries.mlir -attn-select-tiling=chip=sm_90a | FileCheck %t/long-queries.mlir

// Decoding (flash-decoding): few queries against many keys. Each K/V
// head's group of query heads is packed into one program's rows, and the
// keys are split over programs whose partial results a second kernel
// combines with their logsumexps.

//--- decode.mlir

// B = 2, H = 8, Hkv = 2, one query, 4096 keys: 2 x 2 programs of the 4
// packed heads, so attn-select-tiling splits the 32 key blocks of 128 into
// 8 splits of 512 keys (one wave on sm_90a's 132 SMs, at least 4 blocks
// each).
// SELECT: attn.attention {{.*}} causal {tiling = #attn.tiling<fused, block_m = 64, block_n = 128, warps = 4, stages = 2, chip = "sm_90a", mma = wgmma, split_keys = 512>}
// NOSPLIT: #attn.tiling<fused, block_m = 64, block_n = 128, warps = 4, stages = 2, chip = "sm_90a", mma = wgmma>

// The split kernel: Q viewed as [B, Hkv, H/Hkv, D]; batches x splits along
// z; each program's keys are its chunk [split·512, split·512 + 512); no
// causal mask (the one query sees every key); f32 partial rows and log2
// logsumexps to [B·S, Hkv, 4, D] and [B·S, Hkv, 4].
// CHECK-LABEL: func.func private @attn_fwd(
// CHECK-SAME:    memref<2x2x4x128xbf16>, %{{.*}}: memref<2x2x4096x128xbf16>, %{{.*}}: memref<2x2x4096x128xbf16>, %[[PART:.*]]: memref<16x2x4x128xf32>, %[[LSES:.*]]: memref<16x2x4xf32>)
// CHECK-SAME:    grid = [1, 2, 16]
// CHECK:         %[[Z:.*]] = tile.program_id 2
// CHECK:         %[[H:.*]] = tile.program_id 1
// CHECK:         %[[S:.*]] = arith.constant 8 : index
// CHECK:         %[[B:.*]] = arith.divui %[[Z]], %[[S]]
// CHECK:         %[[SPLIT:.*]] = arith.remui %[[Z]], %[[S]]
// CHECK:         tile.load %{{.*}}[%[[B]], %[[H]], %{{.*}}, %{{.*}}] : memref<2x2x4x128xbf16> -> tensor<64x128xbf16>
// CHECK:         %[[CHUNK:.*]] = arith.constant 512 : index
// CHECK:         %[[FIRST:.*]] = arith.muli %[[SPLIT]], %[[CHUNK]]
// CHECK:         %[[BEGIN:.*]] = arith.maxui %{{.*}}, %[[FIRST]]
// CHECK:         %[[LAST:.*]] = arith.addi %[[FIRST]], %{{.*}}
// CHECK:         %[[END:.*]] = arith.minui %{{.*}}, %[[LAST]]
// CHECK:         scf.for %[[J:.*]] = %[[BEGIN]] to %[[END]]
// CHECK:           tile.load %{{.*}}[%[[B]], %[[H]], %[[J]], %{{.*}}] : memref<2x2x4096x128xbf16>
// CHECK-NOT:       causal
// CHECK:           tile.mask %{{.*}} cols 4096 :
// CHECK:         tile.store %{{.*}}, %[[PART]][%[[Z]], %[[H]], %{{.*}}, %{{.*}}] : tensor<64x128xf32>, memref<16x2x4x128xf32>
// CHECK:         math.log2
// CHECK:         tile.store %{{.*}}, %[[LSES]][%[[Z]], %[[H]], %{{.*}}] : tensor<64xf32>, memref<16x2x4xf32>

// The combining kernel: per row block, the lse-weighted mean of the 8
// splits (the loop unrolled by 8 into straight-line code), then O and
// lse · ln 2.
// CHECK-LABEL: func.func private @attn_fwd_combine(
// CHECK-SAME:    memref<16x2x4x128xf32>, %{{.*}}: memref<16x2x4xf32>, %{{.*}}: memref<2x2x4x128xbf16>, %{{.*}}: memref<2x2x4xf32>)
// CHECK-SAME:    grid = [1, 2, 2]
// CHECK-NOT:     scf.for
// CHECK-COUNT-8: tile.load %{{.*}} : memref<16x2x4x128xf32> -> tensor<64x128xf32>
// CHECK-NOT:     tile.load
// CHECK:         arith.divf
// CHECK:         arith.truncf %{{.*}} : tensor<64x128xf32> to tensor<64x128xbf16>
// CHECK:         tile.store
// CHECK:         arith.constant dense<0.693147182>
// CHECK:         tile.store

// The host function: Q reshaped to the packed view, the two launches, the
// results reshaped back.
// CHECK-LABEL: func.func @decode
// CHECK:         %[[Q2:.*]] = tensor.collapse_shape %arg0 {{\[}}[0], [1, 2], [3]] : tensor<2x8x1x128xbf16> into tensor<2x8x128xbf16>
// CHECK:         %[[Q3:.*]] = tensor.expand_shape %[[Q2]] {{\[}}[0], [1, 2], [3]] output_shape [2, 2, 4, 128]
// CHECK:         %[[P:.*]]:2 = tile.launch @attn_fwd(%[[Q3]], %arg1, %arg2) names ["q", "k", "v", "o_split", "lse_split"]
// CHECK:         %[[R:.*]]:2 = tile.launch @attn_fwd_combine(%[[P]]#0, %[[P]]#1) names ["o_split", "lse_split", "o", "lse"]
// CHECK-SAME:      -> (tensor<2x2x4x128xbf16>, tensor<2x2x4xf32>)
// CHECK:         tensor.expand_shape {{.*}} output_shape [2, 8, 1, 128]
// CHECK:         tensor.expand_shape {{.*}} output_shape [2, 8, 1]

func.func @decode(%q: tensor<2x8x1x128xbf16>, %k: tensor<2x2x4096x128xbf16>,
                  %v: tensor<2x2x4096x128xbf16>)
    -> (tensor<2x8x1x128xbf16>, tensor<2x8x1xf32>) {
  %o, %lse = attn.attention %q, %k, %v causal
      : tensor<2x8x1x128xbf16>, tensor<2x2x4096x128xbf16>, tensor<2x2x4096x128xbf16>
      -> tensor<2x8x1x128xbf16>, tensor<2x8x1xf32>
  return %o, %lse : tensor<2x8x1x128xbf16>, tensor<2x8x1xf32>
}

//--- unpacked.mlir

// Not packed where rows of one program would see different keys: a window,
// or causal with several queries (each query head keeps its own program
// and reads K/V head h / 4); split all the same.
// CHECK-LABEL: func.func private @attn_fwd(
// CHECK-SAME:    memref<1x8x4x128xbf16>
// CHECK-SAME:    grid = [1, 8, 4]
// CHECK:         arith.divui %{{.*}}, %{{.*}} : index
// CHECK:         tile.mask {{.*}} causal
// CHECK-LABEL: func.func @causal_queries
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         tile.launch @attn_fwd(%arg0,
func.func @causal_queries(%q: tensor<1x8x4x128xbf16>, %k: tensor<1x2x4096x128xbf16>,
                          %v: tensor<1x2x4096x128xbf16>) -> tensor<1x8x4x128xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x8x4x128xbf16>, tensor<1x2x4096x128xbf16>, tensor<1x2x4096x128xbf16>
      -> tensor<1x8x4x128xbf16>
  return %o : tensor<1x8x4x128xbf16>
}

// -----

// CHECK-LABEL: func.func private @attn_fwd(
// CHECK-SAME:    memref<1x8x1x128xbf16>
// CHECK:         tile.mask {{.*}} left 1000
// CHECK-LABEL: func.func @window
// CHECK-NOT:     tensor.collapse_shape
func.func @window(%q: tensor<1x8x1x128xbf16>, %k: tensor<1x2x4096x128xbf16>,
                  %v: tensor<1x2x4096x128xbf16>) -> tensor<1x8x1x128xbf16> {
  %o = attn.attention %q, %k, %v causal window [1000, 0]
      : tensor<1x8x1x128xbf16>, tensor<1x2x4096x128xbf16>, tensor<1x2x4096x128xbf16>
      -> tensor<1x8x1x128xbf16>
  return %o : tensor<1x8x1x128xbf16>
}

//--- long-queries.mlir

// More than 16 queries, or enough programs to fill the chip: no split.
// CHECK: #attn.tiling<fused, block_m = 128, block_n = 128, warps = 8, stages = 2, chip = "sm_90a", mma = wgmma>
// CHECK: #attn.tiling<fused, block_m = 64, block_n = 128, warps = 4, stages = 2, chip = "sm_90a", mma = wgmma>
func.func @prefill(%q: tensor<1x8x17x128xbf16>, %k: tensor<1x2x4096x128xbf16>,
                   %v: tensor<1x2x4096x128xbf16>) -> tensor<1x8x17x128xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x8x17x128xbf16>, tensor<1x2x4096x128xbf16>, tensor<1x2x4096x128xbf16>
      -> tensor<1x8x17x128xbf16>
  return %o : tensor<1x8x17x128xbf16>
}
func.func @big_batch(%q: tensor<96x8x1x128xbf16>, %k: tensor<96x2x4096x128xbf16>,
                     %v: tensor<96x2x4096x128xbf16>) -> tensor<96x8x1x128xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<96x8x1x128xbf16>, tensor<96x2x4096x128xbf16>, tensor<96x2x4096x128xbf16>
      -> tensor<96x8x1x128xbf16>
  return %o : tensor<96x8x1x128xbf16>
}
