//! Arbitrary bytes, recording headers and BIDS tables thrown at `analyze` in process (the same
//! `analyze_file` the command line calls, then every report format): an error is fine, a panic
//! never is. The generators start from valid inputs and mutate them, so most cases get past
//! the magic and the sidecar and exercise the decoder, the calibration, the parsers and the
//! pipeline; the tests count how far the cases got and print it.

use mldsense::analysis::{analyze_file, Analysis};
use mldsense::calibration::{Calibration, SensorCalibration, SensorCurve};
use mldsense::grade::Profile;
use mldsense::recording::RecordingHeader;
use mldsense::report::{self, Format};
use mldsense_protocol::*;
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Cases run, and cases that made a session (got through every parser to the reports).
static RECORDING_CASES: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static BIDS_CASES: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

fn analyze_and_render(path: &Path, counts: &[AtomicU64; 2]) {
    counts[0].fetch_add(1, Ordering::Relaxed);
    let profile = Profile::default_profile();
    if let Ok(Analysis {
        session, graded, ..
    }) = analyze_file(path, None, &profile)
    {
        counts[1].fetch_add(1, Ordering::Relaxed);
        for format in [Format::Text, Format::Json, Format::Csv, Format::Html] {
            let mut out = Vec::new();
            report::render(&session, &graded, format, &mut out).expect("render to memory");
        }
    }
}

#[derive(Clone, Debug)]
enum Item {
    Info {
        channels: u8,
        rate: u16,
        rows: u8,
        adc: u8,
    },
    Block {
        seq: u8,
        t: u32,
        channels: u8,
        rows: u8,
        count: u16,
        step: u16,
    },
    Status {
        t: u32,
        flags: u8,
        saturated: u16,
    },
}

fn item() -> impl Strategy<Value = Item> {
    let rate = prop_oneof![
        Just(500u16),
        Just(100),
        Just(1),
        Just(0),
        Just(65535),
        any::<u16>()
    ];
    prop_oneof![
        1 => (1u8..=16, rate, 1u8..=16, 1u8..=16)
            .prop_map(|(channels, rate, rows, adc)| Item::Info { channels, rate, rows, adc }),
        8 => (any::<u8>(), any::<u32>(), 1u8..=6, 1u8..=16, any::<u16>(), any::<u16>())
            .prop_map(|(seq, t, channels, rows, count, step)| Item::Block { seq, t, channels, rows, count, step }),
        1 => (any::<u32>(), any::<u8>(), any::<u16>())
            .prop_map(|(t, flags, saturated)| Item::Status { t, flags, saturated }),
    ]
}

fn device(channels: u8, rate: u16, rows: u8, adc: u8) -> DeviceInfo {
    let mut descs = [ChannelDesc::new("", 0); MAX_CHANNELS];
    for (i, d) in descs.iter_mut().take(usize::from(channels)).enumerate() {
        *d = ChannelDesc::new(&format!("ch{i}"), 1267);
    }
    DeviceInfo {
        firmware: [1, 1, 0],
        serial: 4242,
        sensor_kind: SensorKind::FSR_402,
        adc_bits: adc,
        rate_hz: rate,
        rows_per_block: rows,
        channel_count: channels,
        channels: descs,
    }
}

