#!/usr/bin/env bash
# Forward + backward speed on the GPU host, the peers timed in the same run.
# Two stages, each under the device's 10-minute limit, on one warm machine:
#   STAGE=speed  attn's kernels, SDPA flash and cuDNN, and PyTorch's unfused
#                attention at N = 8192 (joined into OUT/joined.csv)
#   STAGE=flex   FlexAttention (torch.compile) at every shape, one process a
#                (D, N) so a slow compile costs one point (OUT/flex-*.csv;
#                FLEX_N="2048 8192" for fewer lengths)
# Here: bench/gen_backward_speed.sh build P
# There: STAGE=speed P=DIR OUT=OUT_DIR bench/backward_speed_run.sh
# Join: bench/backward_speed.py bench.csv peers.csv flex-*.csv
set -uo pipefail
S=$OUT/summary-${STAGE:=speed}.txt
exec > >(tee $S) 2>&1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
SECONDS=0
if [ $STAGE = flex ]; then
  for d in 64 128; do
    for n in ${FLEX_N:-1024 2048 4096 8192 16384}; do
      timeout 55 python3 bench/peers_pytorch.py --backward --tokens 16384 --N $n --H $((2048 / d)) --D $d --dtype bf16 --causal 0 1 --peers flex --warmup 5 --reps 20 --csv $OUT/flex-d$d-n$n.csv > $OUT/flex-d$d-n$n.txt 2>&1
      echo "flex d$d n$n rc=$? ${SECONDS}s"
    done
  done
  exit 0
fi
P=${P:?folder of PTX}
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
R=/tmp/rt/bin/attn-run
timeout 300 $R bench $P/bench/*.ptx --warmup 5 --reps 20 --csv $OUT/bench.csv > $OUT/bench.txt 2>&1; echo "bench rc=$? ${SECONDS}s"
grep -E "^FAIL" $OUT/bench.txt | cut -c1-200 | head
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
