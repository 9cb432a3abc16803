// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-host -verify-diagnostics

// What the host path refuses: a module without tile kernels (the wrong
// rung), tile constants that are not splats, ops it does not know.

// expected-error @below {{attn-convert-tile-to-host: the module holds no tile kernel (the pass runs on rungs 2-4)}}
module {
}

// -----

func.func @not_splat(%o: memref<2x2xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 1, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'arith.constant' op is a non-splat tile constant}}
  %t = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  tile.store %t, %o[%c0, %c0] : tensor<2x2xf32>, memref<2x2xf32>
  return
}

// -----

func.func @foreign(%t: tensor<32x16xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 1, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  // expected-error @below {{'tensor.extract_slice' op is not supported inside a tile kernel}}
  %s = tensor.extract_slice %t[0, 0] [32, 8] [1, 1] : tensor<32x16xf32> to tensor<32x8xf32>
  return
}

// -----

// A kernel declaration (found by the fuzzer: the host path crashed on it).
// expected-error @below {{attn-convert-tile-to-host: kernel @declared is a declaration: a tile kernel needs a body}}
func.func private @declared(memref<16x16xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 1, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">}
