#!/usr/bin/env python3
"""Checks of physgen's truth and files (stdlib unittest; not run by CI):

    python3 -m unittest discover -s tools/physgen -p 'test_*.py'

The truth is recomputed here by plain per-sample loops from the generator's own arrays (the
true pressures, which sensors work, which rows are missing) and compared with what physgen
wrote; the files are read back as a reader would.
"""
import gzip
import json
import math
import os
import tempfile
import unittest

import numpy as np

import physgen as pg

SEEDS = [pg.SPLIT_BASE["tune"] + i for i in range(6)] + [pg.SPLIT_BASE["report"] + 3]


def strokes(rec):
    return [e for e in rec["events"] if e["trial_type"] == "stroke"]


class Truth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.recs = {s: pg.recording(s, s % 100, (40, 60), None, {}) for s in SEEDS}

    def test_the_same_seed_gives_the_same_recording(self):
        a = pg.recording(SEEDS[1], 1, (40, 60), None, {})
        b = self.recs[SEEDS[1]]
        np.testing.assert_array_equal(a["data"], b["data"])
        self.assertEqual(a["events"], b["events"])
        c = pg.recording(SEEDS[2], 1, (40, 60), None, {})
        self.assertFalse(np.array_equal(np.nan_to_num(a["data"][:100]),
                                        np.nan_to_num(c["data"][:100])) and
                         a["events"] == c["events"])

    def test_one_sensor_condition_changes_only_what_it_does(self):
        seed = SEEDS[3]
        base = pg.recording(seed, 3, (40, 60), None, {"hum": False, "drift": False})
        for cond in ("hum", "drift"):
            other = pg.recording(seed, 3, (40, 60), None,
                                 {"hum": cond == "hum", "drift": cond == "drift"})
            np.testing.assert_array_equal(base["p_true"], other["p_true"])
            self.assertEqual(base["events"], other["events"])
            self.assertEqual(base["units"], other["units"])
            self.assertFalse(np.array_equal(np.nan_to_num(base["meas"]),
                                            np.nan_to_num(other["meas"])))
            # where the two differ, by about what hum (<= 1.2 mmHg at rest) or drift makes
            d = np.abs(np.nan_to_num(base["meas"]) - np.nan_to_num(other["meas"]))
            self.assertLess(np.median(d), 3.0)

    def test_the_splits_never_share_a_seed(self):
        spans = sorted((b, b + pg.SPLIT_SPAN) for b in pg.SPLIT_BASE.values())
        for (_, end), (start, _) in zip(spans, spans[1:]):
            self.assertLessEqual(end, start)

    def test_peak_is_the_highest_true_pressure_a_working_sensor_shows(self):
        checked = 0
        for rec in self.recs.values():
            fs, p, working = rec["fs"], rec["p_true"], rec["working"]
            ceilings = rec["info"]["ceiling_mmhg"]
            missing = np.all(np.isnan(rec["meas"]), axis=1)
            for e in strokes(rec):
                i0 = int(round(e["onset"] * fs))
                i1 = int(round((e["onset"] + e["duration"]) * fs))
                best = -math.inf
                # a sensor counts when it works all through the stroke
                alive = [c for c in range(p.shape[1])
                         if all(working[i, c] for i in range(i0, min(i1, len(p))))]
                for i in range(max(i0 - 1, 0), min(i1 + 1, len(p))):
                    if missing[i]:
                        continue
                    for c in alive:
                        best = max(best, min(p[i, c], ceilings[c] + 0.01))
                # the truth's own window is on the sample grid of each fingertip: allow one
                # sample either side, i.e. the steepest change over one sample
                slack = 0.5 + np.max(np.abs(np.diff(p[max(i0 - 2, 0):i1 + 2], axis=0)))
                self.assertLessEqual(e["peak_mmhg"], best + 1e-9)
                self.assertGreater(e["peak_mmhg"], best - slack, e)
                checked += 1
        self.assertGreater(checked, 100)

    def test_strokes_of_one_hand_do_not_overlap_and_stay_inside_the_recording(self):
        for rec in self.recs.values():
            seconds = rec["info"]["seconds"]
            by_hand = {}
            for e in strokes(rec):
                self.assertGreater(e["duration"], 0.3 - 1e-9)
                self.assertGreaterEqual(e["onset"], 0)
                self.assertLessEqual(e["onset"] + e["duration"], seconds)
                by_hand.setdefault(e["hand"], []).append(e)
            for es in by_hand.values():
                es.sort(key=lambda e: e["onset"])
                for a, b in zip(es, es[1:]):
                    self.assertLessEqual(a["onset"] + a["duration"], b["onset"] + 1e-9)

    def test_slips_and_touchdowns_are_not_inside_strokes(self):
        for rec in self.recs.values():
            spans = [(e["onset"], e["onset"] + e["duration"]) for e in strokes(rec)]
            for e in rec["events"]:
                if e["trial_type"] != "slip":
                    continue
                for a, b in spans:
                    self.assertFalse(a < e["onset"] + e["duration"] and e["onset"] < b,
                                     (e, a, b))

    def test_onset_is_where_the_first_fingertip_leaves_its_rest(self):
        # over the 100 ms before the onset every fingertip stays at its resting contact (which
        # wanders below 0.3 Hz); within the first third of the stroke one of them has risen
        for rec in self.recs.values():
            fs, p = rec["fs"], rec["p_true"]
            for e in strokes(rec):
                i = int(math.floor(e["onset"] * fs))
                j = i - int(math.ceil(0.1 * fs))
                m = int(math.ceil((e["onset"] + e["duration"]) * fs))
                if j < 0:
                    continue
                # the sensors the truth used (a dead one's fingertip still moves)
                ok = rec["working"][j:m + int(0.1 * fs) + 1].all(axis=0)
                before = np.abs(p[i] - p[j])[ok]
                self.assertTrue(np.all(before < 0.6), (e, before))
                k = int(round((e["onset"] + e["duration"] / 3) * fs))
                self.assertGreater(np.max((p[k] - p[i])[ok]), 1.0, e)
                # and the last fingertip is back at the end
                n = min(m + int(math.ceil(0.1 * fs)), len(p) - 1)
                after = np.abs(p[n] - p[m])[ok]
                self.assertTrue(np.all(after < 0.6), (e, after))

    def test_light_strokes_are_strokes_of_8_to_15_mmhg(self):
        rec = pg.recording(pg.SPLIT_BASE["tune"] + 50, 50, (60, 60), {"light"}, {})
        light = [e for e in strokes(rec) if e["shape"].endswith("+light")]
        self.assertGreater(len(light), 3)
        for e in light:
            self.assertGreaterEqual(e["duration"], 0.3)
            # the wander of the contact during the stroke moves the top a little
            self.assertTrue(6.5 <= e["peak_mmhg"] <= 16.5, e)

    def test_a_dead_sensor_is_not_in_the_truth(self):
        rec = pg.recording(pg.SPLIT_BASE["tune"] + 60, 60, (60, 60), {"stuck"}, {})
        faults = [e for e in rec["events"] if e["trial_type"] == "sensor_fault"]
        self.assertTrue(faults)
        working = rec["working"]
        self.assertFalse(working.all())
        fs = rec["fs"]
        for e in strokes(rec):
            i0 = int(round(e["onset"] * fs))
            i1 = int(round((e["onset"] + e["duration"]) * fs))
            self.assertLessEqual(e["channels"], int(working[i0:i1].all(axis=0).sum()) + 1)


