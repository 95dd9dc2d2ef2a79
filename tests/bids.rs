//! BIDS physiological files: the writer and the streaming reader agree, the fast number parser
//! agrees with `str::parse`, every gzip flavour and the plain TSV read the same, and malformed
//! input is reported with its file, line and column.

use flate2::write::GzEncoder;
use mldsense::bids::number::{parse_f64, parse_field, parse_row};
use mldsense::bids::{
    read_events, write_dataset_description, write_events, write_physio, BidsPaths, BidsSource,
    EventRow, DEFAULT_DECIMALS,
};
use mldsense::stream::{Block, ChannelInfo, PressureSource, StreamInfo};
use mldsense::units::{Mmhg, SquareMillimetres};
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;

fn info(channels: usize, rate_hz: f64) -> StreamInfo {
    StreamInfo {
        rate_hz,
        start_time_s: -0.5,
        channels: (0..channels)
            .map(|i| ChannelInfo {
                name: format!("ch{i}"),
                area: Some(SquareMillimetres(126.7)),
            })
            .collect(),
    }
}

/// Every row of a source, read in blocks of `block_rows`.
fn read_all(path: &Path, block_rows: usize) -> mldsense::Result<(StreamInfo, Vec<f64>)> {
    let mut src = BidsSource::open(path)?.with_block_rows(block_rows);
    let mut block = Block::default();
    let mut all = Vec::new();
    let mut next_row = 0;
    while src.next_block(&mut block)? {
        assert_eq!(block.start_row, next_row, "blocks are contiguous");
        next_row += block.rows(src.info().channel_count()) as u64;
        all.extend_from_slice(&block.values);
    }
    Ok((src.info().clone(), all))
}

fn same_value(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol
}

/// Writes a recording in `dir` as raw text: `json` sidecar and `tsv` data (gzip if `gz`).
fn raw_recording(dir: &Path, json: &str, tsv: &str, gz: bool) -> std::path::PathBuf {
    std::fs::write(dir.join("r_physio.json"), json).unwrap();
    if gz {
        let path = dir.join("r_physio.tsv.gz");
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(tsv.as_bytes()).unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        path
    } else {
        let path = dir.join("r_physio.tsv");
        std::fs::write(&path, tsv).unwrap();
        path
    }
}

const TWO_MMHG: &str = r#"{"SamplingFrequency": 100, "StartTime": 0, "Columns": ["a", "b"],
"a": {"Units": "mmHg"}, "b": {"Units": "mmHg"}}"#;

#[test]
fn written_rows_read_back_in_any_block_size_and_from_any_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let info = info(5, 500.0);
    // 40 000 rows: well over one 256 KiB chunk, so lines are cut across chunk boundaries.
    let rows: Vec<Vec<f64>> = (0..40_000)
        .map(|i| {
            (0..5)
                .map(|c| {
                    if (i + c) % 997 == 0 {
                        f64::NAN
                    } else {
                        (i as f64 * 0.37 + c as f64).sin() * 45.0 - 2.0
                    }
                })
                .collect()
        })
        .collect();
    let paths = write_physio(dir.path(), "sub-01_task-mld", &info, &rows).unwrap();
    let want: Vec<f64> = rows.concat();
    let tol = 0.5 * 10f64.powi(-(DEFAULT_DECIMALS as i32)) + 1e-9;
    let mut first = None;
    for (name, block_rows) in [
        (paths.physio_tsv_gz(), 1),
        (paths.physio_json(), 4096),
        (paths.events_tsv(), 333),
        (dir.path().join("sub-01_task-mld"), 100_000),
    ] {
        let (got_info, got) = read_all(&name, block_rows).unwrap();
        assert_eq!(got_info, info);
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(same_value(*g, *w, tol), "value {i}: {g} vs {w}");
        }
        // Block boundaries never change the data.
        match &first {
            None => first = Some(got),
            Some(f) => assert!(f.iter().zip(&got).all(|(a, b)| a.to_bits() == b.to_bits())),
        }
    }
    // The writer's gzip is plain gzip to any other reader.
    let mut text = String::new();
    use std::io::Read;
    flate2::read::MultiGzDecoder::new(std::fs::File::open(paths.physio_tsv_gz()).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text.lines().count(), rows.len());
    assert_eq!(text.lines().next().unwrap().split('\t').count(), 5);
}

