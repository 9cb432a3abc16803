#!/usr/bin/env bash
# The main job: builds attn, compiles examples/attention.mlir with both
# pipelines down to PTX and reports the kernels, PTX size and ptxas's
# registers/spills, runs both pipelines' IR on the CPU against a float64
# reference, and on a machine with an NVIDIA GPU also runs the PTX there.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
input=${1:-$ATTN_ROOT/examples/attention.mlir}
out=$ATTN_BUILD/demo
mkdir -p "$out"
echo "== attn: compiling $input"
for pipeline in fused unfused; do
  "$ATTN_BUILD/bin/attn-compile" "$input" --pipeline $pipeline -o "$out/$pipeline.ptx"
  grep '^// attn\.\(kernel\|buffer\)' "$out/$pipeline.ptx" | sed 's|^// attn\.|    |'
done
echo "== attn: running both pipelines on the CPU (MLIR execution engine) against a float64 reference"
"$ATTN_BUILD/bin/attn-cpu-run" "$input"
echo "   (gpu_extra_mem_bytes: the S and P buffers the pipeline needs in device memory)"
echo "== attn: running on the GPU"
set +e
"$ATTN_BUILD/bin/attn-run" check "$out/fused.ptx" "$out/unfused.ptx"
rc=$?
set -e
case $rc in
  0) echo "== attn: both pipelines match the float64 reference" ;;
  77) echo "== attn: no GPU here; the PTX above is ready for one (see README)" ;;
  *) echo "attn: the GPU check failed" >&2; exit $rc ;;
esac
