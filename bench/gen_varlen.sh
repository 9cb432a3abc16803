#!/usr/bin/env bash
# Emits PTX for the packed-sequences GPU check (the shapes issue, item 5):
# attn.attention sequences(...) compiled by attn-compile --seq-lens (the
# lengths fix S and the totals; attn-run check draws random offsets for
# each run, empty sequences included), fused forward on sm_90a (wgmma, the
# auto choice) and sm_90 (mma.sync), f16/bf16 (f32 on one), causal, window,
# GQA/MQA, cross lengths, lse; the sanitizer problems of both paths; and
# the speed problems: 16 sequences of random lengths (attn-run bench draws
# them) over 16384 tokens against the dense batch of equal work, B=16,
# N=1024, bf16, H=16, D=128, causal and not; and kernels of run-time sizes
# (S, the totals and the heads known at launch: varlen_run.sh's --sizes).
# Usage: bench/gen_varlen.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=${1:?build dir}; out=${2:?out dir}
compile() { "$build/bin/attn-compile" --ptxas= "$@" >/dev/null; }
mkdir -p "$out/check" "$out/sanitize" "$out/bench" "$out/runtime"
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
compile --chip=sm_90 --shape 1x8x4096x128 --kv-heads 2 --seq-lens $lens16 --causal --lse \
  --dtype bf16 -o "$out/check/sm90-v16-causal-bf16.ptx"
compile --chip=sm_90 --shape 1x4x137x64 --seq-lens 100,0,37 --kv-seq-lens 50,20,80 --causal --lse \
  --dtype f32 -o "$out/check/sm90-v3-cross-causal-f32.ptx"
for chip in sm_90 sm_90a; do
  for d in 64 128; do
    compile --chip=$chip --shape 1x4x300x$d --kv-heads 2 --seq-lens 100,0,137,63 --kv-seq-lens 40,9,251,0 \
      --causal --lse --dtype bf16 -o "$out/sanitize/${chip/_/}-v4-d$d-bf16.ptx"
  done
done
lens=$(python3 -c "print(','.join(['1024'] * 16))")   # S and the totals; bench draws the lengths
for c in 0 1; do
  causal=(); [ $c = 1 ] && causal=(--causal)
  compile --chip=sm_90a --shape 1x16x16384x128 --seq-lens "$lens" "${causal[@]}" --dtype bf16 \
    -o "$out/bench/varlen-wgmma-c$c.ptx"
  compile --chip=sm_90a --mma=sync --shape 1x16x16384x128 --seq-lens "$lens" "${causal[@]}" --dtype bf16 \
    -o "$out/bench/varlen-sync-c$c.ptx"
  compile --chip=sm_90a --shape 16x16x1024x128 "${causal[@]}" --dtype bf16 -o "$out/bench/dense-wgmma-c$c.ptx"
done
for c in sm_90a:64:bf16:1 sm_90a:128:bf16:1 sm_90a:128:f16:0 sm_90:128:bf16:1; do
  IFS=: read -r chip d dtype causal <<<"$c"
  extra=(--lse); [ "$causal" = 1 ] && extra+=(--causal)
  compile --chip=$chip --shape 1x8x1000x$d --kv-heads 2 --seq-lens 500,500 --runtime-sizes "${extra[@]}" \
    --dtype $dtype -o "$out/runtime/${chip/_/}-d$d-$dtype-c$causal.ptx"
done
for c in 0 1; do
  causal=(); [ $c = 1 ] && causal=(--causal)
  compile --chip=sm_90a --shape 1x16x16384x128 --seq-lens 8192,8192 --runtime-sizes "${causal[@]}" \
    --dtype bf16 -o "$out/bench/varlen-wgmma-runtime-c$c.ptx"
done
echo "$(ls "$out/runtime" | wc -l) runtime-size files"
echo "$(ls "$out/check" | wc -l) check, $(ls "$out/sanitize" | wc -l) sanitize, $(ls "$out/bench" | wc -l) bench files in $out"
