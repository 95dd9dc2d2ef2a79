//! [`SerialSource`]: the glove on a serial port as a [`PressureSource`] — handshake, decoding,
//! calibration, a tee of every byte to a recording, unplug and reconnect.
//!
//! **Unplug.** A read error, end of file or a closed pseudo-terminal ends the connection: the
//! source emits [`StreamEvent::Disconnected`] at the next row, queues a notice for the user
//! ([`SerialSource::take_notices`]) and keeps everything received so far (the recording is
//! written as bytes arrive). Without reconnect the stream then ends.
//!
//! **Reconnect.** With [`SerialSourceBuilder::reconnect`], the source polls for the port's path
//! to reappear, opens it, repeats the handshake and carries on. Row indices continue: the time
//! the glove was away becomes `NaN` rows with a [`StreamEvent::Gap`], then a
//! [`StreamEvent::Reconnected`]. The recording holds the bytes of both connections back to back
//! (a replay joins them without the gap, since the gap is not in the glove's bytes).
//!
//! **Host time.** [`SerialSource::host_time_of_row`] maps a row to the host's wall clock: the
//! row's stream time plus the smallest offset seen between arrival time and stream time (the
//! least-delayed arrival bounds the transport latency from above).

use crate::calibration::Calibration;
use crate::error::{Error, Result};
use crate::frames::{CalibratedStream, FrameStats};
use crate::recording::{HostNote, RecordingHeader, RecordingWriter};
use crate::serial::handshake::{start_streaming, CommandSender};
use crate::stream::{Block, PressureSource, StreamEvent, StreamInfo};
use mldsense_protocol::{Command, DeviceInfo};
use serialport::SerialPort;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// Where and how to record what the glove sends.
#[derive(Clone, Debug, Default)]
pub struct RecordTo {
    /// The recording file (`.mld`).
    pub path: PathBuf,
    /// The trainee's name, for the header.
    pub trainee: Option<String>,
    /// A note, for the header.
    pub note: Option<String>,
}

/// Settings of a [`SerialSource`]; build with [`SerialSource::builder`].
#[derive(Clone, Debug)]
pub struct SerialSourceBuilder {
    path: String,
    baud: u32,
    read_timeout: Duration,
    handshake_timeout: Duration,
    reconnect: bool,
    reconnect_poll: Duration,
    calibration: Option<Calibration>,
    record: Option<RecordTo>,
}

impl SerialSourceBuilder {
    /// The baud rate (ignored by USB CDC gloves and pseudo-terminals; default 115 200).
    pub fn baud(mut self, baud: u32) -> Self {
        self.baud = baud;
        self
    }

    /// How long one read waits for bytes before `next_block` returns an empty block (default
    /// 50 ms, so a live view stays responsive).
    pub fn read_timeout(mut self, t: Duration) -> Self {
        self.read_timeout = t;
        self
    }

    /// How long each handshake command may take, retries included (default 2 s).
    pub fn handshake_timeout(mut self, t: Duration) -> Self {
        self.handshake_timeout = t;
        self
    }

    /// Whether to wait for the glove to come back after an unplug (default no).
    pub fn reconnect(mut self, on: bool) -> Self {
        self.reconnect = on;
        self
    }

    /// How often to look for the port while the glove is away (default 250 ms).
    pub fn reconnect_poll(mut self, t: Duration) -> Self {
        self.reconnect_poll = t;
        self
    }

    /// The calibration to turn counts into pressure (default curve where it has no entry).
    pub fn calibration(mut self, cal: Option<Calibration>) -> Self {
        self.calibration = cal;
        self
    }

    /// Records every byte received to a file.
    pub fn record_to(mut self, record: RecordTo) -> Self {
        self.record = Some(record);
        self
    }

    /// Opens the port, runs the handshake and starts streaming (and recording).
    ///
    /// # Errors
    /// [`Error::Serial`] when the port cannot be opened or the glove does not answer;
    /// [`Error::Io`] when the recording cannot be created.
    pub fn open(self) -> Result<SerialSource> {
        let mut port = open_port(&self.path, self.baud, self.read_timeout)?;
        let mut sender = CommandSender::default();
        let hs = start_streaming(&mut *port, &self.path, &mut sender, self.handshake_timeout)?;
        match self.connected(port, sender, hs) {
            Ok(source) => Ok(source),
            Err((e, mut port, mut sender, path)) => {
                // The glove is streaming: stop it before giving up.
                let _ = sender.send(&mut *port, Command::Stop, &path);
                Err(e)
            }
        }
    }

