//! The classroom's state: one [`Trainee`] per student session, changed only by checked
//! messages ([`Board::hello`], [`Board::apply`]) and read as tiles, details and class-view rows.
//!
//! Pure data, no I/O and no clock of its own (times come in as arguments), so every rule here is
//! tested without a server. Everything it holds is bounded: the number of trainees by
//! [`Limits::max_trainees`], each trainee's trace by [`Limits::trace_s`] and
//! [`TRACE_MAX_POINTS`], the recent strokes by [`Limits::recent`].

use super::message::{
    clean_name, Hello, Refusal, Status, Stroke, ToClassroom, Window, MAX_NAME_CHARS,
};
use crate::class::SessionRecord;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// The most points a trainee's trace keeps, whatever the rate the student's side sends at.
pub const TRACE_MAX_POINTS: usize = 1024;
/// Messages a session may send in a burst (a catch-up after a long outage), and per second
/// after it: a glove sends about 22 (20 pressures, a stroke, a status). Kept per session, so a
/// reconnect does not start a new allowance.
pub const BURST: f64 = 6000.0;
/// See [`BURST`].
pub const PER_SECOND: f64 = 100.0;
/// Tiles kept at most, ended and offline ones included, as a multiple of
/// [`Limits::max_trainees`] (which counts the sessions practising now).
pub const TILES_PER_PLACE: usize = 4;
/// How long a danger stroke keeps its tile marked, milliseconds.
pub const DANGER_MARK_MS: u64 = 30_000;

/// What the classroom holds at most.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Trainees (sessions) at once; a hello beyond is refused.
    pub max_trainees: usize,
    /// Seconds of pressure trace kept per trainee (the detail view's).
    pub trace_s: f64,
    /// Strokes kept per trainee for the detail view.
    pub recent: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_trainees: 40,
            trace_s: 30.0,
            recent: 20,
        }
    }
}

/// A trainee's place on the board.
pub type TraineeId = u32;

/// Strokes per grade: the live view's own counter, so a tile counts as the student's view does.
pub use crate::live::state::VerdictCounts as Counts;

/// One student session.
#[derive(Clone, Debug)]
pub struct Trainee {
    id: TraineeId,
    name: String,
    channels: Vec<String>,
    window: Window,
    target_per_min: f64,
    connected: bool,
    strokes: u64,
    counts: Counts,
    last: Option<Stroke>,
    recent: VecDeque<Stroke>,
    now_s: f64,
    pressures: Vec<Option<f64>>,
    trace: VecDeque<(f64, Vec<Option<f64>>)>,
    status: Status,
    record: Option<SessionRecord>,
    last_danger_ms: Option<u64>,
    danger_peak_mmhg: Option<f64>,
    conn: u64,
    bucket: (f64, u64),
    version: u64,
}

/// What a hello got: the trainee's tile, how many strokes of the session the board already
/// has (the student sends from there on), and the connection's number (a later connection of
/// the same session supersedes it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Joined {
    /// The trainee's tile.
    pub id: TraineeId,
    /// Strokes of the session the board holds.
    pub strokes: u64,
    /// This connection's number.
    pub conn: u64,
}

/// A tile as the page draws it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tile {
    /// The trainee's place.
    pub id: TraineeId,
    /// The trainee's name (text).
    pub name: String,
    /// Whether the student's side is connected now.
    pub connected: bool,
    /// Whether the session has ended (its record arrived).
    pub ended: bool,
    /// The glove link on the student's side.
    pub glove: Option<String>,
    /// Fingertip names.
    pub channels: Vec<String>,
    /// The newest pressure per fingertip.
    pub pressures: Vec<Option<f64>>,
    /// The trainee's window.
    pub window: Window,
    /// Strokes per grade.
    pub counts: Counts,
    /// Share of strokes in the window, percent.
    pub percent_in_window: Option<f64>,
    /// The newest stroke.
    pub last: Option<Stroke>,
    /// Strokes a minute.
    pub strokes_per_min: Option<f64>,
    /// The rhythm target, strokes a minute.
    pub target_per_min: f64,
    /// Seconds at or above the danger level.
    pub above_danger_s: f64,
    /// Seconds above the window.
    pub above_window_s: f64,
    /// Session score so far.
    pub score: Option<f64>,
    /// Whether the session so far passes.
    pub passed: Option<bool>,
    /// Whether a danger stroke came in the last [`DANGER_MARK_MS`].
    pub danger_now: bool,
    /// The peak of the newest stroke at the danger level, if any.
    pub danger_peak_mmhg: Option<f64>,
    /// Who needs help most sorts first: [`help_rank`].
    pub help_rank: f64,
}

