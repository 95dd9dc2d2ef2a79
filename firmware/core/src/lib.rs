//! # mldsense-firmware
//!
//! The glove's firmware, without the board: it samples every channel at the set rate when the
//! board's timer says so, packs rows into `SampleBlock`s, numbers and timestamps every frame,
//! answers the host's commands (`Start`, `Stop`, `SetRate`, `Identify`, `Tare`, `GetInfo`) and
//! reports saturation, the button marker and a low battery, all as
//! `firmware-protocol/PROTOCOL.md` says. `no_std`, no heap, no `unsafe`.
//!
//! A board supplies five small traits ([`Adc`], [`Clock`], [`SampleTimer`], [`Panel`], and
//! [`Link`] for the serial port) and calls three methods: [`Firmware::tick`] from its sample
//! timer's interrupt, [`Firmware::receive`] with the bytes the host sent, and
//! [`Firmware::flush`] (or [`Firmware::pending`] / [`Firmware::consume`]) to send. The same
//! code runs on the STM32F411 board (`firmware/blackpill`) and inside the host's virtual glove
//! (`mldsense::sim::firmware`), so every test through the virtual glove exercises it.
//!
//! Why traits of our own rather than `embedded-hal`'s: embedded-hal 1.0 dropped the ADC and
//! count-down timer traits of 0.2 (`adc::OneShot`, `timer::CountDown`), and `embedded-io`'s
//! `Write` blocks until a byte is taken, which code called from a timer interrupt must never
//! do. The traits here are one or two methods each; a board implements them over its HAL in a
//! few lines.
//!
//! ```
//! use mldsense_firmware::*;
//! use mldsense_protocol::{ChannelDesc, SensorKind};
//!
//! #[derive(Default)]
//! struct Bench { t: u32, period: Option<u32> }
//! impl Adc for Bench { fn read_row(&mut self, counts: &mut [u16]) { counts.fill(100) } }
//! impl Clock for Bench { fn now_us(&mut self) -> u32 { self.t } }
//! impl SampleTimer for Bench {
//!     fn start(&mut self, period_us: u32) { self.period = Some(period_us) }
//!     fn stop(&mut self) { self.period = None }
//! }
//! impl Panel for Bench {}
//!
//! let device = DeviceConfig::new(42, SensorKind::FSR_402, 12, &[ChannelDesc::new("index", 1267)]);
//! let mut fw: Firmware<Bench, 1024> = Firmware::new(Bench::default(), device);
//! fw.receive(&host_command(0, mldsense_protocol::Command::Start));
//! assert_eq!(fw.board().period, Some(5_000)); // 200 Hz
//! fw.tick(); // the timer fired
//! fw.tick();
//! assert_eq!(fw.stats().blocks_sent, 1); // 2 rows per block at 200 Hz
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod command;
pub mod queue;

pub use command::{CommandReader, Incoming, COMMAND_BUF};
pub use queue::OutQueue;

use mldsense_protocol::{
    encode, ChannelDesc, Command, DeviceInfo, Frame, Message, NakReason, Reply, ReplyResult,
    SampleBlock, SensorKind, Status, MAX_CHANNELS, MAX_FRAME_LEN, MAX_ROWS_PER_BLOCK, MAX_SAMPLES,
};

/// The analogue front end: one row is one reading of every channel, taken together.
pub trait Adc {
    /// Reads every channel into `counts` (`counts.len()` is the channel count), as raw ADC
    /// counts proportional to each sensor's conductance (PROTOCOL.md's measurement contract).
    fn read_row(&mut self, counts: &mut [u16]);
}

/// The device clock.
pub trait Clock {
    /// Free-running microseconds, wrapping at 2³² (every 71.6 minutes).
    fn now_us(&mut self) -> u32;
}

/// The hardware timer that paces sampling: once started, it calls [`Firmware::tick`] every
/// period (from its interrupt, or a task woken by it), never from a busy loop.
pub trait SampleTimer {
    /// Starts (or restarts) ticking every `period_us` microseconds.
    fn start(&mut self, period_us: u32);
    /// Stops ticking.
    fn stop(&mut self);
}

/// What the glove has besides its sensors; every method has a default for boards without it.
pub trait Panel {
    /// Whether the marker button was pressed since the last call (the board latches presses
    /// and debounces them).
    fn take_button_press(&mut self) -> bool {
        false
    }
    /// The battery voltage, if the board can measure it.
    fn battery_mv(&mut self) -> Option<u16> {
        None
    }
    /// Starts blinking the LED so the user can tell which glove this is (returns at once).
    fn identify(&mut self) {}
}

