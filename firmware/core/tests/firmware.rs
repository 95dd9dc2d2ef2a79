//! The firmware core on the host, on a bench board whose clock, ADC, timer and button the test
//! drives: command handling and replies, rates and rate changes, counter and timestamp wrap, a
//! full output queue, commands arriving mid-block, tare, status events.

use mldsense_firmware::*;
use mldsense_protocol::{
    encode, ChannelDesc, Command, Decoder, DeviceInfo, Frame, Message, NakReason, ReplyResult,
    SampleBlock, SensorKind, Status, MAX_FRAME_LEN,
};
use proptest::prelude::*;
use std::collections::VecDeque;

/// A board under the test's control. The clock advances only when the test says (or by the
/// timer period on each [`Bench::fire`]).
#[derive(Debug, Default)]
struct Bench {
    now: u32,
    row: Vec<u16>,
    reads: u32,
    period: Option<u32>,
    starts: u32,
    button: bool,
    battery: Option<u16>,
    identified: u32,
}

impl Adc for Bench {
    fn read_row(&mut self, counts: &mut [u16]) {
        self.reads += 1;
        for (i, c) in counts.iter_mut().enumerate() {
            *c = self.row.get(i).copied().unwrap_or(0);
        }
    }
}
impl Clock for Bench {
    fn now_us(&mut self) -> u32 {
        self.now
    }
}
impl SampleTimer for Bench {
    fn start(&mut self, period_us: u32) {
        self.period = Some(period_us);
        self.starts += 1;
    }
    fn stop(&mut self) {
        self.period = None;
    }
}
impl Panel for Bench {
    fn take_button_press(&mut self) -> bool {
        std::mem::take(&mut self.button)
    }
    fn battery_mv(&mut self) -> Option<u16> {
        self.battery
    }
    fn identify(&mut self) {
        self.identified += 1;
    }
}

type Fw = Firmware<Bench, 4096>;

fn device(channels: usize) -> DeviceConfig {
    let names = ["thumb", "index", "middle", "ring", "little"];
    let descs: Vec<ChannelDesc> = (0..channels)
        .map(|i| ChannelDesc::new(names.get(i).copied().unwrap_or("ch"), 1267))
        .collect();
    DeviceConfig::new(4242, SensorKind::FSR_402, 12, &descs)
}

fn glove() -> Fw {
    let mut fw = Fw::new(Bench::default(), device(5));
    fw.board_mut().row = vec![10, 20, 30, 40, 50];
    fw
}

/// The timer fires: a tick at the current time, then the clock moves on one period.
fn fire<const Q: usize>(fw: &mut Firmware<Bench, Q>) -> Tick {
    let t = fw.tick();
    let period = fw.board().period.unwrap_or(0);
    fw.board_mut().now = fw.board().now.wrapping_add(period);
    t
}

/// Everything queued, decoded as the host would; panics on a bad frame (the firmware must never
/// send one).
fn frames<const Q: usize>(fw: &mut Firmware<Bench, Q>) -> Vec<Frame> {
    let mut bytes = Vec::new();
    while !fw.pending().is_empty() {
        let n = fw.pending().len();
        bytes.extend_from_slice(fw.pending());
        fw.consume(n);
    }
    let mut d = Decoder::new();
    let mut out = Vec::new();
    d.push(&bytes, |r| {
        out.push(r.expect("the firmware sends only valid frames"));
    });
    out
}

fn reply(f: &Frame) -> Option<(u8, u8, ReplyResult)> {
    match f.message {
        Message::Reply(r) => Some((r.command_seq, r.command_code, r.result)),
        _ => None,
    }
}

fn info(f: &Frame) -> Option<DeviceInfo> {
    match f.message {
        Message::DeviceInfo(i) => Some(i),
        _ => None,
    }
}

fn block(f: &Frame) -> Option<SampleBlock> {
    match f.message {
        Message::SampleBlock(b) => Some(b),
        _ => None,
    }
}

fn status(f: &Frame) -> Option<Status> {
    match f.message {
        Message::Status(s) => Some(s),
        _ => None,
    }
}