#[test]
fn plain_tsv_single_member_gzip_units_and_skipped_columns() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{"SamplingFrequency": 250, "StartTime": 1.5,
        "Columns": ["time", "press", "force", "trigger"],
        "time": {"Units": "s"},
        "press": {"Units": "kPa", "Description": "index"},
        "force": {"Units": "N", "SensorAreaMm2": 126.7},
        "trigger": {"Units": "V"}}"#;
    let tsv = "0.000\t4\t0.68\t0\r\n0.004\tn/a\t0\t5\n0.008\t-1e-1\tn/a\t0";
    for gz in [false, true] {
        let sub = dir.path().join(if gz { "gz" } else { "tsv" });
        std::fs::create_dir_all(&sub).unwrap();
        let path = raw_recording(&sub, json, tsv, gz);
        let (info, got) = read_all(&path, 2).unwrap();
        assert_eq!(info.rate_hz, 250.0);
        assert_eq!(info.start_time_s, 1.5);
        let names: Vec<&str> = info.channels.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["press", "force"]);
        assert_eq!(got.len(), 6);
        assert!(
            (got[0] - 30.0025).abs() < 1e-3,
            "4 kPa is 30.0 mmHg: {}",
            got[0]
        );
        assert!(
            (got[1] - 40.26).abs() < 0.01,
            "0.68 N on 126.7 mm²: {}",
            got[1]
        );
        assert!(got[2].is_nan());
        assert_eq!(got[3], 0.0);
        assert!((got[4] + 0.750062).abs() < 1e-5);
        assert!(got[5].is_nan());
    }
}

#[test]
fn malformed_data_names_file_line_and_column() {
    let cases = [
        ("1\t2\n3\t4\n5\n", ":3:", "found 1"),
        ("1\t2\n3\t4\t5\n", ":2:", "found 3"),
        ("1\t2\n3\tabc\n", ":2:", "column 2 (`b`): `abc`"),
        ("1\t2\n\t4\n", ":2:", "column 1 (`a`): ``"),
        ("1\t2\n\n3\t4\n", ":2:", "empty line"),
    ];
    for (i, (tsv, line, what)) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let path = raw_recording(dir.path(), TWO_MMHG, tsv, i % 2 == 0);
        let err = read_all(&path, 1).unwrap_err().to_string();
        let file = path.file_name().unwrap().to_str().unwrap();
        assert!(err.contains(&format!("{file}{line}")), "{tsv:?}: {err}");
        assert!(err.contains(what), "{tsv:?}: {err}");
    }
    // Trailing blank lines are tolerated.
    let dir = tempfile::tempdir().unwrap();
    let path = raw_recording(dir.path(), TWO_MMHG, "1\t2\n3\t4\n\n", false);
    assert_eq!(read_all(&path, 1).unwrap().1, vec![1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn malformed_sidecars_and_missing_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"{"StartTime": 0, "Columns": ["a"], "a": {"Units": "mmHg"}}"#,
            "SamplingFrequency",
        ),
        (
            r#"{"SamplingFrequency": 1, "StartTime": 0, "Columns": ["a"]}"#,
            "missing key `a`",
        ),
        (
            r#"{"SamplingFrequency": 1, "StartTime": 0, "Columns": ["a"], "a": {"Units": "bar"}}"#,
            "unknown unit `bar`",
        ),
        (
            r#"{"SamplingFrequency": 1, "StartTime": 0, "Columns": ["a"], "a": {"Units": "N"}}"#,
            "SensorAreaMm2",
        ),
        (
            r#"{"SamplingFrequency": 1, "StartTime": 0, "Columns": ["t"], "t": {"Units": "s"}}"#,
            "no pressure column",
        ),
    ];
    for (json, what) in cases {
        let path = raw_recording(dir.path(), json, "1\n", false);
        let err = BidsSource::open(&path).err().unwrap().to_string();
        assert!(
            err.contains("r_physio.json:1:") && err.contains(what),
            "{err}"
        );
    }
    let err = BidsSource::open(&dir.path().join("none_physio.tsv.gz"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("none_physio.json"), "{err}");
    assert!(BidsSource::open(Path::new("x.mld")).is_err());
}

#[test]
fn corrupt_gzip_is_an_io_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<[f64; 2]> = (0..100_000).map(|i| [i as f64, 1.0]).collect();
    let paths = write_physio(dir.path(), "c", &info(2, 100.0), &rows).unwrap();
    let gz = paths.physio_tsv_gz();
    let mut bytes = std::fs::read(&gz).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&gz, bytes).unwrap();
    let err = read_all(&gz, 4096).unwrap_err().to_string();
    assert!(
        err.contains("c_physio.tsv.gz") && err.contains("truncated"),
        "{err}"
    );
}

#[test]
fn events_and_dataset_description() {
    let dir = tempfile::tempdir().unwrap();
    let p = BidsPaths::new(dir.path(), "s").events_tsv();
    let rows = vec![EventRow::stroke(1.25, 2.0, Mmhg(36.5), Some("in_window"))];
    write_events(&p, &rows).unwrap();
    assert_eq!(read_events(&p).unwrap(), rows);
    let d = write_dataset_description(dir.path(), "test set").unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d).unwrap()).unwrap();
    assert_eq!(v["Name"], "test set");
    assert!(v["BIDSVersion"].is_string());
}

fn reference(field: &str) -> Option<f64> {
    if field == "n/a" {
        Some(f64::NAN)
    } else {
        field.parse::<f64>().ok()
    }
}

fn same_parse(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (None, None) => true,
        _ => false,
    }
}

