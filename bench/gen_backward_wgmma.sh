#!/usr/bin/env bash
# Writes the PTX of the wgmma backward (sm_90a, mma=wgmma) into OUT:
#   OUT/check  the correctness grid of bench/gen_backward.sh for its element
#              types (f16, bf16): B=2, H=4, N in {1, 17, 128, 1000, 4096},
#              D in {64, 128}, causal or not, and the deterministic dQ;
#   OUT/bench  forward + backward speed: the fused forward and the
#              backward on both MMA paths and wgmma variants (below).
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
for d in 64 128; do
  c --mma wgmma --async-products=false --shape 2x4x1000x$d --dtype bf16 --causal \
    -o "$out/check/bwd-wgmmasync-bf16-n1000-d$d-c1.ptx"
done
c --mma wgmma --block-m 64 --block-n 64 --num-warps 4 --shape 2x4x1000x64 \
  --dtype bf16 --causal -o "$out/check/bwd-wgmma1wg-bf16-n1000-d64-c1.ptx"
for dt in f16 bf16; do
  c --mma wgmma --shape 2x4x1000x128 --dtype $dt --causal --deterministic \
    -o "$out/check/bwd-wgmma-det-$dt-n1000-d128-c1.ptx"
done
# Forward + backward speed (bench/backward_speed.py): the fused forward
# that returns the logsumexp (fwd-*) and the backward on both MMA paths
# (bwd-wgmma-*, bwd-sync-*), bf16, B·N = 16384, H = 2048/D; at N = 2048 and
# 8192 also wgmma variants: its products synchronous (bwd-wgmmasync-*) and,
# for D = 64, one warpgroup of 64 keys (bwd-wgmma1wg-*).
for n in 2048 4096 8192 16384; do
  for causal in 0 1; do
    flag=; [ $causal = 1 ] && flag=--causal
    for d in 64 128; do
      s=$((16384 / n))x$((2048 / d))x${n}x$d; tag=d$d-n$n-c$causal
      c() { "$build/bin/attn-compile" --chip sm_90a --dtype bf16 --shape $s $flag "$@" >/dev/null; }
      c --lse -o "$out/bench/fwd-$tag.ptx" &
      c --backward --mma wgmma -o "$out/bench/bwd-wgmma-$tag.ptx" &
      c --backward --mma sync -o "$out/bench/bwd-sync-$tag.ptx" &
      if [ $n = 2048 ] || [ $n = 8192 ]; then
        c --backward --mma wgmma --async-products=false -o "$out/bench/bwd-wgmmasync-$tag.ptx" &
        [ $d = 64 ] && c --backward --mma wgmma --block-m 64 --block-n 64 --num-warps 4 \
          -o "$out/bench/bwd-wgmma1wg-$tag.ptx" &
      fi
      wait
    done
  done
done
ls "$out/check" | wc -l
