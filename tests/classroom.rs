//! The live classroom end to end: `mldsense classroom` started as a process, simulated
//! trainees joining with `mldsense live --sim … --join` (the virtual glove on a
//! pseudo-terminal, read through the real serial path), and the instructor's page in headless
//! Chromium. Pseudo-terminal pairs are not thread-safe, so the tests take turns.

mod support {
    pub mod classroom;
}

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;
use support::classroom::{
    http_get, http_request, screens_dir, stroke_lines, Browser, Practice, Server, Trainee,
};

static SERIAL: Mutex<()> = Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const HOSTILE: &str = "<img src=x onerror=\"window.__pwned=1\">Eve";

fn practice<'a>(name: &'a str, style: &'a str, seed: u64) -> Practice<'a> {
    Practice {
        name,
        style,
        seed,
        duration_s: 40.0,
        speed: 2.0,
    }
}

#[test]
fn tiles_appear_update_highlight_danger_and_escape_names() {
    let _t = turn();
    let reports = tempfile::tempdir().expect("tmp");
    let report_dir = reports.path().join("today");
    let report_arg = report_dir.display().to_string();
    let server = Server::start(&["--listen", "127.0.0.1:0", "--report", &report_arg]);
    assert!(server.code.is_none(), "loopback needs no code");
    let browser = Browser::start(1400, 1000);
    browser.goto(&server.page_url());
    let trainees: Vec<Trainee> = [
        practice("Anna", "steady", 1),
        // Seed 5 of the heavy style reaches the danger level in its second stroke.
        practice("Ben", "heavy", 5),
        practice(HOSTILE, "light", 3),
    ]
    .iter()
    .map(|p| Trainee::join(&server.addr, None, p, &[]))
    .collect();

    browser.wait_until(
        Duration::from_secs(30),
        "return document.querySelectorAll('#tiles .tile').length === 3",
        "return document.body.innerText",
    );
    // Verdicts arrive and the counts move.
    browser.wait_until(
        Duration::from_secs(40),
        "return [...document.querySelectorAll('#tiles .tile')].every(t => \
           /^(too light|in window|too hard|DANGER)$/.test(t.querySelector('.verdict').textContent))",
        "return document.body.innerText",
    );
    let before = browser.eval(
        "return [...document.querySelectorAll('#tiles .tile')].map(t => t.querySelector('.counts').textContent)",
    );
    // The danger stroke makes Ben's tile stand out, and the default order puts it first.
    browser.wait_until(
        Duration::from_secs(40),
        "const t = [...document.querySelectorAll('#tiles .tile.danger')]; \
         return t.length === 1 && t[0].querySelector('.name').textContent === 'Ben' \
           && document.querySelector('#tiles .tile') === t[0]",
        "return document.body.innerText",
    );
    browser.screenshot(&screens_dir().join("classroom.png"));
    let alarm = browser.eval(
        "const t = document.querySelector('#tiles .tile.danger'); \
         return [getComputedStyle(t.querySelector('.alarm')).display, t.querySelector('.alarm').textContent, \
                 getComputedStyle(t).borderTopColor]",
    );
    assert_eq!(alarm[0], "block", "{alarm}");
    assert!(
        alarm[1].as_str().unwrap_or("").starts_with("DANGER: "),
        "{alarm}"
    );
    assert_eq!(alarm[2], "rgb(197, 48, 48)", "{alarm}");
    browser.wait_until(
        Duration::from_secs(20),
        &format!(
            "const now = [...document.querySelectorAll('#tiles .tile')].map(t => t.querySelector('.counts').textContent); \
             return JSON.stringify(now) !== {:?}",
            before.to_string()
        ),
        "return document.body.innerText",
    );

    // The hostile name is text: the very characters, no element made of them, no script run.
    let escaped = browser.eval(&format!(
        "const names = [...document.querySelectorAll('#tiles .name')].map(n => n.textContent); \
         return [names.includes({HOSTILE:?}), document.querySelectorAll('#tiles img').length, \
                 window.__pwned === undefined]"
    ));
    assert_eq!(escaped, serde_json::json!([true, 0, true]));

    // Sorting by name puts Anna first; a click opens the detail with its trace and strokes.
    browser.eval(
        "const s = document.getElementById('sort'); s.value = 'name'; \
         s.dispatchEvent(new Event('change')); return null",
    );
    let order = browser.eval(
        "return [...document.querySelectorAll('#tiles .tile .name')].map(n => n.textContent)\
           .filter(n => n === 'Anna' || n === 'Ben')",
    );
    assert_eq!(order, serde_json::json!(["Anna", "Ben"]));
    browser.eval(
        "[...document.querySelectorAll('#tiles .tile')].find(t => t.querySelector('.name').textContent === 'Anna').click(); return null",
    );
    browser.wait_until(
        Duration::from_secs(10),
        "return document.getElementById('detail').open && \
           document.getElementById('d-name').textContent === 'Anna' && \
           document.querySelectorAll('#d-strokes tbody tr').length > 0",
        "return document.getElementById('detail').innerText",
    );
    std::thread::sleep(Duration::from_millis(700));
    browser.screenshot(&screens_dir().join("classroom-detail.png"));
    let rows = browser.eval(
        "return [...document.querySelectorAll('#d-strokes tbody tr')].map(r => r.children[3].textContent)",
    );
    assert!(
        rows.as_array().is_some_and(|r| r.iter().all(|v| [
            "too light",
            "in window",
            "too hard",
            "DANGER (too hard)"
        ]
        .contains(&v.as_str().unwrap_or("")))),
        "{rows}"
    );

    // What the page shows is what the students' own views said.
    let names = ["Anna", "Ben", HOSTILE];
    let mut outputs = Vec::new();
    for t in trainees {
        let (ok, out, err) = t.wait();
        assert!(ok, "{err}");
        outputs.push((out, err));
    }
    let tiles = server.wait_tiles(Duration::from_secs(10), "three ended sessions", |t| {
        t.len() == 3 && t.iter().all(|t| t["ended"] == true)
    });
    for (name, (out, err)) in names.iter().zip(&outputs) {
        let tile = tiles
            .iter()
            .find(|t| t["name"] == *name)
            .expect("a tile per trainee");
        let strokes = stroke_lines(out).len() as u64;
        let c = &tile["counts"];
        let total = ["too_light", "in_window", "too_hard"]
            .iter()
            .map(|k| c[k].as_u64().unwrap_or(0))
            .sum::<u64>();
        assert_eq!(total, strokes, "{out}\n{err}\n{tile:#}");
        let in_window = stroke_lines(out)
            .iter()
            .filter(|l| l.contains(" in_window "))
            .count();
        assert_eq!(c["in_window"].as_u64(), Some(in_window as u64));
        assert!(err.contains("classroom: got all"), "{err}");
    }
    // The page's class view, and at the end of class the one written to --report.
    let (status, live_view) = http_get(&server.addr, "/class");
    assert_eq!(status, 200);
    let log = server.interrupt();
    assert!(log.contains("class ended: 3 sessions ended"), "{log}");
    let html = std::fs::read_to_string(report_dir.join("class.html")).expect("class.html");
    assert_eq!(
        html, live_view,
        "the page's class view is the one written at the end"
    );
    assert!(
        html.contains("&lt;img src=x onerror=\"window.__pwned=1\"&gt;Eve")
            || html.contains("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;Eve"),
        "escaped in the class view"
    );
    assert!(!html.contains(HOSTILE));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("class.json")).expect("class.json"),
    )
    .expect("JSON");
    let mut names: Vec<&str> = json["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["trainee"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["<img src=x onerror=\"window.__pwned=1\">Eve", "Anna", "Ben"]
    );
    let csv = std::fs::read_to_string(report_dir.join("class.csv")).expect("class.csv");
    assert_eq!(csv.lines().count(), 4, "{csv}");
}

