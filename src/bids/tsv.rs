//! Tab-separated tables as BIDS writes them (`_events.tsv`, `participants.tsv`, `_scans.tsv`,
//! the simulator's truth): a header row, then a row a line, no quoting, blank lines skipped.
//! One reader, on the `csv` crate, for every table the tool reads.

use crate::error::{Error, Result};
use std::path::Path;

/// One row, with its 1-based line in the file (for errors).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The row's line in the file.
    pub line: u64,
    /// Its fields, as written (not trimmed).
    pub fields: Vec<String>,
}

impl Row {
    /// The field at `col`, if the row has one.
    pub fn get(&self, col: usize) -> Option<&str> {
        self.fields.get(col).map(String::as_str)
    }
}

/// A table: its header and rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The header's fields, as written.
    pub header: Vec<String>,
    /// The rows after the header.
    pub rows: Vec<Row>,
}

impl Table {
    /// Parses `text`; `None` when it holds no row at all (not even a header). `path` is used in
    /// errors only.
    pub fn parse(path: &Path, text: &str) -> Result<Option<Table>> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b'\t')
            .quoting(false)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(1, csv::Position::line);
                Error::parse(path, line, e.to_string())
            })?;
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            rows.push(Row {
                line: record.position().map_or(1, csv::Position::line),
                fields: record.iter().map(str::to_string).collect(),
            });
        }
        let mut rows = rows.into_iter();
        Ok(rows.next().map(|header| Table {
            header: header.fields,
            rows: rows.collect(),
        }))
    }

    /// The header and the rows' fields, each trimmed.
    pub fn trimmed(self) -> (Vec<String>, Vec<Vec<String>>) {
        let trim = |v: Vec<String>| v.iter().map(|f| f.trim().to_string()).collect();
        (
            trim(self.header),
            self.rows.into_iter().map(|r| trim(r.fields)).collect(),
        )
    }

    /// The column whose header, trimmed, is `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.trim() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_lines_and_blank_lines_are_skipped() {
        let text = "a\tb\n1\t\"2\n\n  \n3\t4\t5\r\n";
        let t = Table::parse(Path::new("t.tsv"), text)
            .expect("parses")
            .expect("has a header");
        assert_eq!(t.header, ["a", "b"]);
        assert_eq!(t.column("b"), Some(1));
        let got: Vec<(u64, Vec<String>)> =
            t.rows.iter().map(|r| (r.line, r.fields.clone())).collect();
        assert_eq!(
            got,
            [
                (2, vec!["1".to_string(), "\"2".to_string()]),
                (5, vec!["3".into(), "4".into(), "5".into()])
            ]
        );
        assert_eq!(Table::parse(Path::new("e.tsv"), "").expect("empty"), None);
        assert_eq!(
            Table::parse(Path::new("e.tsv"), "\n \n").expect("blank"),
            None
        );
    }
}
