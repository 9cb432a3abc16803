// RUN: attn-opt %s -split-input-file --attn-convert-tile-to-host | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-convert-tile-to-host | FileCheck %s --check-prefix=NOTILE

// The host lowering of the backward's tile op forms: a tile.dot with
// transpose_lhs reads its lhs as [k, i] (the reduction index first); a row
// tile.load bounds-checks the one (last) dimension it reads along and reads
// memref<...xf32>[lead..., row], zero past the end; tile.atomic_add loads the
// destination element, adds the tile's element and stores the sum back, all
// inside the bounds check (sequential on the host). No tile op is left.

// NOTILE-NOT: tile.

// CHECK-LABEL: func.func @dv_step(
// CHECK-SAME:    %[[P:.*]]: memref<1x2x40x32xf16>, %[[DO:.*]]: memref<1x2x40x16xf16>, %[[DELTA:.*]]: memref<1x2x40xf32>, %[[DQ:.*]]: memref<1x2x40x16xf32>)
// CHECK-DAG:     %[[DOT:.*]] = memref.alloc() : memref<64x16xf16>
// CHECK-DAG:     %[[PT:.*]] = memref.alloc() : memref<64x32xf16>
// The grid's first dimension is the head (tile.program_id 0).
// CHECK:         scf.for %[[H:.*]] = %{{.*}} to %{{.*}} step
// CHECK:           %[[C8:.*]] = arith.constant 8 : index

// Pᵀ·dO: result[i, j] = Σ_k P[k, i]·dO[k, j], k over P's 64 rows.
// CHECK:           scf.for %[[K:.*]] = %{{.*}} to %c64{{(_[0-9]+)?}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK-NEXT:        %[[A:.*]] = memref.load %[[PT]][%[[K]], %[[I:[a-z0-9_]+]]] : memref<64x32xf16>
// CHECK-NEXT:        %[[AF:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT:        %[[B:.*]] = memref.load %[[DOT]][%[[K]], %[[J:[a-z0-9_]+]]] : memref<64x16xf16>
// CHECK-NEXT:        %[[BF:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT:        %[[FMA:.*]] = math.fma %[[AF]], %[[BF]], %[[ACC]] : f32
// CHECK-NEXT:        scf.yield %[[FMA]] : f32
// CHECK-NEXT:      }
// CHECK-NEXT:      memref.store %{{.*}}, %[[PROD:[a-z0-9_]+]][%[[I]], %[[J]]] : memref<32x16xf32>

// The row load: one bound (the 40 rows of the last dimension), then
// δ[b, h, 8 + r]; zero past the end.
// CHECK:           scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT:        %[[ROW:.*]] = arith.addi %[[C8]], %[[R]] : index
// CHECK-NEXT:        %[[C40:.*]] = arith.constant 40 : index
// CHECK-NEXT:        %[[IN:.*]] = arith.cmpi ult, %[[ROW]], %[[C40]] : index
// CHECK-NEXT:        %[[V:.*]] = scf.if %[[IN]] -> (f32) {
// CHECK-NEXT:          %[[D:.*]] = memref.load %[[DELTA]][%{{.*}}, %[[H]], %[[ROW]]] : memref<1x2x40xf32>
// CHECK-NEXT:          scf.yield %[[D]] : f32
// CHECK-NEXT:        } else {
// CHECK-NEXT:          %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:          scf.yield %[[Z]] : f32
// CHECK-NEXT:        }
// CHECK-NEXT:        memref.store %[[V]], %[[ROWS:[a-z0-9_]+]][%[[R]]] : memref<32xf32>
// CHECK-NEXT:      }

// The broadcast of δ, and dS = Pᵀ·dO - δ (no addition before the atomic
// add's).
// CHECK-NOT:       arith.addf
// CHECK:               memref.load %[[ROWS]][%{{.*}}] : memref<32xf32>
// CHECK-NEXT:          memref.store %{{.*}}, %[[BC:[a-z0-9_]+]][%{{.*}}, %{{.*}}] : memref<32x16xf32>
// CHECK-NOT:       arith.addf
// CHECK:               %[[X0:.*]] = memref.load %[[PROD]][%{{.*}}, %{{.*}}] : memref<32x16xf32>
// CHECK-NEXT:          %[[X1:.*]] = memref.load %[[BC]][%{{.*}}, %{{.*}}] : memref<32x16xf32>
// CHECK-NEXT:          %[[DIFF:.*]] = arith.subf %[[X0]], %[[X1]] : f32
// CHECK-NEXT:          memref.store %[[DIFF]], %[[DS:[a-z0-9_]+]][%{{.*}}, %{{.*}}] : memref<32x16xf32>
// CHECK-NOT:       arith.addf

