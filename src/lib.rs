//! Facade.
pub use parasol_core as core;
