// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu | FileCheck %s

// The control-flow pattern set (compiler/Conversion/TileToGPU/
// ControlFlowPatterns.cpp): a program id is the block id, and loops and
// branches carrying tiles carry what each thread holds of them (upstream's
// structural type conversion, 1:N).

#mma = #tile.mma<sync, warps = 2>
#row = #tile.slice<dim = 1, #mma>

// A loop carrying a 32x16 tile (2 pieces per thread) and its row vector
// (1 piece) carries three vectors. Loops count in i32 (a kernel's loops
// run over rows and keys, fewer than 2^31): the bounds are cast down, the
// counter zero-extended back to an index.

// CHECK-LABEL: gpu.func @loop
// CHECK:           %[[BID:.*]] = gpu.block_id z
// CHECK:           %[[UB:.*]] = arith.index_cast %[[BID]] : index to i32
// CHECK:           %[[R:.*]]:3 = scf.for %[[I:.*]] = %{{.*}} to %[[UB]] step %{{.*}} iter_args(%[[A:.*]] = %{{.*}}, %[[B:.*]] = %{{.*}}, %[[C:.*]] = %{{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2xf32>) : i32 {
// CHECK:             arith.index_castui %[[I]] : i32 to index
// CHECK:             %[[A2:.*]] = arith.addf %[[A]], %[[A]] : vector<2x2xf32>
// CHECK:             %[[B2:.*]] = arith.addf %[[B]], %[[B]] : vector<2x2xf32>
// CHECK:             %[[C2:.*]] = arith.addf %[[C]], %[[C]] : vector<2xf32>
// CHECK:             scf.yield %[[A2]], %[[B2]], %[[C2]] : vector<2x2xf32>, vector<2x2xf32>, vector<2xf32>
// CHECK:           }
// CHECK:           vector.extract %[[R]]#0[0]
func.func private @loop(%o: memref<32x16xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 4], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tile.program_id 2
  %zero = arith.constant dense<0.0> : tensor<32x16xf32, #mma>
  %zrow = arith.constant dense<0.0> : tensor<32xf32, #row>
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%a = %zero, %b = %zrow)
      -> (tensor<32x16xf32, #mma>, tensor<32xf32, #row>) {
    %a2 = arith.addf %a, %a : tensor<32x16xf32, #mma>
    %b2 = arith.addf %b, %b : tensor<32xf32, #row>
    scf.yield %a2, %b2 : tensor<32x16xf32, #mma>, tensor<32xf32, #row>
  }
  tile.store %r#0, %o[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  return
}

// -----

// A branch yielding a tile yields its pieces.

#mma = #tile.mma<sync, warps = 2>
// CHECK-LABEL: gpu.func @branch
// CHECK:           scf.if %{{.*}} -> (vector<2x2xf32>, vector<2x2xf32>) {
// CHECK:             scf.yield %{{.*}}, %{{.*}} : vector<2x2xf32>, vector<2x2xf32>
// CHECK:           } else {
// CHECK:             scf.yield %{{.*}}, %{{.*}} : vector<2x2xf32>, vector<2x2xf32>
func.func private @branch(%o: memref<32x16xf32>, %flag: i1)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant dense<0.0> : tensor<32x16xf32, #mma>
  %one = arith.constant dense<1.0> : tensor<32x16xf32, #mma>
  %r = scf.if %flag -> tensor<32x16xf32, #mma> {
    scf.yield %zero : tensor<32x16xf32, #mma>
  } else {
    scf.yield %one : tensor<32x16xf32, #mma>
  }
  tile.store %r, %o[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  return
}
