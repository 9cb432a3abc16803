source bench/gpu_prelude.sh
for layout in bhnd bnhd; do $R bench .gpu/varlen/bench/varlen-wgmma-runtime-c*.ptx --sizes B=1,H=16,Nq=16384,S=16 --layout $layout 2>&1 | grep -E "^fused" | awk -v l=$layout '{print l, $8, $10, $NF}'; done
xz -dc .gpu/bundle/jit_attention.xz > /tmp/j && chmod +x /tmp/j
/tmp/j 1 16 16384 128 --seq-lens 181,1578,867,3512,916,369,1963,203,1572,155,105,530,1066,656,672,2039 --reps 50 | grep -E "launch|PASS|FAIL"
