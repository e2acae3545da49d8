//! Network classes.