#[test]
fn get_info_and_start_answer_as_the_protocol_says() {
    let mut fw = glove();
    fw.board_mut().now = 1234;
    fw.receive(&host_command(7, Command::GetInfo));
    let got = frames(&mut fw);
    assert_eq!(got.len(), 2);
    assert_eq!(reply(&got[0]), Some((7, 6, ReplyResult::Ack)));
    assert_eq!(got[0].timestamp_us, 1234);
    let i = info(&got[1]).expect("DeviceInfo after the reply");
    assert_eq!((i.serial, i.channel_count, i.adc_bits), (4242, 5, 12));
    assert_eq!((i.rate_hz, i.rows_per_block), (200, 2));
    assert_eq!(i.firmware, FIRMWARE_VERSION);
    assert_eq!(i.channels()[1].name(), "index");
    assert_eq!(i.channels()[1].area_dmm2, 1267);
    // Other frames share one counter.
    assert_eq!((got[0].seq, got[1].seq), (0, 1));
    assert_eq!(fire(&mut fw), Tick::Idle, "no sampling before Start");
    assert_eq!(fw.board().reads, 0);

    fw.receive(&host_command(8, Command::Start));
    assert_eq!(fw.board().period, Some(5_000));
    let got = frames(&mut fw);
    assert_eq!(reply(&got[0]), Some((8, 1, ReplyResult::Ack)));
    assert!(info(&got[1]).is_some());
    assert_eq!(got[1].seq, 3);
    assert!(fw.streaming());
}

#[test]
fn every_supported_rate_paces_the_timer_and_sizes_the_blocks() {
    for &rate in &SUPPORTED_RATES {
        let mut fw = glove();
        fw.board_mut().now = 1_000_000;
        fw.receive(&host_command(0, Command::SetRate { rate_hz: rate }));
        fw.receive(&host_command(1, Command::Start));
        let period = 1_000_000 / u32::from(rate);
        assert_eq!(fw.board().period, Some(period), "{rate} Hz");
        let rows = rows_per_block_for(rate);
        let head = frames(&mut fw);
        assert_eq!(reply(&head[0]), Some((0, 3, ReplyResult::Ack)));
        assert_eq!(reply(&head[1]), Some((1, 1, ReplyResult::Ack)));
        let i = info(&head[2]).expect("DeviceInfo after Start");
        assert_eq!((i.rate_hz, i.rows_per_block), (rate, rows));
        // One second of ticks, the host reading as they come.
        let mut blocks = 0;
        let mut got = Vec::new();
        for _ in 0..rate {
            if let Tick::Block(b) = fire(&mut fw) {
                assert_eq!(b.rows, rows);
                assert!(b.frame_len > 0);
                blocks += 1;
            }
            got.extend(frames(&mut fw).into_iter().filter(|f| block(f).is_some()));
        }
        assert_eq!(fw.stats().blocks_overflowed, 0, "{rate} Hz");
        assert_eq!(got.len(), blocks);
        assert_eq!(blocks, usize::from(rate) / usize::from(rows));
        for (k, f) in got.iter().enumerate() {
            let b = block(f).expect("a block");
            assert_eq!(usize::from(b.row_count), usize::from(rows));
            assert_eq!(b.row(0), Some(&[10u16, 20, 30, 40, 50][..]));
            // Row 0 of block k was sampled k × rows periods after the first.
            let expected = 1_000_000 + k as u32 * u32::from(rows) * period;
            assert_eq!(f.timestamp_us, expected, "{rate} Hz block {k}");
            assert_eq!(f.seq, k as u8);
        }
    }
}

#[test]
fn rows_per_block_matches_a_plain_rounding_for_every_rate() {
    for rate in 0..=u16::MAX {
        let reference = (f64::from(rate) / 100.0).round().clamp(1.0, 16.0) as u8;
        assert_eq!(rows_per_block_for(rate), reference, "{rate}");
    }
}

