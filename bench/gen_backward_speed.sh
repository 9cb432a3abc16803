#!/usr/bin/env bash
# Writes the PTX of the forward + backward speed comparison into OUT/bench:
# bf16, B·N = 16384 tokens, H = 2048/D, D in {64, 128}, N in {1024, 2048,
# 4096, 8192, 16384}, causal or not: the fused forward that returns the
# logsumexp (fwd-*) and the fused backward (bwd-*); at N = 8192 also the
# unfused forward and backward (ufwd-*, ubwd-*). The time of forward +
# backward is the sum of the two medians (bench/backward_speed.py).
#
# Usage: bench/gen_backward_speed.sh BUILD_DIR OUT
set -euo pipefail
build=${1:?usage: bench/gen_backward_speed.sh BUILD_DIR OUT}
out=${2:?usage: bench/gen_backward_speed.sh BUILD_DIR OUT}
mkdir -p "$out/bench"
c() { "$build/bin/attn-compile" --chip sm_90a --dtype bf16 "$@" >/dev/null; }
for d in 64 128; do
  h=$((2048 / d))
  for n in 1024 2048 4096 8192 16384; do
    b=$((16384 / n))
    for causal in 0 1; do
      flag=; [ $causal = 1 ] && flag=--causal
      s=${b}x${h}x${n}x${d}; tag=d$d-n$n-c$causal
      c --shape $s $flag --lse -o "$out/bench/fwd-$tag.ptx" &
      c --shape $s $flag --backward -o "$out/bench/bwd-$tag.ptx" &
      if [ $n = 8192 ] && [ $causal = 0 ]; then
        c --shape $s --pipeline unfused -o "$out/bench/ufwd-$tag.ptx" &
        c --shape $s --pipeline unfused --backward -o "$out/bench/ubwd-$tag.ptx" &
      fi
      wait
    done
  done
done
ls "$out/bench" | wc -l