class Files(unittest.TestCase):
    def test_written_files_read_back_on_the_starttime_clock(self):
        with tempfile.TemporaryDirectory() as d:
            pg.main([d, "--split", "tune", "--count", "2", "--first", "7", "--seconds", "30:40",
                     "--set", "units=on", "--set", "dropouts=on"])
            for i in (7, 8):
                stem = os.path.join(d, f"sub-tune{i:02d}_task-mld")
                rec = pg.recording(pg.SPLIT_BASE["tune"] + i, i, (30, 40), None,
                                   {"units": True, "dropouts": True})
                with open(stem + "_physio.json") as f:
                    side = json.load(f)
                self.assertEqual(side["SamplingFrequency"], rec["fs"])
                self.assertNotEqual(side["StartTime"], 0)
                cols = side["Columns"]
                with gzip.open(stem + "_physio.tsv.gz", "rt") as f:
                    rows = [line.rstrip("\n").split("\t") for line in f]
                self.assertEqual(len(rows), len(rec["meas"]))
                self.assertTrue(all(len(r) == len(cols) for r in rows))
                # back to mmHg from each column's unit: the reading, to the printed precision
                for j, name in enumerate(cols):
                    spec = side[name]
                    if spec["Units"] == "s":
                        continue
                    c = rec["names"].index(name)
                    got = np.array([math.nan if r[j] == "n/a" else float(r[j]) for r in rows])
                    if spec["Units"] == "kPa":
                        got = got * pg.MMHG_PER_KPA
                    elif spec["Units"] == "N":
                        got = got / (spec["SensorAreaMm2"] * 1e-6) / pg.PA_PER_MMHG
                    want = rec["meas"][:, c]
                    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
                    ok = ~np.isnan(want)
                    self.assertLess(np.max(np.abs(got[ok] - want[ok]), initial=0), 0.01)
                # events: onsets on the StartTime clock, sorted, strokes as the truth says
                with open(stem + "_events.tsv") as f:
                    lines = f.read().splitlines()
                head = lines[0].split("\t")
                self.assertEqual(head[:3], ["onset", "duration", "trial_type"])
                onsets = [float(x.split("\t")[0]) for x in lines[1:]]
                self.assertEqual(onsets, sorted(onsets))
                got = [x.split("\t") for x in lines[1:] if x.split("\t")[2] == "stroke"]
                want = sorted(strokes(rec), key=lambda e: e["onset"])
                self.assertEqual(len(got), len(want))
                for g, w in zip(got, want):
                    self.assertAlmostEqual(float(g[0]) - side["StartTime"], w["onset"], places=3)
                    self.assertAlmostEqual(float(g[3]), w["peak_mmhg"], places=2)


if __name__ == "__main__":
    unittest.main()
