//! Helpers shared by the native tests (and, by path, the benchmarks).
#![allow(dead_code, unreachable_pub)]

pub mod socketioxide_args;
pub mod strategies;
