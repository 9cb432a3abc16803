// REQUIRES: ptxas, cuobjdump
// The sm_90a fused kernels with head dim 128 assemble as planned: the checks
// of sm90a-sass-d64.mlir (which also shows that they can fail), same
// definitions, same patterns (Inputs/sm90a-sass.checks).

// DEFINE: %{flags} =
// DEFINE: %{type} =
// DEFINE: %{fc} = FileCheck %S/Inputs/sm90a-sass.checks
// DEFINE: %{sass-ok} = %{fc} --check-prefix=SASS -DTYPE=%{type}
// DEFINE: %{check} = attn-compile --chip=sm_90a %{flags} --lse -o %t.ptx | %{fc} --check-prefix=SPILLS \
// DEFINE:   && %ptxas -arch=sm_90a -v %t.ptx -o %t.cubin > %t.log 2>&1 \
// DEFINE:   && %{fc} --check-prefix=PTXAS < %t.log && %{fc} --check-prefix=QUIET < %t.log \
// DEFINE:   && %cuobjdump -sass %t.cubin > %t.sass \
// DEFINE:   && %{sass-ok} < %t.sass && %{fc} --check-prefix=NO-HMMA < %t.sass

// REDEFINE: %{type} =
// REDEFINE: %{flags} = --shape 1x2x256x128 --dtype f16
// RUN: %{check}
// REDEFINE: %{flags} = --shape 1x2x256x128 --dtype f16 --causal
// RUN: %{check}
// REDEFINE: %{type} = .BF16
// REDEFINE: %{flags} = --shape 1x2x256x128 --dtype bf16
// RUN: %{check}
// REDEFINE: %{flags} = --shape 1x2x256x128 --dtype bf16 --causal
// RUN: %{check}
