#!/usr/bin/env bash
# The backward's correctness grid (bench/gen_backward.sh and
# bench/gen_backward_wgmma.sh) against float64, its gradient errors against
# SDPA flash's on the same inputs (bench/flash_error_backward.py), and
# compute-sanitizer on the fused backward. Two stages, each under the device's
# 10-minute limit:
#   STAGE=check     every check (f16/bf16 saved for the flash comparison, f32)
#   STAGE=sanitize  racecheck at N = 17 and 1000, memcheck at N = 17 and 1000
# Here: bench/gen_backward.sh build P; bench/gen_backward_wgmma.sh build P
# There: STAGE=check P=DIR OUT=OUT_DIR bench/backward_error_run.sh
set -uo pipefail
P=${P:?folder of PTX}; S=$OUT/summary-${STAGE:?check or sanitize}.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
R=/tmp/rt/bin/attn-run; SECONDS=0
check() { # group name, timeout, files...
  local name=$1 limit=$2; shift 2
  local files=$(printf '%s\n' "$@" | grep -c '\.ptx$')
  timeout $limit $R check "$@" > $OUT/check-$name.txt 2>&1
  echo "check $name rc=$? $files files: $(grep -c ^PASS $OUT/check-$name.txt) PASS $(grep -c ^FAIL $OUT/check-$name.txt) FAIL ${SECONDS}s"
  grep ^FAIL $OUT/check-$name.txt | head -5
}
sanitize() { # tool, timeout, file
  timeout $2 compute-sanitizer --tool $1 $R check $P/check/$3.ptx > /tmp/san.txt 2>&1
  echo "$1 $3: rc=$? | $(grep -E 'SUMMARY' /tmp/san.txt | head -1) | ${SECONDS}s"
}
if [ $STAGE = check ]; then
  check fused 150 $(ls $P/check/bwd-{fused,det}-*.ptx | grep -v f32) --save /tmp/saved
  check wgmma 150 $P/check/bwd-wgmma*.ptx --save /tmp/saved
  check unfused 120 $(ls $P/check/bwd-unfused-*.ptx | grep -v f32) --save /tmp/saved
  check f32 100 $P/check/bwd-*-f32-*.ptx
  timeout 120 python3 bench/flash_error_backward.py /tmp/saved --csv $OUT/flash-error.csv > $OUT/flash-error.txt 2>&1
  echo "flash_error_backward rc=$? ${SECONDS}s"; grep -E "FAIL|within" $OUT/flash-error.txt | head -20
else
  sanitize racecheck 100 bwd-fused-bf16-n17-d64-c1
  sanitize racecheck 200 bwd-fused-bf16-n1000-d64-c1
  sanitize racecheck 150 bwd-wgmma-bf16-n1000-d128-c1
  sanitize memcheck 60 bwd-fused-f16-n17-d128-c0
  sanitize memcheck 60 bwd-wgmma-bf16-n1000-d64-c1
  sanitize memcheck 60 bwd-unfused-bf16-n1000-d128-c1
fi
