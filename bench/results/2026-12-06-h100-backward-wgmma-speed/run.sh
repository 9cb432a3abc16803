#!/usr/bin/env bash
# One device call: forward + backward speed with the wgmma backward as the
# D = 128 default (sm_90a), the peers timed in the same run. Here (fwd-*,
# bwd-* at the defaults; bwd-wgmmasync-*: its products synchronous):
#   for N, causal, D: attn-compile --chip sm_90a --dtype bf16 --shape
#     (16384/N)x(2048/D)xNxD [--causal] --lse | --backward -o .gpu/fin/bench/...
# There: bash bench/results/2026-12-06-h100-backward-wgmma-speed/run.sh
set -uo pipefail
S=$OUT/summary.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run; SECONDS=0
for d in 64 128; do
  timeout 45 python3 bench/peers_pytorch.py --backward --tokens 16384 --N 2048 4096 8192 16384 --H $((2048 / d)) --D $d --dtype bf16 --causal 0 1 --peers flash cudnn --warmup 5 --reps 20 --csv /tmp/p$d.csv > /tmp/p$d.txt 2>&1; echo "peers d$d rc=$? ${SECONDS}s"
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
timeout 200 $R bench .gpu/fin/bench/*.ptx --warmup 5 --reps 20 --csv $OUT/bench.csv > $OUT/bench.txt 2>&1
echo "bench rc=$? ${SECONDS}s"; grep -E "^FAIL" $OUT/bench.txt | cut -c1-200 | head -5
python3 bench/backward_speed.py $OUT/bench.csv $OUT/peers.csv --csv $OUT/joined.csv
echo "done ${SECONDS}s"
