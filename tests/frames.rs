//! Host-side frame assembly: row indices from sequence numbers, lost frames as the right number
//! of NaN rows, device-time wrap-around, events at their rows, and chunking that changes nothing.

use mldsense::calibration::{default_curve, Calibration, SensorCalibration, SensorCurve};
use mldsense::frames::{CalibratedStream, FrameAssembler, FrameItem};
use mldsense::stream::{Block, StreamEvent};
use mldsense::units::SquareMillimetres;
use mldsense_protocol::*;
use proptest::prelude::*;

const RATE: u16 = 500;
const ROWS: u8 = 4;
const CH: usize = 3;

fn info() -> DeviceInfo {
    let mut channels = [ChannelDesc::new("", 0); MAX_CHANNELS];
    for (i, n) in ["thumb", "index", "middle"].iter().enumerate() {
        channels[i] = ChannelDesc::new(n, 1267);
    }
    DeviceInfo {
        firmware: [0, 1, 0],
        serial: 77,
        sensor_kind: SensorKind::FSR_402,
        adc_bits: 12,
        rate_hz: RATE,
        rows_per_block: ROWS,
        channel_count: CH as u8,
        channels,
    }
}

fn wire(frame: &Frame) -> Vec<u8> {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = encode(frame, &mut buf).unwrap();
    buf[..n].to_vec()
}

/// Block `k` of a stream starting at device time `t0`: counts encode the row index.
fn block(k: u64, t0: u32) -> Frame {
    let first = k * u64::from(ROWS);
    let counts: Vec<u16> = (0..u64::from(ROWS) * CH as u64)
        .map(|i| ((first + i / CH as u64) % 4000) as u16 + (i % CH as u64) as u16)
        .collect();
    let us_per_block = 1_000_000 / u32::from(RATE) * u32::from(ROWS);
    Frame {
        seq: (k % 256) as u8,
        timestamp_us: t0.wrapping_add((k as u32).wrapping_mul(us_per_block)),
        message: Message::SampleBlock(SampleBlock::new(CH, &counts).unwrap()),
    }
}

fn items(bytes: &[u8], chunk: usize) -> (Vec<FrameItem>, FrameAssembler) {
    let mut a = FrameAssembler::with_info(info());
    let mut out = Vec::new();
    for c in bytes.chunks(chunk.max(1)) {
        a.push(c, |i| out.push(i));
    }
    (out, a)
}

#[test]
fn lost_blocks_become_missing_rows_at_the_right_index() {
    let kept = [0u64, 1, 2, 5, 6, 9];
    let bytes: Vec<u8> = kept.iter().flat_map(|&k| wire(&block(k, 1000))).collect();
    let (items, a) = items(&bytes, 13);
    let rows: Vec<u64> = items
        .iter()
        .filter_map(|i| match i {
            FrameItem::Rows(r) => Some(r.start_row),
            _ => None,
        })
        .collect();
    assert_eq!(rows, kept.iter().map(|k| k * 4).collect::<Vec<_>>());
    let gaps: Vec<(u64, u64)> = items
        .iter()
        .filter_map(|i| match i {
            FrameItem::Gap { start_row, rows } => Some((*start_row, *rows)),
            _ => None,
        })
        .collect();
    assert_eq!(gaps, vec![(12, 8), (28, 8)]);
    let s = a.stats();
    assert_eq!(s.sequence_gaps, 2);
    assert_eq!(s.blocks_lost, 4);
    assert_eq!(s.rows_lost, 16);
    assert_eq!(s.rows, 24);
    assert_eq!(a.next_row(), 40);
}

#[test]
fn sequence_wrap_is_not_a_gap_and_device_time_unwraps() {
    // 600 blocks: the 8-bit sequence wraps twice, and device time wraps past 2^32 µs.
    let t0 = u32::MAX - 500_000;
    let bytes: Vec<u8> = (0..600).flat_map(|k| wire(&block(k, t0))).collect();
    let (items, a) = items(&bytes, 97);
    assert_eq!(a.stats().sequence_gaps, 0);
    let times: Vec<u64> = items
        .iter()
        .filter_map(|i| match i {
            FrameItem::Rows(r) => Some(r.device_time_us),
            _ => None,
        })
        .collect();
    assert_eq!(times.len(), 600);
    for (k, t) in times.iter().enumerate() {
        assert_eq!(*t, u64::from(t0) + k as u64 * 8_000, "block {k}");
    }
    assert!(times[599] > u64::from(u32::MAX));
    // Row time ↔ device time: row 4·599 is block 599's first row.
    assert_eq!(a.device_time_of_row(4 * 599), Some(times[599]));
    assert_eq!(a.device_time_of_row(4 * 599 + 3), Some(times[599] + 6_000));
    assert_eq!(a.device_time_of_row(0), Some(u64::from(t0)));
}

#[test]
fn a_dropout_longer_than_256_blocks_is_measured_by_device_time() {
    // Blocks 0..=9, then 300 blocks lost, then 310..: the 8-bit gap alone would say 44.
    let bytes: Vec<u8> = (0..10)
        .chain(310..320)
        .flat_map(|k| wire(&block(k, 0)))
        .collect();
    let (_, a) = items(&bytes, 64);
    assert_eq!(a.stats().blocks_lost, 300);
    assert_eq!(a.next_row(), 320 * 4);
}

