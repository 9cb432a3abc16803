// RUN: attn-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the backward's tile op forms: tile.dot with
// transpose_lhs, the f32 row-vector tile.load and tile.atomic_add.

func.func @dot_contraction_transposed_lhs(%a: tensor<64x32xf16>, %b: tensor<32x16xf16>) {
  // lhsᵀ is 32x64: its 64 columns do not meet rhs's 32 rows.
  // expected-error @below {{contraction sizes differ: lhsᵀ has 64 columns, rhs has 32 rows}}
  %r = tile.dot %a, %b transpose_lhs : tensor<64x32xf16>, tensor<32x16xf16> -> tensor<32x16xf32>
  return
}

// -----

func.func @dot_contraction_both_transposed(%a: tensor<64x32xf16>, %b: tensor<16x32xf16>) {
  // expected-error @below {{contraction sizes differ: lhsᵀ has 64 columns, rhsᵀ has 32 rows}}
  %r = tile.dot %a, %b transpose_lhs transpose_rhs : tensor<64x32xf16>, tensor<16x32xf16> -> tensor<32x16xf32>
  return
}

// -----

func.func @dot_result_shape_transposed_lhs(%a: tensor<64x32xf16>, %b: tensor<64x16xf16>) {
  // lhsᵀ·rhs is 32x16, not the untransposed 64x16.
  // expected-error @below {{result must be 32x16}}
  %r = tile.dot %a, %b transpose_lhs : tensor<64x32xf16>, tensor<64x16xf16> -> tensor<64x16xf32>
  return
}

// -----

func.func @row_load_f16(%m: memref<1x2x40xf16>, %i: index) {
  // expected-error @below {{loads a row vector (f32) from an f32 memref, got 'memref<1x2x40xf16>'}}
  %r = tile.load %m[%i, %i, %i] : memref<1x2x40xf16> -> tensor<64xf16>
  return
}

// -----

func.func @atomic_add_f16_memref(%t: tensor<64x16xf32>, %m: memref<1x2x40x16xf16>, %i: index) {
  // expected-error @below {{adds into an f32 memref, got 'memref<1x2x40x16xf16>'}}
  tile.atomic_add %t, %m[%i, %i, %i, %i] : tensor<64x16xf32>, memref<1x2x40x16xf16>
  return
}

// -----

func.func @atomic_add_index_count(%t: tensor<64x16xf32>, %m: memref<1x2x40x16xf32>, %i: index) {
  // expected-error @below {{expects 4 indices (one per memref dimension), got 3}}
  tile.atomic_add %t, %m[%i, %i, %i] : tensor<64x16xf32>, memref<1x2x40x16xf32>
  return
}

// -----

func.func @atomic_add_f16_tile(%t: tensor<64x16xf16>, %m: memref<1x2x40x16xf32>, %i: index) {
  // The tile's type is an ODS constraint (2-D f32), checked before the verifier.
  // expected-error @below {{operand #0 must be 2D tensor of 32-bit float values, but got 'tensor<64x16xf16>'}}
  tile.atomic_add %t, %m[%i, %i, %i, %i] : tensor<64x16xf16>, memref<1x2x40x16xf32>
  return
}

// -----

func.func @local_store_shape(%t: tensor<64x32xf16>) {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #tile.shared<pad = 8>>
  // expected-error @below {{'tile.local_store' op value must have the shape and element type of one slot of the buffer, 'tensor<64x64xf16, #tile.shared<pad = 8>>', got 'tensor<64x32xf16>'}}
  tile.local_store %t, %buf[%c0] : tensor<64x32xf16>, !tile.buffer<1x64x64xf16, #tile.shared<pad = 8>>
  return
}

// -----

func.func @broadcast_down_wrong_width(%v: tensor<64xf32>) {
  // dim 0 repeats one value per column down the rows: 64 values, 64 columns.
  // expected-error @below {{result must have one column per input element (dim = 0)}}
  %b = tile.broadcast %v dim 0 : tensor<64xf32> -> tensor<64x128xf32>
  return
}

// -----

func.func @broadcast_bad_dim(%v: tensor<64xf32>) {
  // expected-error @below {{attribute 'dim' failed to satisfy constraint}}
  %b = tile.broadcast %v dim 2 : tensor<64xf32> -> tensor<64x128xf32>
  return
}

// -----

func.func @transpose_shape(%t: tensor<64x128xf32>) {
  // expected-error @below {{result shape must be the input's transposed, got 'tensor<64x128xf32>' for 'tensor<64x128xf32>'}}
  %r = tile.transpose %t : tensor<64x128xf32> -> tensor<64x128xf32>
  return
}

// -----

func.func @transpose_element_type(%t: tensor<64x128xf32>) {
  // expected-error @below {{result element type must be the input's}}
  %r = tile.transpose %t : tensor<64x128xf32> -> tensor<128x64xf16>
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
func.func @transpose_with_layout(%t: tensor<64x64xf32, #mma>) {
  // expected-error @below {{transposes tiles without layouts (rungs 2-3); it must be folded into its producer before attn-assign-layouts}}
  %r = tile.transpose %t : tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
func.func @broadcast_down_layout(%v: tensor<64xf32, #tile.slice<dim = 1, #mma>>) {
  // A column vector must be the result's column slice.
  // expected-error @below {{input layout must be #tile.slice<dim = 0, #tile.mma<sync, warps = 4>> of the result's}}
  %b = tile.broadcast %v dim 0 : tensor<64xf32, #tile.slice<dim = 1, #mma>> -> tensor<64x64xf32, #mma>
  return
}
