#!/usr/bin/env bash
# One device call: fused-backward checks + sanitizers, speed with peers, ncu.
set -uo pipefail
OUTROOT=$OUT
mkdir -p $OUTROOT/check $OUTROOT/speed $OUTROOT/ncu
P=.gpu/bwdf OUT=$OUTROOT/check timeout 280 bash bench/backward_run.sh 2>&1 | tail -22
P=.gpu/bwdf OUT=$OUTROOT/speed timeout 230 bash bench/backward_speed_run.sh 2>&1 | tail -30
R=/tmp/rt/bin/attn-run
for f in bwd-d128-n8192-c0 bwd-d64-n8192-c0; do
  timeout 60 ncu --kernel-name attn_bwd_dkdv --launch-count 1 --section SpeedOfLight --section WarpStateStats --section ComputeWorkloadAnalysis --section Occupancy $R bench .gpu/bwdf/bench/$f.ptx --warmup 0 --reps 1 > $OUTROOT/ncu/$f.txt 2>&1
  echo "ncu $f rc=$?"; grep -E 'Duration|Compute \(SM\) Throughput|Memory Throughput|Stall|Issued Ipc|Warp Cycles Per Issued|Registers|Achieved Occupancy' $OUTROOT/ncu/$f.txt | head -20
done
# The same backward with 8-byte column-vector loads (aligned vector.load).
timeout 120 $R bench .gpu/bwdf/bench2/*.ptx --warmup 5 --reps 20 --csv $OUTROOT/speed/bench2.csv > /tmp/b2.txt 2>&1; echo "bench2 rc=$?"
grep -E "^FAIL" /tmp/b2.txt | head
timeout 100 $R check .gpu/bwdf/check2/*.ptx > /tmp/c2.txt 2>&1; echo "check2 rc=$? $(grep -c ^PASS /tmp/c2.txt) PASS $(grep -c ^FAIL /tmp/c2.txt) FAIL"; grep -v ^PASS /tmp/c2.txt | cut -c1-200 | head
