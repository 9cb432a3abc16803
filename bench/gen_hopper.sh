#!/usr/bin/env bash
# Emits PTX for the Hopper issue: the sm_90a correctness grid (B=2, H=4,
# N in {1,17,128,1000,4096}, D in {64,128}, f16/bf16, causal and not, and
# the logsumexp output), the sanitizer problems (N = 17 and 4097), f32 on
# sm_90a (which keeps the mma.sync path), and the speed table's shapes
# (bf16, B*N = 16384 tokens, H = 2048/D, N in {1024,4096,16384}, causal and
# not) for sm_90a and for the mma.sync path on sm_90, with the PyTorch peer
# arguments for the same shapes.
# Usage: bench/gen_hopper.sh BUILD_DIR OUT_DIR [ATTN_COMPILE_FLAGS...]
set -euo pipefail
build=${1:?build dir}; out=${2:?out dir}; shift 2
compile() { "$build/bin/attn-compile" --ptxas= "$@" >/dev/null; }
mkdir -p "$out/check" "$out/sanitize" "$out/bench"
for dtype in f16 bf16; do
  for d in 64 128; do
    for n in 1 17 128 1000 4096; do
      for causal in 0 1; do
        flag=; [ $causal = 1 ] && flag=--causal
        compile --chip=sm_90a --shape 2x4x${n}x$d --dtype $dtype $flag "$@" \
          -o "$out/check/sm90a-$dtype-n$n-d$d-c$causal.ptx"
      done
    done
    compile --chip=sm_90a --shape 2x4x1000x$d --dtype $dtype --causal --lse "$@" \
      -o "$out/check/sm90a-$dtype-n1000-d$d-c1-lse.ptx"
  done
done
for n in 17 1000; do
  compile --chip=sm_90a --shape 2x4x${n}x128 --dtype f32 --causal \
    -o "$out/check/sm90a-f32-n$n-d128-c1.ptx"
done
for n in 17 4097; do
  compile --chip=sm_90a --shape 2x4x${n}x128 --dtype bf16 --causal --lse "$@" \
    -o "$out/sanitize/sm90a-bf16-n$n-d128-c1-lse.ptx"
done
for n in 1024 4096 16384; do
  b=$((16384 / n))
  for d in 64 128; do
    h=$((2048 / d))
    for causal in 0 1; do
      flag=; [ $causal = 1 ] && flag=--causal
      shape=${b}x${h}x${n}x$d
      compile --chip=sm_90a --shape $shape --dtype bf16 $flag "$@" \
        -o "$out/bench/wgmma-bf16-b$b-h$h-n$n-d$d-c$causal.ptx"
      compile --chip=sm_90 --shape $shape --dtype bf16 $flag \
        -o "$out/bench/sync-bf16-b$b-h$h-n$n-d$d-c$causal.ptx"
    done
  done
done
echo "$(ls "$out/check" | wc -l) check, $(ls "$out/sanitize" | wc -l) sanitize, $(ls "$out/bench" | wc -l) bench files in $out"
