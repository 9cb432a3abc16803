#!/usr/bin/env python3
"""Renders PNGs from bench/join.py's joined.csv:

  time_vs_n.png    median time vs N (log-log), one panel per (D, causal):
                   attn fused and unfused (solid; the cost model's h100
                   prediction dashed) next to the PyTorch peers
  memory_vs_n.png  device memory a call needs (Q, K, V, O + intermediates)
                   vs N (log-log), non-causal, one panel per D
  roofline.png     attainable TFLOP/s vs arithmetic intensity on the H100:
                   the measured ceilings (dense bf16 matrix product 731
                   TFLOP/s, device-to-device copy 3.0 TB/s, both measured
                   on this H100) and
                   the datasheet ones (990 TFLOP/s, 3.35 TB/s) dashed; each
                   kernel of each shape is a point at the cost model's
                   intensity and its measured rate (model FLOPs / measured
                   kernel time)

Usage: bench/plot.py RESULTS_DIR   (reads joined.csv, writes the PNGs there)
Needs matplotlib (pip install matplotlib).
"""
import csv
import os
import sys

try:
    import matplotlib
except ImportError:
    sys.exit("plot.py: error: needs matplotlib (pip install matplotlib)")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MEASURED_TFLOPS, MEASURED_TBPS = 731.0, 3.0
DATASHEET_TFLOPS, DATASHEET_TBPS = 990.0, 3.35
STYLE = {  # impl: (label, colour, marker)
    "attn_fused": ("attn fused", "tab:blue", "o"),
    "attn_unfused": ("attn unfused", "tab:red", "s"),
    "torch_unfused": ("PyTorch unfused", "tab:orange", "v"),
    "flash": ("SDPA flash (FA2)", "tab:green", "^"),
    "cudnn": ("SDPA cuDNN", "tab:purple", "D"),
    "efficient": ("SDPA efficient", "tab:gray", "x"),
}
KERNEL_COLOURS = {"attn_fwd": "tab:blue", "attn_scores": "tab:red",
                  "attn_softmax": "tab:orange", "attn_pv": "tab:brown"}


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def series(rows, impl, d, causal, key):
    points = sorted((int(r["N"]), number(r.get(key))) for r in rows
                    if r["impl"] == impl and int(r["D"]) == d
                    and int(r["causal"]) == causal)
    return [n for n, v in points if v], [v for n, v in points if v]


def pairs(text):
    """'a:1;b:2' -> {'a': 1.0, 'b': 2.0}"""
    out = {}
    for item in (text or "").split(";"):
        if ":" in item:
            name, value = item.rsplit(":", 1)
            out[name] = float(value)
    return out


def log2_axis(ax, ns):
    ax.set_xscale("log", base=2)
    ax.set_xticks(ns)
    ax.set_xticklabels([str(n) for n in ns])


