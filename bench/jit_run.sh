#!/usr/bin/env bash
# The JIT on the GPU host, from the static jit_attention (the host has no
# LLVM): the gradient through AttentionDesc::direction = Backward and
# launchBackward() (both pipelines' forward with lse, then the backward;
# dQ, dK, dV of up to 4 heads against float64), and packed sequences
# through AttentionDesc::sequences and launch(ForwardTensors) ([N, H, D]
# strides, i32 offsets; each checked row against its own sequence).
# Here:  ninja -C build-static jit_attention (README: static bundle), then
#        xz -k build-static/bin/jit_attention into .gpu/bundle/
# There: bench/jit_run.sh OUT_DIR
set -uo pipefail
OUT=${OUT:-${1:?output dir}}
mkdir -p "$OUT"; exec > >(tee "$OUT/summary.txt") 2>&1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
xz -dc .gpu/bundle/jit_attention.xz > /tmp/jit_attention && chmod +x /tmp/jit_attention
J=/tmp/jit_attention; export ATTN_CACHE_DIR=/tmp/attn-cache; SECONDS=0
for args in "2 4 17 64 --causal --dtype f16" "2 4 1000 64 --dtype bf16" \
            "2 4 1000 128 --causal --dtype bf16" "2 4 128 128 --dtype f16" \
            "2 4 1000 64 --causal --dtype f32"; do
  # shellcheck disable=SC2086
  timeout 200 $J $args --backward --compiled-sizes --reps 5 >/tmp/j.txt 2>&1
  echo "== backward $args: rc=$? ${SECONDS}s"; grep -E "PASS|FAIL|device" /tmp/j.txt | cut -c1-200
done
lens16=181,1578,867,3512,916,369,1963,203,1572,155,105,530,1066,656,672,2039
for args in "1 4 300 64 --seq-lens 100,0,137,63 --causal --dtype f16" \
            "1 8 4096 128 --kv-heads 2 --seq-lens 17,120,3,640,65,1,90,200,33,700,128,40,999,11,2,1047 --causal" \
            "1 16 16384 128 --seq-lens $lens16" "1 16 16384 128 --seq-lens $lens16 --causal"; do
  # shellcheck disable=SC2086
  timeout 200 $J $args --reps 20 >/tmp/j.txt 2>&1
  echo "== sequences ${args:0:60}: rc=$? ${SECONDS}s"; grep -E "PASS|FAIL|JIT" /tmp/j.txt | cut -c1-200
done
