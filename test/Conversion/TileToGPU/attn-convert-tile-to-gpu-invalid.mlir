// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/unpromoted.mlir -attn-tile -attn-convert-tile-to-gpu -verify-diagnostics
// RUN: attn-opt %t/kernels.mlir -split-input-file -attn-convert-tile-to-gpu -verify-diagnostics

// What the GPU mapping refuses.

//--- unpromoted.mlir

// attn-tile's kernel without -attn-promote-shared: K is a register tile,
// but ldmatrix needs the dot's rhs in shared memory.

func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{'tile.dot' op rhs must be staged in shared memory (run -attn-promote-shared first)}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- kernels.mlir

// expected-error @below {{tile kernel needs tile.grid (3 sizes) and tile.num_warps}}
func.func private @grid_two_sizes(%a: memref<64x64xf32>)
    attributes {tile.grid = array<i64: 1, 1>, tile.num_warps = 4 : i64} {
  return
}

// -----

// expected-error @below {{tile kernel needs tile.grid (3 sizes) and tile.num_warps}}
func.func private @no_num_warps(%a: memref<64x64xf32>)
    attributes {tile.grid = array<i64: 1, 1, 1>} {
  return
}

// -----

func.func private @rows_not_whole_atoms(%o: memref<64x64xf32>)
    attributes {tile.grid = array<i64: 1, 1, 1>, tile.num_warps = 4 : i64} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{a tile of 32 rows cannot be split into 16-row MMA atoms over 4 warps}}
  %z = arith.constant dense<0.0> : tensor<32x16xf32>
  tile.store %z, %o[%c0, %c0] : tensor<32x16xf32>, memref<64x64xf32>
  return
}

// -----

func.func private @non_splat_constant(%o: memref<64x64xf32>)
    attributes {tile.grid = array<i64: 1, 1, 1>, tile.num_warps = 1 : i64} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{only splat tile constants are supported}}
  %z = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]> : tensor<16xf32>
  tile.store %z, %o[%c0, %c0] : tensor<16xf32>, memref<64x64xf32>
  return
}

// -----

func.func private @elementwise_on_shared(%o: memref<64x64xf16>)
    attributes {tile.grid = array<i64: 1, 1, 1>, tile.num_warps = 1 : i64} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared : memref<1x16x16xf16, strided<[384, 24, 1]>, #gpu.address_space<workgroup>>
  %t = tile.local_load %buf[%c0] : memref<1x16x16xf16, strided<[384, 24, 1]>, #gpu.address_space<workgroup>> -> tensor<16x16xf16>
  // expected-error @below {{reads a shared-memory tile element-wise; only tile.dot may}}
  %s = arith.addf %t, %t : tensor<16x16xf16>
  tile.store %s, %o[%c0, %c0] : tensor<16x16xf16>, memref<64x64xf16>
  return
}

// -----

func.func private @dot_k_8_in_f16(%o: memref<64x64xf32>)
    attributes {tile.grid = array<i64: 1, 1, 1>, tile.num_warps = 1 : i64} {
  %c0 = arith.constant 0 : index
  %a = tile.alloc_shared : memref<1x16x8xf16, strided<[384, 24, 1]>, #gpu.address_space<workgroup>>
  %b = tile.alloc_shared : memref<1x8x16xf16, strided<[384, 24, 1]>, #gpu.address_space<workgroup>>
  %x = tile.local_load %a[%c0] : memref<1x16x8xf16, strided<[384, 24, 1]>, #gpu.address_space<workgroup>> -> tensor<16x8xf16>
  %y = tile.local_load %b[%c0] : memref<1x8x16xf16, strided<[384, 24, 1]>, #gpu.address_space<workgroup>> -> tensor<8x16xf16>
  // expected-error @below {{needs the contraction size to be a multiple of 16 and the result width of 16, got 8 and 16}}
  %r = tile.dot %x, %y : tensor<16x8xf16>, tensor<8x16xf16> -> tensor<16x16xf32>
  tile.store %r, %o[%c0, %c0] : tensor<16x16xf32>, memref<64x64xf32>
  return
}

// -----

func.func private @if_with_results(%o: memref<64x64xf32>, %c: i1)
    attributes {tile.grid = array<i64: 1, 1, 1>, tile.num_warps = 1 : i64} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{with results is not supported in tile kernels}}
  %r = scf.if %c -> index {
    scf.yield %c0 : index
  } else {
    scf.yield %c0 : index
  }
  return
}

// -----

// expected-error @below {{tile.num_warps must be in [1, 32], got 0}}
func.func private @no_warps(%a: memref<16x16xf32>)
    attributes {tile.grid = array<i64: 1, 1, 1>, tile.num_warps = 0 : i64} {
  return
}
