#!/usr/bin/env python3
"""Times PyTorch's decoding peers on the GPU host, for attn's split kernels.

For each B and Nk: bf16 Q [B, H, 1, D], K and V [B, Hkv, Nk, D] (grouped
query heads). Causal aligned to the bottom right, as attn's decoding
kernels are timed, lets a single query row see every key: the peers run
unmasked (SDPA's is_causal aligns to the top left, where the row would
see one key).

  sdpa_flash   F.scaled_dot_product_attention, FLASH_ATTENTION backend, on
               K and V repeated to H heads beforehand (PyTorch's flash
               backend takes no GQA): it reads H/Hkv times the bytes
  sdpa_gqa     F.scaled_dot_product_attention(enable_gqa=True), the first
               backend that takes it (named), on the Hkv heads

Reported: the median time (triton.testing.do_bench when importable, else
CUDA events), and the bandwidth of the problem's K and V bytes (B*Hkv*Nk*D
elements each) over that time, the figure attn-run's achieved_tbps gives
for attn's kernels.

Usage: bench/decode_peers.py [--B 1 8] [--Nk 4096 32768 131072] [--H 32]
                             [--Hkv 8] [--D 128] [--csv OUT]
"""

import argparse
import sys

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from peer_timing import timer, write_csv


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--B", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--Nk", type=int, nargs="+", default=[4096, 32768, 131072])
    parser.add_argument("--H", type=int, default=32)
    parser.add_argument("--Hkv", type=int, default=8)
    parser.add_argument("--D", type=int, default=128)
    parser.add_argument("--csv")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("SKIPPED: no CUDA device visible to PyTorch")
        return 77
    rows = []
    h, hkv, d = args.H, args.Hkv, args.D
    for b in args.B:
        for nk in args.Nk:
            torch.manual_seed(0)
            q = torch.empty(b, h, 1, d, dtype=torch.bfloat16, device="cuda").uniform_(-1, 1)
            k, v = (torch.empty(b, hkv, nk, d, dtype=torch.bfloat16, device="cuda")
                    .uniform_(-1, 1) for _ in range(2))
            kv_bytes = 2 * b * hkv * nk * d * 2
            peers = {}
            ke, ve = (x.repeat_interleave(h // hkv, dim=1) for x in (k, v))

            def flash():
                with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
                    return F.scaled_dot_product_attention(q, ke, ve)
            peers["sdpa_flash"] = (flash, "FLASH_ATTENTION (K, V repeated)")
            backend = None
            for candidate in (SDPBackend.FLASH_ATTENTION, SDPBackend.CUDNN_ATTENTION,
                              SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH):
                try:
                    with sdpa_kernel([candidate]):
                        F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
                    backend = candidate
                    break
                except RuntimeError:
                    continue
            if backend is not None:
                def gqa(backend=backend):
                    with sdpa_kernel([backend]):
                        return F.scaled_dot_product_attention(
                            q, k, v, enable_gqa=True)
                peers["sdpa_gqa"] = (gqa, backend.name)
            # The copy ceiling: reading K and V and writing as much.
            if b == args.B[0] and nk == args.Nk[-1]:
                src = torch.empty(kv_bytes // 2, dtype=torch.bfloat16, device="cuda")
                dst = torch.empty_like(src)
                ms = timer(lambda: dst.copy_(src))
                print(f"copy        {kv_bytes / 2**20:.0f} MiB read + written: "
                      f"{ms:.4f} ms, {2 * kv_bytes / (ms * 1e-3) / 1e12:.3f} TB/s "
                      f"(read + write)", flush=True)
                del src, dst
            for name, (fn, what) in peers.items():
                try:
                    ms = timer(fn)
                except RuntimeError as e:
                    print(f"{name} B={b} Nk={nk}: skipped ({str(e).splitlines()[0][:100]})")
                    continue
                tbps = kv_bytes / (ms * 1e-3) / 1e12
                print(f"{name:<11} B={b} H={h} Hkv={hkv} Nk={nk:<6} D={d} {ms:9.4f} ms "
                      f"{tbps:6.3f} TB/s of K,V  {what}", flush=True)
                rows.append({"peer": name, "backend": what, "B": b, "H": h, "Hkv": hkv,
                             "Nk": nk, "D": d, "ms": f"{ms:.4f}", "kv_tbps": f"{tbps:.3f}"})
            del q, k, v, ke, ve
            torch.cuda.empty_cache()
    write_csv(args.csv, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
