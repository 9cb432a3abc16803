#!/usr/bin/env bash
# The shapes issue's GPU run, in one call on the GPU host (from the
# repository root): builds the runtime, checks every PTX of
# bench/gen_shapes.sh against the float64 reference (inputs saved), compares
# the errors with SDPA's on the same inputs (bench/flash_error.py: enable_gqa,
# bottom-right causal mask), runs compute-sanitizer memcheck and racecheck on
# the sanitize/ problems, and times the GQA / dense pair.
# Here:  bench/gen_shapes.sh build .gpu/shapes
# There: bench/shapes_run.sh .gpu/shapes OUT_DIR
set -uo pipefail
d=${1:?PTX dir from bench/gen_shapes.sh}; OUT=${OUT:-${2:?output dir}}
# shellcheck source=bench/gpu_prelude.sh
source bench/gpu_prelude.sh
timeout 200 $R check "$d"/check/*.ptx --save /tmp/saved --csv "$OUT/check.csv" >/tmp/c.txt 2>&1
echo "check rc=$? $(grep -c ^PASS /tmp/c.txt) PASS $(grep -c ^FAIL /tmp/c.txt) FAIL ${SECONDS}s"
grep -v ^PASS /tmp/c.txt | cut -c1-240 | head -20
timeout 200 python3 bench/flash_error.py /tmp/saved --csv "$OUT/sdpa-error.csv" >/tmp/fe.txt 2>&1
echo "sdpa error rc=$? ${SECONDS}s"; cut -c1-160 /tmp/fe.txt
for f in "$d"/sanitize/*.ptx; do for t in memcheck racecheck; do
  timeout 200 compute-sanitizer --tool $t $R check "$f" >/tmp/san.txt 2>&1
  echo "$t $(basename "$f"): rc=$? | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS"
done; done
echo "sanitizers done ${SECONDS}s"
timeout 200 $R bench "$d"/bench/*.ptx --csv "$OUT/bench.csv" >/tmp/b.txt 2>&1
echo "bench rc=$? ${SECONDS}s"; cut -c1-200 /tmp/b.txt
