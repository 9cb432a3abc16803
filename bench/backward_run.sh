#!/usr/bin/env bash
# The first H100 run of the backward pass: the correctness grid of
# bench/gen_backward.sh (both pipelines against float64 gradients) and
# compute-sanitizer memcheck/racecheck at N = 17 and 1000.
# Here: bench/gen_backward.sh build P
# There: P=DIR OUT=OUT_DIR bench/backward_run.sh
set -uo pipefail
P=${P:?folder of PTX}; S=$OUT/summary.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run; SECONDS=0
timeout 420 $R check $P/check/*.ptx --csv $OUT/check.csv > $OUT/check.txt 2>&1
echo "check rc=$? $(grep -c ^PASS $OUT/check.txt) PASS $(grep -c ^FAIL $OUT/check.txt) FAIL ${SECONDS}s"
grep -v ^PASS $OUT/check.txt | cut -c1-260 | head -30
for f in bwd-fused-bf16-n17-d64-c1 bwd-unfused-bf16-n17-d64-c1 bwd-fused-f16-n1000-d128-c1; do
  for t in memcheck racecheck; do
    case "$t-$f" in racecheck-*n1000*) continue;; esac
    timeout 100 compute-sanitizer --tool $t $R check $P/check/$f.ptx > /tmp/san.txt 2>&1; rc=$?
    echo "$t $f: rc=$rc | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS"
  done
done
echo "done ${SECONDS}s"
