#!/usr/bin/env bash
# Emits PTX for the shapes issue's GPU run: grouped-query and multi-query
# heads, cross-attention, prefill against a longer cache, decoding, and
# fewer keys than queries (causal rows that see no key), on the three GPU
# paths (sm_90a wgmma, sm_90 mma.sync, unfused), f16/bf16 (f32 on
# mma.sync); the sanitizer problems; and the GQA speed pair (bf16, D=128,
# B=4, N=4096: H=32 over Hkv=8, and the dense H=32 of equal work).
# Usage: bench/gen_shapes.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=${1:?build dir}; out=${2:?out dir}
compile() { "$build/bin/attn-compile" --ptxas= "$@" >/dev/null; }
mkdir -p "$out/check" "$out/sanitize" "$out/bench"
cases=(
  "gqa:2x8x1000x128 --kv-heads 2"
  "gqa-c:2x8x1000x128 --kv-heads 2 --causal"
  "mqa-c:2x8x1000x64 --kv-heads 1 --causal"
  "cross:2x4x128x128 --kv-len 4096"
  "prefill-c:2x4x1000x128 --kv-len 4096 --causal"
  "decode-c:2x32x1x128 --kv-heads 8 --kv-len 4096 --causal"
  "fewer-c:2x4x1000x64 --kv-len 17 --causal"
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
# The logsumexp of rows without keys (-inf) and of the others.
compile --chip=sm_90a --shape 2x4x1000x128 --kv-len 300 --causal --lse --dtype bf16 \
  -o "$out/check/wgmma-fewer-c-lse-bf16.ptx"
compile --chip=sm_90 --shape 2x4x1000x128 --kv-len 300 --causal --lse --dtype f16 \
  -o "$out/check/sync-fewer-c-lse-f16.ptx"
for chip in sm_90a sm_90; do
  compile --chip=$chip --shape 1x8x17x128 --kv-heads 2 --kv-len 1000 --causal \
    --lse --dtype bf16 -o "$out/sanitize/$chip-gqa-prefill-bf16.ptx"
  compile --chip=$chip --shape 1x8x1000x64 --kv-heads 4 --kv-len 17 --causal \
    --lse --dtype bf16 -o "$out/sanitize/$chip-gqa-fewer-bf16.ptx"
done
compile --chip=sm_90a --shape 4x32x4096x128 --kv-heads 8 --dtype bf16 \
  -o "$out/bench/gqa-h32-kv8-n4096.ptx"
compile --chip=sm_90a --shape 4x32x4096x128 --dtype bf16 \
  -o "$out/bench/dense-h32-n4096.ptx"
compile --chip=sm_90a --shape 4x32x4096x128 --kv-heads 8 --dtype bf16 --causal \
  -o "$out/bench/gqa-h32-kv8-n4096-c.ptx"
compile --chip=sm_90a --shape 4x32x4096x128 --dtype bf16 --causal \
  -o "$out/bench/dense-h32-n4096-c.ptx"
echo "$(ls "$out/check" | wc -l) check, $(ls "$out/sanitize" | wc -l) sanitize, $(ls "$out/bench" | wc -l) bench files in $out"
