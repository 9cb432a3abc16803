#!/usr/bin/env python3
"""Compares attn's errors with PyTorch SDPA's on the same inputs.

Reads what `attn-run check FILE.ptx... --save DIR` wrote for each problem
(DIR/NAME.{q,k,v,o,lse}.bin and DIR/NAME.problem), computes the float64
reference on the GPU, attn's relative L2 error ||o - ref|| / ||ref|| over
every row, and the same error of PyTorch's scaled_dot_product_attention on
the same (rounded) inputs with the equivalent arguments: `enable_gqa` when
Hkv < H, and for a causal problem with Nq != Nk the bottom-right aligned
mask (torch.nn.attention.bias.causal_lower_right) instead of `is_causal`;
for a sliding window (window=L,R in the problem line), the boolean mask of
the keys each row sees.
The peer is the first SDPA backend that takes the call, FLASH_ATTENTION
first, then EFFICIENT_ATTENTION, CUDNN_ATTENTION and MATH (named in the
output). A problem passes when attn's error is at most FACTOR (default 1.2)
times the peer's. Rows that see no key (causal, Nk < Nq: the first Nq - Nk
rows; rows whose window misses every key) are left out of both errors;
attn's must be exactly zero, with a logsumexp of -inf. f32 problems have no flash peer and are listed without
a verdict; the logsumexp error is reported beside.
Packed sequences (S=… in the problem line, offsets in NAME.cu_q.bin and
NAME.cu_k.bin): the reference and SDPA run per sequence on its own rows
and keys (what flash_attn_varlen_func computes), and the errors are taken
over all rows at once.

Usage: bench/flash_error.py SAVE_DIR [--factor F] [--csv OUT]
Exit status: 0 all pass, 1 a problem fails, 77 no CUDA device.
"""

import argparse
import csv
import math
import pathlib
import sys

import torch
import torch.nn.functional as F

DTYPES = {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32}


def parse_problem(path):
    fields = {}
    for word in path.read_text().split()[2:]:
        key, _, value = word.partition("=")
        fields[key] = value
    return fields


def load(path, dtype, shape):
    data = torch.frombuffer(bytearray(path.read_bytes()), dtype=torch.uint8)
    return data.view(dtype).reshape(shape).cuda()


def key_mask(nq, nk, causal, window):
    """[Nq, Nk] booleans: the keys each row sees (bottom-right aligned:
    row i's diagonal is key i + Nk - Nq), or None when it sees every key."""
    left, right = window
    if not causal and left < 0 and right < 0:
        return None
    rows = torch.arange(nq, device="cuda")[:, None] + (nk - nq)
    cols = torch.arange(nk, device="cuda")[None, :]
    seen = torch.ones(nq, nk, dtype=torch.bool, device="cuda")
    if causal:
        seen &= cols <= rows
    if left >= 0:
        seen &= cols >= rows - left
    if right >= 0:
        seen &= cols <= rows + right
    return seen


def reference(q, k, v, mask, scale):
    """float64 attention and logsumexp, one head at a time (K and V already
    repeated to H heads); rows that see no key are zero, lse -inf."""
    b, h, nq, d = q.shape
    out = torch.empty(b, h, nq, d, dtype=torch.float64, device="cuda")
    lse = torch.empty(b, h, nq, dtype=torch.float64, device="cuda")
    for i in range(b):
        for j in range(h):
            s = (q[i, j].double() @ k[i, j].double().T) * scale
            if mask is not None:
                s = s.masked_fill(~mask, float("-inf"))
            lse[i, j] = torch.logsumexp(s, dim=-1)
            out[i, j] = torch.softmax(s, dim=-1).nan_to_num(0.0) @ v[i, j].double()
    return out, lse


def peer(q, k, v, causal, window, mask, scale):
    """SDPA's output with the equivalent arguments, and the backend's name."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.nn.attention.bias import causal_lower_right
    h, nq, hkv, nk = q.shape[1], q.shape[2], k.shape[1], k.shape[2]
    kwargs = {"scale": scale}
    if hkv != h:
        kwargs["enable_gqa"] = True
    if window != (-1, -1):
        kwargs["attn_mask"] = mask
    elif causal and nq != nk:
        kwargs["attn_mask"] = causal_lower_right(nq, nk)
    else:
        kwargs["is_causal"] = causal
    errors = []
    for backend in (SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION,
                    SDPBackend.CUDNN_ATTENTION, SDPBackend.MATH):
        try:
            with sdpa_kernel([backend]):
                return F.scaled_dot_product_attention(q, k, v, **kwargs), backend.name
        except (RuntimeError, TypeError) as e:
            errors.append(f"{backend.name}: {str(e).splitlines()[0][:80]}")
    raise RuntimeError("no SDPA backend takes it: " + "; ".join(errors))


def evaluate(q, k, v, causal, window, scale, with_peer):
    """One (sequence's) problem: the float64 output and logsumexp, SDPA's
    output (None without a peer), which rows see a key, and the peer's
    name."""
    nq, nk, group = q.shape[2], k.shape[2], q.shape[1] // k.shape[1]
    mask = key_mask(nq, nk, causal, window)
    if nk == 0:
        mask = torch.zeros(nq, 0, dtype=torch.bool, device="cuda")
    want, want_lse = reference(q, k.repeat_interleave(group, dim=1),
                               v.repeat_interleave(group, dim=1), mask, scale)
    rows_seen = (torch.ones(nq, dtype=torch.bool, device="cuda")
                 if mask is None else mask.any(dim=1))
    got, backend = None, ""
    if with_peer:
        if nk == 0:  # No keys: SDPA's rows are undefined, and all hidden.
            got = torch.zeros_like(q)
        else:
            got, backend = peer(q, k, v, causal, window, mask, scale)
    return want, want_lse, got, rows_seen, backend


def rel_err(got, want):
    return ((got.double() - want).norm() / want.norm()).item()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("save_dir")
    parser.add_argument("--factor", type=float, default=1.2)
    parser.add_argument("--csv")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("SKIPPED: no CUDA device visible to PyTorch")
        return 77
    problems = sorted(pathlib.Path(args.save_dir).glob("*.problem"))
    if not problems:
        sys.exit(f"flash_error.py: no *.problem files in {args.save_dir}")
    print(f"{'problem':<44} {'attn_err':>10} {'peer_err':>10} {'ratio':>6} "
          f"{'lse_err':>9}  {'peer':<20} verdict")
    rows, failed = [], 0
    for problem in problems:
        f = parse_problem(problem)
        name = problem.name[: -len(".problem")]
        base = problem.with_suffix("")
        b, h, hkv = int(f["B"]), int(f["H"]), int(f["Hkv"])
        nq, nk, d = int(f["Nq"]), int(f["Nk"]), int(f["D"])
        dtype = DTYPES[f["dtype"]]
        causal, scale = f["causal"] == "1", float(f["scale"])
        window = tuple(int(x) for x in f.get("window", "-1,-1").split(","))
        q = load(base.with_suffix(".q.bin"), dtype, (b, h, nq, d))
        k = load(base.with_suffix(".k.bin"), dtype, (b, hkv, nk, d))
        v = load(base.with_suffix(".v.bin"), dtype, (b, hkv, nk, d))
        o = load(base.with_suffix(".o.bin"), dtype, (b, h, nq, d))
        # (first query, end, first key, end) of each sequence: one, unpacked.
        spans = [(0, nq, 0, nk)]
        if int(f.get("S", "0")) > 0:
            cu_q, cu_k = (torch.frombuffer(bytearray(base.with_suffix(x).read_bytes()),
                                           dtype=torch.int32).tolist()
                          for x in (".cu_q.bin", ".cu_k.bin"))
            spans = [(cu_q[i], cu_q[i + 1], cu_k[i], cu_k[i + 1])
                     for i in range(len(cu_q) - 1)]
        parts = [evaluate(q[:, :, q0:q1], k[:, :, k0:k1], v[:, :, k0:k1],
                          causal, window, scale, dtype != torch.float32)
                 for q0, q1, k0, k1 in spans if q1 > q0]
        # Rows are dimension 2 of the outputs, the last of lse and the flags.
        want, want_lse, got, rows_seen = (
            None if parts[0][i] is None else torch.cat([p[i] for p in parts], dim=dim)
            for i, dim in enumerate((2, -1, 2, -1)))
        backend = next((p[4] for p in parts if p[4]), "")
        hidden = ~rows_seen
        attn_err = rel_err(o[:, :, rows_seen], want[:, :, rows_seen])
        hidden_ok = bool((o[:, :, hidden] == 0).all())
        lse_err = ""
        if f["lse"] == "1":
            lse = load(base.with_suffix(".lse.bin"), torch.float32, (b, h, nq))
            lse_err = f"{rel_err(lse[:, :, rows_seen], want_lse[:, :, rows_seen]):.3g}"
            hidden_ok &= bool((lse[:, :, hidden] == -math.inf).all())
        peer_err, ratio, verdict = "", "", "no flash peer"
        if dtype != torch.float32:
            fe = rel_err(got[:, :, rows_seen], want[:, :, rows_seen])
            peer_err = f"{fe:.3g}"
            ratio = f"{attn_err / fe:.3f}" if fe > 0 else "inf"
            ok = math.isfinite(attn_err) and attn_err <= args.factor * fe and hidden_ok
            verdict = "PASS" if ok else "FAIL"
            failed += not ok
        elif not hidden_ok:
            verdict = "FAIL"
            failed += 1
        if not hidden_ok:
            verdict += " (rows without keys are not zero / -inf)"
        print(f"{name:<44} {attn_err:>10.3g} {peer_err:>10} {ratio:>6} "
              f"{lse_err:>9}  {backend:<20} {verdict}", flush=True)
        rows.append({"problem": name, "attn_err": f"{attn_err:.4g}",
                     "peer_err": peer_err, "ratio": ratio, "lse_err": lse_err,
                     "peer": backend, "verdict": verdict})
        del q, k, v, o, want, want_lse, got, parts
        torch.cuda.empty_cache()
    if args.csv:
        with open(args.csv, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0].keys()))
            writer.writeheader()
            writer.writerows(rows)
    print(f"{len(rows) - failed} of {len(rows)} within {args.factor} x SDPA's error"
          if not failed else f"FAIL: {failed} problem(s) above {args.factor} x SDPA's error")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