/// The board: all of the above.
pub trait Board: Adc + Clock + SampleTimer + Panel {}
impl<T: Adc + Clock + SampleTimer + Panel> Board for T {}

/// The serial link to the host.
pub trait Link {
    /// Hands over as many of `bytes` as the link can take now, without waiting; returns how
    /// many it took (0 when it is busy or nobody is listening).
    fn write(&mut self, bytes: &[u8]) -> usize;
}

/// This firmware's version, as `DeviceInfo` reports it (the crate's version).
pub const FIRMWARE_VERSION: [u8; 3] = [
    parse_u8(env!("CARGO_PKG_VERSION_MAJOR")),
    parse_u8(env!("CARGO_PKG_VERSION_MINOR")),
    parse_u8(env!("CARGO_PKG_VERSION_PATCH")),
];

const fn parse_u8(s: &str) -> u8 {
    let b = s.as_bytes();
    let mut v: u32 = 0;
    let mut i = 0;
    while i < b.len() {
        v = v * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    if v > 255 {
        255
    } else {
        v as u8
    }
}

/// Sample rates `SetRate` accepts, rows per second (up to the board's
/// [`DeviceConfig::max_rate_hz`]). Each divides a second into whole microseconds, so the timer
/// period is exact and rows within a block are exactly 1/rate apart, as PROTOCOL.md promises.
pub const SUPPORTED_RATES: [u16; 7] = [50, 100, 200, 250, 500, 1000, 2000];

/// The rate after power-up, rows per second.
pub const DEFAULT_RATE_HZ: u16 = 200;

/// Below this the `Status` low-battery flag is set: a single Li-ion cell at about 10 % left.
pub const LOW_BATTERY_MV: u16 = 3500;

/// Rows per `SampleBlock` at `rate_hz`: about 100 blocks a second, inside PROTOCOL.md's 50–200,
/// so one lost frame costs at most 10 ms and the live view's latency stays near 10 ms.
pub const fn rows_per_block_for(rate_hz: u16) -> u8 {
    let rows = (rate_hz as u32 + 50) / 100;
    if rows < 1 {
        1
    } else if rows > MAX_ROWS_PER_BLOCK as u32 {
        MAX_ROWS_PER_BLOCK as u8
    } else {
        rows as u8
    }
}

/// What the glove is, fixed by its build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceConfig {
    /// Firmware version reported in `DeviceInfo`.
    pub firmware: [u8; 3],
    /// The glove's serial number (names its sensors in calibration files).
    pub serial: u32,
    /// Sensor kind of every channel.
    pub sensor_kind: SensorKind,
    /// ADC resolution, 1–16 bits.
    pub adc_bits: u8,
    /// Channels in use, 1–16.
    pub channel_count: u8,
    /// The first `channel_count` entries name the channels.
    pub channels: [ChannelDesc; MAX_CHANNELS],
    /// The rate after power-up.
    pub rate_hz: u16,
    /// The fastest rate this board samples reliably.
    pub max_rate_hz: u16,
    /// Raw counts at or above which a channel is at the top of its range (`Status` saturation).
    /// The ADC's full scale unless the front end tops out below it: a rail-to-rail op-amp's
    /// output stops some tens of millivolts short of the supply, so its ADC never reads 4095.
    pub saturation_counts: u16,
}

impl DeviceConfig {
    /// A glove with `channels` (at most 16 are kept; at least one should be given), this
    /// crate's version, [`DEFAULT_RATE_HZ`] and a 2000 Hz limit.
    pub fn new(
        serial: u32,
        sensor_kind: SensorKind,
        adc_bits: u8,
        channels: &[ChannelDesc],
    ) -> Self {
        let mut table = [ChannelDesc::new("", 0); MAX_CHANNELS];
        let n = channels.len().min(MAX_CHANNELS);
        for (slot, ch) in table.iter_mut().zip(channels) {
            *slot = *ch;
        }
        let adc_bits = adc_bits.clamp(1, 16);
        DeviceConfig {
            firmware: FIRMWARE_VERSION,
            serial,
            sensor_kind,
            adc_bits,
            channel_count: n.max(1) as u8,
            channels: table,
            rate_hz: DEFAULT_RATE_HZ,
            max_rate_hz: 2000,
            saturation_counts: ((1u32 << adc_bits) - 1) as u16,
        }
    }

