// The instructor's page: one tile per trainee, fed by server-sent events from /events.
// Everything a trainee sent is put into the page as text (textContent), never as markup.
"use strict";

const params = new URLSearchParams(location.search);
const code = params.get("code");
const withCode = (path) => (code ? path + "?code=" + encodeURIComponent(code) : path);

const LABELS = { too_light: "too light", in_window: "in window", too_hard: "too hard" };
const tiles = new Map(); // id -> { el, data, parts }
let joinedOrder = [];
let detailId = null;
let detailTimer = null;

// Verdict-to-screen latency of each stroke shown, ms (read by the load bench).
window.mldLatencies = [];
window.mldStrokesShown = 0;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmt(v, digits) {
  return v === null || v === undefined || !isFinite(v) ? "–" : Number(v).toFixed(digits);
}

function verdictClass(s) {
  if (!s) return "";
  return s.danger ? "v-danger" : "v-" + s.grade;
}

function makeTile(t) {
  const e = el("article", "tile");
  e.tabIndex = 0;
  e.dataset.id = String(t.id);
  const head = el("div", "head");
  const name = el("h2", "name");
  const conn = el("span", "conn");
  head.append(name, conn);
  const alarm = el("div", "alarm", "DANGER");
  const bars = el("div", "bars");
  const last = el("div", "last");
  const verdict = el("span", "verdict", "no stroke yet");
  const peak = el("span", "peak");
  last.append(verdict, document.createTextNode(" "), peak);
  const counts = el("div", "counts");
  const cLight = el("span", "c-light");
  const cIn = el("span", "c-in");
  const cHard = el("span", "c-hard");
  const cDanger = el("span", "c-danger");
  counts.append(cLight, cIn, cHard, cDanger);
  const figs = el("div", "figs");
  const pct = el("span", "pct");
  const rate = el("span", "rate");
  const dangerS = el("span", "danger-s");
  const score = el("span", "score");
  figs.append(pct, rate, dangerS, score);
  e.append(head, alarm, bars, last, counts, figs);
  e.addEventListener("click", () => openDetail(t.id));
  e.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") openDetail(t.id);
  });
  return {
    el: e,
    data: null,
    lastIndex: undefined,
    parts: { name, conn, alarm, bars, verdict, peak, cLight, cIn, cHard, cDanger, pct, rate, dangerS, score },
  };
}

function drawBars(p, t) {
  const n = t.channels.length;
  if (p.bars.children.length !== n) {
    p.bars.replaceChildren();
    for (const ch of t.channels) {
      const b = el("div", "bar");
      b.title = ch;
      b.append(el("div", "band"), el("div", "dline"), el("div", "fill"), el("span", "lbl", ch.slice(0, 3)));
      p.bars.append(b);
    }
  }
  const top = t.window.danger_mmhg * 1.25;
  const pctOf = (v) => Math.max(0, Math.min(100, (100 * v) / top)) + "%";
  t.channels.forEach((ch, i) => {
    const b = p.bars.children[i];
    const [band, dline, fill] = b.children;
    band.style.bottom = pctOf(t.window.low_mmhg);
    band.style.height = pctOf(t.window.high_mmhg - t.window.low_mmhg);
    dline.style.bottom = pctOf(t.window.danger_mmhg);
    const v = t.pressures[i];
    fill.style.height = v === null || v === undefined ? "0%" : pctOf(v);
    let cls = "fill";
    if (v !== null && v !== undefined && v > 1) {
      if (v >= t.window.danger_mmhg) cls += " v-danger";
      else if (v > t.window.high_mmhg) cls += " v-too_hard";
      else if (v >= t.window.low_mmhg) cls += " v-in_window";
      else cls += " v-too_light";
    }
    fill.className = cls;
    b.title = ch + ": " + fmt(v, 0) + " mmHg";
  });
}

