#!/usr/bin/env python3
"""physgen: MLD glove recordings from a physical model of a hand, skin contact and FSR sensors.

Independent of the project's virtual glove (src/sim/) and of tools/heldout/gen.py: a hand is a
set of fingertips with their own timing (rolling fingers), strokes are minimum-jerk, skewed
(beta) and slow creeping-plateau profiles on a wandering resting contact, and the reading goes
through an FSR model (conductance linear in force, part-to-part gain, hysteresis, creep,
temperature drift) and a front end (voltage divider or transimpedance amplifier, 10/12-bit ADC,
rail saturation, noise, mains hum with an anti-alias filter), then stuck sensors and dropouts.
See README.md beside this file for the model, each condition, the truth and the seed split.

Output per recording (BIDS-like, as tools/heldout/gen.py):
  <stem>_physio.tsv.gz   tab-separated, no header, "n/a" for missing
  <stem>_physio.json     SamplingFrequency, StartTime (not 0), Columns, per-column Units
                         (mmHg, kPa or N with SensorAreaMm2), and the draw ("Physgen")
  <stem>_events.tsv      onset (on the StartTime clock), duration, trial_type, peak_mmhg, grade,
                         and descriptive columns; trial_type "stroke" is the truth, other
                         trial types (touchdown, slip, sensor_fault, dropout) say what else
                         happened and are not strokes.

Usage: physgen.py OUT_DIR --split tune|report [--count N] [--seconds A:B] [--only C,...]
       [--set C=on|off ...] [--first K]
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np

MMHG_PER_KPA = 7.50061683
PA_PER_MMHG = 133.322387415
WINDOW = (30.0, 40.0)

# Seed ranges of the two splits: they never overlap (README "Seed split").
SPLIT_BASE = {"tune": 20000, "report": 70000}
SPLIT_SPAN = 10000

# Optional conditions and the probability each is on in a mixed recording. `--only` turns all
# off except the named ones; `--set` forces one.
CONDITIONS = {
    "rolling": 0.6,      # fingertips peak one after another, 40-200 ms thumb to little finger
    "slow": 0.35,        # slow strokes with a creeping plateau of 1.5 s or more
    "light": 0.4,        # light strokes of 8-15 mmHg, 0.3 s or longer (still strokes)
    "tremor": 0.4,       # 6-12 Hz physiological tremor on plateaus
    "slips": 0.5,        # micro-slips of 2-5 mmHg, 50-150 ms, during rests
    "touchdown": 0.8,    # a bump of a few mmHg when the hand lands, settling to the contact
    "stuck": 0.35,       # a sensor stuck at full scale, at zero, flat or disconnected
    "dropouts": 0.5,     # rows of n/a: short (<= 200 ms) and sometimes long
    "drift": 0.6,        # sensor zero and gain drift (not pressure)
    "hum": 0.6,          # 50/60 Hz mains hum through the anti-alias filter
    "fsr": 0.8,          # FSR hysteresis and creep
    "adc10": 0.5,        # a 10-bit ADC (else 12-bit)
    "two_hands": 0.2,    # two hands, strokes alternating between them
    "saturation": 0.25,  # a low rail: hard strokes saturate
    "units": 0.5,        # kPa or N columns (else mmHg)
}

FINGERS = ["thumb", "index", "middle", "ring", "little"]


def minjerk(x):
    """Minimum-jerk transition 0 -> 1 on x in [0, 1] (zero velocity and acceleration at ends)."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * x * (10.0 - 15.0 * x + 6.0 * x * x)


def smooth_noise(rng, t, f_lo, f_hi, k=4):
    """A smooth zero-mean wander of unit standard deviation: a few sinusoids in [f_lo, f_hi] Hz."""
    out = np.zeros_like(t)
    for _ in range(k):
        f = rng.uniform(f_lo, f_hi)
        out += np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    return out / np.sqrt(k / 2.0)


def lowpass(x, fs, tau):
    """First-order low-pass (time constant tau seconds), the state of FSR creep/hysteresis."""
    from scipy.signal import lfilter

    a = np.exp(-1.0 / (fs * tau))
    y, _ = lfilter([1 - a], [1, -a], x, zi=[x[0] * a])
    return y


# --------------------------------------------------------------------------------------------
# Stroke profiles: unit height, compact support on u in [0, 1] (exact departure and return).


