// RUN: split-file --leading-lines %s %t
// RUN: not attn-opt %t/kernel.mlir -attn-warp-specialize=producer-registers=20 2>&1 | FileCheck %t/kernel.mlir --check-prefix=LOW
// RUN: not attn-opt %t/kernel.mlir -attn-warp-specialize=compute-registers=250 2>&1 | FileCheck %t/kernel.mlir --check-prefix=STEP
// RUN: not attn-opt %t/kernel.mlir -attn-warp-specialize=compute-registers=264 2>&1 | FileCheck %t/kernel.mlir --check-prefix=HIGH
// RUN: not attn-opt %t/kernel.mlir -attn-warp-specialize="producer-registers=56 compute-registers=256" 2>&1 | FileCheck %t/kernel.mlir --check-prefix=POOL
// RUN: attn-opt %t/kernel.mlir -attn-warp-specialize="producer-registers=40 compute-registers=232" | FileCheck %t/kernel.mlir --check-prefix=FITS
// RUN: attn-opt %t/refused.mlir -split-input-file -attn-warp-specialize -verify-diagnostics

// What attn-warp-specialize refuses. Register counts: setmaxnreg takes
// multiples of 8 in [24, 256], and the producers' and compute warps'
// counts together must fit what the launch gave the program (here 12
// warps: 168 registers x 384 threads = 64512), or setmaxnreg would wait
// forever for registers no warp gives up.

//--- kernel.mlir

// LOW: error: attn-warp-specialize: register counts must be multiples of 8 in [24, 256], got 20
// STEP: error: attn-warp-specialize: register counts must be multiples of 8 in [24, 256], got 250
// HIGH: error: attn-warp-specialize: register counts must be multiples of 8 in [24, 256], got 264
// POOL: error: attn-warp-specialize: 128 producer x 56 + 256 compute x 256 registers exceed the 64512 the launch of 384 threads holds (setmaxnreg would wait forever)
// 40·128 + 232·256 = 64512: exactly the pool.
// FITS: tile.warp_specialize attributes {compute_registers = 232 : i64, producer_registers = 40 : i64}

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
func.func private @kernel(%map: !tile.tensor_map<64x64xf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  %c0 = arith.constant 0 : index
  tile.tma_load %map[%c0, %c0, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
  tile.mbarrier_wait %full[%c0], %c0 : !tile.mbarrier<1>
  return
}

//--- refused.mlir

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// expected-error @below {{attn-warp-specialize: kernel @no_copies has no TMA copies to give to producers (run -attn-promote-tma first)}}
func.func private @no_copies(%x: memref<64x64xf16>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %a = tile.load %x[%c0, %c0] : memref<64x64xf16> -> tensor<64x64xf16>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
// expected-error @below {{attn-warp-specialize: kernel @twice is already specialized}}
func.func private @twice(%map: !tile.tensor_map<64x64xf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  tile.warp_specialize attributes {producer_registers = 24 : i64, compute_registers = 240 : i64} producer {
    %c0 = arith.constant 0 : index
    tile.tma_load %map[%c0, %c0, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
  } compute {
    %c0 = arith.constant 0 : index
    tile.mbarrier_wait %full[%c0], %c0 : !tile.mbarrier<1>
  }
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
// expected-error @below {{attn-warp-specialize: kernel @blocks has more than one block}}
func.func private @blocks(%map: !tile.tensor_map<64x64xf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  %c0 = arith.constant 0 : index
  tile.tma_load %map[%c0, %c0, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
  cf.br ^next
^next:
  return
}

// -----

// A copy inside a region the producer cannot clone.

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
func.func private @region(%map: !tile.tensor_map<64x64xf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  %c0 = arith.constant 0 : index
  // expected-error @below {{'scf.execute_region' op holds TMA copies but is neither an scf.for nor an scf.if; attn-warp-specialize cannot give them to the producer}}
  scf.execute_region {
    tile.tma_load %map[%c0, %c0, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
    scf.yield
  }
  return
}

// -----

// A copy whose coordinates the compute warps compute (a value read from
// memory the kernel also writes): the producer cannot recompute it. (A
// read of an argument nothing writes, as a packed batch's offsets, it
// loads again: warp-specialize.mlir.)

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
func.func private @data_dependent(%map: !tile.tensor_map<64x64xf16, swizzle = 128>, %rows: memref<4xindex>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  %c0 = arith.constant 0 : index
  %row = memref.load %rows[%c0] : memref<4xindex>
  memref.store %c0, %rows[%c0] : memref<4xindex>
  // expected-error-re @below {{'tile.tma_load' op needs {{.*}}, which the compute warps produce; a copy may depend only on indices and on reads of arguments the kernel never writes}}
  tile.tma_load %map[%c0, %row, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
  return
}

// -----

// A loop the producer would need that also writes memory: not its to run.

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
func.func private @writing_loop(%map: !tile.tensor_map<64x64xf16, swizzle = 128>, %rows: memref<4xindex>, %out: memref<4xindex>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %row = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %c0) -> (index) {
    %x = memref.load %rows[%i] : memref<4xindex>
    memref.store %x, %out[%i] : memref<4xindex>
    scf.yield %x : index
  }
  // expected-error-re @below {{'tile.tma_load' op needs {{.*}}, which the compute warps produce; a copy may depend only on indices and on reads of arguments the kernel never writes}}
  tile.tma_load %map[%c0, %row, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
  return
}

// -----

// expected-error @below {{attn-warp-specialize: the module holds no tile kernel (the pass runs on rung 4, after attn-promote-tma)}}
module {
  func.func @f() {
    return
  }
}