    /// The source after a successful handshake; on failure, the port and the command counter
    /// come back so the caller can send `Stop`.
    #[allow(clippy::type_complexity)]
    fn connected(
        self,
        port: Box<dyn SerialPort>,
        sender: CommandSender,
        hs: crate::serial::handshake::Handshake,
    ) -> std::result::Result<SerialSource, (Error, Box<dyn SerialPort>, CommandSender, String)>
    {
        let fail = |e: Error, port, sender, path: &str| (e, port, sender, path.to_string());
        let mut stream = CalibratedStream::new(hs.device, self.calibration.clone());
        let info = stream.info().clone();
        let mut recorder = match &self.record {
            Some(r) => {
                let mut header = RecordingHeader::new(&hs.device);
                header.source = Some(self.path.clone());
                header.trainee = r.trainee.clone();
                header.note = r.note.clone();
                header.calibration = self.calibration.clone();
                match RecordingWriter::create(&r.path, &header) {
                    Ok(w) => Some(w),
                    Err(e) => return Err(fail(e, port, sender, &self.path)),
                }
            }
            None => None,
        };
        if let Some(w) = recorder.as_mut() {
            if let Err(e) = w.write_bytes(&hs.bytes) {
                return Err(fail(e, port, sender, &self.path));
            }
        }
        let mut inner = Block::default();
        if let Err(e) = stream.push_bytes(&hs.bytes, &mut inner) {
            return Err(fail(e, port, sender, &self.path));
        }
        let mut notices: Vec<String> = stream.warnings().to_vec();
        notices.insert(
            0,
            format!(
                "connected to glove {} on {} ({} channels at {} Hz, firmware {}.{}.{})",
                hs.device.serial,
                self.path,
                hs.device.channel_count,
                hs.device.rate_hz,
                hs.device.firmware[0],
                hs.device.firmware[1],
                hs.device.firmware[2]
            ),
        );
        Ok(SerialSource {
            info,
            stream,
            port: Some(port),
            sender,
            recorder,
            state: State::Connected,
            row_offset: 0,
            next_row: 0,
            carry: inner,
            notices,
            started: Instant::now(),
            started_wall: SystemTime::now(),
            clock_offset_s: None,
            bytes_received: hs.bytes.len() as u64,
            disconnects: 0,
            gap_rows: 0,
            device: hs.device,
            settings: self,
        })
    }
}

fn open_port(path: &str, baud: u32, timeout: Duration) -> Result<Box<dyn SerialPort>> {
    serialport::new(path, baud)
        .timeout(timeout)
        .open()
        .map_err(|e| Error::Serial {
            port: path.to_string(),
            message: format!("cannot open: {e}"),
        })
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Connected,
    /// Waiting for the port to come back, since `since` (`--reconnect`).
    Away {
        since: Instant,
    },
    Ended,
}

impl Drop for SerialSource {
    /// Sends `Stop` if the glove may still be streaming (an error, a panic, an early return):
    /// the host never leaves it streaming once it sent `Start`.
    fn drop(&mut self) {
        if let Some(mut port) = self.port.take() {
            let _ = self
                .sender
                .send(&mut *port, Command::Stop, &self.settings.path);
        }
    }
}

/// The glove on a serial port, as a [`PressureSource`].
pub struct SerialSource {
    settings: SerialSourceBuilder,
    info: StreamInfo,
    device: DeviceInfo,
    stream: CalibratedStream,
    port: Option<Box<dyn SerialPort>>,
    sender: CommandSender,
    recorder: Option<RecordingWriter>,
    state: State,
    /// Output row = decoder row + offset (the offset grows by each reconnect gap).
    row_offset: u64,
    /// The next output row.
    next_row: u64,
    /// Rows decoded during the handshake, handed out with the first block.
    carry: Block,
    notices: Vec<String>,
    started: Instant,
    started_wall: SystemTime,
    clock_offset_s: Option<f64>,
    bytes_received: u64,
    disconnects: u32,
    gap_rows: u64,
}

impl std::fmt::Debug for SerialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialSource")
            .field("path", &self.settings.path)
            .field("state", &self.state)
            .field("next_row", &self.next_row)
            .finish_non_exhaustive()
    }
}