/// A stream that mostly follows the protocol (consecutive blocks at the device's rate), with
/// the generated items mixed in.
fn wire(first: &DeviceInfo, items: &[Item], regular_blocks: u32) -> Vec<u8> {
    let mut out = vec![0u8];
    let mut push = |message: Message, seq: u8, t: u32| {
        let mut buf = [0u8; MAX_FRAME_LEN];
        if let Ok(n) = encode(
            &Frame {
                seq,
                timestamp_us: t,
                message,
            },
            &mut buf,
        ) {
            out.extend_from_slice(&buf[..n]);
        }
    };
    push(Message::DeviceInfo(*first), 0, 0);
    let ch = usize::from(first.channel_count);
    let rows = usize::from(first.rows_per_block);
    let block_us = (rows as u64 * 1_000_000 / u64::from(first.rate_hz.max(1))) as u32;
    for k in 0..regular_blocks {
        let counts: Vec<u16> = (0..rows * ch)
            .map(|i| ((k as usize * 7 + i * 13) % 600) as u16)
            .collect();
        if let Ok(b) = SampleBlock::new(ch, &counts) {
            push(
                Message::SampleBlock(b),
                (k % 256) as u8,
                k.wrapping_mul(block_us),
            );
        }
        if let Some(it) = items.get(k as usize % 97).filter(|_| k % 13 == 5) {
            match *it {
                Item::Info {
                    channels,
                    rate,
                    rows,
                    adc,
                } => push(
                    Message::DeviceInfo(device(channels, rate, rows, adc)),
                    1,
                    k.wrapping_mul(block_us),
                ),
                Item::Block {
                    seq,
                    t,
                    channels,
                    rows,
                    count,
                    step,
                } => {
                    let n = usize::from(channels) * usize::from(rows);
                    let counts: Vec<u16> = (0..n)
                        .map(|i| count.wrapping_add(step.wrapping_mul(i as u16)))
                        .collect();
                    if let Ok(b) = SampleBlock::new(usize::from(channels), &counts) {
                        push(Message::SampleBlock(b), seq, t);
                    }
                }
                Item::Status {
                    t,
                    flags,
                    saturated,
                } => push(
                    Message::Status(Status {
                        flags,
                        saturated,
                        battery_mv: 3700,
                    }),
                    2,
                    t,
                ),
            }
        }
    }
    out
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..40))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, muts: &[Mutation], protect: usize) {
    for m in muts {
        let len = bytes.len();
        if len <= protect {
            return;
        }
        let at = |i: usize| protect + i % (len - protect);
        match m {
            Mutation::Flip(i, x) => {
                let i = at(*i);
                bytes[i] ^= x;
            }
            Mutation::Truncate(i) => bytes.truncate(at(*i)),
            Mutation::Insert(i, b) => {
                let i = at(*i);
                bytes.splice(i..i, b.iter().copied());
            }
        }
    }
}

fn slope() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        4 => Just(None),
        2 => Just(Some(0.0024)),
        1 => prop_oneof![Just(0.0), Just(-1.0), Just(1e6), Just(f64::NAN), Just(1e-300), any::<f64>()].prop_map(Some),
    ]
}

