#!/usr/bin/env python3
"""Joins the per-round CSVs of bench/regression.sh into one Markdown table:
per problem, the median over rounds of each version's median time, both
versions' TFLOP/s and new/old, and the largest slowdown.

Usage: bench/regression.py CSV_DIR [TIMINGS_CSV]
  CSV_DIR holds {old,new}-<round>-<file>.csv from attn-run bench; every
  timing is also written to TIMINGS_CSV (version, round, file, median_ms).
"""
import collections
import csv
import glob
import os
import re
import statistics
import sys


def main(out, timings_path=None):
    times = collections.defaultdict(lambda: collections.defaultdict(list))
    rows = {}
    every = []
    for path in sorted(glob.glob(os.path.join(out, "*-*-*.ptx.csv"))):
        m = re.match(r"(old|new)-(\d+)-(.*)\.csv$", os.path.basename(path))
        if not m:
            continue
        version, rnd, name = m.groups()
        for row in csv.DictReader(open(path)):
            times[name][version].append(float(row["median_ms"]))
            rows[name] = row
            every.append((version, rnd, name, row["median_ms"]))
    if timings_path:
        with open(timings_path, "w") as f:
            f.write("version,round,file,median_ms\n")
            for entry in every:
                f.write(",".join(entry) + "\n")
    if not times:
        print(f"regression.py: no timing CSVs in {out}", file=sys.stderr)
        return 1
    print("| pipeline | N | D | causal | old ms | new ms | old TFLOP/s | "
          "new TFLOP/s | new / old |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    worst = None
    for name in sorted(times, key=lambda n: (rows[n]["pipeline"],
                                             int(rows[n]["D"]),
                                             int(rows[n]["N"]),
                                             int(rows[n]["causal"]))):
        t = times[name]
        if not t["old"] or not t["new"]:
            continue
        r = rows[name]
        old, new = statistics.median(t["old"]), statistics.median(t["new"])
        flops = float(r["flops"])
        ratio = old / new  # TFLOP/s ratio new/old
        if worst is None or ratio < worst[0]:
            worst = (ratio, name)
        print(f"| {r['pipeline']} | {r['N']} | {r['D']} | {r['causal']} | "
              f"{old:.3f} | {new:.3f} | {flops / old / 1e9:.0f} | "
              f"{flops / new / 1e9:.0f} | {ratio:.3f} |")
    if worst:
        print(f"\nLowest new / old: {worst[0]:.3f} ({worst[1]}); rounds: "
              f"{len(next(iter(times.values()))['new'])}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
