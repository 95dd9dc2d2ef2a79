//! Reports: text, JSON, CSV, HTML and PNG charts.
