#!/usr/bin/env bash
# One device call: the wgmma backward (first run). Here:
#   bench/gen_backward_wgmma.sh build .gpu/w1
# There: P=.gpu/w1 bash bench/results/2026-12-06-h100-backward-wgmma/run.sh
set -uo pipefail
P=${P:?folder of PTX}; S=$OUT/summary.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run; SECONDS=0
timeout 150 $R check $P/check/*.ptx --save /tmp/saved --csv $OUT/check.csv > $OUT/check.txt 2>&1
echo "check rc=$? $(grep -c ^PASS $OUT/check.txt) PASS $(grep -c ^FAIL $OUT/check.txt) FAIL ${SECONDS}s"
grep -v ^PASS $OUT/check.txt | cut -c1-300 | head -20
timeout 120 $R bench $P/bench/*.ptx --warmup 5 --reps 20 --csv $OUT/bench.csv > $OUT/bench.txt 2>&1
echo "bench rc=$? ${SECONDS}s"; grep -E "^FAIL" $OUT/bench.txt | cut -c1-200 | head -5
python3 - $OUT/bench.csv <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r['file']:
        print(r['file'].split('/')[-1], r['median_ms'], r['tflops'], r['kernel_median_ms'])
PY
timeout 100 python3 bench/flash_error_backward.py /tmp/saved --csv $OUT/flash-error.csv > $OUT/flash-error.txt 2>&1
echo "flash_error_backward rc=$? ${SECONDS}s"; grep -E "FAIL|within" $OUT/flash-error.txt | head -10
for f in bwd-wgmma-bf16-n17-d64-c1 bwd-wgmma-f16-n1000-d128-c1; do
  for t in memcheck racecheck; do
    timeout 90 compute-sanitizer --tool $t $R check $P/check/$f.ptx > /tmp/san.txt 2>&1; rc=$?
    echo "$t $f: rc=$rc | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS | ${SECONDS}s"
  done
done
echo "done ${SECONDS}s"