def profile(kind, u, p):
    if kind == "minjerk":
        r, h = p["rise"], p["hold"]
        up = minjerk(u / r)
        down = 1.0 - minjerk((u - r - h) / (1.0 - r - h))
        return np.where(u < r, up, np.where(u < r + h, 1.0, down))
    if kind == "beta":
        a, b = p["a"], p["b"]
        uu = np.clip(u, 0.0, 1.0)
        mode = (a - 1) / (a + b - 2)
        y = uu ** (a - 1) * (1 - uu) ** (b - 1)
        return y / (mode ** (a - 1) * (1 - mode) ** (b - 1))
    if kind == "creep":
        # rise to (1 - kappa), a plateau creeping up toward 1 (the hand settles into the
        # tissue), a minimum-jerk release from wherever the plateau ended
        r, f, kappa, tau = p["rise"], p["fall"], p["kappa"], p["tau_u"]
        lo = 1.0 - kappa
        plateau_end = 1.0 - f
        top = 1.0 - kappa * np.exp(-(plateau_end - r) / tau)
        y = np.where(
            u < r,
            lo * minjerk(u / r),
            np.where(u < plateau_end, 1.0 - kappa * np.exp(-(u - r) / tau),
                     top * (1.0 - minjerk((u - plateau_end) / f))),
        )
        return y / top
    raise ValueError(kind)


def plateau_window(kind, u, p):
    """Where the profile is on its plateau (for tremor), smoothly windowed."""
    if kind == "minjerk":
        lo, hi = p["rise"] * 0.7, p["rise"] + p["hold"] + 0.3 * (1 - p["rise"] - p["hold"])
    elif kind == "creep":
        lo, hi = p["rise"] * 0.7, 1.0 - p["fall"] * 0.7
    else:
        m = (p["a"] - 1) / (p["a"] + p["b"] - 2)
        lo, hi = m - 0.25, m + 0.25
    w = np.clip((u - lo) / 0.08, 0, 1) * np.clip((hi - u) / 0.08, 0, 1)
    return w * w * (3 - 2 * w)


# --------------------------------------------------------------------------------------------


