#!/usr/bin/env bash
# Writes the PTX of the backward-pass correctness grid into OUT/check (run
# here; check it on a GPU host with bench/gpu_check.sh OUT RESULTS):
# B=2, H=4, N in {1, 17, 128, 1000} x D in {64, 128} x causal or not x
# f16/bf16/f32 x fused/unfused, N=4096 for bf16 and f16, and the fused
# pipeline's deterministic dQ at N=1000.
#
# Usage: bench/gen_backward.sh BUILD_DIR OUT
set -euo pipefail
build=${1:?usage: bench/gen_backward.sh BUILD_DIR OUT}
out=${2:?usage: bench/gen_backward.sh BUILD_DIR OUT}
mkdir -p "$out/check"
compile() { # name, then attn-compile flags
  local name=$1; shift
  "$build/bin/attn-compile" --backward "$@" -o "$out/check/$name.ptx" >/dev/null
}
for n in 1 17 128 1000 4096; do
  for d in 64 128; do
    for c in 0 1; do
      flag=; [ $c = 1 ] && flag=--causal
      for dt in f16 bf16 f32; do
        if [ $n = 4096 ] && [ $dt = f32 ]; then continue; fi
        for p in fused unfused; do
          compile "bwd-$p-$dt-n$n-d$d-c$c" --shape 2x4x${n}x$d --dtype $dt \
            $flag --pipeline $p &
        done
        wait
      done
    done
  done
done
for dt in f16 bf16; do
  compile "bwd-det-$dt-n1000-d128-c1" --shape 2x4x1000x128 --dtype $dt \
    --causal --deterministic
done
ls "$out/check" | wc -l
