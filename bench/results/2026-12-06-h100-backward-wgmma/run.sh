#!/usr/bin/env bash
# One device call: the wgmma backward's first run (correctness, errors
# against SDPA flash's, sanitizers, forward + backward speed with the
# peers), and the checks the mma.sync backward's review fixes (1ec4b28,
# b3977d2) still owed. Here:
#   bench/gen_backward_wgmma.sh build .gpu/w1
#   bench/gen_backward.sh build .gpu/b0
# There: bash bench/results/2026-12-06-h100-backward-wgmma/run.sh
set -uo pipefail
S=$OUT/summary.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run; SECONDS=0
# 1. wgmma correctness against float64.
timeout 100 $R check .gpu/w1/check/*.ptx --save /tmp/sw --csv $OUT/wgmma-check.csv > $OUT/wgmma-check.txt 2>&1
echo "wgmma check rc=$? $(grep -c ^PASS $OUT/wgmma-check.txt) PASS $(grep -c ^FAIL $OUT/wgmma-check.txt) FAIL ${SECONDS}s"
grep -v ^PASS $OUT/wgmma-check.txt | cut -c1-300 | head -12
# 2. Speed: forward + backward, both paths and variants, peers in the same run.
timeout 130 $R bench .gpu/w1/bench/*.ptx --warmup 5 --reps 20 --csv $OUT/bench.csv > $OUT/bench.txt 2>&1
echo "bench rc=$? ${SECONDS}s"; grep -E "^FAIL" $OUT/bench.txt | cut -c1-200 | head -5
for d in 64 128; do
  timeout 75 python3 bench/peers_pytorch.py --backward --tokens 16384 --N 2048 4096 8192 16384 --H $((2048 / d)) --D $d --dtype bf16 --causal 0 1 --peers flash cudnn --warmup 5 --reps 20 --csv /tmp/p$d.csv > /tmp/p$d.txt 2>&1; echo "peers d$d rc=$? ${SECONDS}s"
done
python3 - <<'PY'
import csv, os
rows = []
for f in ('/tmp/p64.csv', '/tmp/p128.csv'):
    if os.path.exists(f):
        rows += list(csv.DictReader(open(f)))
if rows:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(os.environ['OUT'] + '/peers.csv', 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=keys); w.writeheader(); w.writerows(rows)
PY
python3 bench/backward_speed.py $OUT/bench.csv $OUT/peers.csv --csv $OUT/joined.csv
# 3. Errors against SDPA flash's gradient errors on the same inputs.
timeout 60 python3 bench/flash_error_backward.py /tmp/sw --csv $OUT/flash-error-wgmma.csv > $OUT/flash-error-wgmma.txt 2>&1
echo "flash_error_backward wgmma rc=$? ${SECONDS}s"; grep -E "FAIL|within" $OUT/flash-error-wgmma.txt | head -6
# 4. Sanitizers on the wgmma backward.
for tf in memcheck:w1/check/bwd-wgmma-bf16-n17-d64-c1 racecheck:w1/check/bwd-wgmma-bf16-n17-d64-c1 \
          memcheck:w1/check/bwd-wgmma-bf16-n1000-d128-c1; do
  t=${tf%%:*}; f=.gpu/${tf#*:}
  timeout 50 compute-sanitizer --tool $t $R check $f.ptx > /tmp/san.txt 2>&1; rc=$?
  echo "$t $(basename $f): rc=$rc | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS | ${SECONDS}s"
done
# 5. The mma.sync backward's review fixes: the grid of gen_backward.sh.
timeout 100 $R check .gpu/b0/check/*.ptx --save /tmp/sb --csv $OUT/sync-check.csv > $OUT/sync-check.txt 2>&1
echo "sync check rc=$? $(grep -c ^PASS $OUT/sync-check.txt) PASS $(grep -c ^FAIL $OUT/sync-check.txt) FAIL ${SECONDS}s"
grep -v ^PASS $OUT/sync-check.txt | cut -c1-300 | head -8
timeout 50 python3 bench/flash_error_backward.py /tmp/sb --csv $OUT/flash-error-sync.csv > $OUT/flash-error-sync.txt 2>&1
echo "flash_error_backward sync rc=$? ${SECONDS}s"; grep -E "FAIL|within" $OUT/flash-error-sync.txt | head -6
for tf in racecheck:w1/check/bwd-wgmma-bf16-n1000-d128-c1 racecheck:b0/check/bwd-fused-bf16-n1000-d64-c1; do
  t=${tf%%:*}; f=.gpu/${tf#*:}
  timeout 50 compute-sanitizer --tool $t $R check $f.ptx > /tmp/san.txt 2>&1; rc=$?
  echo "$t $(basename $f): rc=$rc | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS | ${SECONDS}s"
done
echo "done ${SECONDS}s"
