// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/fused.mlir -attn-tile -attn-fuse-online-softmax -attn-promote-shared -attn-assign-layouts | FileCheck %t/fused.mlir
// RUN: attn-opt %t/shared-uses.mlir -split-input-file -attn-assign-layouts | FileCheck %t/shared-uses.mlir
// RUN: attn-opt %t/shared-uses.mlir -split-input-file -attn-assign-layouts -attn-allocate-shared -attn-convert-tile-to-gpu | FileCheck %t/shared-uses.mlir --check-prefix=GPU
// RUN: attn-opt %t/invalid.mlir -split-input-file -attn-assign-layouts -verify-diagnostics

// Every tile of a kernel gets a layout: accumulator tiles #tile.mma with
// the kernel's warps, row vectors #tile.slice, tiles in shared memory keep
// #tile.shared; conversions appear where a use needs another layout.

//--- fused.mlir

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         %[[Q:.*]] = tile.local_load {{.*}} -> tensor<128x64xf16, #tile.shared<pad = 8>>
// CHECK:         arith.constant dense<0xFF800000> : tensor<128xf32, #tile.slice<dim = 1, <sync, warps = 4>>>
// CHECK:         arith.constant dense<0.000000e+00> : tensor<128x64xf32, #tile.mma<sync, warps = 4>>
// CHECK:         scf.for {{.*}} -> (tensor<128xf32, #tile.slice<dim = 1, <sync, warps = 4>>>, tensor<128xf32, #tile.slice<dim = 1, <sync, warps = 4>>>, tensor<128x64xf32, #tile.mma<sync, warps = 4>>)
// CHECK:           %[[K:.*]] = tile.local_load {{.*}} -> tensor<64x64xf16, #tile.shared<pad = 8>>
// CHECK:           %[[S:.*]] = tile.dot %[[Q]], %[[K]] transpose_rhs : tensor<128x64xf16, #tile.shared<pad = 8>>, tensor<64x64xf16, #tile.shared<pad = 8>> -> tensor<128x64xf32, #tile.mma<sync, warps = 4>>
// CHECK:           tile.reduce max {{.*}} : tensor<128x64xf32, #tile.mma<sync, warps = 4>> -> tensor<128xf32, #tile.slice<dim = 1, <sync, warps = 4>>>
// CHECK:           %[[P:.*]] = arith.truncf {{.*}} : tensor<128x64xf32, #tile.mma<sync, warps = 4>> to tensor<128x64xf16, #tile.mma<sync, warps = 4>>
// CHECK:           %[[A:.*]] = tile.convert_layout %[[P]] : tensor<128x64xf16, #tile.mma<sync, warps = 4>> -> tensor<128x64xf16, #tile.operand<a, <sync, warps = 4>>>
// CHECK:           tile.dot %[[A]], %{{.*}}, %{{.*}} : tensor<128x64xf16, #tile.operand<a, <sync, warps = 4>>>, tensor<64x64xf16, #tile.shared<pad = 8>>, tensor<128x64xf32, #tile.mma<sync, warps = 4>>
// CHECK:         tile.store {{.*}} : tensor<128x64xf16, #tile.mma<sync, warps = 4>>
func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- shared-uses.mlir

// A tile viewed in shared memory and stored, or masked, is read into
// registers first: an explicit conversion, then the store or mask on the
// accumulator layout. (Before layouts existed, the first lowered to an
// empty branch that dropped the store and the second to invalid IR; both
// now lower, as the GPU prefix checks.)

// CHECK-LABEL: func.func private @store_shared
// CHECK:         %[[T:.*]] = tile.local_load {{.*}} -> tensor<32x16xf16, #tile.shared<pad = 8>>
// CHECK:         %[[R:.*]] = tile.convert_layout %[[T]] : tensor<32x16xf16, #tile.shared<pad = 8>> -> tensor<32x16xf16, #tile.mma<sync, warps = 2>>
// CHECK:         tile.store %[[R]], {{.*}} : tensor<32x16xf16, #tile.mma<sync, warps = 2>>
// GPU-LABEL: gpu.func @store_shared
// GPU:         %[[V:.*]] = memref.cast %{{.*}} to memref<?x32x16xf16
// GPU-COUNT-4: vector.load %[[V]]
// GPU:         scf.if
// GPU-COUNT-4:   vector.store
func.func private @store_shared(%src: memref<1x1x32x16xf16>, %dst: memref<1x1x32x16xf16>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared : !tile.buffer<1x32x16xf16, #tile.shared<pad = 8>>
  tile.async_copy %src[%c0, %c0, %c0, %c0], %buf[%c0] : memref<1x1x32x16xf16>, !tile.buffer<1x32x16xf16, #tile.shared<pad = 8>>
  tile.async_commit
  tile.async_wait 0
  tile.barrier
  %t = tile.local_load %buf[%c0] : !tile.buffer<1x32x16xf16, #tile.shared<pad = 8>> -> tensor<32x16xf16, #tile.shared<pad = 8>>
  tile.store %t, %dst[%c0, %c0, %c0, %c0] : tensor<32x16xf16, #tile.shared<pad = 8>>, memref<1x1x32x16xf16>
  return
}

// -----

// CHECK-LABEL: func.func private @mask_shared
// CHECK:         %[[T:.*]] = tile.local_load {{.*}} -> tensor<32x16xf32, #tile.shared<pad = 4>>
// CHECK:         %[[X:.*]] = tile.convert_layout %[[T]] : tensor<32x16xf32, #tile.shared<pad = 4>> -> tensor<32x16xf32, #tile.mma<sync, warps = 2>>
// CHECK:         tile.mask %[[X]][%{{.*}}, %{{.*}}] cols 10 causal : tensor<32x16xf32, #tile.mma<sync, warps = 2>>
// GPU-LABEL: gpu.func @mask_shared
// GPU-COUNT-4: vector.load
// GPU:         scf.if
// GPU:           arith.select
func.func private @mask_shared(%dst: memref<1x1x32x16xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared : !tile.buffer<1x32x16xf32, #tile.shared<pad = 4>>
  %t = tile.local_load %buf[%c0] : !tile.buffer<1x32x16xf32, #tile.shared<pad = 4>> -> tensor<32x16xf32, #tile.shared<pad = 4>>
  %m = tile.mask %t[%c0, %c0] cols 10 causal : tensor<32x16xf32, #tile.shared<pad = 4>>
  tile.store %m, %dst[%c0, %c0, %c0, %c0] : tensor<32x16xf32, #tile.shared<pad = 4>>, memref<1x1x32x16xf32>
  return
}

//--- invalid.mlir

// The B operand of a product must be in shared memory: a register tile is
// refused (run attn-promote-shared first).

func.func private @rhs_in_registers(%x: memref<32x16xf16>, %y: memref<16x16xf16>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %a = tile.load %x[%c0, %c0] : memref<32x16xf16> -> tensor<32x16xf16>
  %b = tile.load %y[%c0, %c0] : memref<16x16xf16> -> tensor<16x16xf16>
  // expected-error @below {{rhs must be staged in shared memory to be an MMA B operand (run -attn-promote-shared first)}}
  %r = tile.dot %a, %b : tensor<32x16xf16>, tensor<16x16xf16> -> tensor<32x16xf32>
  return
}

// -----

// expected-error @below {{attn-assign-layouts: the module holds no tile kernel (the pass runs on rung 4, after attn-promote-shared)}}
module {
}
