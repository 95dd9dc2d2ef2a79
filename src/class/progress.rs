//! Each trainee's sessions in date order, and what changed since the session before.
//!
//! A student learns over weeks; one score says little, the direction says a lot. Sessions are
//! grouped by trainee name (sessions without a name form one group, so a student's own folder of
//! unnamed recordings is enough), ordered by start time (then by path, for sessions without a
//! date), and the newest is compared with the one before on each figure the class view shows.

use super::record::SessionRecord;
use serde::{Deserialize, Serialize};

/// One trainee's sessions, oldest first, and what changed at the newest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraineeProgress {
    /// The trainee's name, or empty.
    pub trainee: String,
    /// The sessions, oldest first.
    pub sessions: Vec<SessionRecord>,
    /// What changed from the session before the newest to the newest, one sentence each
    /// (empty with a single session).
    pub changes: Vec<String>,
}

impl TraineeProgress {
    /// The name shown: the name, or `(no name)`.
    pub fn who(&self) -> &str {
        if self.trainee.is_empty() {
            "(no name)"
        } else {
            &self.trainee
        }
    }

    /// The newest session.
    pub fn latest(&self) -> Option<&SessionRecord> {
        self.sessions.last()
    }
}

/// Groups `records` by trainee (by name, in name order) with each trainee's sessions in date
/// order and the changes at the newest; `target_per_min` is the profile's stroke rate.
pub fn progress(records: &[SessionRecord], target_per_min: f64) -> Vec<TraineeProgress> {
    let mut names: Vec<&str> = records.iter().map(|r| r.trainee.as_str()).collect();
    names.sort_unstable_by_key(|n| (n.to_lowercase(), n.to_string()));
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let mut sessions: Vec<SessionRecord> = records
                .iter()
                .filter(|r| r.trainee == name)
                .cloned()
                .collect();
            // Undated sessions keep their path order, after the dated ones.
            sessions.sort_by(|a, b| {
                (a.started.is_none(), &a.started, &a.source).cmp(&(
                    b.started.is_none(),
                    &b.started,
                    &b.source,
                ))
            });
            let changes = match sessions.as_slice() {
                [.., before, last] => changes(before, last, target_per_min),
                _ => Vec::new(),
            };
            TraineeProgress {
                trainee: name.to_string(),
                sessions,
                changes,
            }
        })
        .collect()
}

fn signed(v: f64) -> String {
    if v >= 0.0 {
        format!("+{v:.0}")
    } else {
        format!("−{:.0}", -v)
    }
}

