#!/usr/bin/env bash
# The sm_90a issue's GPU run, in one call on the GPU host (run from the
# repository root): correctness grid with saved data and the error relative
# to SDPA flash, the mma.sync grid, sanitizers at N = 17 and 4097, timings of
# the default / no ping-pong / no overlap / mma.sync kernels, then the
# PyTorch peers (flash, cuDNN, Flex) on the same shapes.
# Here:  bench/gen_hopper.sh build PTX/def
#        bench/gen_hopper.sh build PTX/noov --overlap-softmax=false
#        bench/gen_hopper.sh build PTX/nopp --pingpong=false
#        bench/gen_grid.sh build PTX/grid
# There: bench/hopper_run.sh PTX OUT_DIR
set -uo pipefail
d=${1:?PTX dir (def/, noov/, nopp/, grid/ from bench/gen_hopper.sh and bench/gen_grid.sh)}; OUT=${OUT:-${2:?output dir}}; mkdir -p "$OUT"
S=$OUT/summary.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run
SECONDS=0
timeout 120 $R check $d/def/check/*.ptx --save /tmp/saved --csv $OUT/check-sm90a.csv > /tmp/c1.txt 2>&1; echo "sm90a check rc=$? $(grep -c ^PASS /tmp/c1.txt) PASS $(grep -c ^FAIL /tmp/c1.txt) FAIL ${SECONDS}s"
grep -v ^PASS /tmp/c1.txt | cut -c1-200 | head -10
timeout 120 python3 bench/flash_error.py /tmp/saved --csv $OUT/flash-error.csv > /tmp/fe.txt 2>&1; echo "flash_error rc=$? ${SECONDS}s"; tail -8 /tmp/fe.txt | cut -c1-200
timeout 150 $R check $d/grid/check/*.ptx --csv $OUT/check-grid.csv > /tmp/c2.txt 2>&1; echo "grid check rc=$? $(grep -c ^PASS /tmp/c2.txt) PASS $(grep -c ^FAIL /tmp/c2.txt) FAIL ${SECONDS}s"
grep -v ^PASS /tmp/c2.txt | cut -c1-200 | head -10
for f in $d/def/sanitize/*.ptx; do for t in memcheck racecheck synccheck; do
  timeout 200 compute-sanitizer --tool $t $R check $f > /tmp/san.txt 2>&1
  echo "$t $(basename $f): rc=$? | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -cE '^PASS' /tmp/san.txt) PASS"
done; done
echo "sanitizers done ${SECONDS}s"
timeout 200 $R bench $d/def/bench/*.ptx $d/noov/bench/*.ptx $d/nopp/bench/*.ptx --csv $OUT/bench.csv > /tmp/b.txt 2>&1; echo "bench rc=$? ${SECONDS}s"
timeout 150 python3 bench/peers_pytorch.py --tokens 16384 --N 1024 4096 16384 --H 16 --D 128 --dtype bf16 --causal 0 1 --peers flash cudnn flex --csv /tmp/p1.csv > /tmp/p1.txt 2>&1; echo "peers d128 rc=$? ${SECONDS}s"
timeout 80 python3 bench/peers_pytorch.py --tokens 16384 --N 1024 4096 16384 --H 32 --D 64 --dtype bf16 --causal 0 1 --peers flash cudnn --csv /tmp/p2.csv > /tmp/p2.txt 2>&1; echo "peers d64 rc=$? ${SECONDS}s"
python3 - <<'PY'
import csv, os
rows = list(csv.DictReader(open('/tmp/p1.csv'))) + list(csv.DictReader(open('/tmp/p2.csv')))
keys = list(dict.fromkeys(k for r in rows for k in r))
with open(os.environ['OUT'] + '/peers.csv', 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=keys); w.writeheader(); w.writerows(rows)
for r in csv.DictReader(open(os.environ['OUT'] + '/bench.csv')):
    print(f"{r['file'].split('/')[-3]:5} {r['file'].split('/')[-1]:45} {float(r['tflops']):7.1f}")
for r in rows:
    print(f"{r['peer']:6} N={r['N']:>5} D={r['D']:>3} c={r['causal']} {r['tflops']:>8} {r['note'][:60]}")
PY
