#!/usr/bin/env bash
# Emits PTX for the GPU correctness grid of the foundation and fused-pipeline
# issues: B=2, H=4, N in {1,17,128,1000,4096}, D in {64,128}, f16/bf16/f32,
# causal and not, both pipelines; plus the benchmark problems.
# Usage: bench/gen_grid.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=${1:?build dir}; out=${2:?out dir}
compile=$build/bin/attn-compile
mkdir -p "$out/check" "$out/bench"
for pipeline in fused unfused; do
  for dtype in f16 bf16 f32; do
    for d in 64 128; do
      for n in 1 17 128 1000 4096; do
        for causal in 0 1; do
          flag=; [ $causal = 1 ] && flag=--causal
          name=$pipeline-$dtype-n$n-d$d-c$causal
          $compile --ptxas= --pipeline $pipeline --shape 2x4x${n}x$d \
            --dtype $dtype $flag -o "$out/check/$name.ptx" >/dev/null
        done
      done
    done
  done
done
# lse output of the fused kernel.
$compile --ptxas= --shape 2x4x1000x128 --dtype bf16 --causal --lse \
  -o "$out/check/fused-bf16-n1000-d128-c1-lse.ptx" >/dev/null
# Foundation benchmark: B=4, H=16, N=4096, D=128, bf16.
for pipeline in fused unfused; do
  $compile --ptxas= --pipeline $pipeline --shape 4x16x4096x128 --dtype bf16 \
    -o "$out/bench/$pipeline-bf16-b4-h16-n4096-d128-c0.ptx" >/dev/null
done
echo "--B 4 --H 16 --N 4096 --D 128 --dtype bf16 --causal 0" >"$out/peers.args"
echo "$(ls "$out/check" | wc -l) check files, $(ls "$out/bench" | wc -l) bench files in $out"
