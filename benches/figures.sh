#!/usr/bin/env bash
# Regenerates the figures quoted in README.md: criterion throughput of each stage, the
# whole-process time and peak memory of `analyze` on a one-hour recording, and detection accuracy
# on the reference dataset and on the three families of recordings (benches/families.sh). Needs hyperfine (`apt-get install -y hyperfine`); the peer comparison
# needs `pip install pandas scipy` and is skipped without them.
#
#   bash benches/figures.sh            # everything (~10 minutes on 2 cores)
#   QUICK=1 bash benches/figures.sh    # shorter criterion runs
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-$(mktemp -d)}
mt=5
[ -n "${QUICK:-}" ] && mt=2
crit=(--warm-up-time 1 --measurement-time "$mt")

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"

cargo build --release --quiet --examples
bin=target/release/mldsense

echo "== criterion: decoder (bytes/s), filter + detector (samples/s), live latency, ingest, a whole hour"
for b in decoder pipeline live ingest analyze_hour; do
  cargo bench --quiet --bench "$b" -- "${crit[@]}" 2>/dev/null | grep -E "thrpt|time:|p99|delay" || true
done

echo "== one hour, 5 channels, 500 Hz, ordinary gzip"
target/release/examples/make_hour "$work/bgzf" 3600 >/dev/null
mkdir -p "$work/gz"
cp "$work"/bgzf/*_physio.json "$work/gz/"
gzip -dc "$work"/bgzf/*_physio.tsv.gz | gzip -6 > "$work/gz/sub-hour_task-mld_physio.tsv.gz"
hour="$work/gz/sub-hour_task-mld_physio.tsv.gz"
ls -l "$hour"
hyperfine -N -w 2 -r 20 "gzip -dc $hour" "$bin analyze $hour --format json"
/usr/bin/time -f "analyze: %e s wall, %M KiB peak RSS" "$bin" analyze "$hour" --format json >/dev/null
if python3 -c "import pandas, scipy" 2>/dev/null; then
  hyperfine -N -w 1 -r 5 "python3 tools/peers/scipy_baseline.py $work/gz -o $work/peer"
  /usr/bin/time -f "pandas + scipy: %e s wall, %M KiB peak RSS" \
    python3 tools/peers/scipy_baseline.py "$work/gz" -o "$work/peer"
fi

echo "== detection accuracy on datasets/ (DCASE collar: 200 ms, offsets max(200 ms, 20 %))"
"$bin" bench datasets | grep -E "GROSS|AVERAGE"

# the three families of recordings (virtual glove, tools/heldout, tools/physgen) side by side
# with the scipy peer; CONDITIONS=1 adds physgen per condition
BIN="$bin" WORK="$work/families" bash benches/families.sh
