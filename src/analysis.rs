//! One input analysed and graded, as `mldsense analyze` does it for each file: open the path
//! as the right source, run the chain, grade the session with how sure its calibration is.

use crate::calibration::Calibration;
use crate::error::{Context, Result};
use crate::grade::{grade_session_with, Certainty, GradedSession, Profile};
use crate::input::Input;
use crate::pipeline::{self, PipelineConfig};
use crate::session::{QualityKind, Session};
use crate::stream::PressureSource;
use crate::units::SquareMillimetres;
use std::path::Path;

/// A file's session, its grades and what the reading warned about.
#[derive(Debug)]
pub struct Analysis {
    /// The strokes and quality of the session.
    pub session: Session,
    /// Its grades under the profile.
    pub graded: GradedSession,
    /// The input's warnings (a header that contradicts the data, …) and the implausible
    /// pressures found, one line each, for standard error.
    pub warnings: Vec<String>,
}

/// Opens, analyses and grades one input.
pub fn analyze_file(
    path: &Path,
    calibration: Option<Calibration>,
    profile: &Profile,
) -> Result<Analysis> {
    let mut input = Input::open(path, calibration.clone())?;
    let certainty = certainty_of(calibration.as_ref(), &input);
    let meta = input.meta();
    let session = pipeline::analyze(&mut input, meta, PipelineConfig::default())
        .context_with(|| format!("analysing {}", path.display()))?;
    let mut warnings = input.warnings();
    warnings.extend(
        session
            .quality
            .iter()
            .filter(|q| q.kind == QualityKind::Implausible)
            .map(|q| q.message.clone()),
    );
    let graded = grade_session_with(&session, profile, &certainty);
    Ok(Analysis {
        session,
        graded,
        warnings,
    })
}

/// How sure the grades of `input` are: the calibration given, else the one a recording stores,
/// else the default curve (approximate).
fn certainty_of(given: Option<&Calibration>, input: &Input) -> Certainty {
    let area = input
        .info()
        .channels
        .iter()
        .find_map(|c| c.area)
        .unwrap_or(SquareMillimetres::FSR_402);
    match (given, input) {
        (Some(c), _) => Certainty::of(Some(c), area),
        (None, Input::Recording(r)) => Certainty::of(r.header().calibration.as_ref(), area),
        _ => Certainty::default(),
    }
}