function update(t, nowMs) {
  let entry = tiles.get(t.id);
  if (!entry) {
    entry = makeTile(t);
    tiles.set(t.id, entry);
    joinedOrder.push(t.id);
  }
  const p = entry.parts;
  entry.data = t;
  p.name.textContent = t.name;
  p.name.title = t.name;
  let conn;
  let bad = false;
  if (t.ended) conn = "session ended";
  else if (!t.connected) { conn = "student offline"; bad = true; }
  else if (t.glove && t.glove.toLowerCase() !== "connected") { conn = "glove " + t.glove.toLowerCase(); bad = true; }
  else conn = "connected";
  p.conn.textContent = conn;
  p.conn.className = bad ? "conn bad" : "conn";
  entry.el.classList.toggle("offline", !t.connected && !t.ended);
  entry.el.classList.toggle("ended", t.ended);
  entry.el.classList.toggle("danger", t.danger_now);
  p.alarm.textContent = "DANGER: " + fmt(t.danger_peak_mmhg, 0) + " mmHg";
  drawBars(p, t);
  const s = t.last;
  if (s) {
    p.verdict.textContent = s.danger ? "DANGER" : LABELS[s.grade] || s.grade;
    p.verdict.className = "verdict " + verdictClass(s);
    p.peak.textContent = fmt(s.peak_mmhg, 0) + " mmHg";
  }
  const c = t.counts;
  p.cLight.textContent = "light " + c.too_light;
  p.cIn.textContent = "in " + c.in_window;
  p.cHard.textContent = "hard " + c.too_hard;
  p.cDanger.textContent = "danger " + c.danger;
  p.cDanger.className = c.danger > 0 ? "c-danger some" : "c-danger";
  p.pct.textContent = fmt(t.percent_in_window, 0) + " % in window";
  const r = t.strokes_per_min;
  p.rate.textContent = fmt(r, 0) + "/min (target " + fmt(t.target_per_min, 0) + ")";
  p.rate.className = r && Math.abs(r - t.target_per_min) > 0.2 * t.target_per_min ? "rate off" : "rate";
  p.dangerS.textContent = "danger " + fmt(t.above_danger_s, 1) + " s";
  p.score.textContent = t.score === null || t.score === undefined ? "" :
    "score " + Math.floor(t.score) + (t.passed === true ? " PASS" : t.passed === false ? " FAIL" : "");
  // A stroke newer than the one this tile showed: measure verdict-to-screen.
  if (s && entry.lastIndex !== undefined && s.index !== entry.lastIndex) {
    const sent = s.sent_ms;
    const record = () => {
      window.mldStrokesShown += 1;
      if (window.mldLatencies.length < 100000) window.mldLatencies.push(Date.now() - sent);
    };
    if (document.hidden) record(); else requestAnimationFrame(record);
  }
  if (s) entry.lastIndex = s.index;
  else if (entry.lastIndex === undefined) entry.lastIndex = null;
  if (detailId === t.id) drawDetailFigs(t);
}

let shownOrder = "";
function arrange() {
  const how = document.getElementById("sort").value;
  const list = [...tiles.values()];
  if (how === "name") list.sort((a, b) => a.data.name.localeCompare(b.data.name) || a.data.id - b.data.id);
  else if (how === "joined") list.sort((a, b) => joinedOrder.indexOf(a.data.id) - joinedOrder.indexOf(b.data.id));
  else list.sort((a, b) => b.data.help_rank - a.data.help_rank || a.data.name.localeCompare(b.data.name));
  const order = list.map((e) => e.data.id).join(",");
  if (order === shownOrder) return;
  shownOrder = order;
  const main = document.getElementById("tiles");
  for (const e of list) main.append(e.el);
}

function onSnapshot(snap) {
  for (const t of snap.tiles) update(t, snap.now_ms);
  arrange();
  const n = tiles.size;
  let connected = 0;
  let danger = 0;
  for (const e of tiles.values()) {
    if (e.data.connected) connected += 1;
    if (e.data.danger_now) danger += 1;
  }
  document.getElementById("summary").textContent =
    n === 0 ? "waiting for trainees" :
    n + " trainee" + (n === 1 ? "" : "s") + " · " + connected + " connected · " + snap.ended + " ended" +
    (danger ? " · " + danger + " at DANGER" : "");
  document.getElementById("joincmd").textContent = snap.join;
  const st = document.getElementById("status");
  st.textContent = "live";
  st.className = "";
}

function connect() {
  const src = new EventSource(withCode("/events"));
  src.addEventListener("tiles", (ev) => {
    try { onSnapshot(JSON.parse(ev.data)); } catch (e) { console.error(e); }
  });
  src.onerror = () => {
    const st = document.getElementById("status");
    st.textContent = "connection to the classroom lost; retrying…";
    st.className = "lost";
  };
}

// The detail: the last 30 s of pressure and the recent strokes, refreshed twice a second.
function openDetail(id) {
  detailId = id;
  const d = document.getElementById("detail");
  if (!d.open) d.showModal();
  refreshDetail();
  clearInterval(detailTimer);
  detailTimer = setInterval(refreshDetail, 500);
}

function closeDetail() {
  detailId = null;
  clearInterval(detailTimer);
  const d = document.getElementById("detail");
  if (d.open) d.close();
}

