//! The student's side of `live --join`: a thread that copies what the live view gets (stroke
//! verdicts, the running score card, a decimated pressure feed) to the classroom.
//!
//! It is a tap, never the only copy: the live view, the recording and the report are made
//! exactly as without `--join`, and nothing the classroom sends can change them (the server
//! only ever answers "welcome" or "refused"). The link never makes the student wait: it reads
//! a copy of the reader's updates from its own channel; when the classroom cannot be reached it
//! keeps every stroke (a few dozen bytes each) and drops the pressures, tries again every
//! [`RETRY`], and on reconnecting sends the strokes the server says it missed.

use super::message::{FromClassroom, Hello, Status, Stroke, ToClassroom};
use crate::class::SessionRecord;
use crate::live::{Connection, LiveUpdate};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use std::net::{TcpStream, ToSocketAddrs};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// Time between attempts to reach the classroom.
pub const RETRY: Duration = Duration::from_secs(1);
/// The pressure feed's period: about 20 values a second, each the highest since the last.
pub const PRESSURE_PERIOD_S: f64 = 0.05;
/// How long a connection attempt, or one message, may take before the link gives up on it.
pub const IO_TIMEOUT: Duration = Duration::from_secs(2);

/// Where the classroom is, from `--join`: `HOST:PORT`, or an `http://` / `ws://` address.
/// Only the form is checked here; the name is looked up on each connect (by the link's own
/// thread), so a network that is down at the start does not stop the session.
pub fn parse_address(join: &str) -> Result<String, String> {
    let rest = join
        .trim()
        .trim_start_matches("http://")
        .trim_start_matches("ws://");
    let hostport = rest.split(['/', '?', '#']).next().unwrap_or("");
    let ok = hostport
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
    if !ok {
        return Err(format!(
            "--join {join:?}: give the classroom's HOST:PORT (as `mldsense classroom` prints it)"
        ));
    }
    Ok(hostport.to_string())
}

/// What the link has done, for the student's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkEnd {
    /// Strokes of the session.
    pub strokes: u64,
    /// Strokes the classroom said it holds (its answer to the session's record, else its
    /// count when the link last connected).
    pub delivered: u64,
    /// Whether the classroom confirmed the session's record.
    pub record_delivered: bool,
    /// Times the link (re)connected.
    pub connects: u32,
    /// The last refusal or failure, if any (cleaned of control characters).
    pub last_problem: Option<String>,
}

/// The running link.
#[derive(Debug)]
pub struct Link {
    tap: Sender<Vec<LiveUpdate>>,
    finish: Sender<(Option<SessionRecord>, Duration)>,
    handle: JoinHandle<LinkEnd>,
}

impl Link {
    /// Starts the link to the classroom at `host` (`HOST:PORT`, from [`parse_address`]),
    /// introducing the session with `hello`.
    pub fn start(host: String, hello: Hello) -> std::io::Result<Link> {
        let (tap, updates) = crossbeam_channel::unbounded();
        let (finish, finishing) = crossbeam_channel::bounded(1);
        let handle = std::thread::Builder::new()
            .name("mldsense-classroom-link".into())
            .spawn(move || {
                let mut l = Linker {
                    host,
                    hello,
                    socket: None,
                    strokes: Vec::new(),
                    sent: 0,
                    next_try: Instant::now(),
                    pressure: Decimator::default(),
                    status: Status::default(),
                    status_dirty: false,
                    last_status: Instant::now(),
                    last_heard: Instant::now(),
                    refused: false,
                    receipt: None,
                    end: LinkEnd::default(),
                };
                l.run(&updates, &finishing);
                l.end
            })?;
        Ok(Link {
            tap,
            finish,
            handle,
        })
    }

    /// The sender the reader copies its updates to.
    pub fn tap(&self) -> Sender<Vec<LiveUpdate>> {
        self.tap.clone()
    }

    /// Ends the link: sends what is left and the session's `record`, trying for at most
    /// `wait` to reach the classroom and hear it confirm.
    pub fn finish(self, record: Option<SessionRecord>, wait: Duration) -> LinkEnd {
        let _ = self.finish.send((record, wait));
        drop(self.tap);
        self.handle.join().unwrap_or_default()
    }
}

/// Keeps the highest value per fingertip over each [`PRESSURE_PERIOD_S`] of stream time.
#[derive(Debug, Default)]
struct Decimator {
    since_s: Option<f64>,
    max: Vec<Option<f64>>,
}