#[test]
fn set_rate_is_refused_while_streaming_and_for_unsupported_rates() {
    let mut fw = glove();
    fw.receive(&host_command(1, Command::SetRate { rate_hz: 123 }));
    fw.receive(&host_command(2, Command::SetRate { rate_hz: 0 }));
    fw.receive(&host_command(3, Command::Start));
    fw.receive(&host_command(4, Command::SetRate { rate_hz: 500 }));
    let results: Vec<_> = frames(&mut fw).iter().filter_map(reply).collect();
    assert_eq!(
        results,
        vec![
            (1, 3, ReplyResult::Nak(NakReason::BadArgument)),
            (2, 3, ReplyResult::Nak(NakReason::BadArgument)),
            (3, 1, ReplyResult::Ack),
            (4, 3, ReplyResult::Nak(NakReason::Busy)),
        ]
    );
    assert_eq!(fw.rate_hz(), 200);
    assert_eq!(fw.board().period, Some(5_000));

    // A board that cannot go as fast refuses the faster rates.
    let mut slow = device(5);
    slow.max_rate_hz = 500;
    let mut fw = Fw::new(Bench::default(), slow);
    fw.receive(&host_command(1, Command::SetRate { rate_hz: 1000 }));
    fw.receive(&host_command(2, Command::SetRate { rate_hz: 500 }));
    let results: Vec<_> = frames(&mut fw)
        .iter()
        .filter_map(reply)
        .map(|r| r.2)
        .collect();
    assert_eq!(
        results,
        vec![ReplyResult::Nak(NakReason::BadArgument), ReplyResult::Ack]
    );
}

#[test]
fn a_rate_change_between_sessions_restarts_the_timer_and_keeps_counting() {
    let mut fw = glove();
    fw.receive(&host_command(0, Command::Start));
    for _ in 0..6 {
        fire(&mut fw);
    }
    fw.receive(&host_command(1, Command::Stop));
    assert_eq!(fw.board().period, None, "Stop stops the timer");
    assert_eq!(fire(&mut fw), Tick::Idle);
    fw.receive(&host_command(2, Command::SetRate { rate_hz: 1000 }));
    fw.board_mut().now = 50_000;
    fw.receive(&host_command(3, Command::Start));
    assert_eq!(fw.board().period, Some(1_000));
    assert_eq!(fw.board().starts, 2);
    for _ in 0..20 {
        fire(&mut fw);
    }
    let got = frames(&mut fw);
    let blocks: Vec<(u8, u8, u32)> = got
        .iter()
        .filter_map(|f| block(f).map(|b| (f.seq, b.row_count, f.timestamp_us)))
        .collect();
    // 3 blocks of 2 rows at 200 Hz, then 2 of 10 rows at 1000 Hz; the block counter goes on.
    assert_eq!(
        blocks,
        vec![
            (0, 2, 0),
            (1, 2, 10_000),
            (2, 2, 20_000),
            (3, 10, 50_000),
            (4, 10, 60_000)
        ]
    );
}

#[test]
fn counters_wrap_at_255_each_on_its_own() {
    let mut fw = glove();
    fw.receive(&host_command(0, Command::Start));
    let mut seqs = Vec::new();
    for round in 0..600u32 {
        fire(&mut fw);
        if round % 2 == 1 {
            // An Identify between blocks: its reply uses the other counter.
            fw.receive(&host_command(round as u8, Command::Identify));
        }
        seqs.extend(frames(&mut fw).iter().map(|f| (block(f).is_some(), f.seq)));
    }
    let block_seqs: Vec<u8> = seqs.iter().filter(|s| s.0).map(|s| s.1).collect();
    let other_seqs: Vec<u8> = seqs.iter().filter(|s| !s.0).map(|s| s.1).collect();
    assert_eq!(block_seqs.len(), 300);
    // Start's reply and DeviceInfo came first (0, 1); then one reply per two ticks.
    assert_eq!(other_seqs.len(), 302);
    for (i, s) in block_seqs.iter().enumerate() {
        assert_eq!(*s, (i % 256) as u8);
    }
    for (i, s) in other_seqs.iter().enumerate() {
        assert_eq!(*s, (i % 256) as u8);
    }
    assert_eq!(fw.board().identified, 300);
}

#[test]
fn timestamps_wrap_with_the_clock() {
    let mut fw = glove();
    fw.receive(&host_command(0, Command::SetRate { rate_hz: 1000 }));
    fw.board_mut().now = u32::MAX - 25_000;
    fw.receive(&host_command(1, Command::Start));
    frames(&mut fw);
    for _ in 0..100 {
        fire(&mut fw);
    }
    let stamps: Vec<u32> = frames(&mut fw)
        .iter()
        .filter(|f| block(f).is_some())
        .map(|f| f.timestamp_us)
        .collect();
    assert_eq!(stamps.len(), 10);
    assert!(
        stamps[0] > u32::MAX - 30_000 && stamps[9] < 100_000,
        "{stamps:?}"
    );
    // The host extends them by signed differences: every step is exactly one block.
    for w in stamps.windows(2) {
        assert_eq!(w[1].wrapping_sub(w[0]) as i32, 10_000);
    }
}

