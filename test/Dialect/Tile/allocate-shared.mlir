// RUN: attn-opt %s -split-input-file -attn-allocate-shared | FileCheck %s

// Buffers go one after another in dynamic shared memory, each aligned as
// its layout needs (128 bytes; 1024 for a 128-byte swizzle); the total is
// the kernel's and its launches' smem.

// CHECK-LABEL: func.func private @kernel
// CHECK-SAME:    smem = 14336
// CHECK:         tile.alloc_shared {offset = 0 : i64} : <2x32x40xf16, #tile.shared<pad = 8>>
// CHECK:         tile.alloc_shared {offset = 6144 : i64} : <1x64x64xf16, #tile.shared<swizzle = 128>>
// CHECK-LABEL: func.func @host
// CHECK:         tile.launch @kernel() names ["o"] {config = #tile.config<{{.*}}, smem = 14336, chip = "sm_90">}
func.func private @kernel(%o: memref<8x8xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_90">} {
  %a = tile.alloc_shared : !tile.buffer<2x32x40xf16, #tile.shared<pad = 8>>
  %b = tile.alloc_shared : !tile.buffer<1x64x64xf16, #tile.shared<swizzle = 128>>
  return
}
func.func @host() -> tensor<8x8xf32> {
  %o = tile.launch @kernel() names ["o"] {config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_90">} : () -> tensor<8x8xf32>
  return %o : tensor<8x8xf32>
}
