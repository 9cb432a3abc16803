# Sourced by the bench/*_run.sh scripts on the GPU host, from the
# repository root, after they set d (the PTX directory) and OUT: sends
# everything to the terminal and $OUT/summary.txt, builds the runtime-only
# attn-run into /tmp/rt (the host has no LLVM), names the GPU, and sets R
# (the attn-run binary) and SECONDS=0.
mkdir -p "$OUT"
exec > >(tee "$OUT/summary.txt") 2>&1
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release >/tmp/build.log 2>&1 &&
  ninja -C /tmp/rt attn-run >>/tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
R=/tmp/rt/bin/attn-run
SECONDS=0