#[test]
fn a_network_listener_needs_the_code_to_join_and_to_look() {
    let _t = turn();
    let server = Server::start(&["--listen", "0.0.0.0:0"]);
    let code = server
        .code
        .clone()
        .expect("a network listener prints a join code");
    let port = server.addr.rsplit(':').next().expect("port").to_string();
    let addr = format!("127.0.0.1:{port}");

    // Without the code: no page, no events, no data, no class view.
    for path in [
        "/",
        "/events",
        "/api/tiles",
        "/api/trainees/0",
        "/class",
        "/class.json",
    ] {
        let (status, body) = http_get(&addr, path);
        assert_eq!(status, 401, "{path}: {body}");
        let (status, _) = http_get(&addr, &format!("{path}?code=WRONG-CODE"));
        assert_eq!(status, 401, "{path} with a wrong code");
    }
    let browser = Browser::start(1000, 700);
    browser.goto(&format!("http://{addr}/"));
    let refused = browser.eval(
        "return [document.getElementById('refused') !== null, document.querySelectorAll('.tile').length]",
    );
    assert_eq!(refused, serde_json::json!([true, 0]));
    browser.screenshot(&screens_dir().join("classroom-refused.png"));

    // A student without the code is refused and told so; one with it joins.
    let p = Practice {
        duration_s: 6.0,
        speed: 3.0,
        ..practice("Nocode", "steady", 2)
    };
    let (ok, out, err) = Trainee::join(&addr, None, &p, &[]).wait();
    assert!(
        ok,
        "a refused classroom does not fail the student's session: {err}"
    );
    assert!(
        !stroke_lines(&out).is_empty(),
        "the student's own view goes on"
    );
    assert!(err.contains("wrong or missing join code"), "{err}");
    let p = Practice {
        duration_s: 6.0,
        speed: 3.0,
        ..practice("Withcode", "steady", 2)
    };
    let (ok, _, err) = Trainee::join(&addr, Some(&code.to_lowercase()), &p, &[]).wait();
    assert!(ok && err.contains("classroom: got all"), "{err}");

    browser.goto(&format!("http://{addr}/?code={code}"));
    browser.wait_until(
        Duration::from_secs(10),
        "return [...document.querySelectorAll('#tiles .name')].map(n => n.textContent).join() === 'Withcode'",
        "return document.body.innerText",
    );
    let (status, body) = http_get(&addr, &format!("/class?code={code}"));
    assert_eq!(status, 200);
    assert!(
        body.contains("Withcode") && !body.contains("Nocode"),
        "{body}"
    );
}

