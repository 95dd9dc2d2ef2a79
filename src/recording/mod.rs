//! Session recordings: a self-describing header and the exact bytes received, append-only.