    fn channels(&self) -> usize {
        usize::from(self.channel_count).clamp(1, MAX_CHANNELS)
    }

    fn full_scale(&self) -> u16 {
        ((1u32 << self.adc_bits.clamp(1, 16)) - 1) as u16
    }
}

/// What the firmware has done since power-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Commands answered (acked or naked).
    pub commands: u64,
    /// Frames from the host that were not commands or were damaged (not answered).
    pub bad_frames: u64,
    /// Rows sampled while streaming.
    pub rows_sampled: u64,
    /// `SampleBlock`s queued for the host.
    pub blocks_sent: u64,
    /// Rows in those blocks.
    pub rows_sent: u64,
    /// `SampleBlock`s dropped because the output queue was full (the host was not reading);
    /// each still used up its sequence number, so the host counts the rows as lost.
    pub blocks_overflowed: u64,
    /// Other frames (replies, device info, status) dropped because the queue was full.
    pub frames_overflowed: u64,
    /// `Status` frames queued.
    pub status_sent: u64,
}

/// What one [`Firmware::tick`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Not streaming: nothing sampled.
    Idle,
    /// A row was sampled into the block being filled.
    Sampled,
    /// A row was sampled and completed a block.
    Block(BlockOutcome),
}

/// What became of a finished block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockOutcome {
    /// Its `SampleBlock` sequence number.
    pub seq: u8,
    /// Its rows.
    pub rows: u8,
    /// Bytes of its frame on the wire, delimiter included; 0 when it did not fit the output
    /// queue and was dropped. When queued, the frame is the first thing the call added.
    pub frame_len: usize,
}

/// The firmware: board `B`, an output queue of `Q` bytes.
///
/// `Q` should hold a few tens of milliseconds of output: at 1000 Hz × 5 channels that is about
/// 11.5 kB/s, so 4096 bytes ride out a 350 ms stall of the host.
#[derive(Clone, Debug)]
pub struct Firmware<B, const Q: usize> {
    board: B,
    config: DeviceConfig,
    reader: CommandReader,
    out: OutQueue<Q>,
    stats: Stats,
    streaming: bool,
    rate_hz: u16,
    rows_per_block: u8,
    sample_seq: u8,
    other_seq: u8,
    /// The block being filled: `rows` rows of counts, row-major.
    block: [u16; MAX_SAMPLES],
    rows: u8,
    block_t0: u32,
    block_saturated: u16,
    first_saturated_at: Option<u32>,
    marker_at: Option<u32>,
    /// Channels saturated in the previous block: a `Status` goes out on a new onset only.
    prev_saturated: u16,
    /// The last raw reading of every channel, and each channel's zero (from `Tare`).
    raw: [u16; MAX_CHANNELS],
    have_raw: bool,
    zero: [u16; MAX_CHANNELS],
    battery_mv: u16,
    battery_low: bool,
    battery_changed_at: Option<u32>,
    ticks_to_battery: u32,
}

impl<B: Board, const Q: usize> Firmware<B, Q> {
    /// The firmware of a glove described by `config`, idle until the host sends `Start`.
    pub fn new(board: B, config: DeviceConfig) -> Self {
        // The power-up rate is the board's choice (any rate it can keep up with); `SetRate`
        // offers the host only [`SUPPORTED_RATES`].
        let rate = if (1..=config.max_rate_hz).contains(&config.rate_hz) {
            config.rate_hz
        } else {
            DEFAULT_RATE_HZ
        };
        Firmware {
            board,
            config,
            reader: CommandReader::new(),
            out: OutQueue::new(),
            stats: Stats::default(),
            streaming: false,
            rate_hz: rate,
            rows_per_block: rows_per_block_for(rate),
            sample_seq: 0,
            other_seq: 0,
            block: [0; MAX_SAMPLES],
            rows: 0,
            block_t0: 0,
            block_saturated: 0,
            first_saturated_at: None,
            marker_at: None,
            prev_saturated: 0,
            raw: [0; MAX_CHANNELS],
            have_raw: false,
            zero: [0; MAX_CHANNELS],
            battery_mv: 0,
            battery_low: false,
            battery_changed_at: None,
            ticks_to_battery: 0,
        }
    }

    /// The board.
    pub fn board(&self) -> &B {
        &self.board
    }

    /// The board, to change what it reads (tests, the virtual glove).
    pub fn board_mut(&mut self) -> &mut B {
        &mut self.board
    }