/// The file bytes of a recording: preamble, JSON header (as the writer makes it, or its text
/// mutated), data.
fn recording_bytes(header: &RecordingHeader, data: &[u8], json_muts: &[Mutation]) -> Vec<u8> {
    let mut json = serde_json::to_vec(header).expect("header json");
    mutate(&mut json, json_muts, 0);
    let mut out = mldsense::recording::MAGIC.to_vec();
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(data);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, .. ProptestConfig::default() })]

    fn analyze_never_panics_on_recordings(
        (channels, rate, rows, adc) in (1u8..=6, prop_oneof![Just(500u16), Just(100), Just(250), Just(1), Just(65535)], 1u8..=16, 1u8..=16),
        header_rate in prop_oneof![3 => Just(None), 1 => any::<u16>().prop_map(Some)],
        header_channels in prop_oneof![3 => Just(None), 1 => (1u8..=16).prop_map(Some)],
        cal in slope(),
        items in prop::collection::vec(item(), 0..20),
        blocks in 0u32..1500,
        data_muts in prop::collection::vec(mutation(), 0..6),
        json_muts in prop::collection::vec(mutation(), 0..2),
        json_mutated in prop::bool::weighted(0.1),
        raw in prop::option::weighted(0.05, prop::collection::vec(any::<u8>(), 0..400)),
    ) {
        let data_dev = device(channels, rate, rows, adc);
        let mut header_dev = data_dev;
        if let Some(r) = header_rate { header_dev.rate_hz = r; }
        if let Some(c) = header_channels { header_dev.channel_count = c; }
        let mut header = RecordingHeader::new(&header_dev);
        header.trainee = Some("=cmd".into());
        header.calibration = cal.map(|slope| Calibration {
            created: None,
            note: None,
            sensors: vec![SensorCalibration {
                device_serial: 4242,
                channel: 0,
                name: None,
                curve: SensorCurve::linear(0.0, slope),
                area: None,
                rms_error: None,
            }],
        });
        let mut data = wire(&data_dev, &items, blocks);
        mutate(&mut data, &data_muts, 0);
        let bytes = match raw {
            Some(raw) => raw,
            None => recording_bytes(&header, &data, if json_mutated { &json_muts } else { &[] }),
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("case.mld");
        std::fs::write(&path, &bytes).expect("write");
        analyze_and_render(&path, &RECORDING_CASES);
    }

    fn analyze_never_panics_on_bids_tables(
        rate in prop_oneof![6 => Just("100".to_string()), 2 => Just("25".into()), 1 => prop_oneof![Just("0".to_string()), Just("-5".into()), Just("1e9".into()), Just("\"x\"".into()), Just("0.001".into())]],
        units in prop::collection::vec(prop_oneof![8 => Just("mmHg"), 1 => Just("kPa"), 1 => Just("N"), 1 => Just("s"), 1 => Just("furlong")], 1..4),
        rows in 0usize..1500,
        cells in prop::collection::vec(prop_oneof![
            8 => (-20.0f64..80.0).prop_map(|v| format!("{v:.2}")),
            1 => Just("n/a".to_string()),
            1 => prop_oneof![Just("inf"), Just("-inf"), Just("NaN"), Just("1e400"), Just("1e300"), Just("-0")].prop_map(str::to_string),
        ], 1..40),
        garbage in prop::option::weighted(0.15, (any::<usize>(), prop_oneof![Just(""), Just("x"), Just("1,5"), Just("--1")])),
        extra_tabs in prop::collection::vec(any::<bool>(), 0..5),
        gz in any::<bool>(),
        sidecar_muts in prop::collection::vec(mutation(), 0..2),
        sidecar_mutated in prop::bool::weighted(0.1),
        data_muts in prop::collection::vec(mutation(), 0..2),
        data_mutated in prop::bool::weighted(0.1),
    ) {
        let names: Vec<String> = (0..units.len()).map(|i| format!("c{i}")).collect();
        let mut sidecar = format!("{{\"SamplingFrequency\": {rate}, \"StartTime\": 0, \"Columns\": [{}]",
            names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "));
        for (n, u) in names.iter().zip(&units) {
            sidecar.push_str(&format!(", \"{n}\": {{\"Units\": \"{u}\"}}"));
        }
        sidecar.push('}');
        let mut sidecar = sidecar.into_bytes();
        if sidecar_mutated {
            mutate(&mut sidecar, &sidecar_muts, 0);
        }
        let mut tsv = String::new();
        for r in 0..rows {
            for c in 0..units.len() {
                if c > 0 { tsv.push('\t'); }
                tsv.push_str(&cells[(r * 7 + c * 3) % cells.len()]);
            }
            if extra_tabs.get(r % 97).copied().unwrap_or(false) && r % 31 == 0 {
                tsv.push('\t');
            }
            tsv.push('\n');
        }
        if let Some((at, token)) = garbage {
            let at = at % (tsv.len() + 1);
            if tsv.is_char_boundary(at) {
                tsv.insert_str(at, token);
            }
        }
        let mut data = tsv.into_bytes();
        if data_mutated {
            mutate(&mut data, &data_muts, 0);
        }
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("sub-01_physio.json"), &sidecar).expect("json");
        let path = if gz {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(&data).expect("gz");
            let p = dir.path().join("sub-01_physio.tsv.gz");
            std::fs::write(&p, enc.finish().expect("gz")).expect("write");
            p
        } else {
            let p = dir.path().join("sub-01_physio.tsv");
            std::fs::write(&p, &data).expect("write");
            p
        };
        analyze_and_render(&path, &BIDS_CASES);
    }
}

/// Both properties, run one after the other (the case counts are shared), then how many
/// cases ran and how many reached a report, printed and checked: the generators must not be
/// rejected early.
#[test]
fn analyze_never_panics_on_hostile_input() {
    analyze_never_panics_on_recordings();
    analyze_never_panics_on_bids_tables();
    let [r_all, r_ok] = &RECORDING_CASES;
    let [b_all, b_ok] = &BIDS_CASES;
    let (r_all, r_ok) = (r_all.load(Ordering::Relaxed), r_ok.load(Ordering::Relaxed));
    let (b_all, b_ok) = (b_all.load(Ordering::Relaxed), b_ok.load(Ordering::Relaxed));
    eprintln!(
        "recordings: {r_all} cases, {r_ok} analysed to a report; \
         BIDS tables: {b_all} cases, {b_ok} analysed to a report"
    );
    assert!(
        r_ok * 5 >= r_all,
        "recording cases must get past the header: {r_ok}/{r_all}"
    );
    assert!(
        b_ok * 10 >= b_all,
        "BIDS cases must get past the sidecar: {b_ok}/{b_all}"
    );
}