#[test]
fn a_full_output_queue_drops_whole_blocks_and_the_host_sees_the_gap() {
    // 256 bytes: two blocks of 10 rows × 5 channels (about 115 bytes each) fit, a third does not.
    let mut fw: Firmware<Bench, 256> = Firmware::new(Bench::default(), device(5));
    fw.board_mut().row = vec![1, 2, 3, 4, 5];
    fw.receive(&host_command(0, Command::SetRate { rate_hz: 1000 }));
    fw.receive(&host_command(1, Command::Start));
    frames(&mut fw);
    let mut bytes = Vec::new();
    let mut outcomes = Vec::new();
    for i in 0..400 {
        if let Tick::Block(b) = fire(&mut fw) {
            outcomes.push(b);
        }
        assert!(fw.queued() <= 256);
        // The host reads only now and then.
        if i % 97 == 0 {
            while !fw.pending().is_empty() {
                let n = fw.pending().len();
                bytes.extend_from_slice(fw.pending());
                fw.consume(n);
            }
        }
    }
    while !fw.pending().is_empty() {
        let n = fw.pending().len();
        bytes.extend_from_slice(fw.pending());
        fw.consume(n);
    }
    let s = fw.stats();
    assert!(s.blocks_overflowed > 20, "{s:?}");
    assert_eq!(s.blocks_sent + s.blocks_overflowed, 40);
    assert_eq!(s.rows_sent + 10 * s.blocks_overflowed, s.rows_sampled);
    // No torn frame: everything that went out decodes; the missing sequence numbers are
    // exactly the dropped blocks.
    let mut d = Decoder::new();
    let mut seqs = Vec::new();
    d.push(&bytes, |r| {
        let f = r.expect("only whole frames are sent");
        if block(&f).is_some() {
            seqs.push(f.seq);
        }
    });
    let dropped: Vec<u8> = outcomes
        .iter()
        .filter(|b| b.frame_len == 0)
        .map(|b| b.seq)
        .collect();
    let sent: Vec<u8> = outcomes
        .iter()
        .filter(|b| b.frame_len > 0)
        .map(|b| b.seq)
        .collect();
    assert_eq!(seqs, sent);
    assert_eq!(dropped.len() as u64, s.blocks_overflowed);
    // A reply still gets through once the host reads again.
    fw.receive(&host_command(9, Command::Stop));
    assert_eq!(
        frames(&mut fw).iter().filter_map(reply).next_back(),
        Some((9, 2, ReplyResult::Ack))
    );
}

#[test]
fn a_command_mid_block_is_answered_at_once_without_disturbing_the_block() {
    let mut fw = glove();
    fw.receive(&host_command(0, Command::SetRate { rate_hz: 1000 }));
    fw.receive(&host_command(1, Command::Start));
    frames(&mut fw);
    for _ in 0..4 {
        fire(&mut fw);
    }
    // Identify arrives in three pieces, with a row sampled between them.
    let cmd = host_command(2, Command::Identify);
    fw.receive(&cmd[..5]);
    fire(&mut fw);
    fw.receive(&cmd[5..9]);
    fire(&mut fw);
    fw.receive(&cmd[9..]);
    assert_eq!(fw.rows_in_block(), 6);
    for _ in 0..4 {
        fire(&mut fw);
    }
    let got = frames(&mut fw);
    // The reply went out at once, before the block it arrived in was full.
    assert_eq!(reply(&got[0]), Some((2, 4, ReplyResult::Ack)));
    let b = block(&got[1]).expect("the block");
    assert_eq!(b.row_count, 10);
    assert_eq!(got.len(), 2);
    assert_eq!(fw.board().identified, 1);
    for _ in 0..3 {
        fire(&mut fw);
    }

    // Stop mid-block: the rows so far go out as a short block, then the ack.
    let pending = fw.rows_in_block();
    assert_eq!(pending, 3);
    fw.receive(&host_command(3, Command::Stop));
    let got = frames(&mut fw);
    assert_eq!(block(&got[0]).map(|b| b.row_count), Some(pending));
    assert_eq!(reply(&got[1]), Some((3, 2, ReplyResult::Ack)));
    assert_eq!(got.len(), 2);
    // The next Start begins a full block.
    fw.receive(&host_command(4, Command::Start));
    for _ in 0..10 {
        fire(&mut fw);
    }
    let rows: Vec<u8> = frames(&mut fw)
        .iter()
        .filter_map(block)
        .map(|b| b.row_count)
        .collect();
    assert_eq!(rows, vec![10]);
}

