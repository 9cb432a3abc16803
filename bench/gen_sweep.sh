#!/usr/bin/env bash
# Emits PTX for the speed sweep of the fused and cost-model issues: B·N =
# 16384 tokens, H = 16, N in {512..16384}, D in {64,128}, bf16, causal and
# not, both pipelines (each file's manifest carries the cost model's
# `attn.cost` lines), plus the PyTorch peer arguments for the same shapes.
# Usage: bench/gen_sweep.sh BUILD_DIR OUT_DIR [N...]
set -euo pipefail
build=${1:?build dir}; out=${2:?out dir}; shift 2
ns=${*:-512 1024 2048 4096 8192 16384}
mkdir -p "$out/bench"
for n in $ns; do
  b=$((16384 / n))
  for d in 64 128; do
    for causal in 0 1; do
      flag=; [ $causal = 1 ] && flag=--causal
      for pipeline in fused unfused; do
        "$build/bin/attn-compile" --ptxas= --pipeline $pipeline \
          --shape ${b}x16x${n}x$d --dtype bf16 $flag \
          -o "$out/bench/$pipeline-bf16-b$b-h16-n$n-d$d-c$causal.ptx" >/dev/null
      done
    done
  done
done
echo "--tokens 16384 --H 16 --N $ns --D 64 128 --dtype bf16 --causal 0 1" >"$out/peers.args"
echo "$(ls "$out/bench" | wc -l) bench files in $out"
