#!/bin/sh
# Regenerates the naive_*.ptx fixtures from naive_attention.cu: one nvcc run
# per problem, the manifest written on top. Run it from anywhere after
# changing the .cu file; the outputs are checked in so that no test needs
# nvcc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# make NAME B H N D DTYPE CAUSAL LSE SCALE [EXTRA_NVCC_FLAGS]
make() {
  name=$1 b=$2 h=$3 n=$4 d=$5 dtype=$6 causal=$7 lse=$8 scale=$9
  shift 9
  macro=$(echo "$dtype" | tr a-z A-Z)
  "$nvcc" -ptx -arch=compute_80 -O3 -std=c++17 -o "$tmp/$name.ptx" \
    -DSEQ_LEN="$n" -DHEAD_DIM="$d" -DSCALE="${scale}f" -DCAUSAL="$causal" \
    -DLSE="$lse" -DDTYPE_"$macro" "$@" "$here/naive_attention.cu"
  count=$((b * h * n * n))
  softmax_args=s,p
  [ "$lse" = 1 ] && softmax_args=s,p,lse
  shape=$b,$h,$n,$d
  strides=$((h * n * d)),$((n * d)),$d,1
  {
    echo "// attn.version 2"
    echo "// attn.problem direction=forward pipeline=unfused B=$b H=$h Hkv=$h Nq=$n Nk=$n D=$d dtype=$dtype causal=$causal scale=$scale lse=$lse"
    for t in q k v o; do
      echo "// attn.tensor $t role=$t dtype=$dtype shape=$shape strides=$strides align=16"
    done
    [ "$lse" = 1 ] && echo "// attn.tensor lse role=lse dtype=f32 shape=$b,$h,$n strides=$((h * n)),$n,1 align=4"
    echo "// attn.workspace s dtype=$dtype elements=$count"
    echo "// attn.workspace p dtype=$dtype elements=$count"
    echo "// attn.kernel attn_qk grid=$n,$h,$b block=128,1,1 smem=0 args=q,k,s"
    echo "// attn.kernel attn_softmax grid=$n,$h,$b block=128,1,1 smem=0 args=$softmax_args"
    echo "// attn.kernel attn_pv grid=$n,$h,$b block=128,1,1 smem=0 args=p,v,o"
    echo "// Naive kernels from test/unit/Inputs/naive_attention.cu (make_naive_ptx.sh)."
    cat "$tmp/$name.ptx"
  } > "$here/$name.ptx"
}

make naive_f32_lse 1 2 128 64 f32 0 1 0.125
make naive_f16_causal 2 3 257 64 f16 1 0 0.125
make naive_bf16_causal_lse 1 2 2048 128 bf16 1 1 0.08838834764831845
# Leaves the last row of O unwritten: attn-run check must report FAIL.
make naive_f16_bug_unwritten_row 2 3 257 64 f16 1 0 0.125 -DBUG_SKIP_LAST_ROW