class Session:
    """The plan of one recording and its true fingertip pressures (mmHg)."""

    def __init__(self, rng, cond, seconds, fs, hands, fingers):
        self.rng, self.cond, self.fs = rng, cond, fs
        self.n = int(round(seconds * fs))
        self.t = np.arange(self.n) / fs
        self.hands = hands
        # channel -> (hand, finger index)
        self.chan = [(h, f) for h in range(hands) for f in fingers[h]]
        self.nch = len(self.chan)
        self.contact = np.zeros((self.n, self.nch))  # resting contact incl. touch-downs/lifts
        self.work = np.zeros((self.n, self.nch))     # strokes, slips, tremor
        self.strokes = []
        self.others = []
        self.rest_spans = []  # (i0, i1) where the hand rests on the skin between strokes

    def idx(self, t):
        return int(np.clip(round(t * self.fs), 0, self.n))

    def hand_chans(self, h):
        return [c for c, (hh, _) in enumerate(self.chan) if hh == h]

    def plan(self):
        rng, cond = self.rng, self.cond
        seconds = self.n / self.fs
        # the trainee's habits for the whole session
        style = rng.choice(["window", "light", "heavy", "erratic"], p=[0.35, 0.25, 0.25, 0.15])
        mu = {"window": (30, 40), "light": (18, 30), "heavy": (40, 68), "erratic": (22, 50)}[style]
        self.mu = rng.uniform(*mu)
        self.cv = 0.3 if style == "erratic" else rng.uniform(0.07, 0.15)
        self.period = rng.uniform(0.85, 1.5)
        self.slow_share = rng.uniform(0.3, 1.0) if cond["slow"] else 0.0
        self.light_share = rng.uniform(0.15, 0.4) if cond["light"] else 0.0
        self.roll_share = rng.uniform(0.5, 0.95) if cond["rolling"] else 0.0
        self.slip_rate = rng.uniform(3, 15) / 60.0 if cond["slips"] else 0.0
        self.tremor_amp = rng.uniform(0.2, 1.2) if cond["tremor"] else 0.0
        self.tremor_hz = rng.uniform(6, 12)
        self.kinds_w = rng.dirichlet([2, 2])  # minjerk vs beta for ordinary strokes
        t = rng.uniform(0.5, 2.5)
        while t < seconds - 6:
            t = self.spot(t, seconds)
            t += rng.uniform(1.0, 4.0)  # the hands are off the skin, moving to the next spot
        self.contact = np.maximum(self.contact, 0.0)

    def spot(self, t, seconds):
        rng = self.rng
        # resting contact of each fingertip on this spot: real pressure, wandering slowly as the
        # hand turns the skin in stationary circles
        spot_rest = rng.uniform(2, 8) if rng.random() < 0.85 else rng.uniform(0.5, 2)
        land = {}
        for h in range(self.hands):
            tl = t + (rng.uniform(0, 0.6) if h else 0.0)
            land[h] = tl
        n_strokes = int(rng.integers(5, 8)) * self.hands
        # the spot ends after its strokes; its length is known only once they are planned, so
        # the contact is written after the stroke loop
        bases = {}
        for c in range(self.nch):
            bases[c] = min(spot_rest * rng.uniform(0.6, 1.25), 8.0)  # 2-8 mmHg contact
        # first stroke after the touch-down has settled
        t_next = max(land.values()) + rng.uniform(0.6, 1.4)
        last_end = {h: land[h] for h in range(self.hands)}
        hand = int(rng.integers(self.hands))
        planned = []
        for _ in range(n_strokes):
            if t_next > seconds - 4:
                break
            s = self.stroke_plan(t_next, hand)
            if s["end"] > seconds - 1.0:
                break  # no stroke runs past the end of the recording
            planned.append(s)
            gap = max(0.15, rng.normal(self.period, 0.08 * self.period) - s["dur"])
            if s["kind"] == "creep":
                gap = rng.uniform(0.35, 1.0)
            t_next = s["end"] + gap
            last_end[hand] = s["end"]
            if self.hands == 2:
                hand = 1 - hand
        end = max(max(last_end.values()), t_next - 0.1) + rng.uniform(0.2, 0.8)
        end = min(end, seconds - 0.5)
        # contact: touch-down (optional bump), wander, lift
        for c, (h, _) in enumerate(self.chan):
            tl = land[h] + rng.uniform(0, 0.06)  # fingers land a little apart
            i0, i_end = self.idx(tl), self.idx(end + rng.uniform(0, 0.05))
            lift = rng.uniform(0.08, 0.25)
            i_lift = self.idx(end + lift + 0.05)
            tt = self.t[i0:i_lift] - tl
            base = bases[c]
            wander = 1.0 + 0.15 * smooth_noise(rng, tt, 0.04, 0.3)
            level = np.maximum(base * wander, 0.2)
            land_s = rng.uniform(0.08, 0.25)
            seg = level * minjerk(tt / land_s)
            if self.cond["touchdown"]:
                bump = rng.uniform(1.0, 4.0) * rng.uniform(0.7, 1.0)
                tau = rng.uniform(0.12, 0.35)
                peak_t = land_s * rng.uniform(0.8, 1.1)
                seg = seg + bump * minjerk(tt / peak_t) * np.exp(-np.maximum(tt - peak_t, 0) / tau)
            t_lift0 = self.t[min(i_end, self.n - 1)] - tl
            seg = seg * (1.0 - minjerk((tt - t_lift0) / lift))
            self.contact[i0:i_lift, c] = seg
        for h in range(self.hands):
            if self.cond["touchdown"]:
                self.others.append(dict(onset=land[h], duration=1.0, trial_type="touchdown",
                                        hand=h))
        for s in planned:
            self.render_stroke(s)
        # rests between strokes, for slips
        spans = []
        prev = max(land.values()) + 0.5
        for s in sorted(planned, key=lambda s: s["start"]):
            if s["start"] - prev > 0.2:
                spans.append((prev + 0.05, s["start"] - 0.05))
            prev = max(prev, s["end"] + 0.05)
        if end - prev > 0.2:
            spans.append((prev, end - 0.05))
        self.slips(spans)
        return end + 0.3

    def stroke_plan(self, t0, hand):
        rng = self.rng
        slow = rng.random() < self.slow_share
        light = (not slow) and rng.random() < self.light_share
        if slow:
            kind = "creep"
            rise, fall = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.8)
            plateau = rng.uniform(1.5, 3.0)
            dur = rise + plateau + fall
            p = dict(rise=rise / dur, fall=fall / dur, kappa=rng.uniform(0.0, 0.15),
                     tau_u=rng.uniform(0.3, 1.0) * plateau / dur)
        else:
            kind = "minjerk" if rng.random() < self.kinds_w[0] else "beta"
            dur = rng.uniform(0.35, 0.9) if light else rng.uniform(0.45, min(1.2, self.period))
            if kind == "minjerk":
                r = rng.uniform(0.3, 0.55)
                p = dict(rise=r, hold=rng.uniform(0.0, min(0.3, 0.9 - r)))
            else:
                # exponents up to 3.5: the pulse leaves the rest like u^(a-1), as a pressing
                # hand does; steeper powers would hide the first third of the stroke
                a = rng.uniform(2.0, 3.5)
                p = dict(a=a, b=rng.uniform(2.0, 3.5))
        chans = self.hand_chans(hand)
        # fingertip timing: rolling strokes peak thumb -> little finger one after another
        rolling = len(chans) > 1 and rng.random() < self.roll_share
        order = np.arange(len(chans))
        if rolling:
            if rng.random() < 0.2:
                order = order[::-1]  # rolling back toward the thumb
            spread = rng.uniform(0.04, 0.2)
            steps = rng.dirichlet(np.ones(len(chans) - 1) * 3) * spread
            lag = np.zeros(len(chans))
            lag[order[1:]] = np.cumsum(steps)
        else:
            lag = rng.uniform(0, 0.02, len(chans))
        stretch = rng.uniform(0.94, 1.06, len(chans))
        share = rng.uniform(0.4, 1.0, len(chans))
        share[rng.integers(len(chans))] = 1.0
        return dict(start=t0, hand=hand, kind=kind, p=p, dur=dur, lag=lag, stretch=stretch,
                    share=share, chans=chans, light=light, rolling=rolling,
                    end=t0 + float(np.max(lag + dur * stretch)))

    def render_stroke(self, s):
        rng = self.rng
        chans = s["chans"]
        i_s = max(self.idx(s["start"]) - 1, 0)
        rests = {c: self.contact[i_s, c] for c in chans}
        rest_max = max(rests.values())
        if s["light"]:
            # 8-15 mmHg at the top, at least 5 mmHg above the hand's highest resting fingertip
            target = rng.uniform(max(8.0, rest_max + 5.0), max(15.0, rest_max + 6.0))
        else:
            target = max(float(np.clip(rng.normal(self.mu, self.cv * self.mu), 14, 110)),
                         rest_max + 6.0)
        lead = chans[int(np.argmax(s["share"]))]
        amp = target - rests[lead]  # the leading fingertip reaches the target
        s["amp"] = amp
        tremor_amp = self.tremor_amp * rng.uniform(0.5, 1.0) if s["kind"] != "beta" else 0.0
        phase = rng.uniform(0, 2 * np.pi)
        s["i_on"], s["i_off"], s["t_on"], s["t_off"] = {}, {}, {}, {}
        for j, c in enumerate(chans):
            start = s["start"] + s["lag"][j]
            d = s["dur"] * s["stretch"][j]
            i0, i1 = self.idx(start), self.idx(start + d)
            if i1 <= i0:
                continue
            u = (self.t[i0:i1] - start) / d
            y = profile(s["kind"], u, s["p"]) * amp * s["share"][j]
            if tremor_amp > 0:
                # tremor is the whole hand's: same phase on every fingertip, on the plateau
                y = y + tremor_amp * s["share"][j] * plateau_window(s["kind"], u, s["p"]) * \
                    np.sin(2 * np.pi * self.tremor_hz * (self.t[i0:i1] - s["start"]) + phase)
            self.work[i0:i1, c] += y
            s["i_on"][c], s["i_off"][c] = i0, i1
            s["t_on"][c], s["t_off"][c] = start, start + d
        self.strokes.append(s)

    def slips(self, spans):
        rng = self.rng
        for a, b in spans:
            k = rng.poisson(self.slip_rate * (b - a))
            for _ in range(k):
                d = rng.uniform(0.05, 0.15)
                if b - a <= d + 0.02:
                    continue
                t0 = rng.uniform(a, b - d)
                i0, i1 = self.idx(t0), self.idx(t0 + d)
                if i1 <= i0:
                    continue
                u = np.linspace(0, 1, i1 - i0)
                # a stick-slip: the skin holds, then lets go; mostly a small rise then release
                shape = u ** 1.5 * (1 - u) ** 1.0
                shape /= shape.max()
                size = rng.uniform(2.0, 5.0)
                sign = 1.0 if rng.random() < 0.65 else -1.0
                chans = [int(rng.integers(self.nch))]
                if rng.random() < 0.4:
                    chans = list(range(self.nch))
                for c in chans:
                    base = self.contact[i0:i1, c]
                    if sign < 0:
                        self.work[i0:i1, c] -= np.minimum(size * shape, 0.8 * base)
                    else:
                        self.work[i0:i1, c] += size * shape
                self.others.append(dict(onset=t0, duration=d, trial_type="slip",
                                        size_mmhg=sign * size))

    def true_pressure(self):
        return np.maximum(self.contact + self.work, 0.0)


