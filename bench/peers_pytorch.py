#!/usr/bin/env python3
"""Times PyTorch's attention peers on the GPU host, for comparison with attn.

Peers, each on the same random inputs (uniform in [-1, 1], row-major
[B, H, N, D]):

  unfused    torch matmul -> softmax -> matmul (S and P materialized)
  flash      F.scaled_dot_product_attention, FLASH_ATTENTION backend
  cudnn      F.scaled_dot_product_attention, CUDNN_ATTENTION backend
  efficient  F.scaled_dot_product_attention, EFFICIENT_ATTENTION backend
  flex       torch.compile(flex_attention), causal through a block mask
             (not run unless named: compiling takes about a minute per shape)

A backend that errors (not built, shape unsupported, out of memory) is
reported as skipped with the reason. Timing: triton.testing.do_bench's median
(it flushes L2 between runs) when Triton is importable, else the median of
CUDA-event timings after a warm-up. FLOPs = 4*B*H*N^2*D, halved when causal.
Memory: peak_mem_over_inputs_bytes is the most device memory PyTorch's
allocator held during one call beyond what was allocated before it (Q, K, V
and the causal mask): the output, S and P for the unfused peer, workspaces.

Example (the shapes of the README's peer comparison: B*N = 16k tokens,
H = 16, D = 128):
  python3 bench/peers_pytorch.py --tokens 16384 --N 1024 4096 16384 \
      --H 16 --D 128 --dtype bf16 --causal 0 1 --csv peers.csv
"""

import argparse
import csv
import itertools
import math
import statistics
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("SKIPPED: PyTorch is not installed (pip install torch); no peers timed")
    sys.exit(77)

