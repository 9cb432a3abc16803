#!/usr/bin/env bash
# On a GPU host (CUDA driver, g++, cmake, ninja; no LLVM needed): builds the
# runtime-only tree, runs the unit tests, checks every PTX under
# PTX_DIR/check against the float64 reference and times PTX_DIR/bench next
# to PyTorch's peers in the same invocation, then joins the two CSVs into
# OUT_DIR/joined.csv (bench/join.py; plot it with bench/plot.py). Results go
# to OUT_DIR.
# Usage: bench/gpu_check.sh PTX_DIR OUT_DIR
set -uo pipefail
ptx=${1:?ptx dir}; out=${2:?out dir}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
cmake -S "$root" -B /tmp/attn-rt -G Ninja -DATTN_RUNTIME_ONLY=ON \
  -DCMAKE_BUILD_TYPE=Release >"$out/build.log" 2>&1 &&
  ninja -C /tmp/attn-rt >>"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$out/gpu.txt"
(cd /tmp/attn-rt && ctest -j8 2>&1 | tail -4) | tee "$out/ctest.txt"
run=/tmp/attn-rt/bin/attn-run
if [ -d "$ptx/check" ]; then
  $run check "$ptx"/check/*.ptx --csv "$out/check.csv" >"$out/check.txt" 2>&1
  echo "check: $(grep -c ^PASS "$out/check.txt") PASS, $(grep -c ^FAIL "$out/check.txt") FAIL"
  grep ^FAIL "$out/check.txt" | cut -c1-400 | head -20
fi
if [ -d "$ptx/bench" ]; then
  $run bench "$ptx"/bench/*.ptx --csv "$out/bench.csv" 2>&1 | tee "$out/bench.txt"
fi
if [ -f "$ptx/peers.args" ]; then
  python3 "$root/bench/peers_pytorch.py" $(cat "$ptx/peers.args") \
    --csv "$out/peers.csv" >"$out/peers.txt" 2>&1
  cat "$out/peers.txt"
fi
if [ -f "$out/bench.csv" ] || [ -f "$out/peers.csv" ]; then
  python3 "$root/bench/join.py" "$out"
fi