def plot_time(rows, out):
    ds = sorted({int(r["D"]) for r in rows})
    ns = sorted({int(r["N"]) for r in rows})
    fig, axes = plt.subplots(len(ds), 2, figsize=(12, 4.6 * len(ds)),
                             squeeze=False)
    for i, d in enumerate(ds):
        for causal in (0, 1):
            ax = axes[i][causal]
            for impl, (label, colour, marker) in STYLE.items():
                x, y = series(rows, impl, d, causal, "median_ms")
                if x:
                    ax.plot(x, y, marker=marker, color=colour, label=label)
                if impl.startswith("attn_"):
                    x, y = series(rows, impl, d, causal, "predicted_ms")
                    if x:
                        ax.plot(x, y, "--", color=colour, alpha=0.6,
                                label=label + " (predicted, h100 model)")
            log2_axis(ax, ns)
            ax.set_yscale("log")
            ax.set_xlabel("sequence length N (B·N = 16384 tokens)")
            ax.set_ylabel("median time (ms)")
            ax.set_title(f"D = {d}, {'causal' if causal else 'non-causal'}")
            ax.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=9)
    fig.suptitle("Forward attention, bf16, H = 16, on the H100 (median of "
                 "device-event timings; dashed: cost model, h100 roofline)")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_memory(rows, out):
    ds = sorted({int(r["D"]) for r in rows})
    ns = sorted({int(r["N"]) for r in rows})
    fig, axes = plt.subplots(1, len(ds), figsize=(6 * len(ds), 4.6),
                             squeeze=False)
    for i, d in enumerate(ds):
        ax = axes[0][i]
        # Several lines coincide (fused and the SDPA peers hold only Q, K,
        # V, O; both unfused ones S and P too): shrinking markers keep each
        # visible.
        for size, (impl, (label, colour, marker)) in zip(
                (13, 11, 8, 9, 6, 4), STYLE.items()):
            x, y = series(rows, impl, d, 0, "peak_mem_bytes")
            if x:
                ax.plot(x, [v / 2**30 for v in y], marker=marker,
                        markersize=size, color=colour, label=label,
                        markerfacecolor="none" if size > 7 else colour)
        log2_axis(ax, ns)
        ax.set_yscale("log")
        ax.set_xlabel("sequence length N (B·N = 16384 tokens)")
        ax.set_ylabel("device memory of one call (GiB)")
        ax.set_title(f"D = {d}, non-causal: Q, K, V, O + intermediates")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_roofline(rows, out):
    fig, ax = plt.subplots(figsize=(9, 6))
    xs = [0.5, 5000]
    for tflops, tbps, style, label in (
            (MEASURED_TFLOPS, MEASURED_TBPS, "-", "measured ceilings"),
            (DATASHEET_TFLOPS, DATASHEET_TBPS, "--", "datasheet")):
        knee = tflops / tbps
        ax.plot([xs[0], knee, xs[1]], [xs[0] * tbps, tflops, tflops], style,
                color="black", alpha=0.8 if style == "-" else 0.4,
                label=f"H100 {label}: {tflops:.0f} TFLOP/s, {tbps} TB/s "
                      f"(balance {knee:.0f} FLOP/B)")
    seen = set()
    for r in rows:
        if not r["impl"].startswith("attn_"):
            continue
        ms = pairs(r.get("kernel_median_ms"))
        flops = pairs(r.get("kernel_model_flops"))
        nbytes = pairs(r.get("kernel_model_bytes"))
        for name, t in ms.items():
            if name not in flops or name not in nbytes or t <= 0:
                continue
            x = flops[name] / nbytes[name]
            y = flops[name] / (t * 1e-3) / 1e12
            marker = "o" if int(r["D"]) == 64 else "s"
            filled = int(r["causal"]) == 0
            colour = KERNEL_COLOURS.get(name, "tab:gray")
            seen.add(name)
            ax.scatter([x], [y], marker=marker, s=36,
                       facecolors=colour if filled else "none",
                       edgecolors=colour)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*xs)
    ax.set_ylim(0.3, 2000)
    ax.set_xlabel("arithmetic intensity (FLOP/B, cost model: compulsory "
                  "HBM traffic, fused K/V re-reads included)")
    ax.set_ylabel("achieved TFLOP/s (model FLOPs / measured time)")
    ax.set_title("Roofline, H100, bf16: every kernel of the sweep")
    ax.grid(True, which="both", alpha=0.3)
    from matplotlib.lines import Line2D
    roofs = ax.legend(fontsize=7, loc="upper left")
    ax.add_artist(roofs)
    keys = [Line2D([], [], linestyle="none", marker="o", color=colour,
                   label=name)
            for name, colour in KERNEL_COLOURS.items() if name in seen]
    keys += [Line2D([], [], linestyle="none", marker="o", color="black",
                    label="D = 64"),
             Line2D([], [], linestyle="none", marker="s", color="black",
                    label="D = 128"),
             Line2D([], [], linestyle="none", marker="o", color="black",
                    markerfacecolor="none", label="causal (hollow)")]
    ax.legend(handles=keys, fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(results):
    with open(os.path.join(results, "joined.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    for name, fn in (("time_vs_n.png", plot_time),
                     ("memory_vs_n.png", plot_memory),
                     ("roofline.png", plot_roofline)):
        fn(rows, os.path.join(results, name))
        print("wrote", os.path.join(results, name))


if __name__ == "__main__":
    results = sys.argv[1] if len(sys.argv) > 1 else "."
    try:
        main(results)
    except (KeyError, ValueError, OSError) as error:
        sys.exit(f"plot.py: error: cannot plot {results}/joined.csv (make it "
                 f"with bench/join.py): {type(error).__name__}: {error}")
