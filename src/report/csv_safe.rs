//! One rule for every CSV cell the tool writes from text it did not make itself (a trainee's
//! name, a file name, a note, a date read from a file): a spreadsheet must never run it as a
//! formula.
//!
//! The rule is OWASP's CSV-injection one: a cell whose first character is `=`, `+`, `-`, `@`,
//! a tab or a carriage return gets a `'` in front, so a spreadsheet shows it as text. Leading
//! spaces are looked through (some spreadsheets trim them before deciding). Numbers the tool
//! formats itself (`-3.5`, a score) are written as numbers and not passed through here: a
//! leading `-` there is a sign, and a spreadsheet reads it as one.

/// The characters that start a formula (or a DDE call) in common spreadsheets.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `s` as a cell that no spreadsheet runs as a formula.
///
/// ```
/// use mldsense::report::csv_safe::csv_safe;
/// assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(csv_safe("  +1"), "'  +1");
/// assert_eq!(csv_safe("Anna"), "Anna");
/// ```
pub fn csv_safe(s: &str) -> String {
    if is_formula(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Whether a spreadsheet would read `s` as the start of a formula.
pub fn is_formula(s: &str) -> bool {
    s.trim_start_matches(' ').starts_with(FORMULA_STARTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_start_is_neutralised() {
        for c in FORMULA_STARTS {
            let cell = format!("{c}cmd|' /C calc'!A0");
            assert_eq!(csv_safe(&cell), format!("'{cell}"));
        }
        assert_eq!(csv_safe(" =1"), "' =1");
        assert_eq!(csv_safe("a=1"), "a=1");
        assert_eq!(csv_safe(""), "");
    }
}