impl SerialSource {
    /// Settings for the glove on `path`, to adjust and then [`SerialSourceBuilder::open`].
    pub fn builder(path: impl Into<String>) -> SerialSourceBuilder {
        SerialSourceBuilder {
            path: path.into(),
            baud: 115_200,
            read_timeout: Duration::from_millis(50),
            handshake_timeout: Duration::from_secs(2),
            reconnect: false,
            reconnect_poll: Duration::from_millis(250),
            calibration: None,
            record: None,
        }
    }

    /// The port's path.
    pub fn path(&self) -> &str {
        &self.settings.path
    }

    /// The glove's description from the handshake.
    pub fn device(&self) -> &DeviceInfo {
        &self.device
    }

    /// Decoding counts: frames, CRC errors, bytes skipped, rows lost.
    pub fn stats(&self) -> FrameStats {
        self.stream.stats()
    }

    /// Bytes received from the glove (and written to the recording, if any).
    pub fn bytes_received(&self) -> u64 {
        self.bytes_received
    }

    /// Rows handed out so far (including `NaN` rows).
    pub fn rows(&self) -> u64 {
        self.next_row
    }

    /// How many times the glove went away.
    pub fn disconnects(&self) -> u32 {
        self.disconnects
    }

    /// `NaN` rows inserted for the time the glove was away.
    pub fn reconnect_gap_rows(&self) -> u64 {
        self.gap_rows
    }

    /// Whether the glove is connected now.
    pub fn connected(&self) -> bool {
        self.state == State::Connected
    }

    /// The recording's path, if recording.
    pub fn recording_path(&self) -> Option<&Path> {
        self.recorder.as_ref().map(|r| r.path())
    }

    /// Messages for the user (connected, disconnected, reconnected, calibration warnings)
    /// since the last call.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// The host wall-clock time when `row` was sampled, estimated (see the module docs);
    /// `None` before any row arrived.
    pub fn host_time_of_row(&self, row: u64) -> Option<SystemTime> {
        let offset = self.clock_offset_s?;
        let t = offset + row as f64 / self.info.rate_hz;
        Some(self.started_wall + Duration::from_secs_f64(t.max(0.0)))
    }

    /// Writes a host note (a tare, a keyboard marker) into the recording, if recording. The
    /// note's row is in this source's output numbering; the recording keeps the numbering its
    /// own bytes give (rows lost while the glove was away are not in them), so the row is
    /// moved back by the rows this source added for the time away.
    pub fn note(&mut self, note: HostNote) -> Result<()> {
        let Some(w) = self.recorder.as_mut() else {
            return Ok(());
        };
        let row = note.row().saturating_sub(self.row_offset);
        w.write_note(&match note {
            HostNote::Tare { .. } => HostNote::Tare { row },
            HostNote::Marker { .. } => HostNote::Marker { row },
        })
    }

    /// Stops streaming (best effort) and closes the recording. The source ends.
    pub fn stop(&mut self) -> Result<()> {
        if let Some(mut port) = self.port.take() {
            let _ = self
                .sender
                .send(&mut *port, Command::Stop, &self.settings.path);
        }
        self.state = State::Ended;
        if let Some(w) = self.recorder.take() {
            w.finish()?;
        }
        Ok(())
    }

    /// Moves the decoder's rows into `out` at output row indices, and notes arrival time.
    fn hand_out(&mut self, inner: Block, out: &mut Block) {
        let channels = self.info.channel_count();
        let rows = inner.rows(channels) as u64;
        if out.values.is_empty() {
            out.start_row = inner.start_row + self.row_offset;
        }
        out.values.extend_from_slice(&inner.values);
        out.events.extend(
            inner
                .events
                .into_iter()
                .map(|(r, e)| (r + self.row_offset, e)),
        );
        if rows > 0 {
            self.next_row = inner.start_row + self.row_offset + rows;
            let arrived = self.started.elapsed().as_secs_f64();
            let offset = arrived - self.next_row as f64 / self.info.rate_hz;
            self.clock_offset_s = Some(self.clock_offset_s.map_or(offset, |o| o.min(offset)));
        }
    }