/// A trainee's detail: the tile, the recent strokes and the trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Detail {
    /// The tile.
    pub tile: Tile,
    /// The newest strokes, oldest first.
    pub recent: Vec<Stroke>,
    /// Trace times, seconds from the session's first sample.
    pub trace_t_s: Vec<f64>,
    /// Trace values, one row per point, one value per fingertip.
    pub trace_mmhg: Vec<Vec<Option<f64>>>,
}

/// How much a trainee needs the instructor now, higher first: a danger stroke in the last
/// [`DANGER_MARK_MS`] (+1000), a lost link to the student or the glove (+200), then the share of
/// strokes outside the window once there are three (+0…100), then seconds at danger (up to +60).
pub fn help_rank(danger_now: bool, link_lost: bool, counts: &Counts, above_danger_s: f64) -> f64 {
    let mut rank = 0.0;
    if danger_now {
        rank += 1000.0;
    }
    if link_lost {
        rank += 200.0;
    }
    if counts.total() >= 3 {
        rank += 100.0 - counts.in_window_share().map_or(0.0, |f| 100.0 * f);
    }
    rank + above_danger_s.clamp(0.0, 60.0)
}

impl Trainee {
    fn tile(&self, now_ms: u64) -> Tile {
        let danger_now = self
            .last_danger_ms
            .is_some_and(|t| now_ms.saturating_sub(t) < DANGER_MARK_MS);
        let glove_lost = self
            .status
            .glove
            .as_deref()
            .is_some_and(|g| !g.eq_ignore_ascii_case("connected"));
        let link_lost = self.record.is_none() && (!self.connected || glove_lost);
        Tile {
            id: self.id,
            name: self.name.clone(),
            connected: self.connected,
            ended: self.record.is_some(),
            glove: self.status.glove.clone(),
            channels: self.channels.clone(),
            pressures: self.pressures.clone(),
            window: self.window,
            counts: self.counts,
            percent_in_window: self.counts.in_window_share().map(|f| 100.0 * f),
            last: self.last.clone(),
            strokes_per_min: self.status.strokes_per_min,
            target_per_min: self.target_per_min,
            above_danger_s: self.status.above_danger_s,
            above_window_s: self.status.above_window_s,
            score: self.status.score,
            passed: self.status.passed,
            danger_now,
            danger_peak_mmhg: self.danger_peak_mmhg,
            help_rank: help_rank(
                danger_now,
                link_lost,
                &self.counts,
                self.status.above_danger_s,
            ),
        }
    }
}

/// Every trainee of the class.
#[derive(Clone, Debug, Default)]
pub struct Board {
    limits: Limits,
    trainees: Vec<Trainee>,
    by_session: HashMap<String, usize>,
    connections: u64,
    version: u64,
    stroke_version: u64,
}

impl Board {
    /// An empty board holding at most `limits`.
    pub fn new(limits: Limits) -> Self {
        Board {
            limits,
            ..Board::default()
        }
    }

    /// The version of the newest change (tiles changed after `v` are [`Board::tiles_since`]).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The version of the newest stroke: a viewer that has not seen it sends at once rather
    /// than waiting for its next frame (verdicts are what the instructor waits for).
    pub fn stroke_version(&self) -> u64 {
        self.stroke_version
    }

    /// Trainees on the board.
    pub fn len(&self) -> usize {
        self.trainees.len()
    }

    /// Whether nobody has joined.
    pub fn is_empty(&self) -> bool {
        self.trainees.is_empty()
    }

    fn touch(&mut self, i: usize) {
        self.version += 1;
        self.trainees[i].version = self.version;
    }

