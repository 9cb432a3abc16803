# The forward kernels after the aligned pair accesses (d59879c): PTX made
# here with attn-compile (the 8 static and 3 run-time-size files listed in
# forward-check.txt), checked on the H100 with:
R=/tmp/rt/bin/attn-run
$R check .gpu/fwdv/*.ptx
for l in bhnd bnhd; do
  $R check .gpu/fwdv/rt/*.ptx --sizes B=2,H=4,Nq=1000 --sizes B=1,H=8,Hkv=2,Nq=17,Nk=333 --sizes B=1,H=2,Nq=12345 --layout $l
done
