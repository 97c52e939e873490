//! The properties the fuzz targets check, as a library so the targets stay
//! one line each. `tests/fuzz_corpus.rs` in the main crate includes
//! `checks.rs` by path, so `cargo test` replays the committed corpus through
//! the very same functions.

pub mod checks;
