// REQUIRES: ptxas, cuobjdump
// The sm_90a fused kernels assemble as planned (head dim 64; -d128, -d256
// for the others): f16 and bf16, causal and not, with lse, attn-compile
// reports no spills, `ptxas -arch=sm_90a -v` no warning and no C75xx
// advisory, and the SASS has HGMMA, UTMALDG and USETMAXREG and no HMMA
// (Inputs/sm90a-sass.checks has the patterns). Below: the same checks fail
// on an mma.sync kernel and on a kernel whose setmaxnreg ptxas ignores.

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
// REDEFINE: %{flags} = --shape 1x2x256x64 --dtype f16
// RUN: %{check}
// REDEFINE: %{flags} = --shape 1x2x256x64 --dtype f16 --causal
// RUN: %{check}
// REDEFINE: %{type} = .BF16
// REDEFINE: %{flags} = --shape 1x2x256x64 --dtype bf16
// RUN: %{check}
// REDEFINE: %{flags} = --shape 1x2x256x64 --dtype bf16 --causal
// RUN: %{check}

// The same checks fail where they should: on the last kernel above (bf16,
// causal, head dim 64: %t.ptx, %t.sass) changed, and on its --mma=sync twin.
//
// --mma=sync: the mma.sync kernel (HMMA, cp.async, ldmatrix) has none of
// what SASS wants; the wgmma kernel's SASS with it appended has all of it,
// and HMMA.
// RUN: attn-compile --chip=sm_90a --mma=sync --shape 1x2x256x64 --dtype bf16 --lse --ptxas= -o %t.sync.ptx
// RUN: %ptxas -arch=sm_90a %t.sync.ptx -o %t.sync.cubin
// RUN: %cuobjdump -sass %t.sync.cubin > %t.sync.sass
// RUN: FileCheck %s --check-prefix=SYNC --implicit-check-not=HGMMA --implicit-check-not=UTMALDG < %t.sync.sass
// RUN: not %{sass-ok} < %t.sync.sass
// RUN: not %{fc} --check-prefix=NO-HMMA < %t.sync.sass
// RUN: cat %t.sass %t.sync.sass > %t.mixed.sass
// RUN: %{sass-ok} < %t.mixed.sass
// RUN: not %{fc} --check-prefix=NO-HMMA < %t.mixed.sass
// SYNC: HMMA.16816.F32.BF16
//
// Without .maxntid and .minnctapersm ptxas cannot know the register count
// at entry: it ignores setmaxnreg with a C7508 advisory (an info line, not
// a warning; everything PTXAS wants is still there) and the SASS has no
// USETMAXREG.
// RUN: grep -v -e '^\.maxntid' -e '^\.minnctapersm' %t.ptx > %t.nobounds.ptx
// RUN: %ptxas -arch=sm_90a -v %t.nobounds.ptx -o %t.nobounds.cubin > %t.nobounds.log 2>&1
// RUN: FileCheck %s --check-prefix=C7508 < %t.nobounds.log
// RUN: %{fc} --check-prefix=PTXAS < %t.nobounds.log
// RUN: not %{fc} --check-prefix=QUIET < %t.nobounds.log
// RUN: %cuobjdump -sass %t.nobounds.cubin | not %{sass-ok}
// C7508: (C7508) Potential Performance Loss: 'setmaxnreg' ignored
