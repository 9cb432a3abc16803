// RUN: attn-opt %s -split-input-file -verify-diagnostics

// One case per rule of the tile dialect verifiers.

func.func @program_id_dim_3() {
  // expected-error @below {{attribute 'dim' failed to satisfy constraint}}
  %0 = tile.program_id 3
  return
}

// -----

func.func @load_rank_1(%m: memref<64xf16>, %i: index) {
  // expected-error @below {{memref must have rank >= 2, got 'memref<64xf16>'}}
  %t = tile.load %m[%i] : memref<64xf16> -> tensor<16x16xf16>
  return
}

// -----

func.func @load_index_count(%m: memref<1x2x64x64xf16>, %i: index) {
  // expected-error @below {{expects 4 indices (one per memref dimension), got 2}}
  %t = tile.load %m[%i, %i] : memref<1x2x64x64xf16> -> tensor<16x16xf16>
  return
}

// -----

func.func @load_element_mismatch(%m: memref<1x2x64x64xf16>, %i: index) {
  // expected-error @below {{element types differ: 'memref<1x2x64x64xf16>' vs 'tensor<16x16xbf16>'}}
  %t = tile.load %m[%i, %i, %i, %i] : memref<1x2x64x64xf16> -> tensor<16x16xbf16>
  return
}

// -----

func.func @store_index_count(%t: tensor<16x16xf16>, %m: memref<1x2x64x64xf16>, %i: index) {
  // expected-error @below {{expects 4 indices (one per memref dimension), got 5}}
  tile.store %t, %m[%i, %i, %i, %i, %i] : tensor<16x16xf16>, memref<1x2x64x64xf16>
  return
}

// -----

func.func @store_element_mismatch(%t: tensor<16x16xf32>, %m: memref<1x2x64x64xf16>, %i: index) {
  // expected-error @below {{element types differ: 'memref<1x2x64x64xf16>' vs 'tensor<16x16xf32>'}}
  tile.store %t, %m[%i, %i, %i, %i] : tensor<16x16xf32>, memref<1x2x64x64xf16>
  return
}

// -----

func.func @dot_element_mismatch(%a: tensor<64x32xf16>, %b: tensor<32x16xbf16>) {
  // expected-error @below {{lhs and rhs element types must match}}
  %r = tile.dot %a, %b : tensor<64x32xf16>, tensor<32x16xbf16> -> tensor<64x16xf32>
  return
}

// -----

func.func @dot_contraction(%a: tensor<64x32xf16>, %b: tensor<16x16xf16>) {
  // expected-error @below {{contraction sizes differ: lhs has 32 columns, rhs has 16 rows}}
  %r = tile.dot %a, %b : tensor<64x32xf16>, tensor<16x16xf16> -> tensor<64x16xf32>
  return
}

// -----

func.func @dot_contraction_transposed(%a: tensor<64x32xf16>, %b: tensor<32x16xf16>) {
  // expected-error @below {{contraction sizes differ: lhs has 32 columns, rhsᵀ has 16 rows}}
  %r = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<32x16xf16> -> tensor<64x32xf32>
  return
}

// -----

func.func @dot_result_shape(%a: tensor<64x32xf16>, %b: tensor<32x16xf16>) {
  // expected-error @below {{result must be 64x16}}
  %r = tile.dot %a, %b : tensor<64x32xf16>, tensor<32x16xf16> -> tensor<64x32xf32>
  return
}

// -----

func.func @dot_result_shape_transposed(%a: tensor<64x32xf16>, %b: tensor<16x32xf16>) {
  // expected-error @below {{result must be 64x16}}
  %r = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<16x32xf16> -> tensor<32x16xf32>
  return
}

// -----

func.func @dot_acc_mismatch(%a: tensor<64x32xf16>, %b: tensor<32x16xf16>, %acc: tensor<64x32xf32>) {
  // expected-error @below {{accumulator type must equal the result type}}
  %r = tile.dot %a, %b, %acc : tensor<64x32xf16>, tensor<32x16xf16>, tensor<64x32xf32> -> tensor<64x16xf32>
  return
}

// -----

func.func @reduce_rows(%x: tensor<64x32xf32>) {
  // expected-error @below {{result must have one element per input row}}
  %r = tile.reduce max %x : tensor<64x32xf32> -> tensor<32xf32>
  return
}

// -----

func.func @broadcast_rows(%x: tensor<64xf32>) {
  // expected-error @below {{result must have one row per input element}}
  %r = tile.broadcast %x : tensor<64xf32> -> tensor<32x64xf32>
  return
}

// -----

func.func @alloc_no_memory_space() {
  // expected-error @below {{buffer must be in workgroup memory, got 'memref<2x32x64xf16>'}}
  %b = tile.alloc_shared : memref<2x32x64xf16>
  return
}

// -----

func.func @alloc_global_memory_space() {
  // expected-error @below {{buffer must be in workgroup memory}}
  %b = tile.alloc_shared : memref<2x32x64xf16, #gpu.address_space<global>>
  return
}

