#!/usr/bin/env python3
"""Times peers of attn's sliding-window kernels on the GPU host.

For each window W (keys back from the diagonal; 0: plain causal), bf16
[B, H, N, D], causal:

  flash_attn  flash_attn_func(window_size=(W, 0)), when the flash-attn
              package is importable (it skips the blocks outside the window)
  sdpa_mask   F.scaled_dot_product_attention with the boolean window mask
              (the first backend that takes it; it computes every block)
  sdpa_causal F.scaled_dot_product_attention(is_causal=True), FLASH backend
              (W = 0 only)

FLOPs count the (row, key) pairs the window lets through, 4*D each per
head, as attn-run counts them (plain causal: half of N^2, the convention).
Timing: triton.testing.do_bench's median when Triton is importable, else
the median of 50 CUDA-event timings after 10 warm-up runs.

Usage: bench/window_peers.py [--B 1] [--H 16] [--N 8192] [--D 128]
                             [--windows 0 4096 1024 256] [--csv OUT]
"""

import argparse
import sys

import torch
import torch.nn.functional as F

from peer_timing import timer, write_csv


def pairs(n, window):
    if window == 0:
        return n * n / 2
    return sum(min(i, window) + 1 for i in range(n))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--B", type=int, default=1)
    parser.add_argument("--H", type=int, default=16)
    parser.add_argument("--N", type=int, default=8192)
    parser.add_argument("--D", type=int, default=128)
    parser.add_argument("--windows", type=int, nargs="+", default=[0, 4096, 1024, 256])
    parser.add_argument("--csv")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("SKIPPED: no CUDA device visible to PyTorch")
        return 77
    b, h, n, d = args.B, args.H, args.N, args.D
    torch.manual_seed(0)
    q, k, v = (torch.empty(b, h, n, d, dtype=torch.bfloat16, device="cuda")
               .uniform_(-1, 1) for _ in range(3))
    try:
        from flash_attn import flash_attn_func
    except ImportError as e:
        flash_attn_func = None
        print(f"flash_attn: not importable ({e})")
    rows = []
    for w in args.windows:
        flops = 4.0 * b * h * d * pairs(n, w)
        peers = {}
        if flash_attn_func is not None:
            qt, kt, vt = (x.transpose(1, 2).contiguous() for x in (q, k, v))
            peers["flash_attn"] = lambda: flash_attn_func(
                qt, kt, vt, causal=True, window_size=(w if w else -1, 0))
        if w == 0:
            from torch.nn.attention import SDPBackend, sdpa_kernel

            def causal():
                with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
                    return F.scaled_dot_product_attention(q, k, v, is_causal=True)
            peers["sdpa_causal"] = causal
        else:
            i = torch.arange(n, device="cuda")
            mask = (i[None, :] <= i[:, None]) & (i[None, :] >= i[:, None] - w)
            peers["sdpa_mask"] = lambda: F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask)
        for name, fn in peers.items():
            try:
                ms = timer(fn)
            except (RuntimeError, TypeError) as e:
                print(f"{name} W={w}: skipped ({str(e).splitlines()[0][:100]})")
                continue
            tflops = flops / (ms * 1e-3) / 1e12
            print(f"{name:<12} B={b} H={h} N={n} D={d} W={w:<5} {ms:9.4f} ms "
                  f"{tflops:7.1f} TFLOP/s", flush=True)
            rows.append({"peer": name, "B": b, "H": h, "N": n, "D": d,
                         "window": w, "ms": f"{ms:.4f}", "tflops": f"{tflops:.1f}"})
    write_csv(args.csv, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
