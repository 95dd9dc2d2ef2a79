//! Opening any input a user names: a recording, a BIDS file, chosen by its name.
