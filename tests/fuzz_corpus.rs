//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the
//! same checks as the fuzz targets, so plain `cargo test` (stable, no
//! libFuzzer) keeps every seed and past regression passing.
#![cfg(not(target_arch = "wasm32"))]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

// `pub` as in the fuzz crate's library, where these functions are its API.
#[path = "../fuzz/src/checks.rs"]
pub mod checks;

/// A property that panics when an input violates it.
type Check = fn(&[u8]);

/// Each fuzz target: its corpus directory name and the property it checks.
const TARGETS: [(&str, Check); 4] = [
    ("engine_packet", checks::engine_packet),
    ("payload", checks::payload),
    ("socket_packet", checks::socket_packet),
    ("reassembler", checks::reassembler),
];

#[test]
fn decoders_never_panic_and_round_trip_on_the_committed_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut failures = Vec::new();
    for (target, check) in TARGETS {
        let dir = corpus.join(target);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read the corpus {}: {e}", dir.display()));
        let mut replayed = 0;
        for entry in entries {
            let path = entry.expect("a readable corpus entry").path();
            let input = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() {
                failures.push(path.display().to_string());
            }
            replayed += 1;
        }
        assert!(
            replayed > 0,
            "the corpus {} is empty, so this test would prove nothing",
            dir.display()
        );
    }
    assert!(
        failures.is_empty(),
        "these corpus inputs fail their check (panic messages above):\n{}",
        failures.join("\n")
    );
}
