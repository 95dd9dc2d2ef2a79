//! The classroom server: axum on tokio. Students' `live --join` connect to `/join` (a
//! WebSocket of [`super::message`]s); the instructor's page is `/`, fed by server-sent events
//! from `/events`; `/api/trainees/{id}` is a trainee's detail and `/class` the class view of
//! the sessions that have ended.
//!
//! Who may join and look: a server on a loopback address is the instructor's own machine and
//! needs no code; on any other address every request (page, events, API, class view, and the
//! students' hello) must carry the join code. Nothing a viewer or a student sends changes
//! anything on any student's machine: the only answers to students are "welcome" and
//! "refused".

use super::board::{Board, Limits, TraineeId};
use super::message::{clean_name, FromClassroom, Refusal, ToClassroom, MAX_MESSAGE_BYTES};
use crate::class::SessionRecord;
use crate::grade::Profile;
use crate::report::{ClassOrder, ClassView, Format};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// The address the classroom listens on unless told otherwise: this machine only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7878";
/// The shortest time between two updates to one viewer: 20 a second, so 30 trainees sending
/// pressures at 20 Hz are coalesced into at most 20 events a second. A new stroke is sent at
/// once.
pub const FRAME: Duration = Duration::from_millis(50);
/// Viewers (pages) at once.
pub const MAX_VIEWERS: usize = 16;
/// Messages a student may send in a burst (a catch-up after a long outage), and per second
/// after it: a glove sends about 22 (20 pressures, a stroke, a status).
pub const BURST: f64 = 6000.0;
/// See [`BURST`].
pub const PER_SECOND: f64 = 100.0;
/// A connection that sends this many refused messages is closed.
pub const MAX_REFUSALS: u32 = 20;
/// A student's first message must come within this.
pub const HELLO_WITHIN: Duration = Duration::from_secs(5);

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/style.css");

/// How the classroom is run.
#[derive(Clone, Debug)]
pub struct Config {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The join code; `None` only on a loopback address.
    pub code: Option<String>,
    /// What the board holds at most.
    pub limits: Limits,
    /// What the class view is graded against (each trainee's tile shows their own window).
    pub profile: Profile,
    /// Log joins, leaves and refusals on standard error.
    pub log: bool,
}

/// A join code: 8 letters and digits without look-alikes (no 0/O, 1/I/L), shown as
/// `ABCD-EFGH`; about 40 bits.
pub fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
    }
    code
}

