#!/usr/bin/env python3
"""Compares attn's gradient errors with PyTorch SDPA flash's on the same inputs.

Reads what `attn-run check BACKWARD.ptx... --save DIR` wrote for each
backward problem (DIR/NAME.{do,q,k,v,o,lse,dq,dk,dv}.bin, DIR/NAME.problem),
computes float64 gradients on the GPU (autograd of float64 attention with
the upstream gradient dO), attn's relative L2 errors of dQ, dK and dV, and
the same errors of SDPA's FLASH_ATTENTION backend (its forward and backward
through autograd) on the same rounded Q, K, V and dO. A problem passes when
each of attn's errors is at most FACTOR (default 1.5) times flash's. f32
problems have no flash peer and are listed without a verdict.

Usage: bench/flash_error_backward.py SAVE_DIR [--factor F] [--csv OUT]
Exit status: 0 all pass, 1 a problem fails, 77 no CUDA device.
"""

import argparse
import csv
import math
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from flash_error import DTYPES, load, parse_problem  # noqa: E402


def attention64(q, k, v, causal, scale):
    s = (q @ k.transpose(-1, -2)) * scale
    if causal:
        n = q.shape[2]
        mask = torch.triu(torch.ones(n, n, dtype=torch.bool, device="cuda"), 1)
        s = s.masked_fill(mask, float("-inf"))
    return torch.softmax(s, dim=-1) @ v


def gradients(forward, q, k, v, do):
    q, k, v = (t.detach().requires_grad_(True) for t in (q, k, v))
    return torch.autograd.grad(forward(q, k, v), (q, k, v), do)


def rel_err(got, want):
    return ((got.double() - want).norm() / want.norm()).item()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("save_dir")
    parser.add_argument("--factor", type=float, default=1.5)
    parser.add_argument("--csv")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("SKIPPED: no CUDA device visible to PyTorch")
        return 77
    from torch.nn.attention import SDPBackend, sdpa_kernel

    problems = sorted(pathlib.Path(args.save_dir).glob("*.problem"))
    if not problems:
        sys.exit(f"flash_error_backward.py: no *.problem files in {args.save_dir}")
    print(f"{'problem':<34} {'grad':<4} {'attn_err':>10} {'flash_err':>10} {'ratio':>6}  verdict")
    rows, failed = [], 0
    for problem in problems:
        f = parse_problem(problem)
        if f.get("direction") != "backward":
            continue
        name = problem.name[: -len(".problem")]
        base = problem.with_suffix("")
        b, h, n, d = int(f["B"]), int(f["H"]), int(f["Nq"]), int(f["D"])
        dtype = DTYPES[f["dtype"]]
        causal, scale = f["causal"] == "1", float(f["scale"])
        shape = (b, h, n, d)
        q, k, v, do = (load(base.with_suffix(f".{t}.bin"), dtype, shape)
                       for t in ("q", "k", "v", "do"))
        ours = [load(base.with_suffix(f".{t}.bin"), dtype, shape) for t in ("dq", "dk", "dv")]
        want = gradients(lambda q, k, v: attention64(q, k, v, causal, scale),
                         q.double(), k.double(), v.double(), do.double())
        flash = None
        if dtype != torch.float32:
            with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
                flash = gradients(lambda q, k, v: F.scaled_dot_product_attention(
                    q, k, v, is_causal=causal, scale=scale), q, k, v, do)
        for i, grad in enumerate(("dq", "dk", "dv")):
            # A gradient that is exactly zero (N = 1) is measured against
            # dV's norm, as attn-run check does.
            scale_ref = want[i] if want[i].norm() > 0 else want[2]
            ae = ((ours[i].double() - want[i]).norm() / scale_ref.norm()).item()
            flash_err, ratio, verdict = "", "", "no flash peer"
            if flash is not None:
                fe = ((flash[i].double() - want[i]).norm() / scale_ref.norm()).item()
                flash_err = f"{fe:.3g}"
                ok = math.isfinite(ae) and (ae <= args.factor * fe or ae == 0)
                ratio = f"{ae / fe:.3f}" if fe > 0 else ("1.000" if ae == 0 else "inf")
                verdict = "PASS" if ok else "FAIL"
                failed += not ok
            print(f"{name:<34} {grad:<4} {ae:>10.3g} {flash_err:>10} {ratio:>6}  {verdict}",
                  flush=True)
            rows.append({"problem": name, "grad": grad, "attn_err": f"{ae:.4g}",
                         "flash_err": flash_err, "ratio": ratio, "verdict": verdict})
        del q, k, v, do, ours, want, flash
        torch.cuda.empty_cache()
    if args.csv and rows:
        with open(args.csv, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0].keys()))
            writer.writeheader()
            writer.writerows(rows)
    print(f"{len(rows) - failed} of {len(rows)} within {args.factor} x flash's error"
          if not failed else f"FAIL: {failed} gradient(s) above {args.factor} x flash's error")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
