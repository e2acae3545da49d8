//! Network engine.
