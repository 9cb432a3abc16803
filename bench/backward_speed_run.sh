#!/usr/bin/env bash
# Forward + backward speed on the GPU host, the peers timed in the same run.
# Here: bench/gen_backward_speed.sh build P
# There: P=DIR OUT=OUT_DIR bench/backward_speed_run.sh
set -uo pipefail
P=${P:?folder of PTX}; S=$OUT/summary.txt
exec > >(tee $S) 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run; SECONDS=0
timeout 300 $R bench $P/bench/*.ptx --warmup 5 --reps 20 --csv $OUT/bench.csv > /tmp/b.txt 2>&1; echo "bench rc=$? ${SECONDS}s"
grep -E "^FAIL" /tmp/b.txt | cut -c1-200 | head
for d in 64 128; do
  timeout 150 python3 bench/peers_pytorch.py --backward --tokens 16384 --N 1024 2048 4096 8192 16384 --H $((2048 / d)) --D $d --dtype bf16 --causal 0 1 --peers flash cudnn --warmup 5 --reps 20 --csv /tmp/p$d.csv > /tmp/p$d.txt 2>&1; echo "peers d$d rc=$? ${SECONDS}s"; grep skipped /tmp/p$d.txt | head -3
done
for d in 64 128; do
  timeout 60 python3 bench/peers_pytorch.py --backward --tokens 16384 --N 8192 --H $((2048 / d)) --D $d --dtype bf16 --causal 0 --peers unfused --warmup 3 --reps 10 --csv /tmp/pu$d.csv > /tmp/pu$d.txt 2>&1; echo "peers unfused d$d rc=$? ${SECONDS}s"
done
python3 - <<'PY'
import csv, os
rows = []
for f in ('/tmp/p64.csv', '/tmp/p128.csv', '/tmp/pu64.csv', '/tmp/pu128.csv'):
    if os.path.exists(f):
        rows += list(csv.DictReader(open(f)))
keys = list(dict.fromkeys(k for r in rows for k in r))
with open(os.environ['OUT'] + '/peers.csv', 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=keys); w.writeheader(); w.writerows(rows)
PY
python3 bench/backward_speed.py $OUT/bench.csv $OUT/peers.csv --csv $OUT/joined.csv
echo "done ${SECONDS}s"
