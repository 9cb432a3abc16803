# What the run-time-size varlen kernel's 31-step sequence search costs: the
# same kernel with S compiled in (4 steps; /tmp/v/rtS{0,1}.mlir: ? sizes,
# tensor<17xi32> offsets, attn-compile FILE --chip=sm_90a) beside the
# static and run-time ones, and the dense kernels of run-time sizes beside
# the static ones (the overhead that is not the search). One call, H100.
# Here: bench/gen_varlen.sh build .gpu/varlen, then the two compiles above
# into .gpu/varlen/bench/varlen-wgmma-runtime-S16-c{0,1}.ptx and
# attn-compile --shape 16x16x1024x128 --runtime-sizes [--causal] into
# .gpu/varlen/dense-rt/.
set -uo pipefail
d=.gpu/varlen; OUT=${OUT:?}
source bench/gpu_prelude.sh
$R bench $d/bench/varlen-wgmma-*.ptx --sizes B=1,H=16,Nq=16384,S=16 --csv $OUT/varlen.csv 2>&1 | grep -E "^fused" | cut -c1-200
$R bench $d/bench/dense-wgmma-*.ptx $d/dense-rt/*.ptx --sizes B=16,H=16,Nq=1024 --csv $OUT/dense.csv 2>&1 | grep -E "^fused" | cut -c1-200
# Second call (summary-2.txt): the same batch through variants of the
# search, compiled with temporary edits of locateRowBlock (not kept):
# rt-bits4 (the loop with its count fixed at 4), rt-unrolled31 (31 unrolled
# steps, the first version), beside the static, run-time and S-compiled-in
# kernels; each timed twice:
#   $R bench .gpu/exp/*.ptx --sizes B=1,H=16,Nq=16384,S=16   (x2)