/// What changed from `before` to `last`, most important first: danger, pass, score, then the
/// figures that moved by more than noise (2 points of score or share, 2 s above the window,
/// 2 points of CV, 3 strokes a minute).
pub fn changes(before: &SessionRecord, last: &SessionRecord, target_per_min: f64) -> Vec<String> {
    let mut out = Vec::new();
    match (before.danger, last.danger) {
        (0, n) if n > 0 => out.push(format!(
            "{n} stroke{} reached the danger level (none last time)",
            if n == 1 { "" } else { "s" }
        )),
        (b, 0) if b > 0 => out.push(format!(
            "no stroke reached the danger level (last time {b})"
        )),
        (b, n) if n != b => out.push(format!("danger strokes {b} → {n}")),
        _ => {}
    }
    match (before.passed, last.passed) {
        (false, true) => out.push("passed (did not pass last time)".into()),
        (true, false) => out.push("did not pass this time (passed last time)".into()),
        _ => {}
    }
    let (bs, ls) = (before.score.floor(), last.score.floor());
    if (ls - bs).abs() >= 2.0 {
        out.push(format!("score {bs:.0} → {ls:.0} ({})", signed(ls - bs)));
    } else {
        out.push(format!("score about the same ({ls:.0})"));
    }
    let d = last.percent_in_window - before.percent_in_window;
    if d.abs() >= 2.0 {
        out.push(format!(
            "{} strokes in the window: {:.0}% → {:.0}%",
            if d > 0.0 { "more" } else { "fewer" },
            before.percent_in_window,
            last.percent_in_window
        ));
    }
    let d = last.above_window_s - before.above_window_s;
    if d.abs() >= 2.0 {
        out.push(format!(
            "{} time above the window: {:.0} s → {:.0} s",
            if d < 0.0 { "less" } else { "more" },
            before.above_window_s,
            last.above_window_s
        ));
    }
    if let (Some(b), Some(l)) = (before.peak_cv_percent, last.peak_cv_percent) {
        if (l - b).abs() >= 2.0 {
            out.push(format!(
                "peaks {} consistent: variation {b:.0}% → {l:.0}%",
                if l < b { "more" } else { "less" }
            ));
        }
    }
    if let (Some(b), Some(l)) = (before.strokes_per_min, last.strokes_per_min) {
        if (l - b).abs() >= 3.0 {
            let closer = (l - target_per_min).abs() < (b - target_per_min).abs();
            out.push(format!(
                "rhythm {b:.0} → {l:.0} strokes a minute ({} the target {target_per_min:.0})",
                if closer { "closer to" } else { "further from" }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(trainee: &str, started: Option<&str>, source: &str, score: f64) -> SessionRecord {
        SessionRecord {
            trainee: trainee.into(),
            date: started.map(|s| s[..10].to_string()),
            started: started.map(str::to_string),
            source: source.into(),
            report: None,
            strokes: 100,
            percent_in_window: 50.0,
            percent_time_in_window: 40.0,
            score,
            pressure: score,
            release: 90.0,
            rhythm: 90.0,
            strokes_per_min: Some(60.0),
            danger: 0,
            passed: score >= 70.0,
            above_window_s: 10.0,
            danger_s: 0.0,
            peak_cv_percent: Some(20.0),
            top_coaching: String::new(),
        }
    }

    #[test]
    fn sessions_are_grouped_by_trainee_in_date_order() {
        let records = vec![
            rec("Ben", Some("2026-11-09T10:00:00Z"), "b2.mld", 60.0),
            rec("Anna", Some("2026-11-09T10:00:00Z"), "a2.mld", 75.0),
            rec("Anna", Some("2026-11-02T10:00:00Z"), "a1.mld", 55.0),
            rec("Ben", None, "b0.mld", 10.0),
            rec("Ben", Some("2026-11-02T10:00:00Z"), "b1.mld", 62.0),
        ];
        let p = progress(&records, 60.0);
        let names: Vec<&str> = p.iter().map(|t| t.trainee.as_str()).collect();
        assert_eq!(names, ["Anna", "Ben"]);
        let anna: Vec<&str> = p[0].sessions.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(anna, ["a1.mld", "a2.mld"]);
        let ben: Vec<&str> = p[1].sessions.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(ben, ["b1.mld", "b2.mld", "b0.mld"], "undated last");
        assert!(
            p[0].changes.contains(&"score 55 → 75 (+20)".to_string()),
            "{:?}",
            p[0].changes
        );
        assert!(
            p[0].changes.iter().any(|c| c.starts_with("passed")),
            "{:?}",
            p[0].changes
        );
    }

    #[test]
    fn changes_name_what_moved_and_skip_noise() {
        let a = rec("A", Some("2026-11-02"), "1", 60.0);
        let mut b = rec("A", Some("2026-11-09"), "2", 61.0);
        b.above_window_s = 3.0;
        b.peak_cv_percent = Some(12.0);
        b.strokes_per_min = Some(70.0);
        b.danger = 2;
        let c = changes(&a, &b, 60.0);
        assert_eq!(
            c,
            vec![
                "2 strokes reached the danger level (none last time)".to_string(),
                "score about the same (61)".into(),
                "less time above the window: 10 s → 3 s".into(),
                "peaks more consistent: variation 20% → 12%".into(),
                "rhythm 60 → 70 strokes a minute (further from the target 60)".into(),
            ]
        );
    }
}