    /// A student's hello (its code already checked): the same session gets its own tile back,
    /// a new one a new tile while there is room. Returns the tile and how many strokes of the
    /// session the board already has.
    pub fn hello(&mut self, h: Hello) -> Result<Joined, Refusal> {
        self.connections += 1;
        let conn = self.connections;
        if let Some(&i) = self.by_session.get(&h.session) {
            let t = &mut self.trainees[i];
            t.connected = true;
            t.conn = conn;
            let answer = Joined {
                id: t.id,
                strokes: t.strokes,
                conn,
            };
            self.touch(i);
            return Ok(answer);
        }
        // The limit counts who is practising now; ended or gone sessions keep their tiles up
        // to a hard cap.
        let active = self
            .trainees
            .iter()
            .filter(|t| t.connected && t.record.is_none())
            .count();
        if active >= self.limits.max_trainees
            || self.trainees.len() >= self.limits.max_trainees.saturating_mul(TILES_PER_PLACE)
        {
            return Err(Refusal::Full(self.limits.max_trainees));
        }
        let id = self.trainees.len() as TraineeId;
        let n = h.channels.len();
        self.by_session
            .insert(h.session.clone(), self.trainees.len());
        let name = clean_name(&h.trainee, MAX_NAME_CHARS);
        self.trainees.push(Trainee {
            id,
            name: if name.is_empty() {
                format!("trainee {}", id + 1)
            } else {
                name
            },
            channels: h
                .channels
                .iter()
                .map(|c| clean_name(c, super::message::MAX_CHANNEL_NAME_CHARS))
                .collect(),
            window: h.window,
            target_per_min: h.target_per_min,
            connected: true,
            strokes: 0,
            counts: Counts::default(),
            last: None,
            recent: VecDeque::new(),
            now_s: 0.0,
            pressures: vec![None; n],
            trace: VecDeque::new(),
            status: Status::default(),
            record: None,
            last_danger_ms: None,
            danger_peak_mmhg: None,
            conn,
            bucket: (BURST, 0),
            version: 0,
        });
        self.touch(self.trainees.len() - 1);
        Ok(Joined {
            id,
            strokes: 0,
            conn,
        })
    }

    /// Whether trainee `id` may send one more message at server time `now_ms` (a token bucket
    /// of [`BURST`] refilled at [`PER_SECOND`], kept per session).
    pub fn admit(&mut self, id: TraineeId, now_ms: u64) -> bool {
        let Some(t) = self.trainees.get_mut(id as usize) else {
            return false;
        };
        let (tokens, at) = t.bucket;
        let refill = now_ms.saturating_sub(at) as f64 / 1000.0 * PER_SECOND;
        let tokens = (tokens + refill).min(BURST);
        if tokens >= 1.0 {
            t.bucket = (tokens - 1.0, now_ms);
            true
        } else {
            t.bucket = (tokens, now_ms);
            false
        }
    }

    /// Applies a checked message from connection `conn` of trainee `id` at server time
    /// `now_ms`. A stroke is taken only in order: one already held is ignored (a catch-up after
    /// a reconnect may repeat), one past a gap is refused with the number expected. A
    /// connection that a newer one of the same session has superseded changes nothing.
    pub fn apply(
        &mut self,
        id: TraineeId,
        conn: u64,
        m: ToClassroom,
        now_ms: u64,
    ) -> Result<(), Refusal> {
        let i = id as usize;
        let limits = self.limits;
        let Some(t) = self.trainees.get_mut(i) else {
            return Err(Refusal::Order("no such trainee"));
        };
        if t.conn != conn {
            return Err(Refusal::Order(
                "a newer connection of this session took over",
            ));
        }
        match m {
            ToClassroom::Hello(_) => return Err(Refusal::Order("a second hello")),
            ToClassroom::Stroke(s) => {
                if s.index < t.strokes {
                    return Ok(());
                }
                if s.index > t.strokes {
                    return Err(Refusal::Gap {
                        expected: t.strokes,
                        got: s.index,
                    });
                }
                t.strokes += 1;
                t.counts.add(s.grade.into(), s.danger);
                if s.danger {
                    t.last_danger_ms = Some(now_ms);
                    t.danger_peak_mmhg = Some(s.peak_mmhg);
                }
                t.recent.push_back(s.clone());
                while t.recent.len() > limits.recent {
                    t.recent.pop_front();
                }
                t.last = Some(s);
                self.touch(i);
                self.stroke_version = self.version;
                return Ok(());
            }
            ToClassroom::Pressure { t_s, mmhg } => {
                if mmhg.len() != t.channels.len() {
                    return Err(Refusal::OutOfBounds {
                        field: "mmhg",
                        why: format!("{} values for {} fingertips", mmhg.len(), t.channels.len()),
                    });
                }
                if t_s < t.now_s {
                    // Out of order (or a new stream clock): the trace starts again.
                    t.trace.clear();
                }
                t.now_s = t_s;
                t.pressures.clone_from(&mmhg);
                t.trace.push_back((t_s, mmhg));
                while t.trace.len() > TRACE_MAX_POINTS
                    || t.trace
                        .front()
                        .is_some_and(|(s, _)| t_s - s > limits.trace_s)
                {
                    t.trace.pop_front();
                }
            }
            ToClassroom::Status(mut s) => {
                s.glove = s
                    .glove
                    .map(|g| clean_name(&g, super::message::MAX_SHORT_CHARS));
                t.status = s;
            }
            ToClassroom::Record(mut r) => {
                // A link into the student's own machine means nothing here (and is not ours
                // to render).
                r.report = None;
                r.trainee = t.name.clone();
                t.record = Some(*r);
            }
        }
        self.touch(i);
        Ok(())
    }