    /// Counts since power-up.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Whether `SampleBlock`s are being sent.
    pub fn streaming(&self) -> bool {
        self.streaming
    }

    /// The current rate, rows per second (a `SetRate` while idle changes it for the next
    /// `Start`).
    pub fn rate_hz(&self) -> u16 {
        self.rate_hz
    }

    /// Rows per `SampleBlock` at the current rate.
    pub fn rows_per_block(&self) -> u8 {
        self.rows_per_block
    }

    /// The sample timer's period at the current rate, µs.
    pub fn period_us(&self) -> u32 {
        1_000_000 / u32::from(self.rate_hz.max(1))
    }

    /// Rows sampled into the block being filled.
    pub fn rows_in_block(&self) -> u8 {
        self.rows
    }

    /// Each channel's zero, raw counts (set by `Tare`).
    pub fn zeros(&self) -> &[u16] {
        self.zero.get(..self.config.channels()).unwrap_or(&[])
    }

    /// What `DeviceInfo` says now.
    pub fn device_info(&self) -> DeviceInfo {
        DeviceInfo {
            firmware: self.config.firmware,
            serial: self.config.serial,
            sensor_kind: self.config.sensor_kind,
            adc_bits: self.config.adc_bits,
            rate_hz: self.rate_hz,
            rows_per_block: self.rows_per_block,
            channel_count: self.config.channels() as u8,
            channels: self.config.channels,
        }
    }

    /// Whether `rate_hz` is one this glove samples at.
    pub fn supports_rate(&self, rate_hz: u16) -> bool {
        SUPPORTED_RATES.contains(&rate_hz) && rate_hz <= self.config.max_rate_hz
    }

    /// The link to the host (re)connected: queue a lone `00` so the host drops any
    /// half-received frame at once (PROTOCOL.md §2), and forget any half-received command.
    pub fn connected(&mut self) {
        self.reader = CommandReader::new();
        self.out.push(&[0]);
    }

    /// The host went away (USB disconnected or suspended): stop streaming on our own, as
    /// PROTOCOL.md asks, drop the half-filled block and everything queued (nobody will read
    /// it), and forget any half-received command. No reply: there is nobody to send it to.
    pub fn disconnected(&mut self) {
        if self.streaming {
            self.board.stop();
            self.streaming = false;
        }
        self.rows = 0;
        self.out.clear();
        self.reader = CommandReader::new();
    }

