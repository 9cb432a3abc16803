#!/usr/bin/env bash
# The 2026-11-25 second H100 run (results/2026-11-25-h100-two-programs/):
# correctness grid + error vs SDPA flash, mma.sync grid, sanitizers, the
# default kernels and the peeled variant timed, then the PyTorch peers.
# Here (PTX built on the build machine, P = the carried folder):
#   bench/gen_hopper.sh build P/def
#   bench/gen_hopper.sh build P/peel --peel-masked-steps=true
#   bench/gen_grid.sh build P/grid
#   attn-compile --ptxas= --chip=sm_90a --shape 2x4xNx64 --dtype bf16 --causal --lse
#     -o P/def/sanitize/sm90a-bf16-nN-d64-c1-lse.ptx   (N = 17, 1000)
# There: P=DIR OUT=OUT_DIR bench/two_programs_run.sh
set -uo pipefail
P=${P:?folder of PTX}; S=$OUT/summary.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run; SECONDS=0
timeout 120 $R check $P/def/check/*.ptx --save /tmp/saved --csv $OUT/check-sm90a.csv > /tmp/c1.txt 2>&1; echo "sm90a check rc=$? $(grep -c ^PASS /tmp/c1.txt) PASS $(grep -c ^FAIL /tmp/c1.txt) FAIL ${SECONDS}s"
grep -v ^PASS /tmp/c1.txt | cut -c1-200 | head -10
timeout 100 python3 bench/flash_error.py /tmp/saved --csv $OUT/flash-error.csv > /tmp/fe.txt 2>&1; echo "flash_error rc=$? ${SECONDS}s"; tail -3 /tmp/fe.txt | cut -c1-200
timeout 120 $R check $P/grid/check/*.ptx > /tmp/c2.txt 2>&1; echo "grid check rc=$? $(grep -c ^PASS /tmp/c2.txt) PASS $(grep -c ^FAIL /tmp/c2.txt) FAIL ${SECONDS}s"
for f in $P/def/sanitize/*.ptx; do for t in memcheck racecheck synccheck; do
  case "$t-$f" in racecheck-*n4097*|racecheck-*n1000*) continue;; esac
  timeout 90 compute-sanitizer --tool $t $R check $f > /tmp/san.txt 2>&1; rc=$?
  echo "$t $(basename $f): rc=$rc | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -cE '^PASS' /tmp/san.txt) PASS"
done; done
echo "sanitizers done ${SECONDS}s"
timeout 120 $R bench $P/def/bench/*.ptx --csv $OUT/bench-def.csv > /tmp/b1.txt 2>&1; echo "bench def rc=$? ${SECONDS}s"
timeout 80 $R bench $P/peel/bench/*.ptx --csv /tmp/bench-peel.csv > /tmp/b2.txt 2>&1; echo "bench peel rc=$? ${SECONDS}s"
timeout 130 python3 bench/peers_pytorch.py --tokens 16384 --N 1024 4096 16384 --H 16 --D 128 --dtype bf16 --causal 0 1 --peers flash cudnn flex --csv /tmp/p1.csv > /tmp/p1.txt 2>&1; echo "peers d128 rc=$? ${SECONDS}s"
timeout 80 python3 bench/peers_pytorch.py --tokens 16384 --N 1024 4096 16384 --H 32 --D 64 --dtype bf16 --causal 0 1 --peers flash cudnn --csv /tmp/p2.csv > /tmp/p2.txt 2>&1; echo "peers d64 rc=$? ${SECONDS}s"
python3 - <<'PY'
import csv, os
out = os.environ['OUT']
rows = list(csv.DictReader(open('/tmp/p1.csv'))) + list(csv.DictReader(open('/tmp/p2.csv')))
keys = list(dict.fromkeys(k for r in rows for k in r))
with open(out + '/peers.csv', 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=keys); w.writeheader(); w.writerows(rows)
peel = {r['file'].split('/')[-1]: float(r['tflops']) for r in csv.DictReader(open('/tmp/bench-peel.csv'))}
for r in csv.DictReader(open(out + '/bench-def.csv')):
    name = r['file'].split('/')[-1]
    print(f"{name:45} {float(r['tflops']):7.1f}  peeled {peel.get(name, float('nan')):7.1f}")
for r in rows:
    print(f"{r.get('peer'):6} D={r.get('D')} N={r.get('N')} c={r.get('causal')} {float(r.get('tflops') or r.get('TFLOP/s') or 0):7.1f}")
PY
