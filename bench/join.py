#!/usr/bin/env python3
"""Joins attn-run bench's CSV and the PyTorch peers' CSV of one GPU run into
one CSV, one row per (implementation, shape), with every row's time as a
ratio to our fused pipeline and to each peer at the same shape; prints a
Markdown table of measured against predicted times.

Implementations: attn_fused, attn_unfused (ours, from bench.csv) and
torch_unfused, flash, cudnn, efficient (peers.csv). Ratio columns
time_over_<impl> are this row's median time over <impl>'s (below 1: faster).

Memory columns:
  io_bytes        Q, K, V and O together (B*H*N*D elements each)
  extra_mem_bytes beyond Q, K, V, O: ours the intermediates the runtime
                  measured (S and P: 2*B*H*N^2*elt for unfused, 0 for fused);
                  peers the allocator's peak during a call over Q, K, V less
                  the output O
  peak_mem_bytes  io_bytes + extra_mem_bytes: device memory a call needs

Usage: bench/join.py RESULTS_DIR   (bench.csv, peers.csv -> joined.csv)
"""
import csv
import os
import sys

ELEMENT_BYTES = {"f16": 2, "bf16": 2, "f32": 4}
OURS = ["attn_fused", "attn_unfused"]
PEERS = {"unfused": "torch_unfused", "flash": "flash", "cudnn": "cudnn",
         "efficient": "efficient"}
ORDER = OURS + list(PEERS.values())
FIELDS = ["impl", "dtype", "B", "H", "N", "D", "causal", "median_ms", "tflops",
          "predicted_ms", "measured_over_predicted", "achieved_tbps",
          "model_bytes", "io_bytes", "extra_mem_bytes", "peak_mem_bytes",
          "kernel_median_ms", "kernel_predicted_ms", "kernel_model_flops",
          "kernel_model_bytes", "note"] + [f"time_over_{i}" for i in ORDER]


def read(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def join(results):
    rows = []
    for r in read(os.path.join(results, "bench.csv")):
        io = 4 * int(r["B"]) * int(r["H"]) * int(r["N"]) * int(r["D"]) * \
            ELEMENT_BYTES[r["dtype"]]
        extra = int(r.get("measured_extra_mem_bytes") or r["extra_mem_bytes"])
        row = {k: r.get(k, "") for k in FIELDS if k in r}
        row.update(impl="attn_" + r["pipeline"], io_bytes=io,
                   extra_mem_bytes=extra, peak_mem_bytes=io + extra, note="")
        rows.append(row)
    for r in read(os.path.join(results, "peers.csv")):
        b, h, n, d = (int(r[k]) for k in ("B", "H", "N", "D"))
        tensor = b * h * n * d * ELEMENT_BYTES[r["dtype"]]
        row = {k: r[k] for k in ("dtype", "B", "H", "N", "D", "causal",
                                 "median_ms", "tflops", "note")}
        row["impl"] = PEERS[r["peer"]]
        row["io_bytes"] = 4 * tensor
        peak = number(r.get("peak_mem_over_inputs_bytes"))
        if peak is not None:
            row["extra_mem_bytes"] = int(peak) - tensor
            row["peak_mem_bytes"] = 3 * tensor + int(peak)
        rows.append(row)

    def shape(row):
        return (row["dtype"], int(row["B"]), int(row["H"]), int(row["N"]),
                int(row["D"]), int(row["causal"]))
    times = {(row["impl"], shape(row)): number(row.get("median_ms"))
             for row in rows}
    for row in rows:
        mine = number(row.get("median_ms"))
        for impl in ORDER:
            other = times.get((impl, shape(row)))
            if mine and other:
                row[f"time_over_{impl}"] = f"{mine / other:.4g}"
    rows.sort(key=lambda row: (int(row["D"]), int(row["causal"]),
                               int(row["N"]), ORDER.index(row["impl"])))
    return rows


def cell(value, fmt):
    value = number(value)
    return "-" if value is None else format(value, fmt)


def markdown(rows):
    by = {(r["impl"], int(r["N"]), int(r["D"]), int(r["causal"])): r
          for r in rows}
    shapes = sorted({(int(r["D"]), int(r["causal"]), int(r["N"]))
                     for r in rows})
    print("| N | D | causal | fused ms | predicted | meas/pred | unfused ms "
          "| predicted | meas/pred | unfused TB/s | FA2 ms | cuDNN ms "
          "| torch unfused ms | fused / FA2 (time) | unfused / torch (time) |")
    print("| " + " | ".join(["---"] * 15) + " |")
    for d, c, n in shapes:
        f = by.get(("attn_fused", n, d, c), {})
        u = by.get(("attn_unfused", n, d, c), {})
        fa = by.get(("flash", n, d, c), {})
        cu = by.get(("cudnn", n, d, c), {})
        tu = by.get(("torch_unfused", n, d, c), {})
        cells = [n, d, c, cell(f.get("median_ms"), ".3f"),
                 cell(f.get("predicted_ms"), ".3f"),
                 cell(f.get("measured_over_predicted"), ".2f"),
                 cell(u.get("median_ms"), ".2f"),
                 cell(u.get("predicted_ms"), ".2f"),
                 cell(u.get("measured_over_predicted"), ".2f"),
                 cell(u.get("achieved_tbps"), ".2f"),
                 cell(fa.get("median_ms"), ".3f"),
                 cell(cu.get("median_ms"), ".3f"),
                 cell(tu.get("median_ms"), ".2f"),
                 cell(f.get("time_over_flash"), ".2f"),
                 cell(u.get("time_over_torch_unfused"), ".2f")]
        print("| " + " | ".join(str(x) for x in cells) + " |")


def main(results):
    rows = join(results)
    if not rows:
        sys.exit(f"no bench.csv or peers.csv rows under {results}")
    path = os.path.join(results, "joined.csv")
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    markdown(rows)
    print(f"\nwrote {path} ({len(rows)} rows)")


if __name__ == "__main__":
    results = sys.argv[1] if len(sys.argv) > 1 else "."
    try:
        main(results)
    except (KeyError, ValueError, OSError) as error:
        sys.exit(f"join.py: error: cannot join the CSV files under {results}: "
                 f"{type(error).__name__}: {error} (a missing column or a "
                 "malformed value)")
