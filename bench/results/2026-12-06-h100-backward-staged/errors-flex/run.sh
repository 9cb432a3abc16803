#!/usr/bin/env bash
set -uo pipefail
S=$OUT/summary.txt
exec > >(tee $S) 2>&1
SECONDS=0
cmake -S . -B /tmp/rt -G Ninja -DATTN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release > /tmp/build.log 2>&1 && ninja -C /tmp/rt attn-run >> /tmp/build.log 2>&1 || { tail -20 /tmp/build.log; exit 1; }
R=/tmp/rt/bin/attn-run
timeout 40 $R check $(ls .gpu/r4/check/*.ptx | grep -v fwd-) --save /tmp/saved > $OUT/check.txt 2>&1
echo "check rc=$? $(grep -c ^PASS $OUT/check.txt) PASS $(grep -c ^FAIL $OUT/check.txt) FAIL ${SECONDS}s"
timeout 60 python3 bench/flash_error_backward.py /tmp/saved --csv $OUT/flash-error.csv > $OUT/flash-error.txt 2>&1
echo "flash_error_backward rc=$? ${SECONDS}s"; grep -E "FAIL|within" $OUT/flash-error.txt | head -20
timeout 60 python3 bench/peers_pytorch.py --backward --tokens 16384 --N 8192 --H 32 --D 64 --dtype bf16 --causal 0 --peers flash flex --warmup 3 --reps 10 --csv $OUT/flex.csv > $OUT/flex.txt 2>&1; echo "flex rc=$? ${SECONDS}s"; tail -4 $OUT/flex.txt
