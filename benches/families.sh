#!/usr/bin/env bash
# Detection accuracy on three independent families of annotated recordings, ours and the scipy
# peer side by side, in one table:
#   sim       the virtual glove (`mldsense simulate`, as datasets/README.md makes datasets/)
#   heldout   tools/heldout/gen.py, held-out split (as tools/heldout/README.md)
#   physgen   tools/physgen/physgen.py, report split (as tools/physgen/README.md)
# Every family is regenerated into $WORK from its generator, so the figures are those of the
# generators and the detector in this tree. Needs python3 with numpy, scipy and pandas (the
# peer is skipped without pandas).
#
#   bash benches/families.sh                   # the table (~2 minutes on 2 cores)
#   CONDITIONS=1 bash benches/families.sh      # and physgen per condition (~5 more minutes)
#   WITHOUT=1 bash benches/families.sh         # and physgen's report split with one condition
#                                              # off at a time: what each costs in the mix
#   BIN=/path/to/mldsense WORK=/tmp/fam bash benches/families.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-$(mktemp -d)}
bin=${BIN:-target/release/mldsense}
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
peer=0
python3 -c "import pandas, scipy" 2>/dev/null && peer=1
mkdir -p "$work"
echo "working in $work" >&2

echo "== generating the three families" >&2
rm -rf "$work/sim" "$work/heldout" "$work/physgen"
for seed in 1 2; do
  for style in steady heavy light rushed novice; do
    "$bin" simulate --style "$style" --seed "$seed" --duration 180 --rate 200 --bids "$work/sim" >/dev/null
  done
done
# datasets/ is committed; say so if the simulator no longer makes the same truth
stale=0
for ev in datasets/sub-*/beh/*_events.tsv; do
  other="$work/sim/${ev#datasets/}"
  if ! cmp -s "$ev" "$other"; then stale=1; fi
done
[ "$stale" = 1 ] && echo "note: datasets/ differs from what the simulator makes now (see datasets/README.md)" >&2
python3 tools/heldout/gen.py "$work/heldout" --split heldout --count 12 --seconds 120
python3 tools/physgen/physgen.py "$work/physgen" --split report --count 16 2>/dev/null

# bench one folder (ours + peer) into $work/bench-NAME.json
bench() {
  local name=$1 dir=$2
  local args=()
  if [ "$peer" = 1 ]; then
    python3 tools/peers/scipy_baseline.py "$dir" -o "$work/peer-$name"
    args=(--predictions "scipy=$work/peer-$name")
  fi
  "$bin" bench "$dir" "${args[@]}" --format json > "$work/bench-$name.json"
}

# one markdown table from bench JSON files given as LABEL=FILE
table() {
  python3 - "$@" <<'EOF'
import json, sys
def pct(x): return "—" if x is None else f"{100 * x:.1f}"
def ms(x): return "—" if x is None else f"{1000 * x:.0f}"
def mm(x): return "—" if x is None else f"{x:.2f}"
print("| set | system | files | strokes | P % | R % | F1 % | F1 on+off % | onset MAE ms | offset MAE ms | peak MAE mmHg | grades agree % |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for arg in sys.argv[1:]:
    label, path = arg.split("=", 1)
    d = json.load(open(path))
    for s in d["systems"]:
        g = s["gross"]
        print(f"| {label} | {s['name']} | {len(s['files'])} | {int(g['n_ref'])} | {pct(g['precision'])} | "
              f"{pct(g['recall'])} | {pct(g['f1'])} | {pct(g['f1_onset_offset'])} | {ms(g['onset_mae_s'])} | "
              f"{ms(g['offset_mae_s'])} | {mm(g['peak_mae_mmhg'])} | {pct(g['grade_agreement'])} |")
EOF
}

echo "== scoring" >&2
for fam in sim heldout physgen; do bench "$fam" "$work/$fam"; done
echo "== detection accuracy, three families (gross; DCASE collar: onsets 200 ms, offsets max(200 ms, 20 %); window 30–40 mmHg)"
table "sim=$work/bench-sim.json" "heldout=$work/bench-heldout.json" "physgen=$work/bench-physgen.json"

if [ -n "${CONDITIONS:-}" ]; then
  echo "== generating physgen per condition (report split, 8 recordings each, only that condition on)" >&2
  conds=(none rolling slow light tremor slips touchdown stuck dropouts drift hum fsr adc10 two_hands saturation units)
  args=()
  for c in "${conds[@]}"; do
    only=$c
    [ "$c" = none ] && only=""
    rm -rf "$work/cond/$c"
    python3 tools/physgen/physgen.py "$work/cond/$c" --split report --count 8 --only "$only" --prefix "${c//_/}" 2>/dev/null
    bench "cond-$c" "$work/cond/$c"
    args+=("$c=$work/bench-cond-$c.json")
  done
  echo "== physgen per condition (gross; 'none' = resting contact, noise and gain error only)"
  table "${args[@]}"
fi

if [ -n "${WITHOUT:-}" ]; then
  echo "== generating physgen's report split with one condition off at a time" >&2
  args=("all=$work/bench-physgen.json")
  for c in rolling slow light tremor slips touchdown stuck dropouts drift hum fsr adc10 two_hands saturation units; do
    rm -rf "$work/without/$c"
    python3 tools/physgen/physgen.py "$work/without/$c" --split report --count 16 --set "$c=off" 2>/dev/null
    bench "without-$c" "$work/without/$c"
    args+=("no $c=$work/bench-without-$c.json")
  done
  echo "== physgen report split, one condition off (gross; 'all' = every condition as drawn)"
  table "${args[@]}"
fi