function drawDetailFigs(t) {
  document.getElementById("d-name").textContent = t.name;
  document.getElementById("d-figs").textContent =
    "window " + fmt(t.window.low_mmhg, 0) + "–" + fmt(t.window.high_mmhg, 0) + " mmHg · danger " +
    fmt(t.window.danger_mmhg, 0) + " mmHg · " + fmt(t.percent_in_window, 0) + " % in window";
}

const COLOURS = ["#2b6cb0", "#2f855a", "#b7791f", "#6b46c1", "#c53030", "#2c7a7b", "#975a16", "#4a5568"];

function drawTrace(d) {
  const cv = document.getElementById("d-trace");
  const g = cv.getContext("2d");
  const W = cv.width, H = cv.height, L = 44, B = 22;
  g.clearRect(0, 0, W, H);
  const w = d.tile.window;
  const top = w.danger_mmhg * 1.25;
  const t1 = Math.max(30, d.trace_t_s.length ? d.trace_t_s[d.trace_t_s.length - 1] : 30);
  const t0 = t1 - 30;
  const x = (t) => L + ((t - t0) / 30) * (W - L - 4);
  const y = (v) => H - B - (Math.max(0, Math.min(top, v)) / top) * (H - B - 6);
  g.fillStyle = "rgba(47,133,90,0.18)";
  g.fillRect(L, y(w.high_mmhg), W - L - 4, y(w.low_mmhg) - y(w.high_mmhg));
  g.strokeStyle = "#c53030";
  g.lineWidth = 1.5;
  g.beginPath(); g.moveTo(L, y(w.danger_mmhg)); g.lineTo(W - 4, y(w.danger_mmhg)); g.stroke();
  g.fillStyle = "#1a202c";
  g.font = "12px sans-serif";
  for (let v = 0; v <= top; v += 20) {
    g.fillText(String(v), 4, y(v) + 4);
    g.strokeStyle = "#edf2f7"; g.lineWidth = 1;
    g.beginPath(); g.moveTo(L, y(v)); g.lineTo(W - 4, y(v)); g.stroke();
  }
  g.fillText("mmHg", 4, 12);
  for (let s = Math.ceil(t0 / 5) * 5; s <= t1; s += 5) g.fillText(s.toFixed(0) + " s", x(s) - 10, H - 6);
  d.tile.channels.forEach((ch, c) => {
    g.strokeStyle = COLOURS[c % COLOURS.length];
    g.lineWidth = 1.6;
    g.beginPath();
    let pen = false;
    d.trace_t_s.forEach((t, i) => {
      const v = d.trace_mmhg[i][c];
      if (v === null || v === undefined) { pen = false; return; }
      if (pen) g.lineTo(x(t), y(v)); else g.moveTo(x(t), y(v));
      pen = true;
    });
    g.stroke();
  });
  const legend = document.getElementById("d-legend");
  legend.replaceChildren();
  d.tile.channels.forEach((ch, c) => {
    const s = el("span", "", "■ " + ch + "  ");
    s.style.color = COLOURS[c % COLOURS.length];
    legend.append(s);
  });
  legend.append(el("span", "", "green band: window · red line: danger"));
}

function drawStrokes(d) {
  const body = document.querySelector("#d-strokes tbody");
  body.replaceChildren();
  for (const s of [...d.recent].reverse()) {
    const tr = el("tr");
    tr.append(
      el("td", "", String(s.index + 1)),
      el("td", "", fmt(s.onset_s, 1) + " s"),
      el("td", "", fmt(s.peak_mmhg, 1) + " mmHg"),
      el("td", verdictClass(s), s.danger ? "DANGER (too hard)" : LABELS[s.grade] || s.grade),
      el("td", "", s.score === null || s.score === undefined ? "" : String(Math.round(s.score))),
      el("td", "", (s.flags || []).join(", ")),
    );
    body.append(tr);
  }
}

async function refreshDetail() {
  if (detailId === null) return;
  const id = detailId;
  try {
    const r = await fetch(withCode("/api/trainees/" + id));
    if (!r.ok || detailId !== id) return;
    const d = await r.json();
    drawDetailFigs(d.tile);
    drawTrace(d);
    drawStrokes(d);
  } catch (e) {
    console.error(e);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("classview").href = withCode("/class");
  document.getElementById("sort").addEventListener("change", () => { shownOrder = ""; arrange(); });
  document.getElementById("d-close").addEventListener("click", closeDetail);
  document.getElementById("detail").addEventListener("close", closeDetail);
  connect();
});
