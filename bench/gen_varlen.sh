#!/usr/bin/env bash
# Emits PTX for the packed-sequences GPU check (the shapes issue, item 5):
# attn.attention sequences(...) compiled by attn-compile --seq-lens (the
# lengths fix S and the totals; attn-run check draws random offsets for
# each run, empty sequences included), fused forward on mma.sync (sm_90a's
# auto choice too), f16/bf16 (f32 on one), causal, window, GQA/MQA,
# cross lengths, lse; and the sanitizer problems.
# Usage: bench/gen_varlen.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=${1:?build dir}; out=${2:?out dir}
compile() { "$build/bin/attn-compile" --ptxas= "$@" >/dev/null; }
mkdir -p "$out/check" "$out/sanitize"
lens16=17,120,3,640,65,1,90,200,33,700,128,40,999,11,2,1047   # 4096 in all
cases=(
  "v16-causal:1x8x4096x128 --kv-heads 2 --seq-lens $lens16 --causal --lse"
  "v3-cross:1x4x137x64 --seq-lens 100,0,37 --kv-seq-lens 50,20,80"
  "window:1x4x1000x64 --seq-lens 500,500 --kv-seq-lens 700,300 --causal --window 100,0 --lse"
  "mqa:1x8x2000x64 --kv-heads 1 --seq-lens 1000,1000 --causal"
)
for c in "${cases[@]}"; do
  name=${c%%:*}; args=${c#*:}; shape=${args%% *}; rest=${args#"$shape"}
  for dtype in f16 bf16; do
    # shellcheck disable=SC2086
    compile --chip=sm_90a --shape $shape $rest --dtype $dtype -o "$out/check/sm90a-$name-$dtype.ptx"
  done
done
# shellcheck disable=SC2086
compile --chip=sm_90 --shape 1x4x137x64 --seq-lens 100,0,37 --kv-seq-lens 50,20,80 --causal --lse \
  --dtype f32 -o "$out/check/sm90-v3-cross-causal-f32.ptx"
compile --chip=sm_90 --shape 1x4x300x64 --kv-heads 2 --seq-lens 100,0,137,63 --kv-seq-lens 40,9,251,0 \
  --causal --lse --dtype bf16 -o "$out/sanitize/sm90-v4-bf16.ptx"
echo "$(ls "$out/check" | wc -l) check, $(ls "$out/sanitize" | wc -l) sanitize files in $out"
