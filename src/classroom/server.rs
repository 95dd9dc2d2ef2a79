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

use super::board::{Board, Joined, Limits, TraineeId};
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
/// A connection that sends this many refused messages (without a quiet spell of
/// [`REFUSALS_FORGOTTEN`]) is closed.
pub const MAX_REFUSALS: u32 = 20;
/// See [`MAX_REFUSALS`].
pub const REFUSALS_FORGOTTEN: Duration = Duration::from_secs(10);
/// Connections waiting for their hello at once.
pub const MAX_PENDING: usize = 64;
/// How often the server pings a student (the student's side takes a silent server as gone).
pub const PING_EVERY: Duration = Duration::from_secs(2);
/// A student silent this long is taken as gone (its side sends at least a status a second).
pub const IDLE: Duration = Duration::from_secs(6);
/// The shortest time between two events to one viewer when a new stroke is waiting.
pub const STROKE_FRAME: Duration = Duration::from_millis(10);
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
    pending: AtomicUsize,
    join_hint: String,
    log: Option<std::sync::mpsc::SyncSender<String>>,
    loopback: bool,
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
                pending: AtomicUsize::new(0),
                join_hint,
                log: config.log.then(logger),
                loopback: addr.ip().is_loopback(),
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
    pub fn write(&self, format: Format, out: &mut dyn std::io::Write) -> crate::error::Result<()> {
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

/// On a loopback listener (no code), only requests addressed to this machine by name are
/// served: a web page elsewhere that points a name of its own at 127.0.0.1 (DNS rebinding)
/// gets 403, not the class.
async fn local_host_only(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if app.loopback {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let name = match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        };
        if !matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
            return (
                StatusCode::FORBIDDEN,
                "this classroom is for this machine only",
            )
                .into_response();
        }
    }
    next.run(request).await
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
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            local_host_only,
        ))
        .with_state(app)
}

/// The page's policy: its own script and style only.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'self'";
/// The class view's (the report's HTML, its style inline, no script at all).
const REPORT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn secured(r: Response) -> Response {
    with_policy(r, PAGE_POLICY)
}

fn with_policy(mut r: Response, policy: &'static str) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
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
                    let frame = if new_stroke { STROKE_FRAME } else { FRAME };
                    if since < frame {
                        tokio::time::sleep(frame - since).await;
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
        Ok(()) => with_policy(Html(out).into_response(), REPORT_POLICY),
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
    headers: axum::http::HeaderMap,
) -> Response {
    // Students join from `mldsense live`, which sends no Origin; a browser always does. So a
    // web page cannot join trainees, raise dangers or write records.
    if headers.contains_key(header::ORIGIN) {
        log(&app, peer, "?", "refused: a web page may not join");
        return (
            StatusCode::FORBIDDEN,
            "students join with mldsense live --join",
        )
            .into_response();
    }
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| student(socket, app, peer))
}

/// The log's own thread: lines go to standard error from there, so a stalled terminal never
/// blocks the server, and a flood of lines is dropped rather than queued without end.
fn logger() -> std::sync::mpsc::SyncSender<String> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<String>(256);
    let _ = std::thread::Builder::new()
        .name("mldsense-classroom-log".into())
        .spawn(move || {
            for line in rx {
                eprintln!("{line}");
            }
        });
    tx
}

/// Logs a line about a connection (names cleaned of control characters: a name cannot write
/// escape sequences into the instructor's terminal).
fn log(app: &App, peer: SocketAddr, who: &str, what: &str) {
    if let Some(log) = &app.log {
        let _ = log.try_send(format!(
            "classroom: {peer} {}: {}",
            clean_name(who, 80),
            clean_name(what, 200)
        ));
    }
}

async fn send(socket: &mut WebSocket, m: &FromClassroom) -> bool {
    let text = serde_json::to_string(m).unwrap_or_default();
    socket.send(Message::Text(text.into())).await.is_ok()
}

/// Runs one student's connection: the hello, then every message checked, applied and, when
/// refused, answered; a ping every [`PING_EVERY`], and the connection closed after [`IDLE`]
/// without a message (a network that dropped without a word).
async fn student(mut socket: WebSocket, app: Arc<App>, peer: SocketAddr) {
    let waiting = Pending::enter(&app);
    let Some(_waiting) = waiting else {
        let _ = socket.send(Message::Close(None)).await;
        return;
    };
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
    drop(_waiting);
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
    let mut refusals = 0u32;
    let mut last_refusal = Instant::now();
    let mut last_heard = Instant::now();
    let mut ping = tokio::time::interval(PING_EVERY);
    loop {
        let msg = tokio::select! {
            m = socket.recv() => m,
            _ = ping.tick() => {
                if last_heard.elapsed() > IDLE {
                    log(&app, peer, &name, "silent too long: taken as gone");
                    break;
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
                continue;
            }
        };
        let Some(Ok(msg)) = msg else { break };
        last_heard = Instant::now();
        let answer = match msg {
            Message::Text(t) => handle(&app, joined, t.as_str()),
            Message::Binary(_) => Err(Refusal::Malformed("binary message".into())),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => Ok(None),
        };
        let reply = match answer {
            Ok(None) => continue,
            Ok(Some(reply)) => reply,
            Err(e) => {
                // Refusals are forgiven after a quiet spell; a stream of them closes the door.
                if last_refusal.elapsed() > REFUSALS_FORGOTTEN {
                    refusals = 0;
                }
                last_refusal = Instant::now();
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
                match e {
                    // A stroke past a gap: the student resends from the one expected.
                    Refusal::Gap { expected, .. } => FromClassroom::Welcome { strokes: expected },
                    e => FromClassroom::Refused {
                        reason: e.to_string(),
                    },
                }
            }
        };
        if !send(&mut socket, &reply).await {
            break;
        }
    }
    log(&app, peer, &name, "left");
    disconnect(&app, joined.id, joined.conn);
}

/// One text message of a joined student: checked, rate-limited, applied; what to answer.
fn handle(app: &App, joined: Joined, text: &str) -> Result<Option<FromClassroom>, Refusal> {
    let m = ToClassroom::parse(text)?;
    let is_record = matches!(m, ToClassroom::Record(_));
    let mut b = app.board();
    if !b.admit(joined.id, unix_ms()) {
        return Err(Refusal::Rate);
    }
    let r = b.apply(joined.id, joined.conn, m, unix_ms());
    let v = b.version();
    let strokes = b.strokes_of(joined.id);
    drop(b);
    app.notify(v);
    r?;
    Ok(is_record.then_some(FromClassroom::Received { strokes }))
}

/// A connection waiting for its hello, counted so that idle sockets cannot pile up.
struct Pending(Arc<App>);

impl Pending {
    fn enter(app: &Arc<App>) -> Option<Pending> {
        if app.pending.fetch_add(1, Ordering::Relaxed) >= MAX_PENDING {
            app.pending.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        Some(Pending(Arc::clone(app)))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.pending.fetch_sub(1, Ordering::Relaxed);
    }
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