# --------------------------------------------------------------------------------------------


class Front:
    """One fingertip's sensor and front end: true mmHg -> ADC counts -> reported mmHg."""

    def __init__(self, rng, cond, fs, calibrated, bits, circuit, rail_mmhg):
        self.bits = bits
        self.full = 2 ** bits - 1
        self.circuit = circuit
        part = 0.06 if not calibrated else 0.015
        self.gain = 1.0 + rng.uniform(-part, part)
        # every number is drawn whether or not its condition is on, so recordings that
        # differ in one condition differ only in what that condition does
        hyst, creep = rng.uniform(0.03, 0.10), rng.uniform(0.01, 0.05)
        self.hyst = hyst if cond["fsr"] else 0.0
        self.tau_h = rng.uniform(0.15, 0.5)
        self.creep = creep if cond["fsr"] else 0.0
        self.tau_c = rng.uniform(1.0, 5.0)
        counts_12 = rng.uniform(2, 4)
        self.noise_counts = rng.uniform(0.3, 1.2) * (1 if bits == 10 else counts_12)
        # the divider's midpoint pressure / the linear amplifier's full scale
        p_mid, headroom = rng.uniform(25, 80), rng.uniform(0.92, 0.99)
        if circuit == "divider":
            self.p_mid = p_mid
            self.rail = rail_mmhg / (rail_mmhg + self.p_mid)  # fraction of full scale
        else:
            self.p_fs = rail_mmhg / headroom
            self.rail = rail_mmhg / self.p_fs
        self.rail_counts = int(np.floor(self.rail * self.full))
        self.ceiling = self.to_mmhg(np.array([self.rail_counts]))[0]

    def to_counts(self, p):
        if self.circuit == "divider":
            x = np.maximum(p, 0) / self.p_mid
            return self.full * x / (1 + x)
        return self.full * np.maximum(p, 0) / self.p_fs

    def to_mmhg(self, counts):
        """The firmware's nominal conversion (it does not know the part's gain error)."""
        v = counts / self.full
        if self.circuit == "divider":
            return self.p_mid * v / np.maximum(1 - v, 1e-9)
        return self.p_fs * v

    def read(self, rng, p, fs, zero, gain_drift, hum):
        """Counts (float, before stuck faults) for true pressure p."""
        r = p * self.gain * gain_drift
        if self.creep:
            r = r + self.creep * lowpass(r, fs, self.tau_c)  # output drifts up under load
        if self.hyst:
            lag = lowpass(r, fs, self.tau_h)
            r = r + self.hyst * np.minimum(np.maximum(lag - r, 0), r)  # higher while unloading
        r = r + zero
        counts = self.to_counts(r)
        counts = counts + hum + rng.normal(0, self.noise_counts, len(p))
        return np.clip(np.round(counts), 0, self.rail_counts)


