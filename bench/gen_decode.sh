#!/usr/bin/env bash
# Emits PTX for the decoding GPU run (the shapes issue, item 7): split-key
# (flash-decoding) kernels, chosen by attn-select-tiling for a short query
# side or asked for with --split-keys, on sm_90a wgmma and sm_90 mma.sync,
# f16/bf16 (f32 on mma.sync); run-time-size split kernels checked at many
# sizes; the sanitizer problems; and the speed set (bf16, D=128, H=32,
# Hkv=8, Nq=1, B in {1, 8}, Nk in {4096, 32768, 131072}: the split kernel
# attn-select-tiling chooses per size, and one run-time-size kernel).
# Usage: bench/gen_decode.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=${1:?build dir}; out=${2:?out dir}
compile() { "$build/bin/attn-compile" --ptxas= "$@" >/dev/null; }
mkdir -p "$out/check" "$out/runtime" "$out/sanitize" "$out/bench"
cases=(
  "decode:2x32x1x128 --kv-heads 8 --kv-len 4096"
  "decode-c:2x32x1x128 --kv-heads 8 --kv-len 4096 --causal"
  "spec16-c:1x16x16x128 --kv-heads 2 --kv-len 8192 --causal"
  "mqa-d64:4x8x1x64 --kv-heads 1 --kv-len 20000"
  "window:1x8x4x128 --kv-heads 2 --kv-len 30000 --causal --window 1000,0"
  "long:1x8x1x128 --kv-heads 8 --kv-len 131072"
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
  done
  # shellcheck disable=SC2086
  compile --chip=sm_90 --shape $shape $rest --dtype f32 \
    -o "$out/check/sync-$name-f32.ptx"
done
compile --chip=sm_90a --shape 2x32x1x128 --kv-heads 8 --kv-len 4096 --causal --lse \
  --dtype bf16 -o "$out/check/wgmma-decode-lse-bf16.ptx"
compile --chip=sm_90a --shape 1x4x300x64 --kv-len 5000 --causal --lse --split-keys 1024 \
  --dtype bf16 -o "$out/check/wgmma-prefill-split-lse-bf16.ptx"
for d in 64 128; do
  compile --chip=sm_90a --runtime-sizes --shape 1x1x1x$d --causal --lse --split-keys 1024 \
    --dtype bf16 -o "$out/runtime/wgmma-split1024-d$d-bf16.ptx"
  compile --chip=sm_90 --runtime-sizes --shape 1x1x1x$d --split-keys 512 \
    --dtype f16 -o "$out/runtime/sync-split512-d$d-f16.ptx"
done
for chip in sm_90a sm_90; do
  compile --chip=$chip --shape 1x8x1x128 --kv-heads 2 --kv-len 3000 --causal --lse \
    --dtype bf16 -o "$out/sanitize/$chip-decode-bf16.ptx"
  compile --chip=$chip --runtime-sizes --shape 1x1x1x64 --split-keys 256 --lse \
    --dtype bf16 -o "$out/sanitize/$chip-runtime-split-bf16.ptx"
done
for b in 1 8; do
  for nk in 4096 32768 131072; do
    compile --chip=sm_90a --shape ${b}x32x1x128 --kv-heads 8 --kv-len $nk --causal \
      --dtype bf16 -o "$out/bench/decode-b$b-nk$nk.ptx"
  done
done
compile --chip=sm_90a --runtime-sizes --shape 1x1x1x128 --causal --split-keys 2048 \
  --dtype bf16 -o "$out/bench/runtime-split2048.ptx"
compile --chip=sm_90a --runtime-sizes --shape 1x1x1x128 --causal --split-keys 512 \
  --dtype bf16 -o "$out/bench/runtime-split512.ptx"
echo "$(ls "$out/check" | wc -l) check, $(ls "$out/runtime" | wc -l) runtime, $(ls "$out/sanitize" | wc -l) sanitize, $(ls "$out/bench" | wc -l) bench files in $out"
