#!/usr/bin/env python3
"""Independent held-out MLD glove recordings for testing mldsense's stroke detector.

Written apart from the project's virtual glove (src/sim/), in a different style: strokes are
built as a piecewise sequence of shaped segments (raised cosine, skewed gamma-like, trapezoid,
double hump, incomplete release onto a ledge) on per-spot resting levels, then corrupted with
sensor drift, mains hum, spikes, dropouts (NaN), saturation and dead channels.

Output per recording (BIDS-like):
  sub-XX_task-mld_physio.tsv.gz   tab-separated, no header, "n/a" for missing
  sub-XX_task-mld_physio.json     SamplingFrequency, StartTime, Columns, per-column Units
  sub-XX_task-mld_events.tsv      onset, duration, trial_type, peak_mmhg (true, noise-free)

Usage: gen.py OUT_DIR --split tune|heldout [--count N] [--seconds S] [--rate HZ] [--channels N]
The split fixes the seed range, so the tuning and held-out sets never share a seed.
"""
import argparse, gzip, json, os
import numpy as np

KPA_PER_MMHG = 0.133322387415


def shape(kind, n_rise, n_fall, rng):
    """Unit-height pulse (float array) of one working phase; returns (pulse, peak index)."""
    n = n_rise + n_fall
    t = np.arange(n) / max(n - 1, 1)
    if kind == "cosine":
        x = np.concatenate([0.5 - 0.5 * np.cos(np.pi * np.arange(n_rise) / n_rise),
                            0.5 + 0.5 * np.cos(np.pi * np.arange(n_fall) / n_fall)])
    elif kind == "gamma":
        k = rng.uniform(1.8, 4.0)
        # support [0,1]; mode at (k-1)/(k-1+c) chosen so the pulse ends near zero at t=1
        c = rng.uniform(4.0, 7.0)
        x = t ** (k - 1) * np.exp(-c * t)
        x = x - np.linspace(0, x[-1], n)  # end exactly at zero
        x = np.clip(x, 0, None)
    elif kind == "trapezoid":
        a = max(1, int(n * rng.uniform(0.2, 0.35)))
        b = max(1, int(n * rng.uniform(0.2, 0.4)))
        plateau = max(0, n - a - b)
        x = np.concatenate([np.linspace(0, 1, a, endpoint=False), np.ones(plateau),
                            np.linspace(1, 0, b)])[:n]
        # soften the corners a little, like a hand does
        kern = np.hanning(max(3, n // 12))
        kern /= kern.sum()
        x = np.convolve(np.pad(x, len(kern), mode="edge"), kern, mode="same")[len(kern):-len(kern)]
        x = x - min(x[0], x[-1])
    elif kind == "double":
        d = rng.uniform(0.65, 0.88)  # dip depth: stays one stroke
        h2 = rng.uniform(0.8, 1.0)
        s = rng.uniform(0.4, 0.6)
        m = int(n * s)
        p1 = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(m) / m)
        p2 = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n - m) / (n - m))
        x = np.concatenate([np.where(np.arange(m) < m // 2, p1, d + (1 - d) * p1),
                            np.where(np.arange(n - m) < (n - m) // 2, d + (h2 - d) * p2, h2 * p2)])
        x = np.maximum.accumulate(x[: m // 2 + 1]).tolist() + x[m // 2 + 1:].tolist()
        x = np.array(x)
    else:
        raise ValueError(kind)
    x = np.asarray(x, float)
    x /= max(x.max(), 1e-9)
    return x, int(np.argmax(x))


def recording(rng, seconds, rate=None, channels=None, harsh=1.0):
    fs = float(rng.choice([100, 120, 200, 250, 400, 500, 640, 800, 1000]))
    nch = int(rng.integers(3, 6))
    fs = float(rate) if rate else fs
    nch = int(channels) if channels else nch
    n = int(seconds * fs)
    clean = np.zeros((n, nch))
    events = []
    t = rng.uniform(0.5, 2.0)
    style_period = rng.uniform(0.75, 1.4)
    kinds = ["cosine", "gamma", "trapezoid", "double"]
    kind_w = rng.dirichlet(np.ones(4) * 2)
    target = rng.uniform(15, 70)
    while t < seconds - 3:
        # one spot: 4-8 strokes at a resting level, then the hand lifts and moves
        rest = rng.uniform(0, 5)
        nstrokes = int(rng.integers(4, 9))
        level = rest  # level the next stroke rises from
        # touch-down: the hand lands on the skin and settles to the resting level before the
        # first stroke (not part of any stroke)
        land = int(rng.uniform(0.05, 0.4) * fs)
        settle = int(rng.uniform(0.1, 0.8) * fs)
        i0 = int(t * fs)
        for c in range(nch):
            clean[i0:i0 + land, c] = rest * np.linspace(0, 1, land)
            clean[i0 + land:i0 + land + settle, c] = rest
        i0 += land + settle
        for k in range(nstrokes):
            dur = rng.uniform(0.3, 0.8)
            rise_frac = rng.uniform(0.3, 0.6)
            n_rise = max(2, int(dur * rise_frac * fs))
            n_fall = max(2, int(dur * fs) - n_rise)
            kind = rng.choice(kinds, p=kind_w)
            pulse, pk = shape(kind, n_rise, n_fall, rng)
            if kind == "double":
                # the release starts after the second hump: the dip stays a dip of this stroke
                half = len(pulse) // 2
                pk = half + int(np.argmax(pulse[half:]))
            peak = float(np.clip(rng.normal(target, target * 0.25), 10, 100))
            peak = max(peak, level + 6)
            incomplete = k < nstrokes - 1 and rng.random() < 0.18
            if incomplete:
                ledge = level + (peak - level) * rng.uniform(0.3, 0.55)
                # fall only to the ledge: rescale the falling part
                body = level + (peak - level) * pulse
                fall = body[pk:]
                body[pk:] = ledge + (fall - level) * (peak - ledge) / (peak - level)
                end_level = ledge
            else:
                body = level + (peak - level) * pulse
                end_level = rest
                body[pk:] = rest + (body[pk:] - level) * (peak - rest) / (peak - level)
            i1 = i0 + len(body)
            if i1 >= n:
                break
            # channel mixing: one leading fingertip, the others a share
            gains = rng.uniform(0.25, 0.95, nch)
            gains[rng.integers(nch)] = 1.0
            for c in range(nch):
                clean[i0:i1, c] = rest + (body - rest) * gains[c] if True else 0
            events.append(dict(onset=i0 / fs, duration=(i1 - i0) / fs, i0=i0, i1=i1,
                               kind=kind + ("+ledge" if incomplete else "")))
            gap = max(0.05, rng.normal(style_period - dur, 0.12)) if not incomplete else rng.uniform(0.05, 0.35)
            ng = int(gap * fs)
            clean[i1:i1 + ng, :] = end_level + 0 * clean[i1:i1 + ng, :]
            if incomplete:
                for c in range(nch):
                    clean[i1:i1 + ng, c] = rest + (end_level - rest) * gains[c]
                # the next stroke rises from the ledge of the leading channel
            level = end_level
            i0 = i1 + ng
            if incomplete:
                # non-leading channels continue from their own ledge; keep it simple: the
                # envelope (max) is what defines the stroke
                pass
        # lift-off: the last release settles on the resting level, then the hand lifts
        stay = int(rng.uniform(0.0, 0.6) * fs)
        lift = int(rng.uniform(0.05, 0.3) * fs)
        i0 = min(i0, n)
        clean[i0:i0 + stay, :] = clean[max(i0 - 1, 0), :]
        seg = clean[min(max(i0 + stay - 1, 0), n - 1), :].copy()
        ramp = np.linspace(1, 0, lift)[:, None] * seg[None, :]
        clean[i0 + stay:i0 + stay + lift, :] = ramp[: max(0, min(lift, n - i0 - stay))]
        t = (i0 + stay + lift) / fs + rng.uniform(1.5, 4.0)  # pause: hand lifted, pressure 0
    # fill resting phases inside spots (zeros left where lifted)
    # (the loop above already wrote the inter-stroke rest)
    meas = clean.copy()
    tt = np.arange(n) / fs
    noise = rng.uniform(0.1, 0.8) * harsh
    meas += rng.normal(0, noise, meas.shape)
    # drift: sensor error, not pressure (not in the truth)
    if rng.random() < 0.6:
        for c in range(nch):
            slope = rng.uniform(-3, 3) / 60.0
            walk = np.cumsum(rng.normal(0, 0.02, n // 50 + 2))
            meas[:, c] += slope * tt + np.repeat(walk, 50)[:n]
    if rng.random() < 0.6:
        f = rng.choice([50.0, 60.0])
        amp = rng.uniform(0.5, 4.0) * harsh
        meas += amp * np.sin(2 * np.pi * f * tt + rng.uniform(0, 6.3))[:, None] * rng.uniform(0.3, 1, nch)
    if rng.random() < 0.7:
        ns = int(rng.uniform(0.1, 1.0) * seconds)
        for _ in range(ns):
            i = rng.integers(n)
            c = rng.integers(nch)
            w = 1 if rng.random() < 0.8 else 2
            meas[i:i + w, c] += rng.choice([-1, 1]) * rng.uniform(20, 150)
    if rng.random() < 0.6:
        for _ in range(int(rng.uniform(2, 20))):
            i = rng.integers(n)
            w = int(rng.uniform(0.005, 0.08) * fs) + 1
            if rng.random() < 0.5:
                meas[i:i + w, :] = np.nan
            else:
                meas[i:i + w, rng.integers(nch)] = np.nan
    sat = np.inf
    if rng.random() < 0.25:
        sat = rng.uniform(60, 95)
        meas = np.minimum(meas, sat)
    live = np.ones(nch, bool)
    if rng.random() < 0.15:
        dead = rng.integers(nch)
        live[dead] = False
        meas[:, dead] = np.nan if rng.random() < 0.5 else rng.normal(0, 0.05, n)
    # truth: the highest pressure a working sensor could show (a dead sensor shows nothing;
    # a saturated one shows at most its ceiling)
    for e in events:
        e["peak"] = float(min(clean[e["i0"]:e["i1"], live].max(), sat))
    units = ["kPa" if rng.random() < 0.2 else "mmHg" for _ in range(nch)]
    for c, u in enumerate(units):
        if u == "kPa":
            meas[:, c] *= KPA_PER_MMHG
    return fs, nch, units, meas, events


def write(out, stem, fs, units, meas, events):
    cols = [f"fsr{c + 1}" for c in range(len(units))]
    side = {"SamplingFrequency": fs, "StartTime": 0.0, "Columns": cols}
    for c, u in zip(cols, units):
        side[c] = {"Units": u, "Description": "fingertip pressure"}
    with open(os.path.join(out, stem + "_physio.json"), "w") as f:
        json.dump(side, f, indent=1)
    with gzip.open(os.path.join(out, stem + "_physio.tsv.gz"), "wt", compresslevel=6) as f:
        for row in meas:
            f.write("\t".join("n/a" if np.isnan(v) else f"{v:.3f}" for v in row) + "\n")
    with open(os.path.join(out, stem + "_events.tsv"), "w") as f:
        f.write("onset\tduration\ttrial_type\tpeak_mmhg\tshape\n")
        for e in events:
            f.write(f"{e['onset']:.4f}\t{e['duration']:.4f}\tstroke\t{e['peak']:.3f}\t{e['kind']}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--split", choices=["tune", "heldout"], required=True)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--rate", type=float, help="fix the sampling rate (Hz) instead of drawing it")
    ap.add_argument("--channels", type=int, help="fix the channel count instead of drawing it")
    ap.add_argument("--harsh", type=float, default=1.0, help="scale sensor noise and hum by this")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    base = 1000 if a.split == "tune" else 9000
    for i in range(a.count):
        rng = np.random.default_rng(base + i)
        fs, nch, units, meas, events = recording(rng, a.seconds, a.rate, a.channels, a.harsh)
        write(a.out, f"sub-{a.split}{i:02d}_task-mld", fs, units, meas, events)


if __name__ == "__main__":
    main()