def draw_conditions(rng, only, forced, index):
    cond = {}
    for name, prob in CONDITIONS.items():
        on = rng.random() < prob
        if only is not None:
            on = name in only
        cond[name] = bool(on)
    if only is None:
        # every run of len(CONDITIONS) consecutive recordings has each condition at least once
        cond[list(CONDITIONS)[index % len(CONDITIONS)]] = True
    cond.update(forced)
    return cond


RATES = [50, 100, 128, 200, 250, 500, 1000]


def recording(seed, index, seconds_range, only, forced):
    ss = np.random.SeedSequence(seed)
    # one stream per concern (conditions, the hand, the glove, each sensor, faults, dropouts,
    # units): turning one sensor condition on or off leaves every other draw where it was
    s_cond, s_plan, s_glove, s_chan, s_fault, s_gap, s_unit = ss.spawn(7)
    r_cond, r_plan, r_sens = [np.random.default_rng(s) for s in (s_cond, s_plan, s_glove)]
    cond = draw_conditions(r_cond, only, forced, index)
    seconds = float(r_cond.uniform(*seconds_range))
    fs = float(RATES[(3 * index + int(r_cond.integers(2))) % len(RATES)])
    hands = 2 if cond["two_hands"] else 1
    if hands == 1:
        nf = int(r_cond.choice([1, 2, 3, 4, 5], p=[0.12, 0.13, 0.2, 0.22, 0.33]))
        if only is None and index % 8 in (2, 6):
            nf = 1 if index % 8 == 6 else 2  # every 8 recordings: a 1- and a 2-sensor glove
        fingers = [sorted(r_cond.choice(5, nf, replace=False)) if nf < 5 else list(range(5))]
        if nf == 1:
            fingers = [[int(r_cond.choice([1, 2]))]]
    else:
        fingers = []
        for _ in range(2):
            nf = int(r_cond.integers(2, 6))
            fingers.append(sorted(r_cond.choice(5, nf, replace=False)))
    start_time = float(np.round(r_cond.uniform(-20, 900), 3))
    if abs(start_time) < 1:
        start_time += 5.0

    sess = Session(r_plan, cond, seconds, fs, hands, fingers)
    sess.plan()
    p_true = sess.true_pressure()
    n, nch = p_true.shape
    t = sess.t

    # sensors and front end
    bits = 10 if cond["adc10"] else 12
    circuit = str(r_sens.choice(["divider", "linear"]))
    calibrated = bool(r_sens.random() < 0.7)
    low_rail, high_rail = r_sens.uniform(55, 90), r_sens.uniform(150, 400)
    rail = low_rail if cond["saturation"] else high_rail
    mains = float(r_sens.choice([50.0, 60.0])) + r_sens.uniform(-0.05, 0.05)
    fc = fs / r_sens.uniform(2.2, 4.0)  # anti-alias RC corner
    aa = 1.0 / np.sqrt(1 + (mains / fc) ** 2)
    meas = np.full((n, nch), np.nan)
    fronts = []
    chan_seeds = s_chan.spawn(nch)
    for c in range(nch):
        r_c = np.random.default_rng(chan_seeds[c])
        fr = Front(r_c, cond, fs, calibrated, bits, circuit, rail * r_c.uniform(0.97, 1.03))
        fronts.append(fr)
        # zero drift (amplifier offset, temperature) and gain drift as the sensor warms
        zero = r_c.uniform(-1.5, 1.5) * (t / t[-1]) + \
            r_c.uniform(0.1, 0.8) * smooth_noise(r_c, t, 0.003, 0.03)
        gain_drift = 1.0 + r_c.uniform(-0.025, 0.01) * (1 - np.exp(-t / r_c.uniform(30, 200)))
        if not cond["drift"]:
            zero, gain_drift = np.zeros(n), np.ones(n)
        amp_mmhg = r_c.uniform(0.1, 1.2) if cond["hum"] else 0.0
        amp_counts = amp_mmhg * fr.full / (fr.p_mid if circuit == "divider" else fr.p_fs)
        ph = r_c.uniform(0, 2 * np.pi)
        hum = aa * amp_counts * (np.sin(2 * np.pi * mains * t + ph) +
                                 0.3 * np.sin(2 * np.pi * 3 * mains * t + 2 * ph) /
                                 np.sqrt(1 + (3 * mains / fc) ** 2))
        counts = fr.read(r_c, p_true[:, c], fs, zero, gain_drift, hum)
        meas[:, c] = fr.to_mmhg(counts)

    # stuck sensors: a span [a, b) where a channel shows no pressure (at most all but one of
    # each hand's channels at a time)
    r_f = np.random.default_rng(s_fault)
    faults = []
    working = np.ones((n, nch), bool)
    if cond["stuck"] and nch >= 1:
        k = int(r_f.integers(1, 3))
        for _ in range(k):
            c = int(r_f.integers(nch))
            h = sess.chan[c][0]
            mates = sess.hand_chans(h)
            kind = str(r_f.choice(["full", "zero", "flat", "disconnected"]))
            a = 0.0 if r_f.random() < 0.3 else r_f.uniform(0, seconds * 0.7)
            b = seconds if r_f.random() < 0.35 else r_f.uniform(a + 5, a + 5 + seconds * 0.5)
            b = min(b, seconds)
            i0, i1 = sess.idx(a), sess.idx(b)
            if i1 <= i0:
                continue
            others_ok = [m for m in mates if m != c and working[i0:i1, m].all()]
            if len(mates) > 1 and not others_ok:
                continue
            fr = fronts[c]
            if kind == "full":
                meas[i0:i1, c] = fr.ceiling  # shorted part or loose ground: the rail
            elif kind == "zero":
                meas[i0:i1, c] = 0.0
            elif kind == "flat":
                frozen = meas[i0, c] if np.isfinite(meas[i0, c]) else 0.0
                meas[i0:i1, c] = frozen
            else:
                meas[i0:i1, c] = np.nan
            working[i0:i1, c] = False
            faults.append(dict(onset=a, duration=b - a, trial_type="sensor_fault",
                               channel=c, fault=kind))

    # dropouts: rows the glove never delivered
    gaps = []
    r_g = np.random.default_rng(s_gap)
    if cond["dropouts"]:
        rate = r_g.uniform(0.5, 6.0) / 60.0
        for _ in range(r_g.poisson(rate * seconds)):
            d = r_g.uniform(1.0 / fs, 0.2)
            gaps.append((r_g.uniform(0, seconds - d), d))
        if r_g.random() < 0.5:
            for _ in range(int(r_g.integers(1, 3))):
                d = r_g.uniform(0.4, 3.0)
                gaps.append((r_g.uniform(5, seconds - d - 5), d))
    for a, d in gaps:
        i0, i1 = sess.idx(a), max(sess.idx(a + d), sess.idx(a) + 1)
        meas[i0:i1, :] = np.nan

    # truth
    ceilings = np.array([fr.ceiling for fr in fronts])
    shown = np.minimum(p_true, ceilings[None, :])
    # a sample nobody can see: a dropout row (short or long)
    visible = ~np.all(np.isnan(meas), axis=1)
    long_gaps = [(a, a + d) for a, d in gaps if d > 0.2]
    events = []
    for s in sess.strokes:
        used = [c for c in s["i_on"]
                if working[s["i_on"][c]:s["i_off"][c], c].all()]
        if not used:
            continue  # every sensor of the hand is dead: nothing shows the stroke
        i_on = min(s["i_on"][c] for c in used)
        i_off = max(s["i_off"][c] for c in used)
        onset = min(s["t_on"][c] for c in used)
        offset = max(s["t_off"][c] for c in used)
        if any(a <= onset <= b for a, b in long_gaps):
            continue  # nobody can see where it started
        vis = visible[i_on:i_off]
        if vis.mean() < 0.5:
            continue  # a long gap hides most of it
        peak = float(max(shown[i_on:i_off, c][vis].max() for c in used))
        spread = (max(s["lag"]) - min(s["lag"])) * 1000 if len(s["lag"]) > 1 else 0.0
        events.append(dict(onset=onset, duration=offset - onset, trial_type="stroke",
                           peak_mmhg=peak, shape=s["kind"] + ("+light" if s["light"] else ""),
                           hand=s["hand"], roll_ms=spread if s["rolling"] else 0.0,
                           channels=len(used)))
    for o in sess.others:
        events.append(o)
    for f in faults:
        events.append(f)
    for a, d in gaps:
        events.append(dict(onset=a, duration=d, trial_type="dropout"))

    # units
    names = []
    for h, f in sess.chan:
        nm = FINGERS[f]
        if hands == 2:
            nm = ("l_" if h == 0 else "r_") + nm
        names.append(nm)
    r_u = np.random.default_rng(s_unit)
    area = float(r_u.choice([19.6, 71.3, 126.7]))
    unit_all = str(r_u.choice(["kPa", "N"]))
    one_mmhg = int(r_u.integers(nch)) if r_u.random() < 0.2 and nch > 2 else None
    time_col = bool(r_u.random() < 0.15)
    units = ["mmHg"] * nch
    if cond["units"]:
        units = [unit_all] * nch
        if one_mmhg is not None:
            units[one_mmhg] = "mmHg"
    out = meas.copy()
    for c, u in enumerate(units):
        if u == "kPa":
            out[:, c] = meas[:, c] / MMHG_PER_KPA
        elif u == "N":
            out[:, c] = meas[:, c] * PA_PER_MMHG * area * 1e-6
    info = dict(seed=int(seed), conditions=cond, seconds=seconds, rate_hz=fs, hands=hands,
                channels=names, units=units, sensor_area_mm2=area, adc_bits=bits,
                circuit=circuit, calibrated=calibrated,
                ceiling_mmhg=[round(float(x), 2) for x in ceilings],
                gains=[round(fr.gain, 4) for fr in fronts], mains_hz=round(mains, 3),
                style_mean_mmhg=round(sess.mu, 2), period_s=round(sess.period, 3))
    return dict(fs=fs, start=start_time, names=names, units=units, area=area, data=out,
                events=events, info=info, time_col=time_col, t=t, p_true=p_true, meas=meas,
                working=working)


