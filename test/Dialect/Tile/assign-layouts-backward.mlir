// RUN: attn-opt %s -attn-assign-layouts | FileCheck %s

// A product with transpose_lhs reads its A operand from shared memory
// (ldmatrix.trans): a lhs held in registers (the backward's P or dS) is
// stored into a shared buffer of its own between two barriers and read back
// as the buffer's slot. A register lhs of an ordinary product is converted
// to the A-operand layout as before.

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
func.func private @stage(%src: memref<64x64xf32>, %out: memref<64x32xf32>, %out2: memref<64x32xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared : !tile.buffer<2x64x32xf16, #tile.shared<pad = 8>>
  %c1 = arith.constant 1 : index
  %do = tile.local_load %buf[%c0] : !tile.buffer<2x64x32xf16, #tile.shared<pad = 8>> -> tensor<64x32xf16, #tile.shared<pad = 8>>
  %k = tile.local_load %buf[%c1] : !tile.buffer<2x64x32xf16, #tile.shared<pad = 8>> -> tensor<64x32xf16, #tile.shared<pad = 8>>
  %p32 = tile.load %src[%c0, %c0] : memref<64x64xf32> -> tensor<64x64xf32>
  %p = arith.truncf %p32 : tensor<64x64xf32> to tensor<64x64xf16>
  %dv = tile.dot %p, %do transpose_lhs : tensor<64x64xf16>, tensor<64x32xf16, #tile.shared<pad = 8>> -> tensor<64x32xf32>
  tile.store %dv, %out[%c0, %c0] : tensor<64x32xf32>, memref<64x32xf32>
  %dq = tile.dot %p, %k : tensor<64x64xf16>, tensor<64x32xf16, #tile.shared<pad = 8>> -> tensor<64x32xf32>
  tile.store %dq, %out2[%c0, %c0] : tensor<64x32xf32>, memref<64x32xf32>
  return
}

// CHECK-LABEL: func.func private @stage
// CHECK:         %[[BUF:.*]] = tile.alloc_shared : <1x64x64xf16, #tile.shared<pad = 8>>
// CHECK:         tile.alloc_shared : <2x64x32xf16
// CHECK:         %[[P:.*]] = arith.truncf %{{.*}} : tensor<64x64xf32, #tile.mma<sync, warps = 4>> to tensor<64x64xf16, #tile.mma<sync, warps = 4>>
// CHECK:         %[[SLOT:.*]] = arith.constant 0 : index
// CHECK-NEXT:    tile.barrier
// CHECK-NEXT:    tile.local_store %[[P]], %[[BUF]][%[[SLOT]]] : tensor<64x64xf16, #tile.mma<sync, warps = 4>>, <1x64x64xf16, #tile.shared<pad = 8>>
// CHECK-NEXT:    tile.barrier
// CHECK-NEXT:    %[[VIEW:.*]] = tile.local_load %[[BUF]][%[[SLOT]]] : <1x64x64xf16, #tile.shared<pad = 8>> -> tensor<64x64xf16, #tile.shared<pad = 8>>
// CHECK-NEXT:    tile.dot %[[VIEW]], %{{.*}} transpose_lhs : tensor<64x64xf16, #tile.shared<pad = 8>>, tensor<64x32xf16, #tile.shared<pad = 8>> -> tensor<64x32xf32, #tile.mma<sync, warps = 4>>
// CHECK:         %[[A:.*]] = tile.convert_layout %[[P]] : tensor<64x64xf16, #tile.mma<sync, warps = 4>> -> tensor<64x64xf16, #tile.operand<a, <sync, warps = 4>>>
// CHECK-NEXT:    tile.dot %[[A]], %{{.*}} : tensor<64x64xf16, #tile.operand<a, <sync, warps = 4>>>
