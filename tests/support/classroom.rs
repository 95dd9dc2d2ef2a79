//! What the classroom's tests and its load bench share: the `mldsense classroom` server and
//! `mldsense live --join` trainees as real processes, a tiny HTTP client, and headless Chromium
//! driven through ChromeDriver (WebDriver).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mldsense"))
}

/// A running `mldsense classroom`.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The join code it printed, if any.
    pub code: Option<String>,
    /// Everything it said on stdout (after the banner) and stderr.
    pub log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `mldsense classroom ARGS` and reads its banner.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .arg("classroom")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mldsense classroom");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let (mut addr, mut code) = (None, None);
        let mut banner = String::new();
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).expect("read banner") == 0 {
                panic!("classroom ended before its banner: {banner}");
            }
            banner.push_str(&line);
            if let Some(rest) = line.strip_prefix("classroom open at http://") {
                addr = Some(rest.split('/').next().expect("addr").to_string());
            }
            if let Some(c) = line.strip_prefix("join code: ") {
                code = Some(c.trim().to_string());
            }
            if line.starts_with("Ctrl-C ends the class") {
                break;
            }
        }
        let log = Arc::new(Mutex::new(String::new()));
        let err = child.stderr.take().expect("stderr");
        for reader in [
            Box::new(out) as Box<dyn BufRead + Send>,
            Box::new(BufReader::new(err)),
        ] {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in reader.lines().map_while(Result::ok) {
                    let mut l = log.lock().unwrap_or_else(|e| e.into_inner());
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        Server {
            child,
            addr: addr.expect("the banner names the address"),
            code,
            log,
        }
    }

    /// The page's address (with the code when there is one).
    pub fn page_url(&self) -> String {
        match &self.code {
            Some(c) => format!("http://{}/?code={c}", self.addr),
            None => format!("http://{}/", self.addr),
        }
    }

    /// `path` with the code added.
    pub fn with_code(&self, path: &str) -> String {
        match &self.code {
            Some(c) => format!("{path}?code={c}"),
            None => path.to_string(),
        }
    }

    /// The tiles, as `/api/tiles` gives them.
    pub fn tiles(&self) -> serde_json::Value {
        let (status, body) = http_get(&self.addr, &self.with_code("/api/tiles"));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("tiles JSON")
    }

    /// Waits until `ok` holds of the tiles (panics after `limit`, showing them).
    pub fn wait_tiles(
        &self,
        limit: Duration,
        what: &str,
        ok: impl Fn(&[serde_json::Value]) -> bool,
    ) -> Vec<serde_json::Value> {
        let start = Instant::now();
        loop {
            let t = self.tiles();
            let tiles = t["tiles"].as_array().cloned().unwrap_or_default();
            if ok(&tiles) {
                return tiles;
            }
            if start.elapsed() > limit {
                panic!(
                    "waited {limit:?} for {what}; tiles: {t:#}\nlog: {}",
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What the server logged so far.
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Ends the class as Ctrl-C does (SIGINT) and returns everything it said.
    pub fn interrupt(mut self) -> String {
        // SAFETY-free: `kill -INT` through the shell's command.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(200));
        self.log_text()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `GET` over HTTP/1.1 with `Connection: close`: (status, body).
pub fn http_get(addr: &str, path: &str) -> (u16, String) {
    http_request(addr, path, addr, "")
}

/// A `GET` naming `host` in its `Host` header, with `headers` (each ending in CRLF) added.
pub fn http_request(addr: &str, path: &str, host: &str, headers: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_string())
}

/// A running `mldsense live --sim … --join …`.
pub struct Trainee {
    /// The process.
    pub child: Child,
}

/// How a trainee practises.
pub struct Practice<'a> {
    /// Trainee name.
    pub name: &'a str,
    /// Virtual glove style.
    pub style: &'a str,
    /// Seed.
    pub seed: u64,
    /// Seconds of session.
    pub duration_s: f64,
    /// Speed-up.
    pub speed: f64,
}

impl Trainee {
    /// Starts a trainee joining `addr` (with `code`), the virtual glove read through its
    /// pseudo-terminal and the real serial path, one line per stroke on stdout.
    pub fn join(addr: &str, code: Option<&str>, p: &Practice, extra: &[&str]) -> Trainee {
        let mut cmd = Command::new(bin());
        cmd.args(["live", "--sim", p.style, "--seed"])
            .arg(p.seed.to_string())
            .arg("--duration")
            .arg(p.duration_s.to_string())
            .arg("--speed")
            .arg(p.speed.to_string())
            .args(["--join", addr, "--trainee", p.name])
            .args(extra);
        if let Some(c) = code {
            cmd.args(["--join-code", c]);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mldsense live");
        Trainee { child }
    }

    /// Waits for the session to end: (exit ok, stdout, stderr).
    pub fn wait(self) -> (bool, String, String) {
        let out = self.child.wait_with_output().expect("wait for live");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// The strokes a `live` line printer printed (lines starting with `stroke `).
pub fn stroke_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.starts_with("stroke "))
        .collect()
}

/// Makes sure Debian's Chromium and ChromeDriver are there (the project's own installer, as
/// CI runs it).
pub fn ensure_browser() {
    let have = |b: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {b}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if have("chromium") && have("chromedriver") {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/browser/install.sh");
    let ok = Command::new("bash")
        .arg(&script)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok && have("chromium") && have("chromedriver"),
        "the classroom's browser tests need Debian's chromium and chromium-driver; \
         `bash {}` installs them (it needs root or sudo)",
        script.display()
    );
}

/// Headless Chromium under ChromeDriver.
pub struct Browser {
    driver: Child,
    /// The WebDriver client.
    pub client: fantoccini::Client,
    /// The runtime the client runs on.
    pub rt: tokio::runtime::Runtime,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium window of `width` × `height`.
    pub fn start(width: u32, height: u32) -> Browser {
        ensure_browser();
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let client = rt
            .block_on(
                fantoccini::ClientBuilder::new(
                    hyper_util::client::legacy::connect::HttpConnector::new(),
                )
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
            )
            .expect("a Chromium session");
        Browser {
            driver,
            client,
            rt,
            _profile: profile,
        }
    }

    /// Opens `url`.
    pub fn goto(&self, url: &str) {
        self.rt.block_on(self.client.goto(url)).expect("goto");
    }

    /// Runs `script` (a function body; `return` gives the value) in the page.
    pub fn eval(&self, script: &str) -> serde_json::Value {
        self.rt
            .block_on(self.client.execute(script, vec![]))
            .expect("execute")
    }

    /// Waits until `script` returns `true` (panics after `limit`, with what `show` returns).
    pub fn wait_until(&self, limit: Duration, script: &str, show: &str) {
        let start = Instant::now();
        loop {
            if self.eval(script) == serde_json::Value::Bool(true) {
                return;
            }
            if start.elapsed() > limit {
                panic!("waited {limit:?} for `{script}`; page: {}", self.eval(show));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a screenshot of the window as PNG at `path`.
    pub fn screenshot(&self, path: &Path) {
        let png = self
            .rt
            .block_on(self.client.screenshot())
            .expect("screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let client = self.client.clone();
        let _ = self.rt.block_on(client.close());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Where the tests leave screenshots to look at.
pub fn screens_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("classroom-screens")
}
