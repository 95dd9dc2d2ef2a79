#!/usr/bin/env python3
"""The "careful scipy pipeline" peer for `mldsense bench --predictions scipy=DIR`.

For every BIDS physiological recording (`<stem>_physio.tsv[.gz]` + `_physio.json`) under the
given paths: pandas `read_csv`, pressure columns scaled to mmHg from the sidecar's `Units`
(mmHg, kPa, or N with `SensorAreaMm2`; other columns dropped), the highest fingertip per
sample, a zero-phase 4th-order Butterworth low-pass (`sosfiltfilt`, 5 Hz), `find_peaks` with
a prominence threshold, and `peak_widths` near the base of each peak for the stroke's onset and
offset. Writes `OUT/<stem>.json` in the `mldsense analyze --format json` shape:
`{"strokes": [{"onset_s", "offset_s", "peak_mmhg", "grade"}]}` (seconds from the first sample).

Not run in CI. Needs `pip install pandas scipy`.

    python3 tools/peers/scipy_baseline.py datasets/ -o /tmp/scipy_pred
    mldsense bench datasets/ --predictions scipy=/tmp/scipy_pred

`--timing` prints the seconds spent reading, filtering and finding peaks (stderr), for the
speed comparison in the project's figures.
"""

import argparse
import json
import pathlib
import sys
import time

import numpy as np
import pandas as pd
from scipy import signal

MMHG_PER_KPA = 7.50062
PASCALS_PER_MMHG = 133.322387415


def find_recordings(paths):
    out = []
    for p in map(pathlib.Path, paths):
        files = sorted(p.rglob("*_physio.tsv*")) if p.is_dir() else [p]
        for f in files:
            name = f.name
            for suffix in ("_physio.tsv.gz", "_physio.tsv", "_physio.json", "_events.tsv"):
                if name.endswith(suffix):
                    stem = name[: -len(suffix)]
                    rec = (f.parent, stem)
                    if rec not in out:
                        out.append(rec)
                    break
    return out


def load(directory, stem):
    sidecar = json.loads((directory / f"{stem}_physio.json").read_text())
    data = directory / f"{stem}_physio.tsv.gz"
    if not data.exists():
        data = directory / f"{stem}_physio.tsv"
    names = sidecar["Columns"]
    frame = pd.read_csv(data, sep="\t", header=None, names=names, na_values="n/a",
                        dtype=np.float64, engine="c")
    columns = []
    for name in names:
        units = sidecar[name]["Units"]
        if units == "mmHg":
            columns.append(frame[name].to_numpy())
        elif units == "kPa":
            columns.append(frame[name].to_numpy() * MMHG_PER_KPA)
        elif units == "N":
            area = sidecar[name]["SensorAreaMm2"]
            columns.append(frame[name].to_numpy() / area * 1e6 / PASCALS_PER_MMHG)
    return float(sidecar["SamplingFrequency"]), np.column_stack(columns)


def detect(rate, pressures, window=(30.0, 40.0)):
    # Fill gaps by linear interpolation (filtfilt cannot take NaN), then the highest fingertip.
    p = pd.DataFrame(pressures).interpolate(limit_direction="both").to_numpy()
    envelope = np.nanmax(p, axis=1)
    sos = signal.butter(4, 5.0, btype="low", fs=rate, output="sos")
    smooth = signal.sosfiltfilt(sos, envelope)
    peaks, props = signal.find_peaks(smooth, prominence=8.0, distance=max(1, int(0.25 * rate)))
    # Edges: where the stroke crosses 90 % of the way down its prominence.
    _, _, left, right = signal.peak_widths(smooth, peaks, rel_height=0.9,
                                           prominence_data=(props["prominences"],
                                                            props["left_bases"],
                                                            props["right_bases"]))
    strokes = []
    for k, i in enumerate(peaks):
        peak = float(smooth[i])
        grade = "too_light" if peak < window[0] else "too_hard" if peak > window[1] else "in_window"
        strokes.append({
            "onset_s": float(left[k]) / rate,
            "offset_s": float(right[k]) / rate,
            "peak_s": float(i) / rate,
            "peak_mmhg": peak,
            "grade": grade,
        })
    return strokes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="dataset folders or recordings")
    ap.add_argument("-o", "--out", required=True, help="folder for <stem>.json predictions")
    ap.add_argument("--timing", action="store_true", help="print read/filter/peaks seconds")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    recordings = find_recordings(args.paths)
    if not recordings:
        sys.exit("no BIDS physiological recordings found")
    for directory, stem in recordings:
        t0 = time.perf_counter()
        rate, pressures = load(directory, stem)
        t1 = time.perf_counter()
        strokes = detect(rate, pressures)
        t2 = time.perf_counter()
        (out / f"{stem}.json").write_text(json.dumps({"source": stem, "strokes": strokes}))
        if args.timing:
            print(f"{stem}: read {t1 - t0:.3f} s, filter+peaks {t2 - t1:.3f} s, "
                  f"{len(strokes)} strokes", file=sys.stderr)


if __name__ == "__main__":
    main()
