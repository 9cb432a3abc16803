// RUN: attn-opt %s -split-input-file -attn-recompute-probabilities -verify-diagnostics

// What attn-recompute-probabilities refuses: P (the launch output named
// "p") can be recomputed only when its producer stores one tile computed
// from that tile's indices and the kernel's inputs, and every consumer is a
// launch, launched once, that loads it as tiles of the stored shape.

// The producer writes P inside a loop: no one tile computation to copy.

// expected-error @below {{attn-recompute-probabilities: kernel @probs must write P with one tile.store in its body, not inside a loop or branch}}
func.func private @probs(%q: memref<1x1x16x16xf32>, %p: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %t = tile.load %q[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
    tile.store %t, %p[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  }
  return
}
func.func private @use(%p: memref<1x1x16x16xf32>, %o: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %p[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
  tile.store %t, %o[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  return
}
func.func @host(%q: tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32> {
  %p = tile.launch @probs(%q) names ["q", "p"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %o = tile.launch @use(%p) names ["p", "o"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  return %o : tensor<1x1x16x16xf32>
}

// -----

// P's tile depends on a program id that is not one of its indices.

func.func private @probs(%q: memref<1x1x16x16xf32>, %p: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{attn-recompute-probabilities: P's tile depends on this op (tile.program_id), not only on its indices and the kernel's inputs}}
  %r = tile.program_id 0
  %t = tile.load %q[%c0, %c0, %r, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
  tile.store %t, %p[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  return
}
func.func private @use(%p: memref<1x1x16x16xf32>, %o: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %p[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
  tile.store %t, %o[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  return
}
func.func @host(%q: tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32> {
  %p = tile.launch @probs(%q) names ["q", "p"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %o = tile.launch @use(%p) names ["p", "o"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  return %o : tensor<1x1x16x16xf32>
}

// -----

// The consumer reads P as tiles of another shape.

func.func private @probs(%q: memref<1x1x16x16xf32>, %p: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %q[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
  %e = math.exp2 %t : tensor<16x16xf32>
  tile.store %e, %p[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  return
}
func.func private @use(%p: memref<1x1x16x16xf32>, %o: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{attn-recompute-probabilities: P is read here other than as a 'tensor<16x16xf32>' tile, the shape its producer @probs stores}}
  %t = tile.load %p[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<8x16xf32>
  tile.store %t, %o[%c0, %c0, %c0, %c0] : tensor<8x16xf32>, memref<1x1x16x16xf32>
  return
}
func.func @host(%q: tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32> {
  %p = tile.launch @probs(%q) names ["q", "p"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %o = tile.launch @use(%p) names ["p", "o"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  return %o : tensor<1x1x16x16xf32>
}

// -----

// The consumer kernel is launched twice: its signature cannot change for one launch.

func.func private @probs(%q: memref<1x1x16x16xf32>, %p: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %q[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
  %e = math.exp2 %t : tensor<16x16xf32>
  tile.store %e, %p[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  return
}
// expected-error @below {{attn-recompute-probabilities: kernel @use is launched 2 times; recomputation rewrites one launch of it}}
func.func private @use(%p: memref<1x1x16x16xf32>, %o: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %p[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
  tile.store %t, %o[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  return
}
func.func @host(%q: tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32> {
  %p = tile.launch @probs(%q) names ["q", "p"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  // expected-error @below {{attn-recompute-probabilities: the kernel reading P must be a tile kernel with a body, launched once}}
  %o = tile.launch @use(%p) names ["p", "o"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %o2 = tile.launch @use(%p) names ["p", "o"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  return %o : tensor<1x1x16x16xf32>
}

// -----

// P leaves the host function: it is a result, not only an intermediate.

func.func private @probs(%q: memref<1x1x16x16xf32>, %p: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %q[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
  %e = math.exp2 %t : tensor<16x16xf32>
  tile.store %e, %p[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  return
}
func.func private @use(%p: memref<1x1x16x16xf32>, %o: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %p[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
  tile.store %t, %o[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  return
}
func.func @host(%q: tensor<1x1x16x16xf32>) -> (tensor<1x1x16x16xf32>, tensor<1x1x16x16xf32>) {
  %p = tile.launch @probs(%q) names ["q", "p"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %o = tile.launch @use(%p) names ["p", "o"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  // expected-error @below {{attn-recompute-probabilities: P is used by func.return, not by a tile.launch}}
  return %o, %p : tensor<1x1x16x16xf32>, tensor<1x1x16x16xf32>
}

// -----

// The kernel that should write P never does.

// expected-error @below {{attn-recompute-probabilities: kernel @probs never writes P}}
func.func private @probs(%q: memref<1x1x16x16xf32>, %p: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  return
}
func.func private @use(%p: memref<1x1x16x16xf32>, %o: memref<1x1x16x16xf32>) attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %t = tile.load %p[%c0, %c0, %c0, %c0] : memref<1x1x16x16xf32> -> tensor<16x16xf32>
  tile.store %t, %o[%c0, %c0, %c0, %c0] : tensor<16x16xf32>, memref<1x1x16x16xf32>
  return
}
func.func @host(%q: tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32> {
  %p = tile.launch @probs(%q) names ["q", "p"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %o = tile.launch @use(%p) names ["p", "o"] : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  return %o : tensor<1x1x16x16xf32>
}