/// Number-like fields, mostly valid, some broken.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|v| v.to_string()),
        (any::<i32>(), 0u32..8).prop_map(|(m, d)| format!("{:.*}", d as usize, m as f64 / 1e3)),
        "[-+]?[0-9]{0,22}(\\.[0-9]{0,22})?([eE][-+]?[0-9]{1,3})?",
        "[-+.0-9eEa/n]{0,6}",
        Just("n/a".to_string()),
    ]
}

proptest! {
    #[test]
    fn fast_parser_agrees_with_str_parse(s in field()) {
        prop_assert!(same_parse(parse_field(s.as_bytes()), reference(&s)), "{s:?}");
        if s != "n/a" {
            prop_assert!(same_parse(parse_f64(s.as_bytes()), s.parse::<f64>().ok()), "{s:?}");
        }
    }

    #[test]
    fn row_parser_agrees_with_split_and_parse(fields in prop::collection::vec(field(), 1..6), n in 1usize..6) {
        let line = fields.join("\t");
        let mut got = vec![0.0; n];
        let ok = parse_row(line.as_bytes(), &mut got).is_ok();
        let reference: Vec<Option<f64>> = line.split('\t').map(reference).collect();
        let want_ok = reference.len() == n && reference.iter().all(Option::is_some);
        prop_assert_eq!(ok, want_ok, "{:?}", line);
        if ok {
            for (g, r) in got.iter().zip(&reference) {
                prop_assert!(same_parse(Some(*g), *r), "{:?}", line);
            }
        }
    }

    #[test]
    fn any_valid_text_reads_as_the_reference_parse(
        rows in prop::collection::vec(prop::collection::vec(field(), 2), 1..60),
        gz in any::<bool>(),
        block_rows in 1usize..8,
    ) {
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| r.into_iter().map(|f| if reference(&f).is_some() { f } else { "n/a".into() }).collect())
            .collect();
        let tsv: String = rows.iter().map(|r| r.join("\t") + "\n").collect();
        let dir = tempfile::tempdir().unwrap();
        let path = raw_recording(dir.path(), TWO_MMHG, &tsv, gz);
        let (_, got) = read_all(&path, block_rows).unwrap();
        let want: Vec<Option<f64>> = rows.iter().flatten().map(|f| reference(f)).collect();
        prop_assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            prop_assert!(same_parse(Some(*g), *w));
        }
    }
}

#[test]
fn export_writes_a_recording_as_bids_with_detected_strokes() {
    use mldsense::recording::RecordingSource;
    let dir = tempfile::tempdir().unwrap();
    let mld = dir.path().join("s1.mld");
    let bin = env!("CARGO_BIN_EXE_mldsense");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new(bin).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "simulate".as_ref(),
        "--duration".as_ref(),
        "12".as_ref(),
        "--record".as_ref(),
        mld.as_os_str(),
    ]);
    let out = dir.path().join("bids");
    run(&[
        "export".as_ref(),
        mld.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--events".as_ref(),
    ]);

    let physio = out.join("sub-s1/beh/sub-s1_task-mld_physio.tsv.gz");
    let (info, exported) = read_all(&physio, 1000).unwrap();
    let mut rec = RecordingSource::open(&mld, None).unwrap();
    assert_eq!(info.rate_hz, rec.info().rate_hz);
    assert_eq!(info.channel_count(), rec.info().channel_count());
    let mut block = Block::default();
    let mut original = Vec::new();
    while rec.next_block(&mut block).unwrap() {
        original.extend_from_slice(&block.values);
    }
    assert_eq!(exported.len(), original.len());
    let tol = 0.5 * 10f64.powi(-(DEFAULT_DECIMALS as i32)) + 1e-9;
    assert!(exported
        .iter()
        .zip(&original)
        .all(|(e, o)| same_value(*e, *o, tol)));
    let events = read_events(&out.join("sub-s1/beh/sub-s1_task-mld_events.tsv")).unwrap();
    assert!(events.len() >= 5, "{} strokes in 12 s", events.len());
    assert!(events
        .iter()
        .all(|e| e.peak.is_some() && e.grade.is_some() && e.duration_s > 0.0));
    assert!(out.join("dataset_description.json").is_file());
}

#[test]
fn dropping_a_source_early_stops_its_threads_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<[f64; 3]> = (0..200_000).map(|i| [i as f64, 1.0, 2.0]).collect();
    let paths = write_physio(dir.path(), "d", &info(3, 500.0), &rows).unwrap();
    for _ in 0..20 {
        let mut src = BidsSource::open(&paths.physio_tsv_gz())
            .unwrap()
            .with_block_rows(10);
        let mut block = Block::default();
        assert!(src.next_block(&mut block).unwrap());
        assert_eq!(block.values[..3], [0.0, 1.0, 2.0]);
        assert_eq!(src.rows_read(), 10);
        // Dropped here with most of the file unread: the reading threads see the hang-up.
    }
    // An opened but never read source is fine too.
    drop(BidsSource::open(&paths.physio_json()).unwrap());
}
