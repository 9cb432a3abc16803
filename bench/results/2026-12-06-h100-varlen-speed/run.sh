set -uo pipefail
mkdir -p $OUT; exec > >(tee "$OUT/summary.txt") 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release >/tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >>/tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name --format=csv,noheader
timeout 150 /tmp/rt/bin/attn-run bench .gpu/varlen/bench/*.ptx --csv $OUT/bench.csv 2>&1 | cut -c1-250