def fmt_col(unit):
    return {"mmHg": "%.3f", "kPa": "%.5f", "N": "%.6f"}[unit]


def write(out_dir, stem, rec):
    fs, start = rec["fs"], rec["start"]
    cols = list(rec["names"])
    side = {"SamplingFrequency": fs, "StartTime": start}
    data = rec["data"]
    fmts = [fmt_col(u) for u in rec["units"]]
    if rec["time_col"]:
        cols = ["time"] + cols
        data = np.column_stack([start + rec["t"], data])
        fmts = ["%.4f"] + fmts
    side["Columns"] = cols
    if rec["time_col"]:
        side["time"] = {"Units": "s", "Description": "time on the StartTime clock"}
    for nm, u in zip(rec["names"], rec["units"]):
        d = {"Units": u, "Description": f"fingertip pressure, {nm} FSR"}
        if u == "N" or rec["info"]["sensor_area_mm2"]:
            d["SensorAreaMm2"] = rec["area"]
        side[nm] = d
    side["Manufacturer"] = "physgen (tools/physgen)"
    side["Physgen"] = rec["info"]
    with open(os.path.join(out_dir, stem + "_physio.json"), "w") as f:
        json.dump(side, f, indent=1)
    # text rows, n/a for missing
    parts = []
    for j, fm in enumerate(fmts):
        col = data[:, j]
        s = np.char.mod(fm, np.nan_to_num(col, nan=0.0))
        s = np.where(np.isnan(col), "n/a", s)
        parts.append(s)
    lines = parts[0]
    for p in parts[1:]:
        lines = np.char.add(np.char.add(lines, "\t"), p)
    # mtime=0: the same seed gives the same bytes, compressed or not
    with open(os.path.join(out_dir, stem + "_physio.tsv.gz"), "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as f:
        f.write(("\n".join(lines.tolist()) + "\n").encode("ascii"))
    cols_ev = ["onset", "duration", "trial_type", "peak_mmhg", "grade", "shape", "hand",
               "roll_ms", "channels", "detail"]
    rows = []
    for e in sorted(rec["events"], key=lambda e: e["onset"]):
        grade = "n/a"
        peak = "n/a"
        if e["trial_type"] == "stroke":
            p = e["peak_mmhg"]
            peak = f"{p:.3f}"
            grade = "too_light" if p < WINDOW[0] else "too_hard" if p > WINDOW[1] else "in_window"
        detail = "n/a"
        if e["trial_type"] == "slip":
            detail = f"{e['size_mmhg']:+.2f}mmHg"
        elif e["trial_type"] == "sensor_fault":
            detail = f"{rec['names'][e['channel']]}:{e['fault']}"
        rows.append([
            f"{start + e['onset']:.4f}", f"{e['duration']:.4f}", e["trial_type"], peak, grade,
            e.get("shape", "n/a"), str(e["hand"]) if "hand" in e else "n/a",
            f"{e['roll_ms']:.0f}" if "roll_ms" in e else "n/a",
            str(e["channels"]) if "channels" in e else "n/a", detail,
        ])
    with open(os.path.join(out_dir, stem + "_events.tsv"), "w") as f:
        f.write("\t".join(cols_ev) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--split", choices=sorted(SPLIT_BASE), required=True)
    ap.add_argument("--count", type=int, default=14)
    ap.add_argument("--first", type=int, default=0, help="index of the first recording")
    ap.add_argument("--seconds", default="120:180", help="length range A:B in seconds")
    ap.add_argument("--only", help="comma-separated conditions; all others off")
    ap.add_argument("--set", action="append", default=[], metavar="COND=on|off",
                    help="force one condition")
    ap.add_argument("--prefix", default=None, help="subject prefix (default: the split)")
    a = ap.parse_args(argv)
    lo, hi = (float(x) for x in a.seconds.split(":"))
    only = None
    if a.only is not None:
        only = set(x for x in a.only.split(",") if x)
        bad = only - set(CONDITIONS)
        if bad:
            ap.error(f"--only: unknown conditions {sorted(bad)}; known: {sorted(CONDITIONS)}")
    forced = {}
    for s in a.set:
        k, _, v = s.partition("=")
        if k not in CONDITIONS or v not in ("on", "off"):
            ap.error(f"--set {s}: expected COND=on|off with COND in {sorted(CONDITIONS)}")
        forced[k] = v == "on"
    if a.first < 0 or a.first + a.count > SPLIT_SPAN:
        ap.error(f"--first/--count must stay inside the split's {SPLIT_SPAN} seeds")
    os.makedirs(a.out, exist_ok=True)
    prefix = a.prefix or a.split
    base = SPLIT_BASE[a.split]
    with open(os.path.join(a.out, "dataset_description.json"), "w") as f:
        json.dump({"Name": f"physgen {a.split}", "BIDSVersion": "1.9.0",
                   "GeneratedBy": [{"Name": "physgen", "CodeURL": "tools/physgen"}]}, f, indent=1)
    for i in range(a.first, a.first + a.count):
        seed = base + i
        rec = recording(seed, i, (lo, hi), only, forced)
        stem = f"sub-{prefix}{i:02d}_task-mld"
        write(a.out, stem, rec)
        on = [k for k, v in rec["info"]["conditions"].items() if v]
        n_str = sum(1 for e in rec["events"] if e["trial_type"] == "stroke")
        print(f"{stem}: seed {seed}, {rec['fs']:g} Hz, {len(rec['names'])} ch, "
              f"{rec['info']['seconds']:.0f} s, {n_str} strokes, {','.join(on)}", file=sys.stderr)


if __name__ == "__main__":
    main()