    fn disconnect(&mut self, reason: String, out: &mut Block) -> Result<()> {
        self.port = None;
        self.disconnects += 1;
        if let Some(w) = self.recorder.as_mut() {
            w.flush()?;
        }
        if out.values.is_empty() && out.events.is_empty() {
            out.start_row = self.next_row;
        }
        out.events.push((self.next_row, StreamEvent::Disconnected));
        let kept = match self.recording_path() {
            Some(p) => format!("; {} is complete up to here", p.display()),
            None => String::new(),
        };
        self.notices.push(format!(
            "glove on {} disconnected after {} rows ({:.1} s): {reason}{kept}{}",
            self.settings.path,
            self.next_row,
            self.next_row as f64 / self.info.rate_hz,
            if self.settings.reconnect {
                "; waiting for it to come back"
            } else {
                ""
            }
        ));
        self.state = if self.settings.reconnect {
            State::Away {
                since: Instant::now(),
            }
        } else {
            State::Ended
        };
        Ok(())
    }

    fn try_reconnect(&mut self, since: Instant, out: &mut Block) -> Result<()> {
        if !Path::new(&self.settings.path).exists() {
            std::thread::sleep(self.settings.reconnect_poll);
            return Ok(());
        }
        let s = &self.settings;
        let mut port = match open_port(&s.path, s.baud, s.read_timeout) {
            Ok(p) => p,
            Err(_) => {
                std::thread::sleep(s.reconnect_poll);
                return Ok(());
            }
        };
        let hs = match start_streaming(&mut *port, &s.path, &mut self.sender, s.handshake_timeout) {
            Ok(h) => h,
            Err(e) => {
                self.notices.push(format!("{e}; still waiting"));
                std::thread::sleep(s.reconnect_poll);
                return Ok(());
            }
        };
        // The glove streams again: keep its port so that any failure below still stops it
        // (through `stop` or the drop).
        self.port = Some(port);
        let gap = (since.elapsed().as_secs_f64() * self.info.rate_hz).round() as u64;
        let channels = self.info.channel_count();
        if out.values.is_empty() {
            out.start_row = self.next_row;
        }
        if gap > 0 {
            out.events
                .push((self.next_row, StreamEvent::Gap { rows: gap }));
            out.values.extend(std::iter::repeat_n(
                f64::NAN,
                usize::try_from(gap).unwrap_or(0).saturating_mul(channels),
            ));
        }
        self.next_row += gap;
        self.gap_rows += gap;
        out.events.push((self.next_row, StreamEvent::Reconnected));
        self.stream.assembler_mut().reset_partial();
        self.row_offset = self
            .next_row
            .saturating_sub(self.stream.assembler().next_row());
        if let Some(w) = self.recorder.as_mut() {
            w.write_bytes(&hs.bytes)?;
        }
        self.bytes_received += hs.bytes.len() as u64;
        let mut inner = Block::default();
        self.stream.push_bytes(&hs.bytes, &mut inner)?;
        self.hand_out(inner, out);
        self.notices.push(format!(
            "glove on {} reconnected after {:.1} s ({gap} rows missing)",
            self.settings.path,
            since.elapsed().as_secs_f64()
        ));
        self.state = State::Connected;
        Ok(())
    }
}

impl PressureSource for SerialSource {
    fn info(&self) -> &StreamInfo {
        &self.info
    }

    /// Returns the rows that arrived within the read timeout — possibly none (an empty block
    /// with `true`, so live views keep ticking) — and `false` once the glove is gone for good.
    fn next_block(&mut self, out: &mut Block) -> Result<bool> {
        out.clear();
        out.start_row = self.next_row;
        if !self.carry.values.is_empty() || !self.carry.events.is_empty() {
            let carry = std::mem::take(&mut self.carry);
            self.hand_out(carry, out);
            return Ok(true);
        }
        match self.state {
            State::Ended => return Ok(false),
            State::Away { since } => {
                self.try_reconnect(since, out)?;
                return Ok(true);
            }
            State::Connected => {}
        }
        let mut buf = [0u8; 8192];
        let read = match self.port.as_mut() {
            Some(p) => p.read(&mut buf),
            None => Err(std::io::Error::new(ErrorKind::NotConnected, "port closed")),
        };
        match read {
            Ok(0) => self.disconnect("end of file".into(), out)?,
            Ok(n) => {
                let bytes = buf.get(..n).unwrap_or(&[]);
                self.bytes_received += n as u64;
                if let Some(w) = self.recorder.as_mut() {
                    w.write_bytes(bytes)?;
                }
                let mut inner = Block::default();
                self.stream.push_bytes(bytes, &mut inner)?;
                self.hand_out(inner, out);
            }
            Err(e) if crate::serial::is_no_data_yet(&e) => {}
            Err(e) => self.disconnect(e.to_string(), out)?,
        }
        Ok(true)
    }
}
