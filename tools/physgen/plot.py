#!/usr/bin/env python3
"""Plot a stretch of a BIDS-like recording with its truth, to check by eye that the truth is
what a person would call a stroke. Needs matplotlib (`pip install matplotlib`).

Usage: plot.py STEM_PHYSIO_TSV_GZ OUT.png [--from S] [--to S] [--pred PRED.json]
Times on the plot are seconds from the first sample; `--pred` overlays another tool's strokes
(mldsense analyze --format json shape, seconds from the first sample).
"""
import argparse
import json
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

MMHG_PER_KPA = 7.50061683
PA_PER_MMHG = 133.322387415


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("physio")
    ap.add_argument("out")
    ap.add_argument("--from", dest="t0", type=float, default=0.0)
    ap.add_argument("--to", dest="t1", type=float, default=30.0)
    ap.add_argument("--pred")
    a = ap.parse_args()
    physio = pathlib.Path(a.physio)
    stem = physio.name.split("_physio")[0]
    side = json.loads((physio.parent / f"{stem}_physio.json").read_text())
    fs, start = side["SamplingFrequency"], side["StartTime"]
    names = side["Columns"]
    df = pd.read_csv(physio, sep="\t", header=None, names=names, na_values="n/a")
    ev = pd.read_csv(physio.parent / f"{stem}_events.tsv", sep="\t", na_values="n/a")
    t = np.arange(len(df)) / fs
    sel = (t >= a.t0) & (t <= a.t1)
    fig, ax = plt.subplots(figsize=(16, 6))
    for nm in names:
        u = side[nm]["Units"]
        if u == "s":
            continue
        x = df[nm].to_numpy(float)
        if u == "kPa":
            x = x * MMHG_PER_KPA
        elif u == "N":
            x = x / (side[nm]["SensorAreaMm2"] * 1e-6) / PA_PER_MMHG
        ax.plot(t[sel], x[sel], lw=0.7, label=nm)
    colors = {"touchdown": "green", "slip": "purple", "sensor_fault": "red", "dropout": "grey"}
    for _, e in ev.iterrows():
        on = e["onset"] - start
        off = on + e["duration"]
        if off < a.t0 or on > a.t1:
            continue
        if e["trial_type"] == "stroke":
            ax.axvspan(on, off, color="orange", alpha=0.18)
            ax.plot([on, off], [e["peak_mmhg"]] * 2, color="k", lw=1.2)
        else:
            c = colors.get(e["trial_type"], "blue")
            ax.axvspan(max(on, a.t0), min(off, a.t1), ymin=0, ymax=0.04, color=c, alpha=0.6)
            ax.text(max(on, a.t0), -3, str(e["trial_type"])[:5], color=c, fontsize=7)
    if a.pred:
        pred = json.loads(pathlib.Path(a.pred).read_text())
        for s in pred["strokes"]:
            if a.t0 <= s["onset_s"] <= a.t1:
                ax.plot([s["onset_s"], s["offset_s"]], [-6, -6], color="blue", lw=3)
    ax.set_xlim(a.t0, a.t1)
    ax.set_xlabel("s from first sample")
    ax.set_ylabel("mmHg")
    ax.legend(loc="upper right", fontsize=7)
    ax.set_title(f"{stem}: orange = true stroke (black line: true peak)")
    fig.tight_layout()
    fig.savefig(a.out, dpi=80)


if __name__ == "__main__":
    main()
