//! The live practice view (terminal).
