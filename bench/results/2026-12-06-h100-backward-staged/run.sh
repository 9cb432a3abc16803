#!/usr/bin/env bash
# One call (H100, 95 s): checks and sanitizers of the staged backward, then
# forward + backward speed at the defaults with the peers in the same run.
# The PTX, made here at 6923ca5 (attn-compile --chip
# sm_90a --dtype bf16):
#   bench/{fwd,bwd}-dD-nN-cC: --shape (16384/N)x(2048/D)xNxD [--causal]
#     --lse | --backward, N in 2048..16384, D = 64 (and D = 128 at N = 8192;
#     the other D = 128 files, bench_d128_rest/, in a second warm call:
#     peers128.*, bench128.*, joined128.csv);
#   base/bwd-base-d64-n{2048,8192}-c0: the same backward compiled at ac0c3a5
#     (the session's start);
#   check/: --backward [--causal] --shape 2x4xNxD for N = 17, 1000, 2048,
#     4096 (D = 64, 128; f16, bf16; --async-products at N = 1024; sm_90
#     mma.sync at N = 1000), fwd --lse at N = 1000; check2.txt (a third
#     call): f16 D = 128, the deterministic dQ, unfused, N = 17 D = 128;
#   san-*: 1x2x256x64 --causal (staged vectors) under memcheck and racecheck.
set -uo pipefail
S=$OUT/summary.txt
exec > >(tee $S) 2>&1
SECONDS=0
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run
timeout 90 $R check .gpu/r4/check/*.ptx > $OUT/check.txt 2>&1; echo "check rc=$? $(grep -c ^PASS $OUT/check.txt) PASS $(grep -c ^FAIL $OUT/check.txt) FAIL ${SECONDS}s"; grep -v ^PASS $OUT/check.txt | cut -c1-200 | head
for tool in memcheck racecheck; do
  timeout 40 compute-sanitizer --tool $tool $R check .gpu/r4/san-bwd-bf16-n256-d64-c1.ptx > $OUT/$tool.txt 2>&1; echo "$tool rc=$? ${SECONDS}s"; grep -E "ERROR SUMMARY|RACECHECK SUMMARY|^PASS|^FAIL" $OUT/$tool.txt | head -3
done
timeout 40 python3 bench/peers_pytorch.py --backward --tokens 16384 --N 2048 4096 8192 16384 --H 32 --D 64 --dtype bf16 --causal 0 1 --peers flash cudnn --warmup 5 --reps 20 --csv /tmp/p64.csv > /tmp/p64.txt 2>&1; echo "peers d64 rc=$? ${SECONDS}s"
timeout 20 python3 bench/peers_pytorch.py --backward --tokens 16384 --N 8192 --H 16 --D 128 --dtype bf16 --causal 0 --peers flash cudnn --warmup 5 --reps 20 --csv /tmp/p128.csv > /tmp/p128.txt 2>&1; echo "peers d128 rc=$? ${SECONDS}s"
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
timeout 110 $R bench .gpu/r4/bench/*.ptx .gpu/r4/base/*.ptx --warmup 5 --reps 20 --csv $OUT/bench.csv > $OUT/bench.txt 2>&1
echo "bench rc=$? ${SECONDS}s"; grep -E "^FAIL" $OUT/bench.txt | cut -c1-200 | head -5
grep -A1 "base-" $OUT/bench.txt | awk '{print $3,$4,$5,$6,$7,$8,$9,$10, $NF}'
python3 bench/backward_speed.py $OUT/bench.csv $OUT/peers.csv --csv $OUT/joined.csv
echo "done ${SECONDS}s"
