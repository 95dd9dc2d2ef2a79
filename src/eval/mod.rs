//! Detection metrics: event matching (maximum bipartite) and precision, recall, F1, errors.
