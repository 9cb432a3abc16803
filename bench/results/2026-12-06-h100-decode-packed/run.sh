#!/usr/bin/env bash
set -uo pipefail
d=.gpu/decode; mkdir -p "$OUT"
exec > >(tee "$OUT/summary.txt") 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release >/tmp/build.log 2>&1 &&
  ninja -C /tmp/rt attn-run >>/tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run
SECONDS=0
timeout 100 $R check "$d"/check/wgmma-decode-*.ptx "$d"/check/wgmma-mqa*.ptx --csv "$OUT/check.csv" >/tmp/c1.txt 2>&1
echo "check rc=$? $(grep -c ^PASS /tmp/c1.txt) PASS $(grep -c ^FAIL /tmp/c1.txt) FAIL ${SECONDS}s"
timeout 250 $R bench "$d"/bench/decode-*.ptx "$d"/tune/*.ptx --csv "$OUT/bench.csv" >/tmp/b1.txt 2>&1
echo "bench rc=$? ${SECONDS}s"
python3 - "$OUT/bench.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if not r.get("B"):
        continue
    kv = 2 * int(r["B"]) * int(r["Hkv"]) * int(r["Nk"]) * int(r["D"]) * 2
    ms = float(r["median_ms"])
    print(f"attn {r['file'].split('/')[-1]:<28} B={r['B']} Nk={r['Nk']:<6} {ms:9.4f} ms "
          f"{kv / (ms * 1e-3) / 1e12:6.3f} TB/s of K,V  kernels {r['kernel_median_ms']}")
PY
timeout 200 python3 bench/decode_peers.py --csv "$OUT/peers.csv" 2>&1 | grep -v Warning | tail -14
echo "done ${SECONDS}s"
