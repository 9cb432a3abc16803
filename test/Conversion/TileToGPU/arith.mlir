// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu | FileCheck %s

// The arithmetic pattern set (compiler/Conversion/TileToGPU/
// ArithPatterns.cpp): element-wise math per piece, splat constants, row
// reductions and broadcasts, masks, and layout conversions.

// 32 rows over 2 warps, 16 columns: each thread holds 2 pieces
// vector<2x2xf32> of a tile and 1 vector<2xf32> of a row vector.

#mma = #tile.mma<sync, warps = 2>
#row = #tile.slice<dim = 1, #mma>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">

// CHECK-LABEL: gpu.func @elementwise
// CHECK:           %[[X:.*]]:2 = scf.if
// Constants: one splat piece, used for every piece.
// CHECK:           %[[C:.*]] = arith.constant dense<2.000000e+00> : vector<2x2xf32>
// Element-wise ops apply to each piece.
// CHECK:           %[[M0:.*]] = arith.mulf %[[X]]#0, %[[C]] : vector<2x2xf32>
// CHECK:           %[[M1:.*]] = arith.mulf %[[X]]#1, %[[C]] : vector<2x2xf32>
// exp2 becomes four ex2.approx per piece (no libdevice).
// CHECK-COUNT-8:   llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK-NOT:       llvm.call_intrinsic "llvm.nvvm.ex2.approx
// Row maximum: across the thread's two slices, its two columns, then the
// quad with shuffles xor 1 and xor 2, for rows g and g + 8.
// CHECK:           %[[A:.*]] = arith.maximumf %{{.*}}, %{{.*}} : vector<2x2xf32>
// CHECK:           arith.maximumf {{.*}} : f32
// CHECK:           gpu.shuffle xor %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK:           gpu.shuffle xor %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK:           arith.maximumf {{.*}} : f32
// CHECK:           gpu.shuffle xor
// CHECK:           gpu.shuffle xor
// CHECK:           %[[R:.*]] = vector.from_elements %{{.*}}, %{{.*}} : vector<2xf32>
// Broadcast: row g's value fills vector row 0, row g + 8's row 1.
// CHECK:           %[[E0:.*]] = vector.extract %[[R]][0] : f32 from vector<2xf32>
// CHECK:           vector.broadcast %[[E0]] : f32 to vector<2xf32>
// CHECK:           %[[E1:.*]] = vector.extract %[[R]][1] : f32 from vector<2xf32>
// CHECK:           vector.broadcast %[[E1]] : f32 to vector<2xf32>
// CHECK:           arith.subf {{.*}} : vector<2x2xf32>
// CHECK:           arith.subf {{.*}} : vector<2x2xf32>
func.func private @elementwise(%x: memref<32x16xf32>, %y: memref<32x16xf32>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<32x16xf32> -> tensor<32x16xf32, #mma>
  %two = arith.constant dense<2.0> : tensor<32x16xf32, #mma>
  %s = arith.mulf %t, %two : tensor<32x16xf32, #mma>
  %e = math.exp2 %s : tensor<32x16xf32, #mma>
  %m = tile.reduce max %e : tensor<32x16xf32, #mma> -> tensor<32xf32, #row>
  %b = tile.broadcast %m : tensor<32xf32, #row> -> tensor<32x16xf32, #mma>
  %d = arith.subf %e, %b : tensor<32x16xf32, #mma>
  tile.store %d, %y[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  return
}

// -----

// A mask costs nothing on tiles inside the valid region: a uniform branch
// selects -inf per element only when the tile crosses the last column or,
// with causal, the diagonal.

#mma = #tile.mma<sync, warps = 2>
// CHECK-LABEL: gpu.func @mask
// CHECK:           %[[NEEDED:.*]] = arith.ori %{{.*}}, %{{.*}} : i1
// CHECK:           scf.if %[[NEEDED]] -> (vector<2x2xf32>, vector<2x2xf32>) {
// CHECK:             %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-COUNT-8:     arith.select %{{.*}}, %[[NEGINF]], %{{.*}} : f32
// CHECK:             scf.yield
// CHECK:           } else {
// CHECK-NEXT:        scf.yield %{{.*}}, %{{.*}} : vector<2x2xf32>, vector<2x2xf32>
// CHECK:           }
func.func private @mask(%x: memref<32x16xf32>, %r: index, %c: index)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<32x16xf32> -> tensor<32x16xf32, #mma>
  %m = tile.mask %t[%r, %c] cols 20 causal : tensor<32x16xf32, #mma>
  tile.store %m, %x[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  return
}

// -----

// A sliding window: the tile needs the element tests when its first column
// is before the last row's window (col0 + left < row0 + rows - 1) or its last
// column after the first row's (col0 + cols - 1 > row0 + right); each element
// is -inf past the last column, before row - left or after row + right.

#mma = #tile.mma<sync, warps = 2>
// CHECK-LABEL: gpu.func @window_mask
// CHECK-SAME:    (%{{.*}}: memref<32x16xf32>, %[[R:.*]]: index, %[[C:.*]]: index)
// CHECK:           %[[PAST:.*]] = arith.cmpi ugt, %{{.*}}, %{{.*}} : index
// CHECK:           %[[LASTROW:.*]] = arith.addi %[[R]], %{{.*}} : index
// CHECK:           %[[C5:.*]] = arith.constant 5 : index
// CHECK:           %[[CL:.*]] = arith.addi %[[C]], %[[C5]] : index
// CHECK:           %[[BEFORE:.*]] = arith.cmpi slt, %[[CL]], %[[LASTROW]] : index
// CHECK:           %[[N1:.*]] = arith.ori %[[PAST]], %[[BEFORE]] : i1
// CHECK:           %[[C3:.*]] = arith.constant 3 : index
// CHECK:           %[[RR:.*]] = arith.addi %[[R]], %[[C3]] : index
// CHECK:           %[[C15:.*]] = arith.constant 15 : index
// CHECK:           %[[LASTCOL:.*]] = arith.addi %[[C]], %[[C15]] : index
// CHECK:           %[[AFTER:.*]] = arith.cmpi sgt, %[[LASTCOL]], %[[RR]] : index
// CHECK:           %[[NEEDED:.*]] = arith.ori %[[N1]], %[[AFTER]] : i1
// CHECK:           scf.if %[[NEEDED]] -> (vector<2x2xf32>, vector<2x2xf32>) {
// CHECK:             %[[COLPAST:.*]] = arith.cmpi uge, %[[COL:.*]], %{{.*}} : index
// CHECK:             %[[COLL:.*]] = arith.addi %[[COL]], %{{.*}} : index
// CHECK:             %[[ELEFT:.*]] = arith.cmpi slt, %[[COLL]], %[[ROW:.*]] : index
// CHECK:             %[[E1:.*]] = arith.ori %[[COLPAST]], %[[ELEFT]] : i1
// CHECK:             %[[ROWR:.*]] = arith.addi %[[ROW]], %{{.*}} : index
// CHECK:             %[[ERIGHT:.*]] = arith.cmpi sgt, %[[COL]], %[[ROWR]] : index
// CHECK:             %[[BAD:.*]] = arith.ori %[[E1]], %[[ERIGHT]] : i1
// CHECK:             arith.select %[[BAD]], %{{.*}}, %{{.*}} : f32
func.func private @window_mask(%x: memref<32x16xf32>, %r: index, %c: index)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<32x16xf32> -> tensor<32x16xf32, #mma>
  %m = tile.mask %t[%r, %c] cols 20 left 5 right 3 : tensor<32x16xf32, #mma>
  tile.store %m, %x[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  return
}

// -----

// An unconditional mask (attn-peel-masked-steps) tests every element with
// no branch around the tests.

#mma = #tile.mma<sync, warps = 2>
// CHECK-LABEL: gpu.func @unconditional_mask
// CHECK:           %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-COUNT-8:   arith.select %{{.*}}, %[[NEGINF]], %{{.*}} : f32
// CHECK-NOT:       scf.yield {{.*}} : vector<2x2xf32>, vector<2x2xf32>
// CHECK:           gpu.return
func.func private @unconditional_mask(%x: memref<32x16xf32>, %r: index, %c: index)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<32x16xf32> -> tensor<32x16xf32, #mma>
  %m = tile.mask %t[%r, %c] cols 20 causal unconditional : tensor<32x16xf32, #mma>
  tile.store %m, %x[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  return
}

// -----

// Layout conversions. #mma -> #operand<a>: two adjacent accumulator pieces
// (8 columns each) are one 16-column A fragment, regrouped without moving
// data. #shared -> #mma: each thread reads its two element pairs of every
// piece from shared memory.

#mma = #tile.mma<sync, warps = 2>
// CHECK-LABEL: gpu.func @convert
// CHECK:           %[[P:.*]]:2 = scf.if
// CHECK:           %[[L0:.*]] = vector.extract %[[P]]#0[0] : vector<2xf16> from vector<2x2xf16>
// CHECK:           %[[L1:.*]] = vector.extract %[[P]]#0[1] : vector<2xf16> from vector<2x2xf16>
// CHECK:           %[[H0:.*]] = vector.extract %[[P]]#1[0] : vector<2xf16> from vector<2x2xf16>
// CHECK:           %[[H1:.*]] = vector.extract %[[P]]#1[1] : vector<2xf16> from vector<2x2xf16>
// CHECK:           vector.insert %[[L0]], %{{.*}} [0] : vector<2xf16> into vector<4x2xf16>
// CHECK:           vector.insert %[[L1]], %{{.*}} [1] : vector<2xf16> into vector<4x2xf16>
// CHECK:           vector.insert %[[H0]], %{{.*}} [2] : vector<2xf16> into vector<4x2xf16>
// CHECK:           vector.insert %[[H1]], %{{.*}} [3] : vector<2xf16> into vector<4x2xf16>
// CHECK:           %[[V:.*]] = memref.cast %{{.*}} : memref<1x16x16xf16, strided<[384, 24, 1]>, #gpu.address_space<workgroup>> to memref<?x16x16xf16, strided<[384, 24, 1]>, #gpu.address_space<workgroup>>
// CHECK:           nvgpu.mma.sync
// CHECK-COUNT-4:   vector.load %[[V]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x16x16xf16, strided<[384, 24, 1]>, #gpu.address_space<workgroup>>, vector<2xf16>
func.func private @convert(%x: memref<32x16xf16>, %y: memref<32x16xf16>, %o: memref<32x16xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 768, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %p = tile.load %x[%c0, %c0] : memref<32x16xf16> -> tensor<32x16xf16, #mma>
  %a = tile.convert_layout %p : tensor<32x16xf16, #mma> -> tensor<32x16xf16, #tile.operand<a, #mma>>
  %buf = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x16x16xf16, #tile.shared<pad = 8>>
  %v = tile.local_load %buf[%c0] : !tile.buffer<1x16x16xf16, #tile.shared<pad = 8>>
      -> tensor<16x16xf16, #tile.shared<pad = 8>>
  %r = tile.dot %a, %v : tensor<32x16xf16, #tile.operand<a, #mma>>,
      tensor<16x16xf16, #tile.shared<pad = 8>> -> tensor<32x16xf32, #mma>
  tile.store %r, %o[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  %vr = tile.convert_layout %v : tensor<16x16xf16, #tile.shared<pad = 8>>
      -> tensor<16x16xf16, #tile.mma<sync, warps = 1>>
  return
}
