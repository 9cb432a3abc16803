#!/usr/bin/env bash
# One device call: the backward at 1ec4b28/b3977d2 (review fixes) on the
# correctness grid of bench/gen_backward.sh (both pipelines, float64
# gradients), its errors against SDPA flash's, and the sanitizers.
# Here: bench/gen_backward.sh build .gpu/b0
# There: P=.gpu/b0 bash bench/results/2026-12-06-h100-backward-review/run.sh
set -uo pipefail
P=${P:?folder of PTX}; S=$OUT/summary.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run; SECONDS=0
timeout 300 $R check $P/check/*.ptx --save /tmp/saved --csv $OUT/check.csv > $OUT/check.txt 2>&1
echo "check rc=$? $(grep -c ^PASS $OUT/check.txt) PASS $(grep -c ^FAIL $OUT/check.txt) FAIL ${SECONDS}s"
grep -v ^PASS $OUT/check.txt | cut -c1-260 | head -20
timeout 200 python3 bench/flash_error_backward.py /tmp/saved --csv $OUT/flash-error.csv > $OUT/flash-error.txt 2>&1
echo "flash_error_backward rc=$? ${SECONDS}s"; grep -E "FAIL|within" $OUT/flash-error.txt | head -20
for f in bwd-fused-bf16-n17-d64-c1 bwd-fused-f16-n17-d128-c0 bwd-fused-f16-n1000-d128-c1 bwd-fused-bf16-n1000-d64-c1 bwd-unfused-bf16-n17-d64-c1; do
  for t in memcheck racecheck; do
    timeout 100 compute-sanitizer --tool $t $R check $P/check/$f.ptx > /tmp/san.txt 2>&1; rc=$?
    echo "$t $f: rc=$rc | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS | ${SECONDS}s"
  done
done
echo "done ${SECONDS}s"
