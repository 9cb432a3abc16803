#!/usr/bin/env bash
# Emits PTX for the run-time-sizes GPU run (the shapes issue, item 4): one
# kernel of run-time sizes per path and configuration (sm_90a wgmma, sm_90
# mma.sync, unfused; f16/bf16, f32 on mma.sync; D = 64, 128; causal and
# not), each checked at many sizes by bench/runtime_run.sh; the sanitizer
# problems; and, for the speed comparison, the run-time-size kernel next to
# the length-specialized ones of bf16, B*N = 16384, H = 2048/D, N in
# {1024, 4096, 16384}.
# Usage: bench/gen_runtime.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=${1:?build dir}; out=${2:?out dir}
compile() { "$build/bin/attn-compile" --ptxas= "$@" >/dev/null; }
mkdir -p "$out/check" "$out/sanitize" "$out/bench"
for d in 64 128; do
  for c in 0 1; do
    flag=; [ $c = 1 ] && flag=--causal
    for dtype in f16 bf16; do
      compile --runtime-sizes --shape 1x1x1x$d --dtype $dtype $flag --chip sm_90a \
        -o "$out/check/wgmma-$dtype-d$d-c$c.ptx"
      compile --runtime-sizes --shape 1x1x1x$d --dtype $dtype $flag --chip sm_90 \
        -o "$out/check/sync-$dtype-d$d-c$c.ptx"
    done
    compile --runtime-sizes --shape 1x1x1x$d --dtype f32 $flag --chip sm_90 \
      -o "$out/check/sync-f32-d$d-c$c.ptx"
    compile --runtime-sizes --shape 1x1x1x$d --dtype f16 $flag --chip sm_90 \
      --pipeline unfused -o "$out/check/unfused-f16-d$d-c$c.ptx"
  done
done
compile --runtime-sizes --shape 1x1x1x128 --dtype bf16 --causal --lse --chip sm_90a \
  -o "$out/check/wgmma-bf16-d128-c1-lse.ptx"
for chip in sm_90a sm_90; do
  compile --runtime-sizes --shape 1x1x1x128 --dtype bf16 --causal --lse --chip $chip \
    -o "$out/sanitize/$chip-bf16-d128-c1-lse.ptx"
done
compile --runtime-sizes --shape 1x1x1x128 --dtype f16 --causal --chip sm_90 --pipeline unfused \
  -o "$out/sanitize/unfused-f16-d128-c1.ptx"
for d in 64 128; do
  h=$((2048 / d))
  for c in 0 1; do
    flag=; [ $c = 1 ] && flag=--causal
    compile --runtime-sizes --shape 1x1x1x$d --dtype bf16 $flag --chip sm_90a \
      -o "$out/bench/runtime-bf16-d$d-c$c.ptx"
    # Variants: the masked steps peeled off the loop; for D = 64, the tile
    # of the short sequences (64 rows, one warpgroup, two programs per SM).
    compile --runtime-sizes --shape 1x1x1x$d --dtype bf16 $flag --chip sm_90a \
      --peel-masked-steps -o "$out/bench/runtime-peel-bf16-d$d-c$c.ptx"
    if [ $d = 64 ]; then
      compile --runtime-sizes --shape 1x1x1x$d --dtype bf16 $flag --chip sm_90a \
        --block-m 64 --num-warps 4 -o "$out/bench/runtime-bm64-bf16-d$d-c$c.ptx"
    fi
    for n in 1024 4096 16384; do
      b=$((16384 / n))
      compile --shape ${b}x${h}x${n}x$d --dtype bf16 $flag --chip sm_90a \
        -o "$out/bench/static-bf16-b$b-h$h-n$n-d$d-c$c.ptx"
    done
  done
done
echo "$(ls "$out/check" | wc -l) check, $(ls "$out/sanitize" | wc -l) sanitize, $(ls "$out/bench" | wc -l) bench files in $out"