/// A command frame with any code and argument, with a correct CRC.
fn raw_command(seq: u8, code: u8, argument: u16) -> Vec<u8> {
    let body_wo_crc = {
        let mut b = vec![1u8, 0x80, seq, 0, 0, 0, 0, code];
        b.extend_from_slice(&argument.to_le_bytes());
        b
    };
    let extra = mldsense_protocol::message::crc_extra_of(0x80).expect("command type");
    let crc = mldsense_protocol::crc::crc16_update(
        mldsense_protocol::crc::crc16_update(mldsense_protocol::crc::CRC_INIT, &body_wo_crc),
        &[extra],
    );
    let mut body = body_wo_crc;
    body.extend_from_slice(&crc.to_le_bytes());
    let mut wire = vec![0u8; 32];
    let n = mldsense_protocol::cobs::encode(&body, &mut wire).expect("fits");
    wire.truncate(n);
    wire.insert(0, 0);
    wire.push(0);
    wire
}

#[test]
fn unknown_codes_and_bad_arguments_are_naked_and_damaged_frames_ignored() {
    let mut fw = glove();
    fw.receive(&raw_command(5, 0x42, 0));
    fw.receive(&raw_command(6, 1, 7)); // Start with an argument
    let mut damaged = raw_command(7, 2, 0);
    damaged[5] ^= 0x10;
    fw.receive(&damaged);
    fw.receive(&[0x55; 100]); // line noise longer than any command
    fw.receive(&[0]);
    // A device frame echoed back is not a command.
    let mut wire = [0u8; MAX_FRAME_LEN];
    let n = encode(
        &Frame {
            seq: 1,
            timestamp_us: 0,
            message: Message::Status(Status {
                flags: 0,
                saturated: 0,
                battery_mv: 0,
            }),
        },
        &mut wire,
    )
    .expect("encodes");
    fw.receive(&wire[..n]);
    fw.receive(&host_command(8, Command::GetInfo));
    let got: Vec<_> = frames(&mut fw).iter().filter_map(reply).collect();
    assert_eq!(
        got,
        vec![
            (5, 0x42, ReplyResult::Nak(NakReason::UnknownCommand)),
            (6, 1, ReplyResult::Nak(NakReason::BadArgument)),
            (8, 6, ReplyResult::Ack),
        ]
    );
    assert_eq!(fw.stats().bad_frames, 3);
    assert_eq!(fw.stats().commands, 3);
    assert!(!fw.streaming());
}

#[test]
fn tare_zeroes_the_current_reading_but_not_full_scale() {
    let mut fw = glove();
    fw.board_mut().row = vec![100, 200, 4095, 0, 7];
    fw.receive(&host_command(0, Command::Tare));
    assert_eq!(fw.zeros(), &[100, 200, 0, 0, 7]);
    assert_eq!(fw.board().reads, 1, "idle: Tare reads the ADC itself");
    fw.board_mut().row = vec![150, 150, 4095, 3, 7];
    fw.receive(&host_command(1, Command::Start));
    fire(&mut fw);
    fire(&mut fw);
    let got = frames(&mut fw);
    let b = got.iter().find_map(block).expect("a block");
    assert_eq!(b.row(0), Some(&[50u16, 0, 4095, 3, 0][..]));
    let s = got.iter().find_map(status).expect("saturation is reported");
    assert_eq!(s.saturated, 0b100);
    // Tare while streaming takes the last row sampled, without an extra conversion.
    let reads = fw.board().reads;
    fw.receive(&host_command(2, Command::Tare));
    assert_eq!(fw.board().reads, reads);
    assert_eq!(fw.zeros(), &[150, 150, 0, 3, 7]);
}

