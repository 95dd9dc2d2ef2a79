//! The host talking to the firmware core (`firmware/core`, the code the board runs) over a
//! pseudo-terminal: `mldsense calibrate` walks through tare and known weights on a bench glove
//! whose ADC reads the weights the test puts on it, and writes the calibration those weights
//! imply; and the virtual glove answers as the core does (unknown commands, tare).
//!
//! `record` and `live` over a pty are covered by `simulate_cli.rs`, `loopback.rs` and
//! `live_pty.rs`, whose virtual glove now runs this same core.
//!
//! Pseudo-terminal pairs are not safe to open from parallel tests: every pty test holds `PTY`.

// Pseudo-terminals are Unix only.
#![cfg(unix)]

use mldsense::calibration::fit::grams_to_newtons;
use mldsense::calibration::Calibration;
use mldsense::frames::{FrameAssembler, FrameItem};
use mldsense::sim::firmware::{command_bytes, Firmware as VirtualFirmware};
use mldsense::sim::{GloveConfig, Imperfections, VirtualGlove};
use mldsense_firmware::{Adc, Clock, DeviceConfig, Firmware, Panel, SampleTimer};
use mldsense_protocol::{ChannelDesc, Command, NakReason, Reply, ReplyResult, SensorKind};
use serialport::{SerialPort, TTYPort};
use std::io::{Read, Write};
use std::process::{Command as Process, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

static PTY: Mutex<()> = Mutex::new(());

/// Raw counts with nothing on a sensor: the front end's reference voltage (PROTOCOL.md allows
/// an offset; `Tare` or the host's tare removes it).
const OFFSET: f64 = 372.0;
/// Counts per newton of the bench front end (the hardware guide's 18 kΩ design).
const COUNTS_PER_N: f64 = 670.0;

/// Newtons on each of two sensors, as f32 bits, set by the test as it "places the weights".
#[derive(Clone, Default)]
struct Load(Arc<[AtomicU32; 2]>);

impl Load {
    fn set(&self, channel: usize, newtons: f64) {
        for (i, slot) in self.0.iter().enumerate() {
            let v = if i == channel { newtons as f32 } else { 0.0 };
            slot.store(v.to_bits(), Ordering::Relaxed);
        }
    }
    fn get(&self, channel: usize) -> f64 {
        self.0.get(channel).map_or(0.0, |a| {
            f64::from(f32::from_bits(a.load(Ordering::Relaxed)))
        })
    }
}

/// A bench glove: two FSR channels through a linear front end, a real-time clock.
struct BenchBoard {
    load: Load,
    epoch: Instant,
    period: Option<u32>,
}

impl Adc for BenchBoard {
    fn read_row(&mut self, counts: &mut [u16]) {
        for (c, out) in counts.iter_mut().enumerate() {
            *out = (OFFSET + COUNTS_PER_N * self.load.get(c)).round() as u16;
        }
    }
}
impl Clock for BenchBoard {
    fn now_us(&mut self) -> u32 {
        self.epoch.elapsed().as_micros() as u32
    }
}
impl SampleTimer for BenchBoard {
    fn start(&mut self, period_us: u32) {
        self.period = Some(period_us);
    }
    fn stop(&mut self) {
        self.period = None;
    }
}
impl Panel for BenchBoard {}

/// Serves the core on the pty's master until `stop`: the pty loop is the board's USB task, and
/// the wall clock its sample timer.
fn serve(mut master: TTYPort, load: Load, stop: Arc<AtomicBool>) {
    let channels = [
        ChannelDesc::new("thumb", 1267),
        ChannelDesc::new("index", 1267),
    ];
    let config = DeviceConfig::new(17, SensorKind::FSR_402, 12, &channels);
    let board = BenchBoard {
        load,
        epoch: Instant::now(),
        period: None,
    };
    let mut fw: Firmware<BenchBoard, 4096> = Firmware::new(board, config);
    let _ = master.set_timeout(Duration::from_millis(2));
    let mut buf = [0u8; 256];
    let mut next_tick: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        if let Ok(n) = master.read(&mut buf) {
            fw.receive(&buf[..n]);
        }
        match (fw.board().period, next_tick) {
            (Some(p), t) => {
                let period = Duration::from_micros(u64::from(p));
                let mut due = t.unwrap_or_else(Instant::now);
                while due <= Instant::now() {
                    fw.tick();
                    due += period;
                }
                next_tick = Some(due);
            }
            (None, _) => next_tick = None,
        }
        while !fw.pending().is_empty() {
            let chunk = fw.pending().to_vec();
            match master.write(&chunk) {
                Ok(n) => fw.consume(n),
                Err(_) => break,
            }
        }
    }
}

