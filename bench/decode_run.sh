#!/usr/bin/env bash
# The decoding GPU run, in one call on the GPU host (from the repository
# root): every kernel of bench/gen_decode.sh checked against the float64
# reference (inputs saved); the run-time-size split kernels at many sizes
# and both layouts; errors against SDPA (bench/flash_error.py);
# compute-sanitizer memcheck and racecheck; then the decoding speed set
# against PyTorch's peers timed in the same run (bench/decode_peers.py),
# with the achieved K/V bandwidth.
# Here:  bench/gen_decode.sh build .gpu/decode
# There: bench/decode_run.sh .gpu/decode OUT_DIR
set -uo pipefail
d=${1:?PTX dir from bench/gen_decode.sh}; OUT=${OUT:-${2:?output dir}}
# shellcheck source=bench/gpu_prelude.sh
source bench/gpu_prelude.sh
timeout 240 $R check "$d"/check/*.ptx --save /tmp/saved --csv "$OUT/check.csv" >/tmp/c1.txt 2>&1
echo "check rc=$? $(grep -c ^PASS /tmp/c1.txt) PASS $(grep -c ^FAIL /tmp/c1.txt) FAIL ${SECONDS}s"
grep -v ^PASS /tmp/c1.txt | cut -c1-260 | head -20
sizes=(--sizes B=2,H=32,Hkv=8,Nq=1,Nk=4096 --sizes B=1,H=8,Hkv=2,Nq=1,Nk=131072
       --sizes B=4,H=8,Hkv=1,Nq=16,Nk=20000 --sizes B=1,H=4,Nq=1,Nk=1
       --sizes B=2,H=4,Nq=1000 --sizes B=1,H=2,Nq=12345 --sizes B=1,H=4,Nq=500,Nk=17)
for layout in bhnd bnhd; do
  timeout 240 $R check "$d"/runtime/*.ptx "${sizes[@]}" --layout $layout \
    --csv "$OUT/check-runtime-$layout.csv" >/tmp/c2.txt 2>&1
  echo "check runtime $layout rc=$? $(grep -c ^PASS /tmp/c2.txt) PASS $(grep -c ^FAIL /tmp/c2.txt) FAIL ${SECONDS}s"
  grep -v ^PASS /tmp/c2.txt | cut -c1-260 | head -10
done
timeout 200 $R check "$d"/runtime/*.ptx --sizes B=2,H=32,Hkv=8,Nq=1,Nk=4096 \
  --sizes B=4,H=8,Hkv=1,Nq=16,Nk=20000 --save /tmp/saved >/tmp/c3.txt 2>&1
echo "check runtime --save rc=$? $(grep -c ^PASS /tmp/c3.txt) PASS ${SECONDS}s"
timeout 240 python3 bench/flash_error.py /tmp/saved --csv "$OUT/sdpa-error.csv" 2>/dev/null >/tmp/fe.txt
echo "sdpa error rc=$? ${SECONDS}s"; cut -c1-170 /tmp/fe.txt
for f in "$d"/sanitize/*.ptx; do for t in memcheck racecheck; do
  timeout 200 compute-sanitizer --tool $t $R check "$f" --sizes B=1,H=4,Hkv=2,Nq=1,Nk=3000 \
    --sizes B=1,H=2,Nq=17,Nk=700 >/tmp/san.txt 2>&1
  echo "$t $(basename "$f"): rc=$? | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS"
done; done
echo "sanitizers done ${SECONDS}s"
timeout 200 $R bench "$d"/bench/decode-*.ptx --csv "$OUT/bench.csv" >/tmp/b1.txt 2>&1
echo "bench rc=$? ${SECONDS}s"
dec=(--sizes B=1,H=32,Hkv=8,Nq=1,Nk=4096 --sizes B=1,H=32,Hkv=8,Nq=1,Nk=32768
     --sizes B=1,H=32,Hkv=8,Nq=1,Nk=131072 --sizes B=8,H=32,Hkv=8,Nq=1,Nk=4096
     --sizes B=8,H=32,Hkv=8,Nq=1,Nk=32768 --sizes B=8,H=32,Hkv=8,Nq=1,Nk=131072)
# SKIP_RUNTIME_BENCH=1 leaves the run-time-size kernels' timing out (saves
# about 100 s of GPU time when only the specialized kernels changed).
if [ -z "${SKIP_RUNTIME_BENCH:-}" ]; then
  timeout 200 $R bench "$d"/bench/runtime-*.ptx "${dec[@]}" --csv "$OUT/bench-runtime.csv" >/tmp/b2.txt 2>&1
  echo "bench runtime rc=$? ${SECONDS}s"
fi
python3 - "$OUT/bench.csv" "$OUT/bench-runtime.csv" <<'PY'
import csv, os, sys
for path in filter(os.path.exists, sys.argv[1:]):
    for r in csv.DictReader(open(path)):
        if not r.get("B"):
            continue
        kv = 2 * int(r["B"]) * int(r["Hkv"]) * int(r["Nk"]) * int(r["D"]) * 2
        ms = float(r["median_ms"])
        print(f"attn {r['file'].split('/')[-1]:<28} B={r['B']} Nk={r['Nk']:<6} {ms:9.4f} ms "
              f"{kv / (ms * 1e-3) / 1e12:6.3f} TB/s of K,V  kernels {r['kernel_median_ms']}")
PY
timeout 300 python3 bench/decode_peers.py --csv "$OUT/peers.csv" 2>&1 | grep -v Warning | tail -14
echo "done ${SECONDS}s"