DTYPES = {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32}
PEERS = ["unfused", "flash", "cudnn", "efficient"]
ALL_PEERS = PEERS + ["flex"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--B", type=int, nargs="+", default=[1],
                        help="batch sizes (ignored with --tokens)")
    parser.add_argument("--tokens", type=int, default=None,
                        help="B*N tokens: B = tokens // N for each N")
    parser.add_argument("--H", type=int, nargs="+", default=[16])
    parser.add_argument("--N", type=int, nargs="+", default=[1024])
    parser.add_argument("--D", type=int, nargs="+", default=[128])
    parser.add_argument("--dtype", nargs="+", default=["bf16"], choices=sorted(DTYPES))
    parser.add_argument("--causal", type=int, nargs="+", default=[0], choices=[0, 1])
    parser.add_argument("--peers", nargs="+", default=PEERS, choices=ALL_PEERS)
    parser.add_argument("--warmup", type=int, default=25,
                        help="warm-up: milliseconds for do_bench, runs for events")
    parser.add_argument("--reps", type=int, default=100,
                        help="timed: milliseconds for do_bench, runs for events")
    parser.add_argument("--timer", choices=["auto", "do_bench", "events"], default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", help="write the results to this CSV file")
    parser.add_argument("--backward", action="store_true",
                        help="time the forward and the backward together "
                             "(autograd of each peer's output against a random "
                             "dO); FLOPs 3.5 times the forward's, as "
                             "FlashAttention counts them; no error column")
    return parser.parse_args()


def unfused(q, k, v, causal, scale, mask):
    s = torch.matmul(q, k.transpose(-2, -1)) * scale
    if causal:
        s = s.masked_fill(mask, float("-inf"))
    return torch.matmul(torch.softmax(s, dim=-1), v)


def sdpa_with(backend):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    chosen = {"flash": SDPBackend.FLASH_ATTENTION,
              "cudnn": SDPBackend.CUDNN_ATTENTION,
              "efficient": SDPBackend.EFFICIENT_ATTENTION}[backend]

    def run(q, k, v, causal, scale, mask):
        with sdpa_kernel([chosen]):
            return F.scaled_dot_product_attention(q, k, v, is_causal=bool(causal), scale=scale)
    return run


_flex_state = {}


def flex(q, k, v, causal, scale, mask):
    """FlexAttention compiled once; block masks built once per (N, causal)."""
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    if "fn" not in _flex_state:
        _flex_state["fn"] = torch.compile(flex_attention, dynamic=False)
    n = q.shape[-2]
    key = (n, bool(causal))
    if key not in _flex_state:
        _flex_state[key] = create_block_mask(
            lambda b, h, q_idx, kv_idx: q_idx >= kv_idx, None, None, n, n) if causal else None
    return _flex_state["fn"](q, k, v, block_mask=_flex_state[key], scale=scale)


def time_events(fn, warmup, reps):
    for _ in range(max(warmup, 1)):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    stops = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    for start, stop in zip(starts, stops):
        start.record()
        fn()
        stop.record()
    torch.cuda.synchronize()
    return statistics.median(a.elapsed_time(b) for a, b in zip(starts, stops))


def make_timer(choice):
    if choice in ("auto", "do_bench"):
        try:
            from triton.testing import do_bench

            def timer(fn, warmup, reps):
                return do_bench(fn, warmup=warmup, rep=reps, return_mode="median")
            return timer, "triton.testing.do_bench median"
        except ImportError:
            if choice == "do_bench":
                sys.exit("triton is not importable; use --timer events")
    return time_events, "CUDA events median"


def reference(q, k, v, causal, scale, mask):
    """float32 unfused result, or None when S would not fit comfortably."""
    b, h, n, _ = q.shape
    if b * h * n * n * 4 > 4 * 2**30:
        return None
    return unfused(q.float(), k.float(), v.float(), causal, scale, mask)


def main():
    args = parse_args()
    if not torch.cuda.is_available():
        print("SKIPPED: no CUDA device visible to PyTorch")
        return 77
    timer, timer_name = make_timer(args.timer)
    device = torch.cuda.get_device_name()
    print(f"device: {device}; torch {torch.__version__}; timer: {timer_name}")
    header = f"{'peer':<10} {'dtype':<5} {'B':>4} {'H':>4} {'N':>6} {'D':>4} {'cau':>3} " \
             f"{'median_ms':>10} {'TFLOP/s':>9} {'rel_err':>9}  note"
    print(header)

    rows = []
    batches = [None] if args.tokens else args.B
    for batch, h, n, d, dtype_name, causal in itertools.product(
            batches, args.H, args.N, args.D, args.dtype, args.causal):
        b = args.tokens // n if args.tokens else batch
        if b < 1:
            print(f"skipping N={n}: --tokens {args.tokens} gives B < 1")
            continue
        dtype = DTYPES[dtype_name]
        torch.manual_seed(args.seed)
        q, k, v = (torch.rand(b, h, n, d, device="cuda", dtype=dtype) * 2 - 1
                   for _ in range(3))
        scale = 1.0 / math.sqrt(d)
        mask = torch.triu(torch.ones(n, n, device="cuda", dtype=torch.bool), 1) if causal else None
        flops = 4.0 * b * h * n * n * d / (2 if causal else 1)
        want = None if args.backward else reference(q, k, v, causal, scale, mask)
        if args.backward:
            flops *= 3.5
            q, k, v = (t.requires_grad_(True) for t in (q, k, v))
            grad_out = torch.rand(b, h, n, d, device="cuda", dtype=dtype) * 2 - 1

        for peer in args.peers:
            fn = {"unfused": unfused, "flex": flex}.get(peer) or sdpa_with(peer)
            if args.backward:
                forward = fn

                def fn(q, k, v, causal, scale, mask, forward=forward):
                    out = forward(q, k, v, causal, scale, mask)
                    return torch.autograd.grad(out, (q, k, v), grad_out)[0]
            row = {"peer": peer, "dtype": dtype_name, "B": b, "H": h, "N": n, "D": d,
                   "causal": causal, "median_ms": "", "tflops": "", "rel_err": "",
                   "peak_mem_over_inputs_bytes": "", "note": "", "device": device, "torch": torch.__version__,
                   "timer": timer_name}
            try:
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
                before = torch.cuda.memory_allocated()
                out = fn(q, k, v, causal, scale, mask)
                torch.cuda.synchronize()
                row["peak_mem_over_inputs_bytes"] = torch.cuda.max_memory_allocated() - before
                if want is not None and not args.backward:
                    row["rel_err"] = f"{((out.float() - want).norm() / want.norm()).item():.3g}"
                del out
                ms = timer(lambda: fn(q, k, v, causal, scale, mask), args.warmup, args.reps)
                row["median_ms"] = f"{ms:.4f}"
                row["tflops"] = f"{flops / (ms * 1e-3) / 1e12:.2f}"
            except Exception as error:  # noqa: BLE001 (a peer that fails is skipped)
                row["note"] = "skipped: " + str(error).strip().splitlines()[0][:100]
                torch.cuda.empty_cache()
            rows.append(row)
            print(f"{peer:<10} {dtype_name:<5} {b:>4} {h:>4} {n:>6} {d:>4} {causal:>3} "
                  f"{row['median_ms'] or '-':>10} {row['tflops'] or '-':>9} "
                  f"{row['rel_err'] or '-':>9}  {row['note']}", flush=True)
        del q, k, v, mask, want
        torch.cuda.empty_cache()

    if args.csv:
        with open(args.csv, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0].keys()) if rows else ["peer"])
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