#[test]
fn status_events_land_at_the_row_of_their_device_time() {
    let mut bytes: Vec<u8> = (0..5).flat_map(|k| wire(&block(k, 0))).collect();
    // 30 ms after block 0's first row: row 15 at 500 Hz.
    bytes.extend(wire(&Frame {
        seq: 0,
        timestamp_us: 30_000,
        message: Message::Status(Status {
            flags: Status::MARKER | Status::LOW_BATTERY,
            saturated: 0b101,
            battery_mv: 3300,
        }),
    }));
    let mut s = CalibratedStream::new(info(), None);
    let mut out = Block::default();
    s.push_bytes(&bytes, &mut out).unwrap();
    let mut ev = out.events.clone();
    ev.sort_by_key(|(r, e)| (*r, format!("{e:?}")));
    assert_eq!(
        ev,
        vec![
            (15, StreamEvent::LowBattery),
            (15, StreamEvent::Marker),
            (15, StreamEvent::Saturation { channel: 0 }),
            (15, StreamEvent::Saturation { channel: 2 }),
        ]
    );
}

#[test]
fn calibrated_rows_use_the_curve_and_nan_fill_gaps() {
    let mut cal = Calibration::default();
    cal.insert(SensorCalibration {
        device_serial: 77,
        channel: 1,
        name: None,
        curve: SensorCurve::linear(10.0, 0.004),
        area: Some(SquareMillimetres(100.0)),
        rms_error: None,
    });
    let bytes: Vec<u8> = [0u64, 2].iter().flat_map(|&k| wire(&block(k, 0))).collect();
    let mut s = CalibratedStream::new(info(), Some(cal));
    assert_eq!(
        s.warnings().len(),
        1,
        "channels 0 and 2 are on the default curve"
    );
    let mut out = Block::default();
    s.push_bytes(&bytes, &mut out).unwrap();
    assert_eq!(out.start_row, 0);
    assert_eq!(out.rows(CH), 12);
    assert!(out.events.contains(&(4, StreamEvent::Gap { rows: 4 })));
    for row in 4..8 {
        assert!(out.values[row * CH..(row + 1) * CH]
            .iter()
            .all(|v| v.is_nan()));
    }
    // Row 9 (block 2, row 1): counts 9, 10, 11.
    let r9 = &out.values[9 * CH..10 * CH];
    let default = default_curve(SensorKind::FSR_402, 12);
    let expect0 = default.force(9.0).over(SquareMillimetres(126.7)).0;
    let expect1 = SensorCurve::linear(10.0, 0.004)
        .force(10.0)
        .over(SquareMillimetres(100.0))
        .0;
    assert!((r9[0] - expect0).abs() < 1e-12);
    assert!((r9[1] - expect1).abs() < 1e-12);
    assert_eq!(r9[1], 0.0, "10 counts is channel 1's zero");
}

#[test]
fn replies_are_collected_for_the_handshake() {
    let bytes = wire(&Frame {
        seq: 9,
        timestamp_us: 5,
        message: Message::Reply(Reply {
            command_seq: 2,
            command_code: 1,
            result: ReplyResult::Ack,
        }),
    });
    let mut s = CalibratedStream::new(info(), None);
    let mut out = Block::default();
    s.push_bytes(&bytes, &mut out).unwrap();
    let r = s.take_replies();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].1.command_seq, 2);
    assert!(s.take_replies().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever the chunking and whichever blocks are lost, the rows come out at the index the
    /// device gave them, and rows + lost rows = next row index.
    #[test]
    fn chunking_and_losses_never_misplace_rows(
        keep in proptest::collection::vec(any::<bool>(), 1..120),
        chunk in 1usize..200,
    ) {
        let kept: Vec<u64> = keep.iter().enumerate().filter(|(_, k)| **k).map(|(i, _)| i as u64).collect();
        prop_assume!(!kept.is_empty());
        let bytes: Vec<u8> = kept.iter().flat_map(|&k| wire(&block(k, 42))).collect();
        let (whole, _) = items(&bytes, bytes.len());
        let (chunked, a) = items(&bytes, chunk);
        prop_assert_eq!(&whole, &chunked);
        let mut s = CalibratedStream::new(info(), None);
        let mut out = Block::default();
        for c in bytes.chunks(chunk) {
            s.push_bytes(c, &mut out).unwrap();
        }
        let first = kept[0];
        // Rows are numbered from the first block received.
        prop_assert_eq!(out.start_row, 0);
        prop_assert_eq!(out.rows(CH) as u64, (kept.last().unwrap() + 1 - first) * 4);
        for &k in &kept {
            let row = ((k - first) * 4) as usize;
            // Channel 0's count is the row index (mod 4000): check it through the default curve.
            let expect = default_curve(SensorKind::FSR_402, 12)
                .force(((k * 4) % 4000) as f64)
                .over(SquareMillimetres(126.7))
                .0;
            prop_assert!((out.values[row * CH] - expect).abs() < 1e-9);
        }
        let st = a.stats();
        prop_assert_eq!(st.rows + st.rows_lost, (kept.last().unwrap() + 1 - first) * 4);
    }
}