    /// Takes bytes from the host; answers every complete command (into the output queue).
    pub fn receive(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match self.reader.push(b) {
                None => {}
                Some(Incoming::Command { seq, command }) => self.command(seq, command),
                Some(Incoming::Refused {
                    seq,
                    code,
                    unknown_code,
                }) => {
                    let why = if unknown_code {
                        NakReason::UnknownCommand
                    } else {
                        NakReason::BadArgument
                    };
                    self.stats.commands += 1;
                    self.reply(seq, code, ReplyResult::Nak(why));
                }
                Some(Incoming::Bad) => self.stats.bad_frames += 1,
            }
        }
    }

    fn command(&mut self, seq: u8, command: Command) {
        self.stats.commands += 1;
        let code = command.code();
        match command {
            Command::Start => {
                self.reply(seq, code, ReplyResult::Ack);
                self.send_info();
                if !self.streaming {
                    // A press while idle marks nothing.
                    let _ = self.board.take_button_press();
                    self.streaming = true;
                    self.rows = 0;
                    self.ticks_to_battery = 0;
                    let period = self.period_us();
                    self.board.start(period);
                }
            }
            Command::Stop => {
                if self.streaming {
                    self.board.stop();
                    self.streaming = false;
                    // PROTOCOL.md: the last block before a Stop may be shorter.
                    self.end_block();
                }
                self.reply(seq, code, ReplyResult::Ack);
            }
            Command::SetRate { rate_hz } => {
                let result = if self.streaming {
                    ReplyResult::Nak(NakReason::Busy)
                } else if self.supports_rate(rate_hz) {
                    self.rate_hz = rate_hz;
                    self.rows_per_block = rows_per_block_for(rate_hz);
                    ReplyResult::Ack
                } else {
                    ReplyResult::Nak(NakReason::BadArgument)
                };
                self.reply(seq, code, result);
            }
            Command::Identify => {
                self.board.identify();
                self.reply(seq, code, ReplyResult::Ack);
            }
            Command::Tare => {
                self.tare();
                self.reply(seq, code, ReplyResult::Ack);
            }
            Command::GetInfo => {
                self.reply(seq, code, ReplyResult::Ack);
                self.send_info();
            }
            // Commands of a later protocol version.
            _ => self.reply(seq, code, ReplyResult::Nak(NakReason::UnknownCommand)),
        }
    }

    /// Takes the latest raw reading as every channel's zero. While idle (or before the first
    /// row) it reads the ADC now; while streaming it uses the last row sampled, so the timer's
    /// rhythm is not disturbed. A saturated channel keeps its old zero: a pressed sensor is
    /// not "no force".
    fn tare(&mut self) {
        let n = self.config.channels();
        if !self.streaming || !self.have_raw {
            if let Some(row) = self.raw.get_mut(..n) {
                self.board.read_row(row);
                self.have_raw = true;
            }
        }
        let top = self.config.saturation_counts;
        for (z, &r) in self.zero.iter_mut().zip(&self.raw).take(n) {
            if r < top {
                *z = r;
            }
        }
    }

    /// The sample timer fired: read a row and, when the block is full, queue it (and any
    /// `Status` it calls for). Call it from the timer's interrupt or task.
    pub fn tick(&mut self) -> Tick {
        if !self.streaming {
            return Tick::Idle;
        }
        let now = self.board.now_us();
        let n = self.config.channels();
        if let Some(row) = self.raw.get_mut(..n) {
            self.board.read_row(row);
        }
        self.have_raw = true;
        self.stats.rows_sampled += 1;
        if self.rows == 0 {
            self.block_t0 = now;
            self.block_saturated = 0;
            self.first_saturated_at = None;
            self.marker_at = None;
        }
        let fs = self.config.full_scale();
        let top = self.config.saturation_counts;
        let base = usize::from(self.rows) * n;
        for c in 0..n {
            let raw = self.raw.get(c).copied().unwrap_or(0).min(fs);
            if raw >= top {
                self.block_saturated |= 1 << c;
                self.first_saturated_at.get_or_insert(now);
            }
            // Full scale is sent as it is: the host must not read a clipped sample as a
            // smaller force.
            let count = if raw >= fs {
                raw
            } else {
                raw.saturating_sub(self.zero.get(c).copied().unwrap_or(0))
            };
            if let Some(slot) = self.block.get_mut(base + c) {
                *slot = count;
            }
        }
        if self.board.take_button_press() {
            self.marker_at.get_or_insert(now);
        }
        if self.ticks_to_battery == 0 {
            self.ticks_to_battery = u32::from(self.rate_hz);
            self.check_battery(now);
        }
        self.ticks_to_battery -= 1;
        self.rows += 1;
        if self.rows >= self.rows_per_block {
            match self.end_block() {
                Some(outcome) => Tick::Block(outcome),
                None => Tick::Sampled,
            }
        } else {
            Tick::Sampled
        }
    }

    fn check_battery(&mut self, now: u32) {
        let mv = self.board.battery_mv();
        self.battery_mv = mv.unwrap_or(0);
        let low = mv.is_some_and(|v| v < LOW_BATTERY_MV);
        if low != self.battery_low {
            self.battery_low = low;
            self.battery_changed_at.get_or_insert(now);
        }
    }

    /// Queues the rows sampled so far as a (possibly short) block, then any `Status` it calls
    /// for. Called when a block fills, on `Stop`, and by a board (or the virtual glove) that
    /// must end a session between timer ticks. Returns `None` when no row was waiting.
    pub fn end_block(&mut self) -> Option<BlockOutcome> {
        let rows = self.rows;
        if rows == 0 {
            return None;
        }
        self.rows = 0;
        let seq = self.sample_seq;
        self.sample_seq = self.sample_seq.wrapping_add(1);
        let message = Message::SampleBlock(SampleBlock {
            channel_count: self.config.channels() as u8,
            row_count: rows,
            counts: self.block,
        });
        let frame_len = self.queue_frame(Frame {
            seq,
            timestamp_us: self.block_t0,
            message,
        });
        if frame_len > 0 {
            self.stats.blocks_sent += 1;
            self.stats.rows_sent += u64::from(rows);
        } else {
            self.stats.blocks_overflowed += 1;
        }
        self.block_status();
        Some(BlockOutcome {
            seq,
            rows,
            frame_len,
        })
    }

    /// A `Status` after a block in which the button was pressed, a channel's saturation bit
    /// changed (either way: PROTOCOL.md's `Status` is a state report, and a host raises a
    /// saturation event on each 0 → 1 against the previous report, so a cleared bit must be
    /// reported for the next onset to count), or the battery crossed [`LOW_BATTERY_MV`].
    /// Stamped with the earliest of these: an onset at its first saturated row, a clearing at
    /// the block's first row.
    fn block_status(&mut self) {
        let newly = self.block_saturated & !self.prev_saturated;
        let cleared = self.prev_saturated & !self.block_saturated;
        self.prev_saturated = self.block_saturated;
        let t0 = self.block_t0;
        let times = [
            self.marker_at,
            self.first_saturated_at.filter(|_| newly != 0),
            (cleared != 0).then_some(t0),
            self.battery_changed_at.take(),
        ];
        let Some(at) = times
            .into_iter()
            .flatten()
            .min_by_key(|t| t.wrapping_sub(t0))
        else {
            return;
        };
        let mut flags = 0;
        if self.marker_at.is_some() {
            flags |= Status::MARKER;
        }
        if self.battery_low {
            flags |= Status::LOW_BATTERY;
        }
        let status = Status {
            flags,
            saturated: self.block_saturated,
            battery_mv: self.battery_mv,
        };
        if self.send_other(Message::Status(status), at) {
            self.stats.status_sent += 1;
        }
    }

    fn reply(&mut self, seq: u8, code: u8, result: ReplyResult) {
        let now = self.board.now_us();
        self.send_other(
            Message::Reply(Reply {
                command_seq: seq,
                command_code: code,
                result,
            }),
            now,
        );
    }

    fn send_info(&mut self) {
        let now = self.board.now_us();
        self.send_other(Message::DeviceInfo(self.device_info()), now);
    }

    /// Queues a non-`SampleBlock` frame on the other counter; returns whether it fitted.
    fn send_other(&mut self, message: Message, timestamp_us: u32) -> bool {
        let seq = self.other_seq;
        self.other_seq = self.other_seq.wrapping_add(1);
        let ok = self.queue_frame(Frame {
            seq,
            timestamp_us,
            message,
        }) > 0;
        if !ok {
            self.stats.frames_overflowed += 1;
        }
        ok
    }

    /// Encodes and queues `frame` whole; returns its length on the wire, 0 if it did not fit.
    fn queue_frame(&mut self, frame: Frame) -> usize {
        let mut wire = [0u8; MAX_FRAME_LEN];
        // Every frame built here is in range by construction (channels and rows are clamped),
        // so encoding cannot fail; if it ever did, the frame is dropped like an overflow.
        match encode(&frame, &mut wire) {
            Ok(n) if self.out.push(wire.get(..n).unwrap_or(&[])) => n,
            _ => 0,
        }
    }

    /// Bytes waiting to be sent.
    pub fn queued(&self) -> usize {
        self.out.len()
    }

    /// The oldest waiting bytes that are contiguous in the queue; call [`Firmware::consume`]
    /// with how many were sent.
    pub fn pending(&self) -> &[u8] {
        self.out.peek()
    }

    /// Marks the `n` oldest waiting bytes as sent.
    pub fn consume(&mut self, n: usize) {
        self.out.consume(n);
    }

    /// Sends what the link takes now; returns the bytes sent.
    pub fn flush(&mut self, link: &mut impl Link) -> usize {
        let mut sent = 0;
        loop {
            let chunk = self.out.peek();
            if chunk.is_empty() {
                return sent;
            }
            let n = link.write(chunk).min(chunk.len());
            if n == 0 {
                return sent;
            }
            self.out.consume(n);
            sent += n;
        }
    }
}

/// The bytes a host sends for `command` with sequence number `seq`: a `00` that flushes the
/// device's reader, then the frame (for tests and the virtual glove's scripted host).
pub fn host_command(seq: u8, command: Command) -> HostCommand {
    let mut bytes = [0u8; HOST_COMMAND_MAX];
    let frame = Frame {
        seq,
        timestamp_us: 0,
        message: Message::Command(command),
    };
    let n = encode(&frame, bytes.get_mut(1..).unwrap_or(&mut [])).unwrap_or(0);
    HostCommand { bytes, len: n + 1 }
}

const HOST_COMMAND_MAX: usize = 24;

/// A command frame on the wire, from [`host_command`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostCommand {
    bytes: [u8; HOST_COMMAND_MAX],
    len: usize,
}

impl core::ops::Deref for HostCommand {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}