#[test]
fn status_reports_marker_saturation_onsets_and_low_battery() {
    let mut fw = glove();
    fw.board_mut().battery = Some(3900);
    fw.receive(&host_command(0, Command::SetRate { rate_hz: 1000 }));
    fw.board_mut().button = true; // pressed while idle: marks nothing
    fw.receive(&host_command(1, Command::Start));
    frames(&mut fw);
    let t0 = fw.board().now;
    for i in 0..100u32 {
        if i == 13 {
            fw.board_mut().button = true;
        }
        if (30..60).contains(&i) {
            fw.board_mut().row[1] = 4095; // channel 1 held at full scale for 30 rows
        } else {
            fw.board_mut().row[1] = 20;
        }
        fire(&mut fw);
    }
    let got = frames(&mut fw);
    let statuses: Vec<(u32, Status)> = got
        .iter()
        .filter_map(|f| status(f).map(|s| (f.timestamp_us.wrapping_sub(t0), s)))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (
                13_000,
                Status {
                    flags: Status::MARKER,
                    saturated: 0,
                    battery_mv: 3900
                }
            ),
            (
                30_000,
                Status {
                    flags: 0,
                    saturated: 0b10,
                    battery_mv: 3900
                }
            ),
            (
                60_000,
                Status {
                    flags: 0,
                    saturated: 0,
                    battery_mv: 3900
                }
            ),
        ],
        "one Status per change, not one per saturated block"
    );
    // Each Status follows the block it happened in.
    let order: Vec<bool> = got.iter().map(|f| status(f).is_some()).collect();
    assert!(!order[0] && order[2] && order[5] && order[9], "{order:?}");

    // The battery sags below the threshold: checked once a second.
    fw.board_mut().battery = Some(3400);
    for _ in 0..1000 {
        fire(&mut fw);
    }
    let low: Vec<Status> = frames(&mut fw).iter().filter_map(status).collect();
    assert_eq!(low.len(), 1);
    assert_eq!(low[0].flags, Status::LOW_BATTERY);
    assert_eq!(low[0].battery_mv, 3400);
}

#[test]
fn connected_sends_a_lone_delimiter_and_forgets_half_a_command() {
    let mut fw = glove();
    let cmd = host_command(3, Command::GetInfo);
    fw.receive(&cmd[..6]);
    fw.connected();
    assert_eq!(fw.pending(), &[0]);
    fw.consume(1);
    // The rest of the torn command is not mistaken for a frame.
    fw.receive(&cmd[6..]);
    assert!(frames(&mut fw).is_empty());
    assert_eq!(fw.stats().bad_frames, 1);
}

/// A link that takes at most `max` bytes a call.
struct Slow {
    max: usize,
    got: Vec<u8>,
}
impl Link for Slow {
    fn write(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.max);
        self.got.extend_from_slice(&bytes[..n]);
        n
    }
}

#[test]
fn flush_sends_in_the_links_pieces_in_order() {
    let mut fw = glove();
    fw.receive(&host_command(0, Command::GetInfo));
    let expected: Vec<u8> = fw.pending().to_vec();
    let mut link = Slow {
        max: 7,
        got: Vec::new(),
    };
    assert_eq!(fw.flush(&mut link), expected.len());
    assert_eq!(link.got, expected);
    assert_eq!(fw.queued(), 0);
    let mut busy = Slow {
        max: 0,
        got: Vec::new(),
    };
    fw.receive(&host_command(1, Command::GetInfo));
    assert_eq!(fw.flush(&mut busy), 0);
    assert!(fw.queued() > 0);
}

#[derive(Clone, Debug)]
enum QueueOp {
    Push(Vec<u8>),
    Consume(usize),
}

fn queue_op() -> impl Strategy<Value = QueueOp> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(QueueOp::Push),
        (0usize..50).prop_map(QueueOp::Consume),
    ]
}

