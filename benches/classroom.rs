//! Load on the live classroom: 30 simulated trainees at 200 Hz (each a real `mldsense live
//! --sim … --join` process, its virtual glove on a pseudo-terminal, in real time) and the
//! instructor's page in headless Chromium. Measures, for every stroke, the time from its
//! verdict on the student's side to its tile updated in the browser (p50, p90, p99, max), and
//! the server's CPU and memory.
//!
//! `cargo bench --bench classroom` (environment: `TRAINEES`, default 30; `SECONDS`, default 60).
//! Not a test: it asserts nothing about time, it reports.

#[path = "../tests/support/classroom.rs"]
mod support;

use std::time::{Duration, Instant};
use support::{Browser, Practice, Server, Trainee};

fn env_or(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// (user + system CPU seconds, resident KB, peak resident KB) of a process.
fn usage(pid: u32) -> (f64, u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    // After the command: state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (ticks / 100.0, kb("VmRSS:"), kb("VmHWM:"))
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let n = env_or("TRAINEES", 30.0) as usize;
    let seconds = env_or("SECONDS", 60.0);
    let server = Server::start(&["--listen", "127.0.0.1:0", "-q"]);
    let browser = Browser::start(1600, 1000);
    browser.goto(&server.page_url());
    let styles = ["steady", "heavy", "light", "rushed", "novice"];
    let names: Vec<String> = (1..=n).map(|i| format!("trainee {i:02}")).collect();
    let trainees: Vec<Trainee> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            Trainee::join(
                &server.addr,
                None,
                &Practice {
                    name,
                    style: styles[i % styles.len()],
                    seed: 100 + i as u64,
                    duration_s: seconds,
                    speed: 1.0,
                },
                &["-q"],
            )
        })
        .collect();
    server.wait_tiles(Duration::from_secs(60), "every trainee", |t| {
        t.len() == n && t.iter().all(|t| t["connected"] == true)
    });
    let (cpu0, _, _) = usage(server.pid());
    let t0 = Instant::now();
    let mut strokes = 0usize;
    for t in trainees {
        let (_, out, _) = t.wait();
        strokes += support::stroke_lines(&out).len();
    }
    let wall = t0.elapsed().as_secs_f64();
    let (cpu1, rss, hwm) = usage(server.pid());
    std::thread::sleep(Duration::from_secs(1));
    let shown = browser.eval("return window.mldStrokesShown");
    let lat = browser.eval("return window.mldLatencies");
    let mut ms: Vec<f64> = lat
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    ms.sort_by(f64::total_cmp);
    browser.screenshot(&support::screens_dir().join("classroom-load.png"));
    println!(
        "classroom load: {n} trainees at 200 Hz for {seconds} s ({wall:.1} s wall), {strokes} strokes made, {} shown ({} measured)",
        shown,
        ms.len()
    );
    println!(
        "verdict → tile latency: p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        percentile(&ms, 0.5),
        percentile(&ms, 0.9),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "server: {:.1} % of one core ({:.2} CPU s over {wall:.1} s), resident {} KB, peak {} KB",
        100.0 * (cpu1 - cpu0) / wall,
        cpu1 - cpu0,
        rss,
        hwm
    );
    println!(
        "screenshot: {}",
        support::screens_dir().join("classroom-load.png").display()
    );
}
