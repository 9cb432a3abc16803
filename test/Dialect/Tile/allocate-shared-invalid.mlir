// RUN: attn-opt %s -split-input-file -attn-allocate-shared -verify-diagnostics

// A kernel may not need more shared memory than its chip gives one block
// (227 KiB on sm_90, 99 KiB on sm_86); the error names the options that
// size the buffers (Pipelines/limits-invalid.mlir: the same for a real
// kernel).

// expected-error @below {{kernel @big needs 235520 bytes of shared memory (buffers of 235520 bytes for block-m 128, block-n 256, num-stages 8), more than the 232448 an sm_90 block may use: lower block-n, block-m or num-stages}}
func.func private @big() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 128, block_n = 256, stages = 8, smem = 0, chip = "sm_90">} {
  %a = tile.alloc_shared : !tile.buffer<8x230x64xf16, #tile.shared<pad = 0>>
  return
}

// -----

// expected-error @below {{more than the 101376 an sm_86 block may use}}
func.func private @ampere() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 128, block_n = 64, stages = 2, smem = 0, chip = "sm_86">} {
  %a = tile.alloc_shared : !tile.buffer<8x200x64xf16, #tile.shared<pad = 8>>
  return
}

// -----

// expected-error @below {{chip 'sm_75' is not supported: use sm_80, sm_86, sm_89, sm_90, sm_90a}}
func.func private @turing() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 128, block_n = 64, stages = 2, smem = 0, chip = "sm_75">} {
  return
}

// -----

// expected-error @below {{attn-allocate-shared: the module holds no tile kernel}}
module {
}