#[test]
fn the_classroom_catches_up_after_the_network_drops() {
    let _t = turn();
    // A port for the classroom that is not listening yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let addr = format!("127.0.0.1:{port}");
    let p = Practice {
        duration_s: 30.0,
        speed: 3.0,
        ..practice("Late", "steady", 4)
    };
    let trainee = Trainee::join(&addr, None, &p, &[]);
    // The student practises for a while with no classroom at all…
    std::thread::sleep(Duration::from_secs(3));
    let listen = addr.clone();
    let first = Server::start(&["--listen", &listen]);
    let tiles = first.wait_tiles(Duration::from_secs(10), "the late student", |t| {
        t.len() == 1 && t[0]["counts"]["in_window"].as_u64().unwrap_or(0) > 0
    });
    assert!(
        tiles[0]["last"]["index"].as_u64().unwrap_or(0) > 3,
        "caught up: {:#}",
        tiles[0]
    );
    // …then the classroom goes away (its state with it) and comes back.
    drop(first);
    std::thread::sleep(Duration::from_secs(2));
    let second = Server::start(&["--listen", &listen]);
    let (ok, out, err) = trainee.wait();
    assert!(ok, "{err}");
    let strokes = stroke_lines(&out).len() as u64;
    let tiles = second.wait_tiles(Duration::from_secs(10), "the session's end", |t| {
        t.len() == 1 && t[0]["ended"] == true
    });
    let c = &tiles[0]["counts"];
    let total: u64 = ["too_light", "in_window", "too_hard"]
        .iter()
        .map(|k| c[k].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        total, strokes,
        "every stroke, from the first: {:#}\n{err}",
        tiles[0]
    );
    assert!(
        err.contains(&format!("classroom: got all {strokes} strokes")),
        "{err}"
    );
}

#[test]
fn the_students_own_results_are_the_same_with_and_without_join() {
    let _t = turn();
    let server = Server::start(&["--listen", "127.0.0.1:0"]);
    let dir = tempfile::tempdir().expect("tmp");
    let run = |join: bool, name: &str| {
        let report = dir.path().join(format!("{name}.json"));
        let report_arg = report.display().to_string();
        let mut args = vec![
            "live",
            "--sim",
            "novice",
            "--seed",
            "8",
            "--duration",
            "12",
            "--speed",
            "4",
            "--trainee",
            "Same",
            "--report",
            &report_arg,
        ];
        if join {
            args.extend(["--join", server.addr.as_str()]);
        }
        let out = std::process::Command::new(support::classroom::bin())
            .args(&args)
            .output()
            .expect("run live");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("JSON");
        let lines: Vec<String> = stroke_lines(&String::from_utf8_lossy(&out.stdout))
            .into_iter()
            .map(String::from)
            .collect();
        (lines, json["strokes"].clone(), json["summary"].clone())
    };
    let alone = run(false, "alone");
    let joined = run(true, "joined");
    assert!(!alone.0.is_empty());
    assert_eq!(alone, joined);
}

