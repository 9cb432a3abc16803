#!/usr/bin/env bash
# The backward's errors against SDPA flash's gradient errors on the same
# inputs (bench/flash_error_backward.py), on bench/gen_backward.sh's grid,
# and compute-sanitizer racecheck of the fused backward at N = 1000.
# Here: bench/gen_backward.sh build P
# There: P=DIR OUT=OUT_DIR bench/backward_error_run.sh
set -uo pipefail
P=${P:?folder of PTX}; S=$OUT/summary.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
R=/tmp/rt/bin/attn-run; SECONDS=0
timeout 300 $R check $(ls $P/check/*.ptx | grep -v f32) --save /tmp/saved > $OUT/check.txt 2>&1
echo "check rc=$? $(grep -c ^PASS $OUT/check.txt) PASS $(grep -c ^FAIL $OUT/check.txt) FAIL ${SECONDS}s"
timeout 200 python3 bench/flash_error_backward.py /tmp/saved --csv $OUT/flash-error.csv > $OUT/flash-error.txt 2>&1
echo "flash_error_backward rc=$? ${SECONDS}s"; grep -E "FAIL|within" $OUT/flash-error.txt | head -20
timeout 200 compute-sanitizer --tool racecheck $R check $P/check/bwd-fused-bf16-n1000-d64-c1.ptx > /tmp/san.txt 2>&1
echo "racecheck fused bf16 N=1000 D=64 causal: rc=$? | $(grep -E 'RACECHECK SUMMARY' /tmp/san.txt | head -1) | ${SECONDS}s"