    /// Connection `conn` of trainee `id` went away (the tile stays, marked), unless a newer
    /// connection of the same session has taken over.
    pub fn disconnect(&mut self, id: TraineeId, conn: u64) {
        let i = id as usize;
        if self.trainees.get(i).is_some_and(|t| t.conn == conn) {
            self.trainees[i].connected = false;
            self.touch(i);
        }
    }

    /// The tiles changed after version `since` (all of them for 0), with the newest version.
    pub fn tiles_since(&self, since: u64, now_ms: u64) -> (Vec<Tile>, u64) {
        let tiles = self
            .trainees
            .iter()
            .filter(|t| t.version > since)
            .map(|t| t.tile(now_ms))
            .collect();
        (tiles, self.version)
    }

    /// Trainee `id`'s detail.
    pub fn detail(&self, id: TraineeId, now_ms: u64) -> Option<Detail> {
        let t = self.trainees.get(id as usize)?;
        Some(Detail {
            tile: t.tile(now_ms),
            recent: t.recent.iter().cloned().collect(),
            trace_t_s: t.trace.iter().map(|(s, _)| *s).collect(),
            trace_mmhg: t.trace.iter().map(|(_, v)| v.clone()).collect(),
        })
    }

    /// The class-view rows of the sessions that have ended (their students sent the record).
    pub fn records(&self) -> Vec<SessionRecord> {
        self.trainees
            .iter()
            .filter_map(|t| t.record.clone())
            .collect()
    }

    /// Sessions still practising (no record yet).
    pub fn practising(&self) -> usize {
        self.trainees.iter().filter(|t| t.record.is_none()).count()
    }

