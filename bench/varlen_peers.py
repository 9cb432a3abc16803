#!/usr/bin/env python3
"""Times PyTorch on the packed batches `attn-run bench` timed.

Reads attn-run bench's output (its `sequences seq_lens=... kv_seq_lens=...`
line follows each packed problem's result line, whose columns give H, D and
causal) and times, in this process on the same GPU:
  * SDPA on a jagged nested tensor of those lengths (torch.nested, the
    FLASH_ATTENTION backend: PyTorch's varlen), where the lengths of queries
    and keys agree;
  * flash_attn_varlen_func, where the flash_attn package is installed;
  * SDPA FLASH_ATTENTION and CUDNN_ATTENTION on the dense batch of equal
    work the lengths would pad to nothing: B = S, N = total / S.
FLOPs are counted per sequence as attn-run counts them (4·H·D·Nq·Nk, half
of it causal). bf16 or f16 from the result line; inputs uniform [-1, 1].

Usage: bench/varlen_peers.py BENCH_OUTPUT.txt [--csv OUT]
"""

import argparse
import re
import sys

import torch
import torch.nn.functional as F

from peer_timing import timer, write_csv

DTYPES = {"f16": torch.float16, "bf16": torch.bfloat16}


def packed_problems(text):
    """(dtype, H, D, causal, q lengths, k lengths) of each packed result."""
    last = None
    for line in text.splitlines():
        words = line.split()
        if len(words) > 7 and words[0] == "fused" and words[1] in DTYPES:
            last = (words[1], int(words[3]), int(words[5]), words[6] == "1")
        m = re.match(r"\s+sequences seq_lens=(\S+) kv_seq_lens=(\S+)", line)
        if m and last:
            lens = [[int(x) for x in g.split(",")] for g in m.groups()]
            yield (*last, lens[0], lens[1])


def flops(h, d, causal, lens_q, lens_k):
    total = sum(4.0 * h * d * a * b for a, b in zip(lens_q, lens_k) if a and b)
    return total / 2 if causal else total


def rand(*shape, dtype):
    return torch.rand(*shape, dtype=dtype, device="cuda") * 2 - 1


def time_nested(dtype, h, d, causal, lens):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    parts = [[rand(n, h, d, dtype=dtype) for n in lens] for _ in range(3)]
    q, k, v = (torch.nested.nested_tensor(p, layout=torch.jagged).transpose(1, 2)
               for p in parts)
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
        return timer(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal))


def time_flash_attn(dtype, h, d, causal, lens_q, lens_k):
    from flash_attn import flash_attn_varlen_func
    cu = [torch.tensor([0] + list(torch.tensor(x).cumsum(0)), dtype=torch.int32,
                       device="cuda") for x in (lens_q, lens_k)]
    q = rand(sum(lens_q), h, d, dtype=dtype)
    k, v = (rand(sum(lens_k), h, d, dtype=dtype) for _ in range(2))
    return timer(lambda: flash_attn_varlen_func(q, k, v, cu[0], cu[1], max(lens_q),
                                                max(lens_k), causal=causal))


def time_dense(backend, dtype, h, d, causal, batch, n):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    q, k, v = (rand(batch, h, n, d, dtype=dtype) for _ in range(3))
    with sdpa_kernel([getattr(SDPBackend, backend)]):
        return timer(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_output")
    parser.add_argument("--csv")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("SKIPPED: no CUDA device visible to PyTorch")
        return 77
    rows = []
    for dtype_name, h, d, causal, lens_q, lens_k in packed_problems(
            open(args.bench_output).read()):
        dtype = DTYPES[dtype_name]
        work = flops(h, d, causal, lens_q, lens_k)
        s, total = len(lens_q), sum(lens_q)
        peers = {}
        if lens_q == lens_k:
            peers["sdpa_nested_flash"] = lambda: time_nested(dtype, h, d, causal, lens_q)
        peers["flash_attn_varlen_func"] = lambda: time_flash_attn(
            dtype, h, d, causal, lens_q, lens_k)
        if total % s == 0:
            n = total // s
            for backend in ("FLASH_ATTENTION", "CUDNN_ATTENTION"):
                peers[f"dense_{backend.lower()}_B{s}_N{n}"] = (
                    lambda b=backend: time_dense(b, dtype, h, d, causal, s, n))
        for name, run in peers.items():
            try:
                ms = run()
            except (ImportError, RuntimeError, TypeError, NotImplementedError) as e:
                print(f"{name:<36} {dtype_name} H={h} D={d} causal={int(causal)}: "
                      f"not run ({str(e).splitlines()[0][:90]})", flush=True)
                continue
            dense = name.startswith("dense")
            tflops = (4.0 * h * d * total * (total // s) / (2 if causal else 1)
                      if dense else work) / (ms * 1e-3) / 1e12
            print(f"{name:<36} {dtype_name} H={h} D={d} causal={int(causal)} "
                  f"{ms:9.4f} ms {tflops:8.1f} TFLOP/s", flush=True)
            rows.append({"peer": name, "dtype": dtype_name, "H": h, "D": d,
                         "causal": int(causal), "ms": f"{ms:.5f}",
                         "tflops": f"{tflops:.2f}", "seq_lens": ",".join(map(str, lens_q))})
    if not rows:
        sys.exit("varlen_peers.py: no packed problem was timed")
    write_csv(args.csv, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
