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

// expected-error @below {{!tile.buffer must be [slots, rows, cols], got rank 2}}
func.func private @buffer_rank_2(!tile.buffer<32x64xf16, #tile.shared<pad = 8>>)

// -----

// expected-error @below {{!tile.buffer must have 1 to 8 slots, got 9}}
func.func private @buffer_slots(!tile.buffer<9x32x64xf16, #tile.shared<pad = 8>>)

// -----

// expected-error @below {{!tile.buffer rows and columns must be in [1, 1024], got 0}}
func.func private @buffer_no_rows(!tile.buffer<2x0x64xf16, #tile.shared<pad = 8>>)

// -----

// expected-error @below {{!tile.buffer elements must be f16, bf16 or f32, got 'i8'}}
func.func private @buffer_element(!tile.buffer<2x32x64xi8, #tile.shared<pad = 8>>)

// -----

// expected-error @below {{#tile.shared: rows are either padded or swizzled, not both}}
func.func private @shared_pad_and_swizzle(!tile.buffer<2x64x64xf16, #tile.shared<pad = 8, swizzle = 128>>)

// -----

// expected-error @below {{#tile.shared: swizzle must be 0, 32, 64 or 128 bytes, got 100}}
func.func private @shared_bad_swizzle(!tile.buffer<2x64x64xf16, #tile.shared<swizzle = 100>>)

// -----

// expected-error @below {{#tile.shared: a 128-byte swizzle needs rows of a multiple of 128 bytes, got 64}}
func.func private @shared_swizzle_rows(!tile.buffer<2x64x32xf16, #tile.shared<swizzle = 128>>)

// -----

func.func @alloc_misaligned() {
  // expected-error @below {{offset 100 must be a multiple of 128 bytes}}
  %b = tile.alloc_shared {offset = 100 : i64} : !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>
  return
}

// -----

func.func @alloc_swizzle_misaligned() {
  // expected-error @below {{offset 128 must be a multiple of 1024 bytes}}
  %b = tile.alloc_shared {offset = 128 : i64} : !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>
  return
}

// -----

func.func @async_copy_index_count(%src: memref<1x2x64x64xf16>, %buf: !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>, %i: index) {
  // expected-error @below {{expects 4 indices (one per memref dimension), got 3}}
  tile.async_copy %src[%i, %i, %i], %buf[%i] : memref<1x2x64x64xf16>, !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>
  return
}

// -----

func.func @async_copy_element_mismatch(%src: memref<1x2x64x64xbf16>, %buf: !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>, %i: index) {
  // expected-error @below {{element types differ}}
  tile.async_copy %src[%i, %i, %i, %i], %buf[%i] : memref<1x2x64x64xbf16>, !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>
  return
}

// -----

func.func @local_load_slot_shape(%buf: !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>, %i: index) {
  // expected-error @below {{result must be one slot of the buffer, 'tensor<32x64xf16, #tile.shared<pad = 8>>', got 'tensor<64x32xf16, #tile.shared<pad = 8>>'}}
  %t = tile.local_load %buf[%i] : !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>> -> tensor<64x32xf16, #tile.shared<pad = 8>>
  return
}

// -----

func.func @local_load_no_layout(%buf: !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>, %i: index) {
  // expected-error @below {{result must be one slot of the buffer}}
  %t = tile.local_load %buf[%i] : !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>> -> tensor<32x64xf16>
  return
}

// -----

func.func @load_into_shared(%m: memref<1x2x64x64xf16>, %i: index) {
  // expected-error @below {{loads into registers; its result cannot be in shared memory}}
  %t = tile.load %m[%i, %i, %i, %i] : memref<1x2x64x64xf16> -> tensor<16x16xf16, #tile.shared<pad = 8>>
  return
}

// -----

func.func @load_empty_tile(%m: memref<1x2x64x64xf16>, %i: index) {
  // expected-error @below {{result tile dimensions must be in [1, 1024], got 'tensor<0x64xf16>'}}
  %t = tile.load %m[%i, %i, %i, %i] : memref<1x2x64x64xf16> -> tensor<0x64xf16>
  return
}

// -----

func.func @load_huge_tile(%m: memref<1x2x64x64xf16>, %i: index) {
  // expected-error @below {{result tile dimensions must be in [1, 1024], got 'tensor<2147483648x64xf16>'}}
  %t = tile.load %m[%i, %i, %i, %i] : memref<1x2x64x64xf16> -> tensor<2147483648x64xf16>
  return
}

// -----

func.func @load_too_many_elements(%m: memref<1x2x64x64xf16>, %i: index) {
  // expected-error @below {{result tile has 1048576 elements, more than the 65536 one program can hold}}
  %t = tile.load %m[%i, %i, %i, %i] : memref<1x2x64x64xf16> -> tensor<1024x1024xf16>
  return
}

// -----

// expected-error @below {{#tile.mma: 16 rows cannot be split into 16-row atoms over 4 warps (rows must be a positive multiple of 64)}}
func.func private @mma_rows(tensor<16x64xf32, #tile.mma<sync, warps = 4>>)

// -----

// expected-error @below {{#tile.mma: 12 columns are not a positive multiple of 8}}
func.func private @mma_cols(tensor<64x12xf32, #tile.mma<sync, warps = 4>>)

// -----

// expected-error @below {{#tile.mma: warps must be 1, 2, 4, 8 or 16, got 3}}
func.func private @mma_warps(tensor<64x8xf32, #tile.mma<sync, warps = 3>>)

// -----

// expected-error @below {{#tile.mma: wgmma runs on warpgroups of 4 warps; warps must be a multiple of 4, got 2}}
func.func private @mma_wgmma_warps(tensor<64x8xf32, #tile.mma<wgmma, warps = 2>>)

// -----

// expected-error @below {{#tile.slice: dim must be 0 (one value per column) or 1 (one value per row) of a 2-D layout, got 2}}
func.func private @slice_dim(tensor<64xf32, #tile.slice<dim = 2, #tile.mma<sync, warps = 4>>>)

// -----

// expected-error @below {{#tile.operand: only the A operand can be held in registers; B is read from shared memory}}
func.func private @operand_b(tensor<64x16xf16, #tile.operand<b, #tile.mma<sync, warps = 4>>>)

// -----

// expected-error @below {{#tile.operand: 24 columns are not a positive multiple of 16}}
func.func private @operand_k_step(tensor<64x24xf16, #tile.operand<a, #tile.mma<sync, warps = 4>>>)

// -----

#mma = #tile.mma<sync, warps = 4>
func.func @dot_result_layout(%a: tensor<64x16xf16, #tile.operand<a, #mma>>, %b: tensor<16x16xf16, #tile.shared<pad = 8>>) {
  // expected-error @below {{result must have a #tile.mma layout, got 'tensor<64x16xf32, #tile.shared<pad = 8>>'}}
  %r = tile.dot %a, %b : tensor<64x16xf16, #tile.operand<a, #mma>>, tensor<16x16xf16, #tile.shared<pad = 8>> -> tensor<64x16xf32, #tile.shared<pad = 8>>
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
func.func @dot_lhs_layout(%a: tensor<64x16xf16, #mma>, %b: tensor<16x16xf16, #tile.shared<pad = 8>>) {
  // expected-error @below {{lhs must be in shared memory (#tile.shared) or in registers as #tile.operand<a, #tile.mma<sync, warps = 4>>}}
  %r = tile.dot %a, %b : tensor<64x16xf16, #mma>, tensor<16x16xf16, #tile.shared<pad = 8>> -> tensor<64x16xf32, #mma>
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
func.func @dot_operand_parent(%a: tensor<64x16xf16, #tile.operand<a, #tile.mma<sync, warps = 2>>>, %b: tensor<16x16xf16, #tile.shared<pad = 8>>) {
  // expected-error @below {{lhs must be in shared memory (#tile.shared) or in registers as #tile.operand<a, #tile.mma<sync, warps = 4>>}}
  %r = tile.dot %a, %b : tensor<64x16xf16, #tile.operand<a, #tile.mma<sync, warps = 2>>>, tensor<16x16xf16, #tile.shared<pad = 8>> -> tensor<64x16xf32, #mma>
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
func.func @dot_rhs_in_registers(%a: tensor<64x64xf16, #tile.operand<a, #mma>>, %b: tensor<64x64xf16, #mma>) {
  // expected-error @below {{rhs must be in shared memory (#tile.shared)}}
  %r = tile.dot %a, %b : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #mma> -> tensor<64x64xf32, #mma>
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
func.func @dot_register_operand_without_layout(%a: tensor<64x16xf16, #tile.operand<a, #mma>>, %b: tensor<16x16xf16>) {
  // expected-error @below {{lhs has a register layout but the result has none}}
  %r = tile.dot %a, %b : tensor<64x16xf16, #tile.operand<a, #mma>>, tensor<16x16xf16> -> tensor<64x16xf32>
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
func.func @reduce_layout(%x: tensor<64x32xf32, #mma>) {
  // expected-error @below {{result layout must be #tile.slice<dim = 1, #tile.mma<sync, warps = 4>> of the input's}}
  %r = tile.reduce max %x : tensor<64x32xf32, #mma> -> tensor<64xf32>
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
func.func @broadcast_layout(%x: tensor<64xf32, #tile.slice<dim = 1, #mma>>) {
  // expected-error @below {{input layout must be #tile.slice<dim = 1, #tile.mma<sync, warps = 2>> of the result's}}
  %r = tile.broadcast %x : tensor<64xf32, #tile.slice<dim = 1, #mma>> -> tensor<64x16xf32, #tile.mma<sync, warps = 2>>
  return
}

// -----

func.func @convert_shape(%x: tensor<64x16xf32, #tile.mma<sync, warps = 4>>) {
  // expected-error @below {{requires the same shape for all operands and results}}
  %r = tile.convert_layout %x : tensor<64x16xf32, #tile.mma<sync, warps = 4>> -> tensor<64x32xf32, #tile.mma<sync, warps = 4>>
  return
}

// -----

// expected-error @below {{'tile.config' belongs on a kernel function (func.func or gpu.func), not on builtin.module}}
module attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
}

// -----

// expected-error @below {{#tile.config: grid size 70000 along y is outside [1, 65535]}}
func.func private @config_grid() attributes {tile.config = #tile.config<grid = [1, 70000, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">}

// -----

// expected-error @below {{#tile.config: warps must be 1, 2, 4, 8 or 16, got 32}}
func.func private @config_warps() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 32, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">}

// -----

// expected-error @below {{unknown tile dialect attribute 'tile.grid'}}
func.func private @old_grid_attribute() attributes {tile.grid = array<i64: 1, 1, 1>}

// -----

func.func private @k(memref<1x2x64x64xf16>, memref<1x2x64x64xf16>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">}
func.func @launch_config_mismatch(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{differs from the callee's}}
  %o = tile.launch @k(%q) names ["q", "o"] {config = #tile.config<grid = [2, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">}
      : (tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func private @k(memref<1x2x64x64xf16>, memref<1x2x64x64xf16>)
func.func @launch_names_count(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{needs one name per input, output, tensor map and scalar (2), got 3}}
  %o = tile.launch @k(%q) names ["q", "k", "o"]
      : (tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func private @k(memref<1x2x64x64xf16>, memref<1x2x64x64xf16>, memref<1x2x64x64xf16>)
func.func @launch_callee_arity(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{callee takes 3 arguments but the launch passes 2 buffers and 0 tensor maps}}
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

// -----

func.func @mask_negative_window(%s: tensor<16x16xf32>, %i: index) -> tensor<16x16xf32> {
  // expected-error @below {{attribute 'window_left' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %m = tile.mask %s[%i, %i] cols 16 left -1 : tensor<16x16xf32>
  return %m : tensor<16x16xf32>
}

// -----

func.func private @k(memref<?x64xf16>, memref<?x64xf16>) attributes {tile.config = #tile.config<grid = [?, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">}
func.func @launch_grid_count(%q: tensor<?x64xf16>, %n: index) -> tensor<?x64xf16> {
  // expected-error @below {{passes 0 grid sizes for the config's 1 '?' sizes}}
  %o = tile.launch @k(%q) sizes [%n] names ["q", "o"] {config = #tile.config<grid = [?, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">}
      : (tensor<?x64xf16>) -> tensor<?x64xf16>
  return %o : tensor<?x64xf16>
}

// -----

func.func private @k(memref<?x64xf16>, memref<?x64xf16>)
func.func @launch_sizes_count(%q: tensor<?x64xf16>, %n: index) -> tensor<?x64xf16> {
  // expected-error @below {{passes 2 sizes for the outputs' 1 dynamic dimensions}}
  %o = tile.launch @k(%q) sizes [%n, %n] names ["q", "o"]
      : (tensor<?x64xf16>) -> tensor<?x64xf16>
  return %o : tensor<?x64xf16>
}

// -----

func.func private @k(memref<?x64xf16>, memref<?x64xf16>)
func.func @launch_scalar_source(%q: tensor<?x64xf16>, %n: index) -> tensor<?x64xf16> {
  // expected-error @below {{scalar source 2 is not one of the launch's 2 buffers}}
  %o = tile.launch @k(%q) sizes [%n] names ["q", "o", "x"] {scalars = [#tile.scalar_arg<size, source = 2, dim = 0>]}
      : (tensor<?x64xf16>) -> tensor<?x64xf16>
  return %o : tensor<?x64xf16>
}

// -----

func.func private @k(memref<?x64xf16>, memref<?x64xf16>)
func.func @launch_scalar_dim(%q: tensor<?x64xf16>, %n: index) -> tensor<?x64xf16> {
  // expected-error @below {{scalar of dimension 2 of buffer 0 ('tensor<?x64xf16>') is past its rank}}
  %o = tile.launch @k(%q) sizes [%n] names ["q", "o", "x"] {scalars = [#tile.scalar_arg<stride, source = 0, dim = 2>]}
      : (tensor<?x64xf16>) -> tensor<?x64xf16>
  return %o : tensor<?x64xf16>
}

// -----

func.func @mask_cols_twice(%s: tensor<64x64xf32>, %n: index) -> tensor<64x64xf32> {
  // expected-error @below {{needs the number of columns as a constant or an index, not both}}
  %m = "tile.mask"(%s, %n, %n, %n) <{num_cols = 64 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1>}> : (tensor<64x64xf32>, index, index, index) -> tensor<64x64xf32>
  return %m : tensor<64x64xf32>
}
