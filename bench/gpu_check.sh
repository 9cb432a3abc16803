#!/usr/bin/env bash
# On a GPU host (CUDA driver, g++, cmake, ninja; no LLVM needed): builds the
# runtime-only tree, runs the unit tests, checks every PTX under
# PTX_DIR/check against the float64 reference and times PTX_DIR/bench next
# to PyTorch's peers in the same invocation, then joins the two CSVs into
# OUT_DIR/joined.csv (bench/join.py; plot it with bench/plot.py). Results go
# to OUT_DIR.
#
# Usage: bench/gpu_check.sh [--build-dir DIR] PTX_DIR OUT_DIR
#   --build-dir DIR  where the runtime is built (default: OUT_DIR/runtime-build)
# Exit status: 0 every check passed; 1 a check failed or a step broke;
# 77 no GPU here ("SKIPPED: no GPU"), nothing checked.
set -uo pipefail
usage() { sed -n '9,12p' "$0" | sed 's/^# \{0,1\}//'; }
build=
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build=${2:?--build-dir needs a directory}; shift 2 ;;
    --build-dir=*) build=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "gpu_check.sh: error: unknown option '$1'" >&2; usage >&2; exit 1 ;;
    *) break ;;
  esac
done
if [ $# -ne 2 ]; then usage >&2; exit 1; fi
ptx=$1; out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "gpu_check.sh: error: $*" >&2; exit 1; }
[ -d "$ptx" ] || fail "no PTX directory '$ptx' (make one with bench/gen_grid.sh)"
if ! nvidia-smi -L >/dev/null 2>&1; then
  echo "SKIPPED: no GPU (nvidia-smi finds none); nothing checked"
  exit 77
fi
mkdir -p "$out" || fail "cannot create '$out'"
build=${build:-$out/runtime-build}

echo "== building the runtime in $build (log: $out/build.log)"
cmake -S "$root" -B "$build" -G Ninja -DATTN_RUNTIME_ONLY=ON \
  -DCMAKE_BUILD_TYPE=Release >"$out/build.log" 2>&1 &&
  ninja -C "$build" >>"$out/build.log" 2>&1 ||
  { tail -30 "$out/build.log"; fail "the runtime build failed"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$out/gpu.txt"
(cd "$build" && ctest -j8 2>&1 | tail -4) | tee "$out/ctest.txt"
status=0
run=$build/bin/attn-run
if [ -d "$ptx/check" ]; then
  $run check "$ptx"/check/*.ptx --csv "$out/check.csv" >"$out/check.txt" 2>&1
  rc=$?
  pass=$(grep -c ^PASS "$out/check.txt"); failed=$(grep -c ^FAIL "$out/check.txt")
  echo "check: $pass PASS, $failed FAIL"
  grep ^FAIL "$out/check.txt" | cut -c1-400 | head -20
  if [ $rc = 77 ]; then
    grep -m1 SKIPPED "$out/check.txt"; exit 77
  fi
  if [ $rc != 0 ] || [ "$failed" != 0 ] || [ "$pass" = 0 ]; then
    echo "gpu_check.sh: the correctness check failed (attn-run status $rc; $out/check.txt)" >&2
    status=1
  fi
fi
if [ -d "$ptx/bench" ]; then
  $run bench "$ptx"/bench/*.ptx --csv "$out/bench.csv" 2>&1 | tee "$out/bench.txt"
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "gpu_check.sh: attn-run bench failed" >&2; status=1; }
fi
if [ -f "$ptx/peers.args" ]; then
  python3 "$root/bench/peers_pytorch.py" $(cat "$ptx/peers.args") \
    --csv "$out/peers.csv" >"$out/peers.txt" 2>&1
  cat "$out/peers.txt"
fi
if [ -f "$out/bench.csv" ] || [ -f "$out/peers.csv" ]; then
  python3 "$root/bench/join.py" "$out" || status=1
fi
exit $status
