#!/usr/bin/env bash
# Times the PTX of two compiler versions side by side on one GPU, each read by
# the runtime of its own version (the manifest format may differ), and checks
# the new version's correctness grid. For "no regression" claims: the same
# problems, the same GPU, the same run, alternating old and new per problem
# over ROUNDS rounds (default 3), so clock and thermal drift hit both.
#
# Usage: bench/regression.sh OLD_DIR NEW_DIR OUT_DIR [ROUNDS] [GLOB]
#   OLD_DIR/src     sources of the old commit (git archive), runtime built here
#   OLD_DIR/bench   its PTX; NEW_DIR/bench the new PTX under the same names
#   NEW_DIR/check   PTX checked against the float64 reference (optional;
#                   skipped when SKIP_CHECK=1)
#   GLOB            which bench files to time (default *.ptx)
# Writes OUT_DIR/timings.csv (every round), check.csv and regression.md.
set -uo pipefail
old=${1:?old dir}; new=${2:?new dir}; out=${3:?out dir}; rounds=${4:-3}
pattern=${5:-*.ptx}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
if ! nvidia-smi >/dev/null 2>&1; then
  echo "SKIPPED: no GPU (nvidia-smi failed)"; exit 77
fi
build() { # SRC BUILD_DIR NAME
  cmake -S "$1" -B "$2" -G Ninja -DATTN_RUNTIME_ONLY=ON \
    -DCMAKE_BUILD_TYPE=Release >"$out/build-$3.log" 2>&1 &&
    ninja -C "$2" attn-run >>"$out/build-$3.log" 2>&1 ||
    { tail -20 "$out/build-$3.log"; exit 1; }
}
tmp=${TMPDIR:-/tmp}/attn-regression.$$
mkdir -p "$tmp/csv"
build "$old/src" "$tmp/old" old
build "$root" "$tmp/new" new
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$out/gpu.txt"
if [ -d "$new/check" ] && [ "${SKIP_CHECK:-0}" != 1 ]; then
  "$tmp/new/bin/attn-run" check "$new"/check/*.ptx --csv "$out/check.csv" >"$out/check.txt" 2>&1
  echo "check: $(grep -c ^PASS "$out/check.txt") PASS, $(grep -c ^FAIL "$out/check.txt") FAIL"
  grep ^FAIL "$out/check.txt" | cut -c1-300 | head -20
fi
for r in $(seq 1 "$rounds"); do
  for f in "$new"/bench/$pattern; do
    name=$(basename "$f")
    [ -f "$old/bench/$name" ] || continue
    # Alternate which version goes first.
    if [ $((r % 2)) = 1 ]; then order="old new"; else order="new old"; fi
    for v in $order; do
      dir=$old; [ $v = new ] && dir=$new
      "$tmp/$v/bin/attn-run" bench "$dir/bench/$name" --csv "$tmp/csv/$v-$r-$name.csv" \
        >>"$out/bench-$v.txt" 2>&1 || echo "bench $v $name failed"
    done
  done
done
python3 "$root/bench/regression.py" "$tmp/csv" "$out/timings.csv" | tee "$out/regression.md"
rm -rf "$tmp"
