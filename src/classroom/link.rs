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
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
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
pub fn parse_address(join: &str) -> Result<(String, SocketAddr), String> {
    let rest = join
        .trim()
        .trim_start_matches("http://")
        .trim_start_matches("ws://");
    let hostport = rest.split(['/', '?', '#']).next().unwrap_or("");
    if hostport.is_empty() {
        return Err(format!("--join {join:?}: give the classroom's HOST:PORT"));
    }
    let addr = hostport
        .to_socket_addrs()
        .map_err(|e| format!("--join {join:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("--join {join:?}: no address found"))?;
    Ok((hostport.to_string(), addr))
}

/// What the link has done, for the student's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkEnd {
    /// Strokes of the session.
    pub strokes: u64,
    /// Strokes the classroom confirmed holding (it answers with its count on each connect;
    /// strokes sent on a connection that then stayed up are counted as delivered).
    pub delivered: u64,
    /// Whether the final record reached the classroom.
    pub record_delivered: bool,
    /// Times the link (re)connected.
    pub connects: u32,
    /// The last refusal or failure, if any.
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
    /// Starts the link to the classroom at `addr` (`host` as the student typed it, for the
    /// WebSocket's `Host`), introducing the session with `hello`.
    pub fn start(host: String, addr: SocketAddr, hello: Hello) -> std::io::Result<Link> {
        let (tap, updates) = crossbeam_channel::unbounded();
        let (finish, finishing) = crossbeam_channel::bounded(1);
        let handle = std::thread::Builder::new()
            .name("mldsense-classroom-link".into())
            .spawn(move || {
                let mut l = Linker {
                    host,
                    addr,
                    hello,
                    socket: None,
                    strokes: Vec::new(),
                    sent: 0,
                    next_try: Instant::now(),
                    pressure: Decimator::default(),
                    status: Status::default(),
                    status_dirty: false,
                    refused: false,
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

    /// Ends the link: sends what is left and the session's `record`, waiting at most `wait`
    /// for the classroom.
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

impl Decimator {
    /// Takes one update; returns a message when a period is complete.
    fn push(&mut self, now_s: f64, values: &[f64]) -> Option<ToClassroom> {
        if self.max.len() != values.len() {
            self.max = vec![None; values.len()];
        }
        for (m, v) in self.max.iter_mut().zip(values) {
            if v.is_finite() {
                *m = Some(m.map_or(*v, |m: f64| m.max(*v)));
            }
        }
        let since = *self.since_s.get_or_insert(now_s);
        if now_s - since >= PRESSURE_PERIOD_S || now_s < since {
            self.since_s = Some(now_s);
            let mmhg = std::mem::replace(&mut self.max, vec![None; values.len()]);
            return Some(ToClassroom::Pressure {
                t_s: now_s.max(0.0),
                mmhg: mmhg
                    .into_iter()
                    .map(|v| v.map(|v| (v * 10.0).round() / 10.0))
                    .collect(),
            });
        }
        None
    }
}

struct Linker {
    host: String,
    addr: SocketAddr,
    hello: Hello,
    socket: Option<WebSocket<TcpStream>>,
    strokes: Vec<Stroke>,
    sent: usize,
    next_try: Instant,
    pressure: Decimator,
    status: Status,
    status_dirty: bool,
    refused: bool,
    end: LinkEnd,
}

const REFUSED: &str = "the classroom refused: ";

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
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {}
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
            self.connect_if_due();
            self.flush(pressure);
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
                    if let Some(m) = self.pressure.push(now_s, &values) {
                        *pressure = Some(m);
                    }
                }
                LiveUpdate::Summary(card) => {
                    self.status.score = Some(card.score).filter(|s| s.is_finite());
                    self.status.passed = Some(card.passed);
                    self.status.strokes_per_min = card
                        .rhythm_summary
                        .strokes_per_min
                        .filter(|r| r.is_finite());
                    self.status.above_window_s = card.exposure.above_window_s.max(0.0);
                    self.status.above_danger_s = card.exposure.above_danger_s.max(0.0);
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

    fn connect_if_due(&mut self) {
        if self.socket.is_some() || self.refused || Instant::now() < self.next_try {
            return;
        }
        self.next_try = Instant::now() + RETRY;
        match self.connect() {
            Ok((socket, have)) => {
                self.socket = Some(socket);
                self.end.connects += 1;
                self.sent = usize::try_from(have)
                    .unwrap_or(usize::MAX)
                    .min(self.strokes.len());
                self.end.delivered = self.end.delivered.max(self.sent as u64);
                self.status_dirty = true;
            }
            Err(e) => {
                // A refused hello (wrong code, full, another version) will be refused again:
                // the student is told once, at the end, and the link stops trying.
                self.refused = e.starts_with(REFUSED);
                self.end.last_problem = Some(e);
            }
        }
    }

    fn connect(&self) -> Result<(WebSocket<TcpStream>, u64), String> {
        let stream =
            TcpStream::connect_timeout(&self.addr, IO_TIMEOUT).map_err(|e| e.to_string())?;
        // Verdicts are small and must not wait for more to fill a packet.
        let _ = stream.set_nodelay(true);
        stream
            .set_read_timeout(Some(IO_TIMEOUT))
            .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
            .map_err(|e| e.to_string())?;
        let url = format!("ws://{}/join", self.host);
        let (mut socket, _) =
            tungstenite::client::client(url.as_str(), stream).map_err(|e| e.to_string())?;
        let hello = serde_json::to_string(&ToClassroom::Hello(self.hello.clone()))
            .map_err(|e| e.to_string())?;
        socket
            .send(Message::Text(hello.into()))
            .map_err(|e| e.to_string())?;
        loop {
            match socket.read().map_err(|e| e.to_string())? {
                Message::Text(t) => {
                    return match serde_json::from_str::<FromClassroom>(t.as_str()) {
                        Ok(FromClassroom::Welcome { strokes }) => Ok((socket, strokes)),
                        Ok(FromClassroom::Refused { reason }) => Err(format!("{REFUSED}{reason}")),
                        Err(e) => Err(format!("the classroom answered oddly: {e}")),
                    };
                }
                Message::Close(_) => return Err("the classroom closed the connection".into()),
                _ => {}
            }
        }
    }

    fn send(&mut self, m: &ToClassroom) -> bool {
        let Some(socket) = self.socket.as_mut() else {
            return false;
        };
        let text = match serde_json::to_string(m) {
            Ok(t) => t,
            Err(_) => return true,
        };
        match socket.send(Message::Text(text.into())) {
            Ok(()) => true,
            Err(e) => {
                self.end.last_problem = Some(format!("lost the classroom: {e}"));
                self.socket = None;
                self.next_try = Instant::now() + RETRY;
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
            self.end.delivered = self.end.delivered.max(self.sent as u64);
        }
        if self.status_dirty {
            let m = ToClassroom::Status(self.status.clone());
            if !self.send(&m) {
                return;
            }
            self.status_dirty = false;
        }
        if let Some(p) = pressure {
            self.send(&p);
        }
        self.drain_answers();
    }

    /// Reads (without waiting) what the server said: a refusal is kept for the summary.
    fn drain_answers(&mut self) {
        let Some(socket) = self.socket.as_mut() else {
            return;
        };
        if socket.get_mut().set_nonblocking(true).is_err() {
            return;
        }
        loop {
            match socket.read() {
                Ok(Message::Text(t)) => {
                    if let Ok(FromClassroom::Refused { reason }) =
                        serde_json::from_str::<FromClassroom>(t.as_str())
                    {
                        self.end.last_problem = Some(format!("the classroom refused: {reason}"));
                    }
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    break
                }
                Err(e) => {
                    self.end.last_problem = Some(format!("lost the classroom: {e}"));
                    self.socket = None;
                    self.next_try = Instant::now() + RETRY;
                    return;
                }
            }
        }
        if let Some(socket) = self.socket.as_mut() {
            let _ = socket.get_mut().set_nonblocking(false);
        }
    }

    /// The end of the session: everything left, then the record, then a clean close; tries to
    /// reach the classroom until `wait` has passed.
    fn close(&mut self, record: Option<SessionRecord>, wait: Duration) {
        let deadline = Instant::now() + wait;
        loop {
            if self.socket.is_none() && !self.refused {
                self.next_try = Instant::now();
                self.connect_if_due();
            }
            if self.refused {
                return;
            }
            self.flush(None);
            if self.socket.is_some() && self.sent == self.strokes.len() {
                let delivered = match &record {
                    Some(r) => self.send(&ToClassroom::Record(Box::new(r.clone()))),
                    None => true,
                };
                if delivered {
                    self.end.record_delivered = record.is_some();
                    if let Some(mut s) = self.socket.take() {
                        let _ = s.close(None);
                        let _ = s.flush();
                        // Wait briefly for the close to be answered, so the record is read.
                        let until = Instant::now() + Duration::from_millis(500);
                        while Instant::now() < until {
                            match s.read() {
                                Ok(_) => {}
                                Err(_) => break,
                            }
                        }
                    }
                    return;
                }
            }
            if Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
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
            let (host, addr) = parse_address(a).unwrap();
            assert_eq!(host, "127.0.0.1:7878");
            assert_eq!(addr.port(), 7878);
        }
        assert!(parse_address("").is_err());
        assert!(parse_address("nohostport").is_err());
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