#[test]
fn calibrate_over_a_pty_fits_the_weights_the_firmware_measured() {
    let _lock = PTY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (master, slave) = TTYPort::pair().expect("a pseudo-terminal pair");
    let path = slave.name().expect("the pty has a path");
    let load = Load::default();
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (load, stop) = (load.clone(), Arc::clone(&stop));
        std::thread::spawn(move || serve(master, load, stop))
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("glove17.calibration.toml");
    let mut child = Process::new(env!("CARGO_BIN_EXE_mldsense"))
        .args(["calibrate", "--port", &path, "--weights", "50,100,200"])
        .args(["--channels", "0,1", "--average", "0.3", "-o"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start mldsense calibrate");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stderr = child.stderr.take().expect("stderr");
    // Answer each prompt as a user with weights would.
    let mut text = String::new();
    let mut answered = 0;
    let mut buf = [0u8; 512];
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "calibrate stalled:\n{text}");
        let n = stderr.read(&mut buf).expect("reading calibrate's prompts");
        if n == 0 {
            break;
        }
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
        let prompts = text.matches("press Enter").count();
        while answered < prompts {
            let prompt = text
                .split("press Enter")
                .nth(answered)
                .unwrap_or_default()
                .to_string();
            // "Place 100 g centred on sensor 1 (index), …"
            match prompt.rsplit_once("Place ") {
                Some((_, rest)) => {
                    let grams: f64 = rest
                        .split(' ')
                        .next()
                        .and_then(|g| g.parse().ok())
                        .expect("the prompt names the mass");
                    let sensor: usize = rest
                        .split("sensor ")
                        .nth(1)
                        .and_then(|s| s.split(' ').next())
                        .and_then(|s| s.parse().ok())
                        .expect("the prompt names the sensor");
                    load.set(sensor, grams_to_newtons(grams).0);
                }
                None => load.set(usize::MAX, 0.0),
            }
            stdin.write_all(b"\n").expect("pressing Enter");
            answered += 1;
        }
    }
    let status = child.wait().expect("calibrate ends");
    stop.store(true, Ordering::Relaxed);
    let _ = server.join();
    drop(slave);
    assert!(status.success(), "{text}");
    // Conditioning, tare, then three weights on each of two sensors.
    assert_eq!(answered, 2 + 3 * 2, "{text}");

    let cal = Calibration::load(&out).expect("the calibration file");
    for ch in 0..2 {
        let entry = cal
            .curve_for(17, ch)
            .expect("an entry per calibrated sensor");
        let curve = entry.curve;
        assert!(
            (curve.zero_counts - OFFSET).abs() < 1.0,
            "channel {ch}: zero {}",
            curve.zero_counts
        );
        let expected = 1.0 / COUNTS_PER_N;
        assert!(
            (curve.newtons_per_count - expected).abs() / expected < 0.01,
            "channel {ch}: {} N/count, expected {expected}",
            curve.newtons_per_count
        );
    }
    assert!(cal.curve_for(17, 2).is_none());
}

fn replies(bytes: &[u8]) -> Vec<Reply> {
    let mut a = FrameAssembler::new();
    let mut out = Vec::new();
    a.push(bytes, |i| {
        if let FrameItem::Reply { reply, .. } = i {
            out.push(reply);
        }
    });
    out
}

#[test]
fn the_virtual_glove_is_the_firmware_core() {
    let mut fw = VirtualFirmware::new(VirtualGlove::new(GloveConfig {
        duration_s: 2.0,
        imperfections: Imperfections::none(),
        ..GloveConfig::default()
    }));
    // A command code from a later protocol: the core naks it, echoing the code.
    let body = {
        let mut b = vec![1u8, 0x80, 3, 0, 0, 0, 0, 9, 0, 0];
        let extra = mldsense_protocol::message::crc_extra_of(0x80).expect("command type");
        let crc = mldsense_protocol::crc::crc16_update(
            mldsense_protocol::crc::crc16_update(mldsense_protocol::crc::CRC_INIT, &b),
            &[extra],
        );
        b.extend_from_slice(&crc.to_le_bytes());
        b
    };
    let mut wire = vec![0u8; 32];
    let n = mldsense_protocol::cobs::encode(&body, &mut wire).expect("fits");
    let mut unknown = vec![0u8];
    unknown.extend_from_slice(&wire[..n]);
    unknown.push(0);
    fw.receive(&unknown);
    fw.receive(&command_bytes(4, Command::Tare));
    fw.receive(&command_bytes(5, Command::Identify));
    let got = replies(&fw.take_output());
    assert_eq!(got.len(), 3);
    assert_eq!(
        (got[0].command_seq, got[0].command_code, got[0].result),
        (3, 9, ReplyResult::Nak(NakReason::UnknownCommand))
    );
    assert_eq!(got[1].result, ReplyResult::Ack);
    assert_eq!(fw.identify_requests(), 1);

    // Tare while streaming zeroes each channel at its current reading, in the core.
    fw.receive(&command_bytes(6, Command::Start));
    let mut last = Vec::new();
    for _ in 0..150 {
        if let Some(b) = fw.sample() {
            last = b.counts[b.counts.len() - 5..].to_vec();
        }
    }
    fw.take_output();
    fw.receive(&command_bytes(7, Command::Tare));
    assert_eq!(fw.core().zeros(), &last[..]);
    let b = fw.sample().expect("still streaming");
    let mut a = FrameAssembler::new();
    let mut sent = Vec::new();
    a.push(&fw.take_output(), |i| {
        if let FrameItem::Rows(r) = i {
            sent.extend_from_slice(&r.counts);
        }
    });
    let expected: Vec<u16> = b
        .counts
        .iter()
        .enumerate()
        .map(|(i, &raw)| {
            if raw >= 4095 {
                raw
            } else {
                raw.saturating_sub(last[i % 5])
            }
        })
        .collect();
    assert_eq!(sent, expected, "the glove sends raw counts less the tare");
}
