//! Concord's engine: load two CSV files, compare them row by row and cell by
//! cell, and export the differences.
//!
//! The engine knows nothing of terminals, HTTP or windows; the `concord`
//! command line, the local web server and the desktop app all call it.
//!
//! ```no_run
//! use concord::{compare, export, load_path, ColumnPair, CompareConfig, Control, LoadOptions};
//! use std::path::Path;
//!
//! let opts = LoadOptions::default();
//! let left = load_path(Path::new("before.csv"), &opts, Control::default())?;
//! let right = load_path(Path::new("after.csv"), &opts, Control::default())?;
//! let config = CompareConfig { keys: vec![ColumnPair::new("id", "id")], ..Default::default() };
//! let result = compare(&left, &right, &config, Control::default())?;
//! println!("{} rows changed", result.summary.changed);
//! let report = export::Report { left: &left, right: &right, result: &result };
//! export::write_file(report, export::Format::Csv, Path::new("diff.csv"), Control::default())?;
//! # Ok::<(), concord::Error>(())
//! ```

#![warn(missing_docs)]

#[cfg(feature = "server")]
pub mod api;
mod array;
pub mod backend;
pub mod budget;
pub mod compare;
pub mod error;
pub mod export;
pub mod merge;
pub mod operations;
mod output;
pub mod patch;
pub mod plan;
pub mod profile;
pub mod progress;
pub mod suggest;
pub mod table;
#[cfg(feature = "ts")]
pub mod typescript;
pub mod values;

pub use compare::{ColumnPair, CompareConfig, CompareResult, RowStatus, Rules};
pub use error::{Error, Result, Side};
pub use progress::{Control, Phase, Progress};
pub use suggest::compare;
pub use table::{load_bytes, load_path, LoadOptions, SideOptions, Table};
