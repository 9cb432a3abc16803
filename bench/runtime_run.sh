#!/usr/bin/env bash
# The run-time-sizes GPU run, in one call on the GPU host (from the
# repository root): every kernel of bench/gen_runtime.sh checked against
# the float64 reference at eight sizes from one load (N = 1, 17, 1000,
# 4096, 12345, GQA with Nk != Nq, decoding, fewer keys than queries),
# packed and in the [B,N,H,D] layout; errors against SDPA on saved inputs;
# compute-sanitizer; then the run-time-size kernels timed against the
# length-specialized ones (bf16, B*N = 16384 tokens, H = 2048/D).
# Here:  bench/gen_runtime.sh build .gpu/runtime
# There: bench/runtime_run.sh .gpu/runtime OUT_DIR
set -uo pipefail
d=${1:?PTX dir from bench/gen_runtime.sh}; OUT=${OUT:-${2:?output dir}}
# shellcheck source=bench/gpu_prelude.sh
source bench/gpu_prelude.sh
all=(--sizes B=2,H=4,Nq=1 --sizes B=2,H=4,Nq=17 --sizes B=2,H=4,Nq=1000
     --sizes B=1,H=4,Nq=4096 --sizes B=1,H=2,Nq=12345
     --sizes B=2,H=8,Hkv=2,Nq=1000,Nk=333 --sizes B=1,H=8,Hkv=1,Nq=1,Nk=4096
     --sizes B=1,H=4,Nq=500,Nk=17)
timeout 400 $R check "$d"/check/*.ptx "${all[@]}" --csv "$OUT/check-bhnd.csv" >/tmp/c1.txt 2>&1
echo "check bhnd rc=$? $(grep -c ^PASS /tmp/c1.txt) PASS $(grep -c ^FAIL /tmp/c1.txt) FAIL ${SECONDS}s"
grep -v ^PASS /tmp/c1.txt | cut -c1-260 | head -20
timeout 200 $R check "$d"/check/*.ptx --layout bnhd --sizes B=2,H=4,Nq=1000 \
  --sizes B=2,H=8,Hkv=2,Nq=1000,Nk=333 --sizes B=1,H=8,Hkv=1,Nq=1,Nk=4096 \
  --csv "$OUT/check-bnhd.csv" >/tmp/c2.txt 2>&1
echo "check bnhd rc=$? $(grep -c ^PASS /tmp/c2.txt) PASS $(grep -c ^FAIL /tmp/c2.txt) FAIL ${SECONDS}s"
grep -v ^PASS /tmp/c2.txt | cut -c1-260 | head -20
timeout 200 $R check "$d"/check/wgmma-*.ptx "$d"/check/sync-f16-*.ptx "$d"/check/sync-bf16-*.ptx \
  --sizes B=2,H=4,Nq=1000 --sizes B=1,H=2,Nq=12345 --sizes B=2,H=8,Hkv=2,Nq=1000,Nk=333 \
  --sizes B=1,H=4,Nq=500,Nk=17 --save /tmp/saved >/tmp/c3.txt 2>&1
echo "check --save rc=$? $(grep -c ^PASS /tmp/c3.txt) PASS ${SECONDS}s"
timeout 200 python3 bench/flash_error.py /tmp/saved --csv "$OUT/sdpa-error.csv" >/tmp/fe.txt 2>&1
echo "sdpa error rc=$? ${SECONDS}s"; grep -v "PASS\|no flash" /tmp/fe.txt | cut -c1-160 | head; tail -1 /tmp/fe.txt
timeout 200 $R check "$d"/bench/runtime-peel-*.ptx "$d"/bench/runtime-bm64-*.ptx \
  --sizes B=2,H=4,Nq=1000 --sizes B=1,H=2,Nq=12345 --sizes B=1,H=4,Nq=500,Nk=17 \
  --sizes B=2,H=8,Hkv=2,Nq=1000,Nk=333 --layout bnhd >/tmp/c4.txt 2>&1
echo "check variants rc=$? $(grep -c ^PASS /tmp/c4.txt) PASS $(grep -c ^FAIL /tmp/c4.txt) FAIL ${SECONDS}s"
grep -v ^PASS /tmp/c4.txt | cut -c1-260 | head -5
for f in "$d"/sanitize/*.ptx; do for t in memcheck racecheck; do
  timeout 200 compute-sanitizer --tool $t $R check "$f" --sizes B=1,H=2,Nq=17 \
    --sizes B=1,H=4,Hkv=2,Nq=100,Nk=333 --layout bnhd >/tmp/san.txt 2>&1
  echo "$t $(basename "$f"): rc=$? | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS"
done; done
echo "sanitizers done ${SECONDS}s"
b64=(--sizes B=16,H=32,Nq=1024 --sizes B=4,H=32,Nq=4096 --sizes B=1,H=32,Nq=16384)
b128=(--sizes B=16,H=16,Nq=1024 --sizes B=4,H=16,Nq=4096 --sizes B=1,H=16,Nq=16384)
timeout 200 $R bench "$d"/bench/runtime-*d64*.ptx "${b64[@]}" --csv "$OUT/bench-runtime-d64.csv" >/tmp/b1.txt 2>&1
echo "bench runtime d64 rc=$? ${SECONDS}s"
timeout 200 $R bench "$d"/bench/runtime-*d128*.ptx "${b128[@]}" --csv "$OUT/bench-runtime-d128.csv" >/tmp/b2.txt 2>&1
echo "bench runtime d128 rc=$? ${SECONDS}s"
timeout 200 $R bench "$d"/bench/static-*.ptx --csv "$OUT/bench-static.csv" >/tmp/b3.txt 2>&1
echo "bench static rc=$? ${SECONDS}s"
grep -h "^fused" /tmp/b1.txt /tmp/b2.txt /tmp/b3.txt | awk '{printf "%-6s B=%-3s H=%-3s N=%-6s D=%-4s c=%s %8.1f TFLOP/s  %s\n", $1, $3, $4, $5, $6, $7, $10, $NF}'