proptest! {
    /// The ring behaves as a plain double-ended queue that refuses what does not fit.
    #[test]
    fn out_queue_matches_a_vecdeque(ops in proptest::collection::vec(queue_op(), 0..200)) {
        let mut q: OutQueue<64> = OutQueue::new();
        let mut reference: VecDeque<u8> = VecDeque::new();
        for op in ops {
            match op {
                QueueOp::Push(bytes) => {
                    let fits = reference.len() + bytes.len() <= 64;
                    prop_assert_eq!(q.push(&bytes), fits);
                    if fits {
                        reference.extend(bytes);
                    }
                }
                QueueOp::Consume(n) => {
                    let peek = q.peek().to_vec();
                    prop_assert!(!peek.is_empty() || reference.is_empty());
                    let front: Vec<u8> = reference.iter().take(peek.len()).copied().collect();
                    prop_assert_eq!(peek, front);
                    q.consume(n);
                    for _ in 0..n.min(reference.len()) {
                        reference.pop_front();
                    }
                }
            }
            prop_assert_eq!(q.len(), reference.len());
            prop_assert_eq!(q.free(), 64 - reference.len());
        }
        // Draining in peeks yields exactly the reference's bytes.
        let mut all = Vec::new();
        while !q.is_empty() {
            let p = q.peek().to_vec();
            q.consume(p.len());
            all.extend(p);
        }
        prop_assert_eq!(all, reference.into_iter().collect::<Vec<_>>());
    }

    /// However the host's bytes are split into reads, the replies are the same.
    #[test]
    fn replies_do_not_depend_on_how_commands_are_chunked(
        cuts in proptest::collection::vec(1usize..20, 1..40),
        codes in proptest::collection::vec(0u8..9, 1..12),
    ) {
        let mut stream = Vec::new();
        for (i, &c) in codes.iter().enumerate() {
            stream.extend(raw_command(i as u8, c, if c == 3 { 500 } else { 0 }));
        }
        let mut whole = glove();
        whole.receive(&stream);
        let expected: Vec<_> = frames(&mut whole).iter().filter_map(reply).collect();
        prop_assert_eq!(expected.len(), codes.len());
        let mut chunked = glove();
        let mut rest = &stream[..];
        let mut k = 0;
        while !rest.is_empty() {
            let n = cuts[k % cuts.len()].min(rest.len());
            chunked.receive(&rest[..n]);
            rest = &rest[n..];
            k += 1;
        }
        let got: Vec<_> = frames(&mut chunked).iter().filter_map(reply).collect();
        prop_assert_eq!(got, expected);
    }
}

#[test]
fn a_front_end_that_tops_out_below_full_scale_still_reports_saturation() {
    let mut config = device(2);
    config.saturation_counts = 4000;
    let mut fw = Fw::new(Bench::default(), config);
    fw.board_mut().row = vec![100, 100];
    fw.receive(&host_command(0, Command::Tare));
    fw.board_mut().row = vec![4033, 3999];
    fw.receive(&host_command(1, Command::Start));
    fire(&mut fw);
    fire(&mut fw);
    let got = frames(&mut fw);
    let b = got.iter().find_map(block).expect("a block");
    // Below full scale the counts are still zeroed by the tare.
    assert_eq!(b.row(0), Some(&[3933u16, 3899][..]));
    let s = got.iter().find_map(status).expect("saturation is reported");
    assert_eq!(s.saturated, 0b01);
}

#[test]
fn a_host_that_goes_away_stops_the_stream() {
    let mut fw = glove();
    fw.receive(&host_command(0, Command::SetRate { rate_hz: 1000 }));
    fw.receive(&host_command(1, Command::Start));
    for _ in 0..15 {
        fire(&mut fw);
    }
    assert!(fw.queued() > 0);
    fw.disconnected();
    assert!(!fw.streaming());
    assert_eq!(fw.board().period, None, "the timer is stopped");
    assert_eq!(fw.queued(), 0, "nothing is kept for a host that is gone");
    assert_eq!(fire(&mut fw), Tick::Idle);
    // The host comes back: a lone delimiter, then a fresh Start streams full blocks again.
    fw.connected();
    fw.receive(&host_command(2, Command::Start));
    for _ in 0..10 {
        fire(&mut fw);
    }
    let got = frames(&mut fw);
    let rows: Vec<u8> = got.iter().filter_map(block).map(|b| b.row_count).collect();
    assert_eq!(rows, vec![10]);
    // The block counter was not reset: one block went out before the disconnect.
    let seq = got.iter().find(|f| block(f).is_some()).map(|f| f.seq);
    assert_eq!(seq, Some(1));
}