// The atomic add: the bounds check on both tile dimensions, then a
// read-modify-write of dQ[b, h, 8 + r, c] inside it.
// CHECK:           scf.for %[[AR:.*]] = %{{.*}} to %{{.*}} step
// CHECK:             scf.for %[[AC:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT:          %[[ROW2:.*]] = arith.addi %[[C8]], %[[AR]] : index
// CHECK-NEXT:          %[[COL:.*]] = arith.addi %{{.*}}, %[[AC]] : index
// CHECK-NEXT:          %[[C40B:.*]] = arith.constant 40 : index
// CHECK-NEXT:          %[[OKR:.*]] = arith.cmpi ult, %[[ROW2]], %[[C40B]] : index
// CHECK-NEXT:          %[[C16B:.*]] = arith.constant 16 : index
// CHECK-NEXT:          %[[OKC:.*]] = arith.cmpi ult, %[[COL]], %[[C16B]] : index
// CHECK-NEXT:          %[[OK:.*]] = arith.andi %[[OKR]], %[[OKC]] : i1
// CHECK-NEXT:          scf.if %[[OK]] {
// CHECK-NEXT:            %[[X:.*]] = memref.load %[[DS]][%[[AR]], %[[AC]]] : memref<32x16xf32>
// CHECK-NEXT:            %[[OLD:.*]] = memref.load %[[DQ]][%[[B0:[a-z0-9_]+]], %[[H]], %[[ROW2]], %[[COL]]] : memref<1x2x40x16xf32>
// CHECK-NEXT:            %[[NEW:.*]] = arith.addf %[[OLD]], %[[X]] : f32
// CHECK-NEXT:            memref.store %[[NEW]], %[[DQ]][%[[B0]], %[[H]], %[[ROW2]], %[[COL]]] : memref<1x2x40x16xf32>
// CHECK-NEXT:          }
// CHECK:         return
func.func private @dv_step(%p: memref<1x2x40x32xf16>, %do: memref<1x2x40x16xf16>,
                           %delta: memref<1x2x40xf32>, %dqacc: memref<1x2x40x16xf32>)
    attributes {tile.config = #tile.config<grid = [2, 1, 1], warps = 1, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %h = tile.program_id 0
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %pt = tile.load %p[%c0, %h, %c8, %c0] : memref<1x2x40x32xf16> -> tensor<64x32xf16>
  %dot = tile.load %do[%c0, %h, %c8, %c0] : memref<1x2x40x16xf16> -> tensor<64x16xf16>
  %prod = tile.dot %pt, %dot transpose_lhs : tensor<64x32xf16>, tensor<64x16xf16> -> tensor<32x16xf32>
  %row = tile.load %delta[%c0, %h, %c8] : memref<1x2x40xf32> -> tensor<32xf32>
  %b = tile.broadcast %row : tensor<32xf32> -> tensor<32x16xf32>
  %ds = arith.subf %prod, %b : tensor<32x16xf32>
  tile.atomic_add %ds, %dqacc[%c0, %h, %c8, %c0] : tensor<32x16xf32>, memref<1x2x40x16xf32>
  return
}

// -----

// Both operands transposed: result[i, j] = Σ_k lhs[k, i]·rhs[j, k].

// CHECK-LABEL: func.func @both_transposed(
// CHECK-DAG:     %[[PROD:.*]] = memref.alloc() : memref<16x8xf32>
// CHECK-DAG:     %[[RHS:.*]] = memref.alloc() : memref<8x32xf32>
// CHECK-DAG:     %[[LHS:.*]] = memref.alloc() : memref<32x16xf32>
// CHECK:             scf.for %[[K:.*]] = %{{.*}} to %c32{{(_[0-9]+)?}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK-NEXT:          %[[A:.*]] = memref.load %[[LHS]][%[[K]], %[[I:[a-z0-9_]+]]] : memref<32x16xf32>
// CHECK-NEXT:          %[[B:.*]] = memref.load %[[RHS]][%[[J:[a-z0-9_]+]], %[[K]]] : memref<8x32xf32>
// CHECK-NEXT:          %[[FMA:.*]] = math.fma %[[A]], %[[B]], %[[ACC]] : f32
// CHECK-NEXT:          scf.yield %[[FMA]] : f32
// CHECK-NEXT:        }
// CHECK-NEXT:        memref.store %{{.*}}, %[[PROD]][%[[I]], %[[J]]] : memref<16x8xf32>
func.func private @both_transposed(%x: memref<32x16xf32>, %y: memref<8x32xf32>,
                                   %o: memref<16x8xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 1, block_m = 16, block_n = 8, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %a = tile.load %x[%c0, %c0] : memref<32x16xf32> -> tensor<32x16xf32>
  %b = tile.load %y[%c0, %c0] : memref<8x32xf32> -> tensor<8x32xf32>
  %r = tile.dot %a, %b transpose_lhs transpose_rhs : tensor<32x16xf32>, tensor<8x32xf32> -> tensor<16x8xf32>
  tile.store %r, %o[%c0, %c0] : tensor<16x8xf32>, memref<16x8xf32>
  return
}
