//! Reading and writing BIDS physiological recordings (`_physio.tsv.gz` + `_physio.json`, `_events.tsv`).
