#!/usr/bin/env python3
"""Joins attn-run's check/bench CSVs with the PyTorch peers' CSV of the same
GPU run into Markdown tables (errors per pipeline and dtype; TFLOP/s with
ratios to the unfused pipeline and to FlashAttention-2).

Usage: bench/summarize.py RESULTS_DIR   (holding check.csv, bench.csv, peers.csv)
"""
import collections
import csv
import os
import sys


def read(path):
    return list(csv.DictReader(open(path))) if os.path.exists(path) else []


def main(results):
    check = read(os.path.join(results, "check.csv"))
    if check:
        worst = collections.defaultdict(lambda: (0.0, None))
        passed = sum(r["result"] == "PASS" for r in check)
        for r in check:
            key = (r["pipeline"], r["dtype"])
            if float(r["rel_err"]) >= worst[key][0]:
                worst[key] = (float(r["rel_err"]), r)
        print(f"Correctness: {passed}/{len(check)} PASS\n")
        print("| pipeline | dtype | worst rel. error | bound | at |")
        print("| --- | --- | --- | --- | --- |")
        for (pipe, dtype), (err, r) in sorted(worst.items()):
            at = f"N={r['N']} D={r['D']} causal={r['causal']}"
            print(f"| {pipe} | {dtype} | {err:.3g} | {r['bound']} | {at} |")
        print()

    bench = {(r["pipeline"], int(r["N"]), int(r["D"]), int(r["causal"])): r
             for r in read(os.path.join(results, "bench.csv"))}
    peers = {(r["peer"], int(r["N"]), int(r["D"]), int(r["causal"])): r
             for r in read(os.path.join(results, "peers.csv"))}
    if not bench:
        return
    print("| N | D | causal | fused TFLOP/s | unfused TFLOP/s | fused / unfused "
          "(time) | FA2 TFLOP/s | fused / FA2 | PyTorch unfused ms | ours unfused ms "
          "| ours / PyTorch (time) | unfused extra bytes |")
    print("| " + " | ".join(["---"] * 12) + " |")
    for key in sorted(k for k in bench if k[0] == "fused"):
        _, n, d, c = key
        f = bench[key]
        u = bench.get(("unfused", n, d, c))
        fa = peers.get(("flash", n, d, c))
        pu = peers.get(("unfused", n, d, c))
        cells = [n, d, c, f"{float(f['tflops']):.0f}"]
        cells.append(f"{float(u['tflops']):.0f}" if u else "-")
        cells.append(f"{float(u['median_ms']) / float(f['median_ms']):.1f}x"
                     if u else "-")
        cells.append(f"{float(fa['tflops']):.0f}" if fa else "-")
        cells.append(f"{float(f['tflops']) / float(fa['tflops']):.2f}"
                     if fa else "-")
        cells.append(f"{float(pu['median_ms']):.2f}" if pu else "-")
        cells.append(f"{float(u['median_ms']):.2f}" if u else "-")
        cells.append(f"{float(u['median_ms']) / float(pu['median_ms']):.2f}"
                     if u and pu else "-")
        cells.append(u["extra_mem_bytes"] if u else "-")
        print("| " + " | ".join(str(c) for c in cells) + " |")


if __name__ == "__main__":
    results = sys.argv[1] if len(sys.argv) > 1 else "."
    try:
        main(results)
    except (KeyError, ValueError, OSError) as error:
        sys.exit(f"summarize.py: error: cannot summarize the CSV files under "
                 f"{results}: {type(error).__name__}: {error} (a missing "
                 "column or a malformed value)")