fn highest(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

impl Decimator {
    /// Takes one update; returns a message when a period is complete.
    fn push(&mut self, now_s: f64, values: &[f64]) -> Option<ToClassroom> {
        if self.max.len() != values.len() {
            self.max = vec![None; values.len()];
        }
        for (m, v) in self.max.iter_mut().zip(values) {
            if v.is_finite() {
                *m = highest(*m, Some(*v));
            }
        }
        let since = *self.since_s.get_or_insert(now_s);
        if now_s - since >= PRESSURE_PERIOD_S || now_s < since {
            self.since_s = Some(now_s);
            let mmhg = std::mem::replace(&mut self.max, vec![None; values.len()]);
            return Some(ToClassroom::Pressure {
                t_s: now_s.clamp(0.0, super::message::MAX_SECONDS),
                mmhg: mmhg
                    .into_iter()
                    .map(|v| {
                        v.map(|v| (v * 10.0).round() / 10.0)
                            .map(|v| v.clamp(-super::message::MAX_MMHG, super::message::MAX_MMHG))
                    })
                    .collect(),
            });
        }
        None
    }
}

/// Two pressure messages as one: the newer time, the higher value per fingertip (so a peak
/// is never lost when the link falls behind).
fn merge(older: Option<ToClassroom>, newer: ToClassroom) -> ToClassroom {
    match (older, newer) {
        (Some(ToClassroom::Pressure { mmhg: old, .. }), ToClassroom::Pressure { t_s, mmhg })
            if old.len() == mmhg.len() =>
        {
            ToClassroom::Pressure {
                t_s,
                mmhg: old
                    .into_iter()
                    .zip(mmhg)
                    .map(|(a, b)| highest(a, b))
                    .collect(),
            }
        }
        (_, newer) => newer,
    }
}

/// The classroom's server said nothing (not even a ping) for this long: taken as gone.
pub const SERVER_SILENT: Duration = Duration::from_secs(6);
/// A status goes at least this often (the server's sign that the student is there).
pub const HEARTBEAT: Duration = Duration::from_secs(1);
/// The largest message the link reads from the server.
pub const MAX_ANSWER_BYTES: usize = 4096;
/// Messages the link reads from the server in one go.
const MAX_ANSWERS: usize = 64;

struct Linker {
    host: String,
    hello: Hello,
    socket: Option<WebSocket<TcpStream>>,
    strokes: Vec<Stroke>,
    sent: usize,
    next_try: Instant,
    pressure: Decimator,
    status: Status,
    status_dirty: bool,
    last_status: Instant,
    last_heard: Instant,
    refused: bool,
    receipt: Option<u64>,
    end: LinkEnd,
}

const REFUSED: &str = "the classroom refused: ";

/// What the server says, made safe to print on the student's terminal.
fn said(text: &str) -> String {
    super::message::clean_name(text, 200)
}

impl Linker {
    fn run(
        &mut self,
        updates: &Receiver<Vec<LiveUpdate>>,
        finishing: &Receiver<(Option<SessionRecord>, Duration)>,
    ) {
        loop {
            let mut pressure = None;
            match updates.recv_timeout(Duration::from_millis(50)) {
                Ok(batch) => {
                    self.take(batch, &mut pressure);
                    for more in updates.try_iter() {
                        self.take(more, &mut pressure);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
            }
            match finishing.try_recv() {
                Ok((record, wait)) => {
                    for more in updates.try_iter() {
                        self.take(more, &mut None);
                    }
                    self.close(record, wait);
                    return;
                }
                // The link was dropped without finishing: nothing is left to send to.
                Err(crossbeam_channel::TryRecvError::Disconnected) => return,
                Err(crossbeam_channel::TryRecvError::Empty) => {}
            }
            self.connect_if_due(Instant::now() + IO_TIMEOUT);
            if self.last_status.elapsed() >= HEARTBEAT {
                self.status_dirty = true;
            }
            self.flush(pressure);
            if self.socket.is_some() && self.last_heard.elapsed() > SERVER_SILENT {
                self.lost("the classroom went silent".into());
            }
        }
    }

    fn take(&mut self, batch: Vec<LiveUpdate>, pressure: &mut Option<ToClassroom>) {
        for u in batch {
            match u {
                LiveUpdate::Stroke(s) => {
                    let index = self.strokes.len() as u64;
                    self.strokes
                        .push(Stroke::of(&s, index, super::server::unix_ms()));
                    self.end.strokes = index + 1;
                }
                LiveUpdate::Pressures { now_s, values } => {
                    let n = values.len().min(super::message::MAX_CHANNELS);
                    if let Some(m) = self.pressure.push(now_s, &values[..n]) {
                        *pressure = Some(merge(pressure.take(), m));
                    }
                }
                LiveUpdate::Summary(card) => {
                    let fit = |v: f64| {
                        if v.is_finite() {
                            v.clamp(0.0, super::message::MAX_SECONDS)
                        } else {
                            0.0
                        }
                    };
                    self.status.score = Some(card.score)
                        .filter(|s| s.is_finite())
                        .map(|s| s.clamp(0.0, 100.0));
                    self.status.passed = Some(card.passed);
                    self.status.strokes_per_min = card
                        .rhythm_summary
                        .strokes_per_min
                        .filter(|r| r.is_finite())
                        .map(|r| r.clamp(0.0, 6000.0));
                    self.status.above_window_s = fit(card.exposure.above_window_s);
                    self.status.above_danger_s = fit(card.exposure.above_danger_s);
                    self.status_dirty = true;
                }
                LiveUpdate::Connection(c) => {
                    self.status.glove = Some(
                        match c {
                            Connection::Ended => "ended",
                            other => other.label(),
                        }
                        .to_string(),
                    );
                    self.status_dirty = true;
                }
                _ => {}
            }
        }
    }

    fn lost(&mut self, why: String) {
        self.end.last_problem = Some(why);
        self.socket = None;
        self.next_try = Instant::now() + RETRY;
    }

    fn connect_if_due(&mut self, deadline: Instant) {
        if self.socket.is_some() || self.refused || Instant::now() < self.next_try {
            return;
        }
        self.next_try = Instant::now() + RETRY;
        match self.connect(deadline) {
            Ok((socket, have)) => {
                self.socket = Some(socket);
                self.end.connects += 1;
                self.last_heard = Instant::now();
                self.sent = usize::try_from(have)
                    .unwrap_or(usize::MAX)
                    .min(self.strokes.len());
                self.end.delivered = have.min(self.strokes.len() as u64);
                self.status_dirty = true;
            }
            Err(e) => {
                // A refused hello (wrong code, full, another version) will be refused again:
                // the student is told once, at the end, and the link stops trying.
                self.refused = e.starts_with(REFUSED);
                self.end.last_problem = Some(said(&e));
            }
        }
    }

    /// Connects, says hello and reads the welcome, all before `deadline`.
    fn connect(&self, deadline: Instant) -> Result<(WebSocket<TcpStream>, u64), String> {
        let left = || {
            deadline
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        };
        let addr = self
            .host
            .to_socket_addrs()
            .map_err(|e| e.to_string())?
            .next()
            .ok_or_else(|| format!("no address for {}", self.host))?;
        let stream = TcpStream::connect_timeout(&addr, left()).map_err(|e| e.to_string())?;
        // Verdicts are small and must not wait for more to fill a packet.
        let _ = stream.set_nodelay(true);
        stream
            .set_read_timeout(Some(left()))
            .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
            .map_err(|e| e.to_string())?;
        let url = format!("ws://{}/join", self.host);
        let config = tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(MAX_ANSWER_BYTES))
            .max_frame_size(Some(MAX_ANSWER_BYTES));
        let (mut socket, _) =
            tungstenite::client::client_with_config(url.as_str(), stream, Some(config))
                .map_err(|e| e.to_string())?;
        let hello = serde_json::to_string(&ToClassroom::Hello(self.hello.clone()))
            .map_err(|e| e.to_string())?;
        socket
            .send(Message::Text(hello.into()))
            .map_err(|e| e.to_string())?;
        for _ in 0..MAX_ANSWERS {
            if Instant::now() >= deadline {
                break;
            }
            let _ = socket.get_mut().set_read_timeout(Some(left()));
            match socket.read().map_err(|e| e.to_string())? {
                Message::Text(t) => {
                    return match serde_json::from_str::<FromClassroom>(t.as_str()) {
                        Ok(FromClassroom::Welcome { strokes }) => {
                            let _ = socket.get_mut().set_read_timeout(Some(IO_TIMEOUT));
                            Ok((socket, strokes))
                        }
                        Ok(FromClassroom::Refused { reason }) => Err(format!("{REFUSED}{reason}")),
                        Ok(FromClassroom::Received { .. }) | Err(_) => {
                            Err("the classroom answered something else than a welcome".into())
                        }
                    };
                }
                Message::Close(_) => return Err("the classroom closed the connection".into()),
                _ => {}
            }
        }
        Err("the classroom did not answer in time".into())
    }

    fn send(&mut self, m: &ToClassroom) -> bool {
        let Some(socket) = self.socket.as_mut() else {
            return false;
        };
        let Ok(text) = serde_json::to_string(m) else {
            return true;
        };
        match socket.send(Message::Text(text.into())) {
            Ok(()) => true,
            Err(e) => {
                self.lost(said(&format!("lost the classroom: {e}")));
                false
            }
        }
    }

    fn flush(&mut self, pressure: Option<ToClassroom>) {
        if self.socket.is_none() {
            return;
        }
        while self.sent < self.strokes.len() {
            let m = ToClassroom::Stroke(self.strokes[self.sent].clone());
            if !self.send(&m) {
                return;
            }
            self.sent += 1;
        }
        if self.status_dirty {
            let m = ToClassroom::Status(self.status.clone());
            if !self.send(&m) {
                return;
            }
            self.status_dirty = false;
            self.last_status = Instant::now();
        }
        if let Some(p) = pressure {
            self.send(&p);
        }
        self.drain_answers();
    }

    /// Reads (without waiting, at most [`MAX_ANSWERS`]) what the server said: a welcome
    /// resends from the stroke it names, a refusal is kept for the summary, a record's receipt
    /// gives the final count; anything at all shows the server is there.
    fn drain_answers(&mut self) {
        let Some(socket) = self.socket.as_mut() else {
            return;
        };
        if socket.get_mut().set_nonblocking(true).is_err() {
            return;
        }
        let mut failed = None;
        for _ in 0..MAX_ANSWERS {
            match socket.read() {
                Ok(m) => {
                    self.last_heard = Instant::now();
                    let Message::Text(t) = m else { continue };
                    match serde_json::from_str::<FromClassroom>(t.as_str()) {
                        Ok(FromClassroom::Welcome { strokes }) => {
                            self.sent = usize::try_from(strokes)
                                .unwrap_or(usize::MAX)
                                .min(self.strokes.len());
                        }
                        Ok(FromClassroom::Refused { reason }) => {
                            self.end.last_problem = Some(said(&format!("{REFUSED}{reason}")));
                        }
                        Ok(FromClassroom::Received { strokes }) => {
                            self.receipt = Some(strokes);
                        }
                        Err(_) => {}
                    }
                }
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    break;
                }
                Err(e) => {
                    failed = Some(said(&format!("lost the classroom: {e}")));
                    break;
                }
            }
        }
        if let Some(why) = failed {
            self.lost(why);
            return;
        }
        let _ = socket.get_mut().set_nonblocking(false);
        // Answers to the server's pings go out now.
        let _ = socket.flush();
    }

    /// The end of the session: everything left, then the record, then the classroom's
    /// receipt; gives up when `wait` has passed.
    fn close(&mut self, record: Option<SessionRecord>, wait: Duration) {
        let deadline = Instant::now() + wait;
        let mut record_sent = false;
        while Instant::now() < deadline {
            if self.socket.is_none() {
                if self.refused {
                    return;
                }
                self.next_try = Instant::now();
                self.connect_if_due(deadline);
                record_sent = false;
                self.receipt = None;
            }
            self.flush(None);
            if self.socket.is_some() && self.sent == self.strokes.len() {
                if !record_sent {
                    let m = match &record {
                        Some(r) => ToClassroom::Record(Box::new(super::message::fit_record(r))),
                        None => ToClassroom::Status(self.status.clone()),
                    };
                    record_sent = self.send(&m);
                }
                self.drain_answers();
                if let Some(strokes) = self.receipt {
                    self.end.delivered = strokes.min(self.strokes.len() as u64);
                    self.end.record_delivered = true;
                    if let Some(mut s) = self.socket.take() {
                        let _ = s.close(None);
                        let _ = s.flush();
                    }
                    return;
                }
                if record.is_none() && record_sent {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_with_or_without_a_scheme() {
        for a in [
            "127.0.0.1:7878",
            "http://127.0.0.1:7878/",
            "ws://127.0.0.1:7878/join?x",
        ] {
            assert_eq!(parse_address(a).unwrap(), "127.0.0.1:7878");
        }
        assert_eq!(parse_address("class.local:80").unwrap(), "class.local:80");
        for bad in ["", "nohostport", ":7878", "host:", "host:0", "host:99999"] {
            assert!(parse_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pressures_waiting_together_keep_each_peak() {
        let p = |t_s, a, b| ToClassroom::Pressure {
            t_s,
            mmhg: vec![a, b],
        };
        let m = merge(
            Some(p(1.0, Some(50.0), None)),
            p(1.05, Some(10.0), Some(3.0)),
        );
        assert_eq!(m, p(1.05, Some(50.0), Some(3.0)));
    }

    #[test]
    fn the_pressure_feed_keeps_the_peak_of_each_period() {
        let mut d = Decimator::default();
        let mut out = Vec::new();
        // 200 Hz for 1 s, a peak of 50 at 0.512 s on channel 0, channel 1 never valid.
        for i in 0..=200 {
            let t = i as f64 / 200.0;
            let v = if i == 102 { 50.0 } else { 10.0 };
            if let Some(ToClassroom::Pressure { mmhg, t_s }) = d.push(t, &[v, f64::NAN]) {
                out.push((t_s, mmhg));
            }
        }
        assert!((19..=21).contains(&out.len()), "{}", out.len());
        assert!(out.iter().any(|(_, m)| m[0] == Some(50.0)));
        assert!(out.iter().all(|(_, m)| m[1].is_none()));
    }
}
