"""The peer scripts' timer and CSV writer. The timer:
triton.testing.do_bench (25 ms of warm-up, 100 ms timed) when Triton is
importable, else the median of 50 CUDA-event timings after 10 untimed
runs. Milliseconds."""

import csv
import statistics

import torch


def timer(fn):
    try:
        from triton.testing import do_bench
        return do_bench(fn, warmup=25, rep=100)
    except ImportError:
        for _ in range(10):
            fn()
        times = []
        for _ in range(50):
            start, end = (torch.cuda.Event(enable_timing=True) for _ in range(2))
            start.record()
            fn()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
        return statistics.median(times)


def write_csv(path, rows):
    """Writes `rows` (dicts with the same keys) to `path` with a header;
    nothing when there is no path or no row."""
    if not path or not rows:
        return
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