/// Whether a code given by a client is the classroom's (case and dashes do not matter; compared
/// in time independent of where they differ).
pub fn code_matches(expected: &str, given: &str) -> bool {
    let norm = |s: &str| -> Vec<u8> {
        s.bytes()
            .filter(|b| *b != b'-' && !b.is_ascii_whitespace())
            .map(|b| b.to_ascii_uppercase())
            .collect()
    };
    let (a, b) = (norm(expected), norm(given));
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(&b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Milliseconds since the Unix epoch.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

struct App {
    board: Mutex<Board>,
    changed: watch::Sender<u64>,
    code: Option<String>,
    profile: Profile,
    viewers: AtomicUsize,
    join_hint: String,
    log: bool,
}

impl App {
    /// The board; a panic while it was held cannot leave it half-changed in a way that matters
    /// (every change is one field at a time), so a poisoned lock is taken over.
    fn board(&self) -> MutexGuard<'_, Board> {
        self.board
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn notify(&self, version: u64) {
        self.changed.send_replace(version);
    }

    fn allowed(&self, given: Option<&str>) -> bool {
        match &self.code {
            None => true,
            Some(code) => given.is_some_and(|g| code_matches(code, g)),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

/// The classroom, bound and ready to serve.
pub struct Classroom {
    listener: tokio::net::TcpListener,
    app: Arc<App>,
}

impl std::fmt::Debug for Classroom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classroom")
            .field("listener", &self.listener)
            .finish_non_exhaustive()
    }
}

impl Classroom {
    /// Binds `config.listen` (call inside a tokio runtime).
    pub async fn bind(config: Config) -> std::io::Result<Classroom> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let code_flag = config
            .code
            .as_deref()
            .map(|c| format!(" --join-code {c}"))
            .unwrap_or_default();
        let join_hint = format!(
            "mldsense live --port PATH --join {} --trainee NAME{code_flag}",
            join_address(addr)
        );
        let (changed, _) = watch::channel(0);
        Ok(Classroom {
            listener,
            app: Arc::new(App {
                board: Mutex::new(Board::new(config.limits)),
                changed,
                code: config.code,
                profile: config.profile,
                viewers: AtomicUsize::new(0),
                join_hint,
                log: config.log,
            }),
        })
    }

    /// The address it listens on (the port chosen when asked for port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The command a student runs to join.
    pub fn join_hint(&self) -> &str {
        &self.app.join_hint
    }

    /// A handle on the class view, to write it at the end of class.
    pub fn records(&self) -> Records {
        Records(Arc::clone(&self.app))
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = router(Arc::clone(&self.app));
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

/// The class view of the sessions that have ended so far.
#[derive(Clone)]
pub struct Records(Arc<App>);

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Records")
    }
}

impl Records {
    /// The rows of the sessions that ended, and how many are still practising.
    pub fn rows(&self) -> (Vec<SessionRecord>, usize) {
        let b = self.0.board();
        (b.records(), b.practising())
    }

    /// Writes the class view of the ended sessions in `format`.
    pub fn write(&self, format: Format, out: &mut dyn std::io::Write) -> crate::Result<()> {
        let (rows, _) = self.rows();
        let view = ClassView {
            records: &rows,
            profile: &self.0.profile,
            order: ClassOrder::Score,
            progress_link: None,
        };
        crate::report::write_class(&view, format, out)
    }
}

/// The address students give to `--join`: the listening address, or for an unspecified one
/// (`0.0.0.0`) a placeholder for this machine's LAN address.
pub fn join_address(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("THIS-MACHINE-ADDRESS:{}", addr.port())
    } else {
        addr.to_string()
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/assets/app.js", get(script))
        .route("/assets/style.css", get(style))
        .route("/events", get(events))
        .route("/api/tiles", get(tiles))
        .route("/api/trainees/{id}", get(detail))
        .route("/class", get(class_html))
        .route("/class.json", get(class_json))
        .route("/join", get(join))
        .with_state(app)
}

fn secured(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The join code is in the page's address: it must not leak to another site.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

const REFUSED_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>mldsense classroom: join code needed</title></head><body>\
<h1 id=\"refused\">This classroom needs its join code</h1>\
<p>Open the address the instructor's terminal printed (it ends in <code>?code=…</code>).</p>\
</body></html>";

fn refused() -> Response {
    secured((StatusCode::UNAUTHORIZED, Html(REFUSED_PAGE)).into_response())
}

async fn page(State(app): State<Arc<App>>, Query(q): Query<CodeQuery>) -> Response {
    if !app.allowed(q.code.as_deref()) {
        return refused();
    }
    secured(Html(PAGE).into_response())
}

async fn script() -> Response {
    secured(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            SCRIPT,
        )
            .into_response(),
    )
}

async fn style() -> Response {
    secured(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response())
}

#[derive(serde::Serialize)]
struct Snapshot<'a> {
    /// Server time, ms since the epoch.
    now_ms: u64,
    /// Whether this is every tile (the first event, and once a second).
    full: bool,
    tiles: Vec<super::board::Tile>,
    join: &'a str,
    code: Option<&'a str>,
    practising: usize,
    ended: usize,
}

fn snapshot(app: &App, since: u64) -> (String, u64) {
    let now = unix_ms();
    let b = app.board();
    let (tiles, v) = b.tiles_since(since, now);
    let practising = b.practising();
    let ended = b.len() - practising;
    drop(b);
    let s = Snapshot {
        now_ms: now,
        full: since == 0,
        tiles,
        join: &app.join_hint,
        code: app.code.as_deref(),
        practising,
        ended,
    };
    (serde_json::to_string(&s).unwrap_or_else(|_| "{}".into()), v)
}

struct Viewer(Arc<App>);

impl Drop for Viewer {
    fn drop(&mut self) {
        self.0.viewers.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn events(State(app): State<Arc<App>>, Query(q): Query<CodeQuery>) -> Response {
    if !app.allowed(q.code.as_deref()) {
        return refused();
    }
    if app.viewers.fetch_add(1, Ordering::Relaxed) >= MAX_VIEWERS {
        app.viewers.fetch_sub(1, Ordering::Relaxed);
        return (StatusCode::SERVICE_UNAVAILABLE, "too many viewers").into_response();
    }
    let rx = app.changed.subscribe();
    let viewer = Viewer(Arc::clone(&app));
    // State: (viewer, change feed, version sent, when last sent, when last sent in full).
    let start = (viewer, rx, 0u64, None::<Instant>, None::<Instant>);
    let stream =
        futures_util::stream::unfold(start, |(viewer, mut rx, sent, last, full)| async move {
            loop {
                if let Some(last) = last {
                    let since = last.elapsed();
                    let new_stroke = viewer.0.board().stroke_version() > sent;
                    if since < FRAME && !new_stroke {
                        tokio::time::sleep(FRAME - since).await;
                    }
                }
                // Once a second every tile again: danger marks fade and ranks change with time.
                let all = full.is_none_or(|f: Instant| f.elapsed() >= Duration::from_secs(1));
                let from = if all { 0 } else { sent };
                let (data, v) = snapshot(&viewer.0, from);
                if all || v > sent {
                    let now = Instant::now();
                    let full = if all { Some(now) } else { full };
                    let event = Event::default().event("tiles").data(data);
                    return Some((
                        Ok::<_, std::convert::Infallible>(event),
                        (viewer, rx, v, Some(now), full),
                    ));
                }
                // A closed feed means the server is going away; a timeout is the once-a-second
                // refresh.
                if let Ok(Err(_)) = tokio::time::timeout(Duration::from_secs(1), rx.changed()).await
                {
                    return None;
                }
            }
        });
    secured(
        Sse::new(stream)
            .keep_alive(KeepAlive::default())
            .into_response(),
    )
}

async fn tiles(State(app): State<Arc<App>>, Query(q): Query<CodeQuery>) -> Response {
    if !app.allowed(q.code.as_deref()) {
        return refused();
    }
    let (data, _) = snapshot(&app, 0);
    secured(([(header::CONTENT_TYPE, "application/json")], data).into_response())
}

async fn detail(
    State(app): State<Arc<App>>,
    Path(id): Path<TraineeId>,
    Query(q): Query<CodeQuery>,
) -> Response {
    if !app.allowed(q.code.as_deref()) {
        return refused();
    }
    let d = app.board().detail(id, unix_ms());
    match d {
        Some(d) => secured(axum::Json(d).into_response()),
        None => (StatusCode::NOT_FOUND, "no such trainee").into_response(),
    }
}

async fn class_html(State(app): State<Arc<App>>, Query(q): Query<CodeQuery>) -> Response {
    if !app.allowed(q.code.as_deref()) {
        return refused();
    }
    let mut out = Vec::new();
    match Records(Arc::clone(&app)).write(Format::Html, &mut out) {
        Ok(()) => secured(Html(out).into_response()),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn class_json(State(app): State<Arc<App>>, Query(q): Query<CodeQuery>) -> Response {
    if !app.allowed(q.code.as_deref()) {
        return refused();
    }
    let mut out = Vec::new();
    match Records(Arc::clone(&app)).write(Format::Json, &mut out) {
        Ok(()) => secured(([(header::CONTENT_TYPE, "application/json")], out).into_response()),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn join(
    ws: WebSocketUpgrade,
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| student(socket, app, peer))
}

/// Logs a line about a connection (names cleaned of control characters: a name cannot write
/// escape sequences into the instructor's terminal).
fn log(app: &App, peer: SocketAddr, who: &str, what: &str) {
    if app.log {
        eprintln!(
            "classroom: {peer} {}: {}",
            clean_name(who, 80),
            clean_name(what, 200)
        );
    }
}

async fn send(socket: &mut WebSocket, m: &FromClassroom) -> bool {
    let text = serde_json::to_string(m).unwrap_or_default();
    socket.send(Message::Text(text.into())).await.is_ok()
}

/// A token bucket: [`BURST`] messages, refilled at [`PER_SECOND`].
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * PER_SECOND).min(BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

async fn student(mut socket: WebSocket, app: Arc<App>, peer: SocketAddr) {
    let first = match tokio::time::timeout(HELLO_WITHIN, socket.recv()).await {
        Ok(Some(Ok(Message::Text(t)))) => ToClassroom::parse(t.as_str()),
        Ok(Some(Ok(_))) => Err(Refusal::Malformed(
            "the first message must be a hello".into(),
        )),
        _ => return,
    };
    let hello = match first {
        Ok(ToClassroom::Hello(h)) => h,
        Ok(_) => {
            refuse_and_close(
                &app,
                &mut socket,
                peer,
                "?",
                Refusal::Order("the first message must be a hello"),
            )
            .await;
            return;
        }
        Err(e) => {
            refuse_and_close(&app, &mut socket, peer, "?", e).await;
            return;
        }
    };
    if !app.allowed(hello.code.as_deref()) {
        refuse_and_close(&app, &mut socket, peer, &hello.trainee, Refusal::Code).await;
        return;
    }
    let name = hello.trainee.clone();
    let joined = {
        let mut b = app.board();
        let r = b.hello(hello);
        let v = b.version();
        drop(b);
        app.notify(v);
        r
    };
    let joined = match joined {
        Ok(j) => j,
        Err(e) => {
            refuse_and_close(&app, &mut socket, peer, &name, e).await;
            return;
        }
    };
    log(
        &app,
        peer,
        &name,
        &format!(
            "joined (the classroom holds {} of its strokes)",
            joined.strokes
        ),
    );
    if !send(
        &mut socket,
        &FromClassroom::Welcome {
            strokes: joined.strokes,
        },
    )
    .await
    {
        disconnect(&app, joined.id, joined.conn);
        return;
    }
    let mut bucket = Bucket {
        tokens: BURST,
        at: Instant::now(),
    };
    let mut refusals = 0u32;
    while let Some(Ok(msg)) = socket.recv().await {
        let result = match msg {
            Message::Text(t) => {
                if bucket.take() {
                    ToClassroom::parse(t.as_str()).and_then(|m| {
                        let mut b = app.board();
                        let r = b.apply(joined.id, m, unix_ms());
                        let v = b.version();
                        drop(b);
                        app.notify(v);
                        r
                    })
                } else {
                    Err(Refusal::Rate)
                }
            }
            Message::Binary(_) => Err(Refusal::Malformed("binary message".into())),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => Ok(()),
        };
        if let Err(e) = result {
            refusals += 1;
            if refusals <= 5 {
                log(&app, peer, &name, &format!("refused: {e}"));
            }
            if refusals >= MAX_REFUSALS {
                log(&app, peer, &name, "closed: too many refused messages");
                let _ = send(
                    &mut socket,
                    &FromClassroom::Refused {
                        reason: "too many refused messages".into(),
                    },
                )
                .await;
                break;
            }
            if !send(
                &mut socket,
                &FromClassroom::Refused {
                    reason: e.to_string(),
                },
            )
            .await
            {
                break;
            }
        }
    }
    log(&app, peer, &name, "left");
    disconnect(&app, joined.id, joined.conn);
}

fn disconnect(app: &App, id: TraineeId, conn: u64) {
    let mut b = app.board();
    b.disconnect(id, conn);
    let v = b.version();
    drop(b);
    app.notify(v);
}

async fn refuse_and_close(
    app: &App,
    socket: &mut WebSocket,
    peer: SocketAddr,
    who: &str,
    why: Refusal,
) {
    log(app, peer, who, &format!("refused: {why}"));
    let _ = send(
        socket,
        &FromClassroom::Refused {
            reason: why.to_string(),
        },
    )
    .await;
    let _ = socket.send(Message::Close(None)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unambiguous_and_compared_loosely() {
        let c = new_code();
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']));
        assert!(code_matches(&c, &c.to_lowercase().replace('-', "")));
        assert!(!code_matches(&c, "AAAA-AAAA") || c == "AAAA-AAAA");
        assert!(!code_matches(&c, ""));
        assert!(!code_matches("ABCD-EFGH", "ABCD-EFG"));
    }
}