// -----

func.func @alloc_rank_2() {
  // expected-error @below {{buffer must be rank 3 [slots, rows, cols], got 'memref<32x64xf16, #gpu.address_space<workgroup>>'}}
  %b = tile.alloc_shared : memref<32x64xf16, #gpu.address_space<workgroup>>
  return
}

// -----

func.func @alloc_rows_overlap() {
  // expected-error @below {{buffer rows must be unit-stride and must not overlap}}
  %b = tile.alloc_shared : memref<2x32x64xf16, strided<[2048, 32, 1]>, #gpu.address_space<workgroup>>
  return
}

// -----

func.func @alloc_slots_overlap() {
  // expected-error @below {{buffer rows must be unit-stride and must not overlap}}
  %b = tile.alloc_shared : memref<2x32x64xf16, strided<[1024, 72, 1]>, #gpu.address_space<workgroup>>
  return
}

// -----

func.func @alloc_column_stride() {
  // expected-error @below {{buffer rows must be unit-stride and must not overlap}}
  %b = tile.alloc_shared : memref<2x32x64xf16, strided<[8192, 128, 2]>, #gpu.address_space<workgroup>>
  return
}

// -----

func.func @async_copy_not_workgroup(%src: memref<1x2x64x64xf16>, %buf: memref<2x32x64xf16>, %i: index) {
  // expected-error @below {{buffer must be in workgroup memory}}
  tile.async_copy %src[%i, %i, %i, %i], %buf[%i] : memref<1x2x64x64xf16>, memref<2x32x64xf16>
  return
}

// -----

func.func @async_copy_index_count(%src: memref<1x2x64x64xf16>, %buf: memref<2x32x64xf16, strided<[2304, 72, 1]>, #gpu.address_space<workgroup>>, %i: index) {
  // expected-error @below {{expects 4 indices (one per memref dimension), got 3}}
  tile.async_copy %src[%i, %i, %i], %buf[%i] : memref<1x2x64x64xf16>, memref<2x32x64xf16, strided<[2304, 72, 1]>, #gpu.address_space<workgroup>>
  return
}

// -----

func.func @async_copy_element_mismatch(%src: memref<1x2x64x64xbf16>, %buf: memref<2x32x64xf16, strided<[2304, 72, 1]>, #gpu.address_space<workgroup>>, %i: index) {
  // expected-error @below {{element types differ}}
  tile.async_copy %src[%i, %i, %i, %i], %buf[%i] : memref<1x2x64x64xbf16>, memref<2x32x64xf16, strided<[2304, 72, 1]>, #gpu.address_space<workgroup>>
  return
}

// -----

func.func @local_load_slot_shape(%buf: memref<2x32x64xf16, strided<[2304, 72, 1]>, #gpu.address_space<workgroup>>, %i: index) {
  // expected-error @below {{result shape must equal one buffer slot}}
  %t = tile.local_load %buf[%i] : memref<2x32x64xf16, strided<[2304, 72, 1]>, #gpu.address_space<workgroup>> -> tensor<64x32xf16>
  return
}

// -----

func.func @local_load_element_mismatch(%buf: memref<2x32x64xf16, strided<[2304, 72, 1]>, #gpu.address_space<workgroup>>, %i: index) {
  // expected-error @below {{element types differ}}
  %t = tile.local_load %buf[%i] : memref<2x32x64xf16, strided<[2304, 72, 1]>, #gpu.address_space<workgroup>> -> tensor<32x64xbf16>
  return
}

// -----

func.func @local_load_not_shared(%buf: memref<2x32x64xf16>, %i: index) {
  // expected-error @below {{buffer must be in workgroup memory}}
  %t = tile.local_load %buf[%i] : memref<2x32x64xf16> -> tensor<32x64xf16>
  return
}

// -----

func.func private @k(memref<1x2x64x64xf16>, memref<1x2x64x64xf16>)
func.func @launch_names_count(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{needs one name per input and output (2), got 3}}
  %o = tile.launch @k(%q) names ["q", "k", "o"]
      : (tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func private @k(memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>)
func.func @launch_callee_arity(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{callee takes 3 memrefs but the launch passes 2}}
  %o = tile.launch @k(%q) names ["q", "o"]
      : (tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @launch_unknown_callee(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{callee @missing is neither a tile kernel nor a gpu.func}}
  %o = tile.launch @missing(%q) names ["q", "o"]
      : (tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @async_wait_negative() {
  // expected-error @below {{attribute 'pending' failed to satisfy constraint: 32-bit signless integer attribute whose value is non-negative}}
  tile.async_wait -1
  return
}

// -----

func.func @mask_no_columns(%s: tensor<16x16xf32>, %i: index) -> tensor<16x16xf32> {
  // expected-error @below {{attribute 'num_cols' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %m = tile.mask %s[%i, %i] cols 0 : tensor<16x16xf32>
  return %m : tensor<16x16xf32>
}