#[test]
fn hostile_messages_are_refused_and_the_others_go_on() {
    let _t = turn();
    let server = Server::start(&["--listen", "127.0.0.1:0", "--max-trainees", "2"]);
    let p = Practice {
        duration_s: 20.0,
        speed: 2.0,
        ..practice("Honest", "steady", 6)
    };
    let honest = Trainee::join(&server.addr, None, &p, &[]);
    server.wait_tiles(Duration::from_secs(15), "the honest student", |t| {
        t.len() == 1
    });

    let connect = || {
        let (socket, _) =
            tungstenite::connect(format!("ws://{}/join", server.addr)).expect("ws connect");
        socket
    };
    let read_text = |s: &mut tungstenite::WebSocket<_>| -> String {
        match s.read() {
            Ok(tungstenite::Message::Text(t)) => t.to_string(),
            other => format!("{other:?}"),
        }
    };
    // Not JSON, not a hello first, a hello out of bounds.
    for first in [
        "not json".to_string(),
        r#"{"type":"stroke","index":0}"#.to_string(),
        r#"{"type":"hello","version":1,"session":"x","trainee":"A","channels":[],"window":{"low_mmhg":30,"high_mmhg":40,"danger_mmhg":70},"target_per_min":60}"#.to_string(),
    ] {
        let mut s = connect();
        s.send(tungstenite::Message::Text(first.into())).expect("send");
        let answer = read_text(&mut s);
        assert!(answer.contains("\"refused\""), "{answer}");
    }
    // A message over the size limit closes the connection without harm.
    {
        let mut s = connect();
        let big = "x".repeat(100_000);
        let _ = s.send(tungstenite::Message::Text(big.into()));
        let _ = s.read();
    }
    // A joined client that floods nonsense is refused, then closed.
    let hello = |session: &str| {
        format!(
            r#"{{"type":"hello","version":1,"session":"{session}","trainee":"Flood","channels":["a"],"window":{{"low_mmhg":30,"high_mmhg":40,"danger_mmhg":70}},"target_per_min":60}}"#
        )
    };
    let mut flood = connect();
    flood
        .send(tungstenite::Message::Text(hello("flood").into()))
        .expect("hello");
    assert!(read_text(&mut flood).contains("welcome"));
    let mut closed = false;
    for i in 0..100 {
        let bad = format!(r#"{{"type":"pressure","t_s":{i},"mmhg":[1,2,3]}}"#);
        if flood.send(tungstenite::Message::Text(bad.into())).is_err() {
            closed = true;
            break;
        }
    }
    for _ in 0..200 {
        match flood.read() {
            Ok(tungstenite::Message::Close(_)) | Err(_) => {
                closed = true;
                break;
            }
            Ok(_) => {}
        }
    }
    assert!(
        closed,
        "a client that keeps sending refused messages is closed"
    );
    // A web page cannot join (browsers send an Origin; `live --join` does not), and a page
    // that points a name of its own at this machine (DNS rebinding) is not served.
    let upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://evil.example\r\n";
    let (status, _) = http_request(&server.addr, "/join", &server.addr, upgrade);
    assert_eq!(status, 403);
    let port = server.addr.rsplit(':').next().expect("port");
    for path in ["/", "/api/tiles", "/class"] {
        let (status, _) = http_request(&server.addr, path, &format!("evil.example:{port}"), "");
        assert_eq!(status, 403, "{path}");
        let (status, _) = http_request(&server.addr, path, &format!("localhost:{port}"), "");
        assert_eq!(status, 200, "{path}");
    }
    // The classroom is full at two practising (the closed flood no longer counts): a third
    // session is refused.
    let mut keep = connect();
    keep.send(tungstenite::Message::Text(hello("keep").into()))
        .expect("hello");
    assert!(read_text(&mut keep).contains("welcome"));
    let mut third = connect();
    third
        .send(tungstenite::Message::Text(hello("third").into()))
        .expect("hello");
    let answer = read_text(&mut third);
    assert!(answer.contains("full"), "{answer}");

    // The honest student was not disturbed.
    let (ok, out, err) = honest.wait();
    assert!(ok, "{err}");
    let strokes = stroke_lines(&out).len() as u64;
    let tiles = server.wait_tiles(Duration::from_secs(10), "the honest student's end", |t| {
        t.iter()
            .any(|t| t["name"] == "Honest" && t["ended"] == true)
    });
    let honest_tile = tiles.iter().find(|t| t["name"] == "Honest").expect("tile");
    assert_eq!(honest_tile["last"]["index"].as_u64(), Some(strokes - 1));
    let log = server.log_text();
    assert!(log.contains("refused: not a classroom message"), "{log}");
    assert!(log.contains("closed: too many refused messages"), "{log}");
    let _ = std::io::stderr().flush();
}
