#!/usr/bin/env bash
# The sliding-window GPU run, in one call on the GPU host (from the
# repository root): every kernel of bench/gen_window.sh checked against the
# float64 reference (inputs saved); the run-time-size window kernels at
# several sizes and both layouts; errors against SDPA with the window's
# boolean mask (bench/flash_error.py); compute-sanitizer memcheck and
# racecheck; then causal windows timed against plain causal and the peers
# (bench/window_peers.py).
# Here:  bench/gen_window.sh build .gpu/window
# There: bench/window_run.sh .gpu/window OUT_DIR
set -uo pipefail
d=${1:?PTX dir from bench/gen_window.sh}; OUT=${OUT:-${2:?output dir}}
# shellcheck source=bench/gpu_prelude.sh
source bench/gpu_prelude.sh
timeout 200 $R check "$d"/check/*.ptx --save /tmp/saved --csv "$OUT/check.csv" >/tmp/c1.txt 2>&1
echo "check rc=$? $(grep -c ^PASS /tmp/c1.txt) PASS $(grep -c ^FAIL /tmp/c1.txt) FAIL ${SECONDS}s"
grep -v ^PASS /tmp/c1.txt | cut -c1-260 | head -20
sizes=(--sizes B=2,H=4,Nq=1 --sizes B=2,H=4,Nq=1000 --sizes B=1,H=2,Nq=12345
       --sizes B=2,H=8,Hkv=2,Nq=1000,Nk=333 --sizes B=1,H=8,Hkv=1,Nq=16,Nk=4096
       --sizes B=1,H=4,Nq=500,Nk=17)
for layout in bhnd bnhd; do
  timeout 200 $R check "$d"/runtime/*.ptx "${sizes[@]}" --layout $layout \
    --csv "$OUT/check-runtime-$layout.csv" >/tmp/c2.txt 2>&1
  echo "check runtime $layout rc=$? $(grep -c ^PASS /tmp/c2.txt) PASS $(grep -c ^FAIL /tmp/c2.txt) FAIL ${SECONDS}s"
  grep -v ^PASS /tmp/c2.txt | cut -c1-260 | head -10
done
timeout 200 $R check "$d"/runtime/*.ptx --sizes B=2,H=4,Nq=1000 \
  --sizes B=2,H=8,Hkv=2,Nq=1000,Nk=333 --save /tmp/saved >/tmp/c3.txt 2>&1
echo "check runtime --save rc=$? $(grep -c ^PASS /tmp/c3.txt) PASS ${SECONDS}s"
timeout 240 python3 bench/flash_error.py /tmp/saved --csv "$OUT/sdpa-error.csv" >/tmp/fe.txt 2>&1
echo "sdpa error rc=$? ${SECONDS}s"; cut -c1-170 /tmp/fe.txt
for f in "$d"/sanitize/*.ptx; do for t in memcheck racecheck; do
  timeout 200 compute-sanitizer --tool $t $R check "$f" --sizes B=1,H=2,Nq=17 \
    --sizes B=1,H=4,Hkv=2,Nq=100,Nk=333 >/tmp/san.txt 2>&1
  echo "$t $(basename "$f"): rc=$? | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS"
done; done
echo "sanitizers done ${SECONDS}s"
timeout 200 $R bench "$d"/bench/*.ptx --csv "$OUT/bench.csv" >/tmp/b.txt 2>&1
echo "bench rc=$? ${SECONDS}s"
grep "^fused" /tmp/b.txt | awk '{printf "attn %-30s %9s ms %8s TFLOP/s\n", $NF, $8, $10}'
timeout 200 python3 bench/window_peers.py --csv "$OUT/peers.csv" 2>&1 | tail -12
echo "done ${SECONDS}s"
