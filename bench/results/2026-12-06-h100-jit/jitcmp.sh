source bench/gpu_prelude.sh
xz -dc .gpu/bundle/jit_attention.xz > /tmp/j && chmod +x /tmp/j; export ATTN_CACHE_DIR=/tmp/jitcache-$RANDOM
$R bench .gpu/jitcmp/dense-rt.ptx --sizes B=4,H=16,Nq=4096 2>&1 | grep -E "^fused" | awk '{print "attn-run dense", $8, $10}'
/tmp/j 4 16 4096 128 --reps 50 2>&1 | grep -E "^fused .*PASS|FAIL"
L=181,1578,867,3512,916,369,1963,203,1572,155,105,530,1066,656,672,2039
ATTN_DUMP_DIR=/tmp/dump /tmp/j 1 16 16384 128 --seq-lens $L --reps 50 2>&1 | grep -E "launch|PASS|FAIL"
f=$(find /tmp/dump -name final.ptx | head -1); echo "dumped $f"
$R bench $f --sizes B=1,H=16,Nq=16384,S=16 --layout bnhd 2>&1 | grep -E "^fused" | awk '{print "attn-run jit-ptx bnhd", $8, $10}'
$R bench .gpu/varlen/bench/varlen-wgmma-runtime-c0.ptx --sizes B=1,H=16,Nq=16384,S=16 --layout bnhd 2>&1 | grep -E "^fused" | awk '{print "attn-run compile-ptx bnhd", $8, $10}'
nvidia-smi --query-gpu=clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv
