#!/usr/bin/env python3
"""Forward + backward speed of attn next to PyTorch's peers, from one run.

Reads attn-run bench's CSV of bench/gen_backward_speed.sh's PTX (fwd-*,
bwd-*, ufwd-*, ubwd-*: the time of forward + backward is the sum of the
forward's and the backward's medians; bwd-VARIANT-* is a variant of the
fused backward, listed as fused/VARIANT with the fused forward) and bench/peers_pytorch.py --backward's
CSVs (each peer's forward + backward through autograd), and prints TFLOP/s
with FLOPs = 3.5 x the forward's 4*B*H*N^2*D (halved when causal), as
FlashAttention counts them, the ratios to the peers (a peer's time over
ours: above 1 is faster than the peer) and, where attn's unfused pipeline
was timed at the same shape, the ratio to it.

Usage: bench/backward_speed.py ATTN_CSV PEERS_CSV... [--csv OUT]
"""
import argparse
import csv
import os
import re
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("attn_csv")
    parser.add_argument("peers_csv", nargs="+")
    parser.add_argument("--csv", help="write the joined table here")
    args = parser.parse_args()
    ours = {}
    for row in csv.DictReader(open(args.attn_csv)):
        m = re.match(r"(u?)(fwd|bwd)(?:-([a-z0-9]+))?-d(\d+)-n(\d+)-c(\d)\.ptx",
                     os.path.basename(row["file"]))
        if not m:
            continue
        unfused, part, variant, d, n, c = m.groups()
        pipeline = "unfused" if unfused else "fused"
        if variant:  # a variant of the fused backward: bwd-VARIANT-*
            pipeline += "/" + variant
        key = (pipeline, int(d), int(n), int(c))
        ours.setdefault(key, {})[part] = (float(row["median_ms"]), int(row["B"]), int(row["H"]))
    # A backward variant is timed with the fused forward.
    for (pipeline, d, n, c), parts in ours.items():
        if "/" in pipeline and "fwd" not in parts and ("fused", d, n, c) in ours:
            fwd = ours[("fused", d, n, c)].get("fwd")
            if fwd:
                parts["fwd"] = fwd
    peers = {}
    for path in args.peers_csv:
        for row in csv.DictReader(open(path)):
            if row["median_ms"]:
                peers[(row["peer"], int(row["D"]), int(row["N"]), int(row["causal"]))] = float(row["median_ms"])
    totals = {key: parts["fwd"][0] + parts["bwd"][0] for key, parts in ours.items()
              if "fwd" in parts and "bwd" in parts}
    out = []
    print(f"{'pipeline':<16} {'D':>4} {'N':>6} {'cau':>3} {'fwd_ms':>8} {'bwd_ms':>8} "
          f"{'TFLOP/s':>8} {'x flash':>8} {'x flex':>8} {'x cudnn':>8} {'x unfused-torch':>15} "
          f"{'x unfused-attn':>14}")
    for key in sorted(ours):
        parts = ours[key]
        if "fwd" not in parts or "bwd" not in parts:
            continue
        pipeline, d, n, c = key
        (fwd, b, h), (bwd, _, _) = parts["fwd"], parts["bwd"]
        total = fwd + bwd
        flops = 3.5 * 4.0 * b * h * n * n * d / (2 if c else 1)
        tflops = flops / (total * 1e-3) / 1e12
        ratio = {p: (peers[(p, d, n, c)] / total if (p, d, n, c) in peers else None)
                 for p in ("flash", "flex", "cudnn", "unfused")}
        unfused_attn = totals.get(("unfused", d, n, c))
        ratio["attn-unfused"] = (unfused_attn / total
                                 if unfused_attn and pipeline != "unfused" else None)
        fmt = lambda x: f"{x:.2f}" if x is not None else "-"
        print(f"{pipeline:<16} {d:>4} {n:>6} {c:>3} {fwd:>8.3f} {bwd:>8.3f} {tflops:>8.1f} "
              f"{fmt(ratio['flash']):>8} {fmt(ratio['flex']):>8} {fmt(ratio['cudnn']):>8} "
              f"{fmt(ratio['unfused']):>15} {fmt(ratio['attn-unfused']):>14}")
        out.append({"pipeline": pipeline, "D": d, "N": n, "causal": c, "B": b, "H": h,
                    "fwd_ms": fwd, "bwd_ms": bwd, "tflops": round(tflops, 2),
                    "vs_flash": ratio["flash"], "vs_flex": ratio["flex"],
                    "vs_cudnn": ratio["cudnn"], "vs_torch_unfused": ratio["unfused"],
                    "vs_attn_unfused": ratio["attn-unfused"]})
    if args.csv and out:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(out[0]))
            w.writeheader()
            w.writerows(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
