#!/usr/bin/env bash
# Writes the PTX of the wgmma backward (sm_90a, mma=wgmma) into OUT:
#   OUT/check  the correctness grid of bench/gen_backward.sh for its element
#              types (f16, bf16): B=2, H=4, N in {1, 17, 128, 1000, 4096},
#              D in {64, 128}, causal or not, and the deterministic dQ;
#   OUT/bench  the backward alone at B·N = 16384, H = 2048/D, N in {1024,
#              ..., 16384}, bf16, on both MMA paths (bwd-wgmma-*, bwd-sync-*).
# Usage: bench/gen_backward_wgmma.sh BUILD_DIR OUT
set -euo pipefail
build=${1:?usage: bench/gen_backward_wgmma.sh BUILD_DIR OUT}
out=${2:?usage: bench/gen_backward_wgmma.sh BUILD_DIR OUT}
mkdir -p "$out/check" "$out/bench"
c() { "$build/bin/attn-compile" --backward --chip sm_90a "$@" >/dev/null; }
for n in 1 17 128 1000 4096; do
  for d in 64 128; do
    for causal in 0 1; do
      flag=; [ $causal = 1 ] && flag=--causal
      for dt in f16 bf16; do
        c --mma wgmma --shape 2x4x${n}x$d --dtype $dt $flag \
          -o "$out/check/bwd-wgmma-$dt-n$n-d$d-c$causal.ptx" &
      done
      wait
    done
  done
done
for dt in f16 bf16; do
  c --mma wgmma --shape 2x4x1000x128 --dtype $dt --causal --deterministic \
    -o "$out/check/bwd-wgmma-det-$dt-n1000-d128-c1.ptx"
done
for d in 64 128; do
  for n in 1024 2048 4096 8192 16384; do
    for causal in 0 1; do
      flag=; [ $causal = 1 ] && flag=--causal
      s=$((16384 / n))x$((2048 / d))x${n}x$d
      for mma in wgmma sync; do
        c --mma $mma --shape $s --dtype bf16 $flag \
          -o "$out/bench/bwd-$mma-d$d-n$n-c$causal.ptx" &
      done
      wait
    done
  done
done
ls "$out/check" | wc -l