    /// Strokes of trainee `id`'s session the board holds.
    pub fn strokes_of(&self, id: TraineeId) -> u64 {
        self.trainees.get(id as usize).map_or(0, |t| t.strokes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classroom::message::Grade;

    fn hello(session: &str, name: &str) -> Hello {
        crate::classroom::message::tests::hello_as(session, name)
    }

    fn stroke(index: u64, peak: f64) -> ToClassroom {
        let grade = if peak < 30.0 {
            Grade::TooLight
        } else if peak <= 40.0 {
            Grade::InWindow
        } else {
            Grade::TooHard
        };
        ToClassroom::Stroke(Stroke {
            index,
            onset_s: index as f64,
            offset_s: index as f64 + 0.5,
            peak_mmhg: peak,
            grade,
            danger: peak >= 70.0,
            flags: vec![],
            score: None,
            sent_ms: 0,
        })
    }

    #[test]
    fn strokes_count_in_order_and_a_reconnect_resumes() {
        let mut b = Board::new(Limits::default());
        let j = b.hello(hello("s1", "Anna")).unwrap();
        let id = j.id;
        assert_eq!(j.strokes, 0);
        for (i, p) in [20.0, 35.0, 36.0, 80.0].into_iter().enumerate() {
            b.apply(id, j.conn, stroke(i as u64, p), 1000).unwrap();
        }
        // Strokes are marked for viewers to send at once; pressures are not.
        let sv = b.stroke_version();
        assert_eq!(sv, b.version());
        b.apply(
            id,
            j.conn,
            ToClassroom::Pressure {
                t_s: 9.0,
                mmhg: vec![Some(1.0), Some(2.0)],
            },
            1000,
        )
        .unwrap();
        assert!(b.version() > sv && b.stroke_version() == sv);
        // A repeat is ignored, a gap refused.
        b.apply(id, j.conn, stroke(1, 35.0), 1000).unwrap();
        assert_eq!(
            b.apply(id, j.conn, stroke(9, 35.0), 1000),
            Err(Refusal::Gap {
                expected: 4,
                got: 9
            })
        );
        // A new connection of the session takes over: the old one changes nothing, and its end
        // does not mark the tile.
        let again = b.hello(hello("s1", "Anna")).unwrap();
        assert_eq!((again.id, again.strokes), (id, 4));
        assert!(b.apply(id, j.conn, stroke(4, 35.0), 1000).is_err());
        assert_eq!(b.strokes_of(id), 4);
        b.disconnect(id, j.conn);
        assert!(b.tiles_since(0, 0).0[0].connected);
        b.disconnect(id, again.conn);
        assert!(!b.tiles_since(0, 0).0[0].connected);
        let again = b.hello(hello("s1", "Anna")).unwrap();
        assert_eq!((again.id, again.strokes), (id, 4));
        let (tiles, _) = b.tiles_since(0, 2000);
        let t = &tiles[0];
        assert_eq!(
            t.counts,
            Counts {
                too_light: 1,
                in_window: 2,
                too_hard: 1,
                danger: 1
            }
        );
        assert_eq!(t.percent_in_window, Some(50.0));
        assert!(t.danger_now && t.connected);
        assert_eq!(t.danger_peak_mmhg, Some(80.0));
        assert!(t.help_rank >= 1000.0);
        // The danger mark fades.
        let (tiles, _) = b.tiles_since(0, 1000 + DANGER_MARK_MS);
        assert!(!tiles[0].danger_now);
    }

    #[test]
    fn the_board_is_bounded() {
        let mut b = Board::new(Limits {
            max_trainees: 2,
            trace_s: 1.0,
            recent: 3,
        });
        let ja = b.hello(hello("a", "A")).unwrap();
        let a = ja.id;
        b.hello(hello("b", "B")).unwrap();
        assert_eq!(b.hello(hello("c", "C")), Err(Refusal::Full(2)));
        for i in 0..10_000u64 {
            b.apply(
                a,
                ja.conn,
                ToClassroom::Pressure {
                    t_s: i as f64 * 0.001,
                    mmhg: vec![Some(1.0), None],
                },
                0,
            )
            .unwrap();
        }
        for i in 0..10 {
            b.apply(a, ja.conn, stroke(i, 35.0), 0).unwrap();
        }
        let d = b.detail(a, 0).unwrap();
        assert!(d.trace_t_s.len() <= TRACE_MAX_POINTS);
        assert!(d.trace_t_s.last().unwrap() - d.trace_t_s[0] <= 1.0);
        assert_eq!(d.recent.len(), 3);
        assert_eq!(d.recent[0].index, 7);
        // A pressure with the wrong channel count is refused.
        assert!(b
            .apply(
                a,
                ja.conn,
                ToClassroom::Pressure {
                    t_s: 20.0,
                    mmhg: vec![Some(1.0)]
                },
                0
            )
            .is_err());
    }

    #[test]
    fn tiles_since_gives_only_what_changed_and_names_are_cleaned() {
        let mut b = Board::new(Limits::default());
        let a = b
            .hello(hello("a", "<img src=x onerror=alert(1)>\u{7}"))
            .unwrap()
            .id;
        let jc = b.hello(hello("c", "   ")).unwrap();
        let c = jc.id;
        let v = b.version();
        b.apply(c, jc.conn, stroke(0, 35.0), 0).unwrap();
        let (tiles, v2) = b.tiles_since(v, 0);
        assert_eq!(tiles.len(), 1);
        assert_eq!(tiles[0].id, c);
        assert_eq!(tiles[0].name, "trainee 2");
        assert!(v2 > v);
        let (all, _) = b.tiles_since(0, 0);
        assert_eq!(all[a as usize].name, "<img src=x onerror=alert(1)>");
    }

    #[test]
    fn the_rate_is_kept_per_session_and_the_limit_counts_who_practises() {
        let mut b = Board::new(Limits {
            max_trainees: 1,
            ..Limits::default()
        });
        let j = b.hello(hello("a", "A")).unwrap();
        let mut admitted = 0;
        for _ in 0..(BURST as usize + 100) {
            admitted += usize::from(b.admit(j.id, 1000));
        }
        assert_eq!(admitted, BURST as usize);
        // A reconnect does not refill it; time does, at PER_SECOND.
        b.hello(hello("a", "A")).unwrap();
        assert!(!b.admit(j.id, 1000));
        assert!(b.admit(j.id, 1000 + (1000.0 / PER_SECOND) as u64 + 1));
        // One practising at a time: a second is refused until the first leaves.
        assert_eq!(b.hello(hello("b", "B")), Err(Refusal::Full(1)));
        let now = b.hello(hello("a", "A")).unwrap();
        b.disconnect(j.id, now.conn);
        assert!(b.hello(hello("b", "B")).is_ok());
    }

    #[test]
    fn help_rank_orders_danger_then_lost_links_then_misses() {
        let few = Counts {
            in_window: 1,
            ..Counts::default()
        };
        let poor = Counts {
            too_light: 9,
            in_window: 1,
            ..Counts::default()
        };
        let good = Counts {
            in_window: 10,
            ..Counts::default()
        };
        let danger = help_rank(true, false, &good, 0.0);
        let lost = help_rank(false, true, &good, 0.0);
        let missing = help_rank(false, false, &poor, 0.0);
        let fine = help_rank(false, false, &good, 0.0);
        assert!(danger > lost && lost > missing && missing > fine);
        assert_eq!(help_rank(false, false, &few, 0.0), 0.0);
    }
}
