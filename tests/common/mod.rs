//! Helpers shared by the integration tests. Each test crate uses some of
//! them.

#![allow(dead_code)]

pub mod generate;

use std::process::{Command, Output};

/// Runs the `concord` binary with `args`, as a user would.
pub fn concord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .output()
        .expect("the concord binary runs")
}

/// Bytes of output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A small deterministic random number generator (xorshift), so that a
/// failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
