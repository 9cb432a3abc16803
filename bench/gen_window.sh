#!/usr/bin/env bash
# Emits PTX for the sliding-window GPU run (the shapes issue, item 6): causal
# windows, two-sided windows with GQA, cross-attention windows and Nk < Nq
# windows where rows see no key, on the three GPU paths (sm_90a wgmma, sm_90
# mma.sync, unfused), f16/bf16 (f32 on mma.sync); run-time-size window
# kernels checked at several sizes; the sanitizer problems; and the speed
# set (bf16, D=128, B=1, H=16, N=8192: causal, and causal windows of 4096,
# 1024 and 256 keys back).
# Usage: bench/gen_window.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=${1:?build dir}; out=${2:?out dir}
compile() { "$build/bin/attn-compile" --ptxas= "$@" >/dev/null; }
mkdir -p "$out/check" "$out/runtime" "$out/sanitize" "$out/bench"
cases=(
  "causal:2x4x1000x128 --causal --window 200,0"
  "two-sided-gqa:2x8x1000x64 --kv-heads 2 --window 100,37"
  "cross:2x4x128x128 --kv-len 4096 --window 300,300"
  "right-only:1x4x1000x128 --window -1,64"
  "fewer:2x4x1000x64 --kv-len 300 --window 5,3"
)
for c in "${cases[@]}"; do
  name=${c%%:*}; args=${c#*:}; shape=${args%% *}; rest=${args#"$shape"}
  for dtype in f16 bf16; do
    # shellcheck disable=SC2086
    compile --chip=sm_90a --shape $shape $rest --dtype $dtype \
      -o "$out/check/wgmma-$name-$dtype.ptx"
    # shellcheck disable=SC2086
    compile --chip=sm_90 --shape $shape $rest --dtype $dtype \
      -o "$out/check/sync-$name-$dtype.ptx"
    # shellcheck disable=SC2086
    compile --chip=sm_90 --pipeline unfused --shape $shape $rest --dtype $dtype \
      -o "$out/check/unfused-$name-$dtype.ptx"
  done
  # shellcheck disable=SC2086
  compile --chip=sm_90 --shape $shape $rest --dtype f32 \
    -o "$out/check/sync-$name-f32.ptx"
done
compile --chip=sm_90a --shape 2x4x1000x128 --kv-len 300 --window 5,3 --lse \
  --dtype bf16 -o "$out/check/wgmma-fewer-lse-bf16.ptx"
for d in 64 128; do
  compile --chip=sm_90a --runtime-sizes --shape 1x1x1x$d --causal --window 256,0 \
    --lse --dtype bf16 -o "$out/runtime/wgmma-causal-d$d-bf16.ptx"
  compile --chip=sm_90 --runtime-sizes --shape 1x1x1x$d --window 100,50 \
    --dtype f16 -o "$out/runtime/sync-two-sided-d$d-f16.ptx"
done
for chip in sm_90a sm_90; do
  compile --chip=$chip --shape 1x8x1000x128 --kv-heads 2 --causal --window 100,0 \
    --lse --dtype bf16 -o "$out/sanitize/$chip-causal-window-bf16.ptx"
  compile --chip=$chip --runtime-sizes --shape 1x1x1x64 --window 33,7 \
    --dtype bf16 -o "$out/sanitize/$chip-runtime-two-sided-bf16.ptx"
done
compile --chip=sm_90a --shape 1x16x8192x128 --dtype bf16 --causal \
  -o "$out/bench/causal-n8192.ptx"
for w in 4096 1024 256; do
  compile --chip=sm_90a --shape 1x16x8192x128 --dtype bf16 --causal --window $w,0 \
    -o "$out/bench/window$w-n8192.ptx"
done
echo "$(ls "$out/check" | wc -l) check, $(ls "$out/runtime" | wc -l) runtime, $(ls "$out/sanitize" | wc -l) sanitize, $(ls "$out/bench" | wc -l) bench files in $out"
