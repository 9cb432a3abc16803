#!/usr/bin/env bash
# The packed-sequences GPU run, in one call on the GPU host (from the
# repository root): every kernel of bench/gen_varlen.sh against the float64
# reference of each sequence (attn-run check draws random offsets per run,
# seeded: lengths from 0 up), twice with different seeds; the errors against
# SDPA's per sequence on the first seed's inputs (bench/flash_error.py);
# compute-sanitizer memcheck and racecheck on the sanitizer problems; the
# speed problems with PyTorch timed on the same lengths
# (bench/varlen_peers.py); kernels of run-time sizes with --sizes (S=..).
# Here:  bench/gen_varlen.sh build .gpu/varlen
# There: bench/varlen_run.sh .gpu/varlen OUT_DIR
set -uo pipefail
d=${1:?PTX dir from bench/gen_varlen.sh}; OUT=${OUT:-${2:?output dir}}
# shellcheck source=bench/gpu_prelude.sh
source bench/gpu_prelude.sh
for seed in 1 2; do
  save=(); [ $seed = 1 ] && save=(--save /tmp/saved)
  timeout 200 $R check "$d"/check/*.ptx --seed $seed --csv "$OUT/check-seed$seed.csv" "${save[@]}" >/tmp/c.txt 2>&1
  echo "check seed $seed rc=$? $(grep -c ^PASS /tmp/c.txt) PASS $(grep -c ^FAIL /tmp/c.txt) FAIL ${SECONDS}s"
  grep -v ^PASS /tmp/c.txt | cut -c1-300 | head -10
  grep ^PASS /tmp/c.txt | cut -c1-200 | head -3
done
# Kernels of run-time sizes: one load each, every --sizes (S included; the
# lengths drawn per run), packed and [total, H, D] layouts.
rt_sizes=(--sizes B=1,H=8,Hkv=2,Nq=4096,S=16 --sizes B=1,H=4,Hkv=4,Nq=137,Nk=150,S=3
  --sizes B=1,H=16,Hkv=1,Nq=12345,Nk=9000,S=5 --sizes B=1,H=2,Nq=1,S=1 --sizes B=1,H=8,Hkv=2,Nq=3000,S=300)
for layout in bhnd bnhd; do
  save=(); [ $layout = bnhd ] && save=(--save /tmp/saved)
  timeout 240 $R check "$d"/runtime/*.ptx "${rt_sizes[@]}" --layout $layout --seed 3 \
    --csv "$OUT/check-runtime-$layout.csv" "${save[@]}" >/tmp/c.txt 2>&1
  echo "check runtime $layout rc=$? $(grep -c ^PASS /tmp/c.txt) PASS $(grep -c ^FAIL /tmp/c.txt) FAIL ${SECONDS}s"
  grep -v ^PASS /tmp/c.txt | cut -c1-300 | head -10
done
timeout 200 python3 bench/flash_error.py /tmp/saved --csv "$OUT/sdpa-error.csv" >/tmp/fe.txt 2>&1
echo "sdpa error rc=$? ${SECONDS}s"; cut -c1-170 /tmp/fe.txt | tail -15
for f in "$d"/sanitize/*.ptx; do for t in memcheck racecheck; do
  timeout 200 compute-sanitizer --tool $t $R check "$f" >/tmp/san.txt 2>&1
  echo "$t $(basename "$f"): rc=$? | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS"
done; done
for t in memcheck racecheck; do
  timeout 200 compute-sanitizer --tool $t $R check "$d"/runtime/sm90a-d128-bf16-c1.ptx \
    --sizes B=1,H=4,Hkv=2,Nq=300,Nk=200,S=4 --layout bnhd >/tmp/san.txt 2>&1
  echo "$t runtime sm90a-d128: rc=$? | $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -1) | $(grep -c '^PASS' /tmp/san.txt) PASS"
done
echo "sanitizers done ${SECONDS}s"
timeout 200 $R bench "$d"/bench/*.ptx --sizes B=1,H=16,Nq=16384,S=16 --csv "$OUT/bench.csv" >"$OUT/bench.txt" 2>&1
echo "bench rc=$? ${SECONDS}s"; grep -E "^fused|sequences" "$OUT/bench.txt" | cut -c1-200
(cd bench && timeout 200 python3 varlen_peers.py "$OUT/bench.txt" --csv "$OUT/peers.csv") 2>&1 | tail -20
echo "done ${SECONDS}s"
