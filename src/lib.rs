//! Concord's engine: load two CSV files, compare them row by row and cell by
//! cell, and export the differences.
//!
//! The engine knows nothing of terminals, HTTP or windows; the `concord`
//! command line, the local web server and the desktop app all call it.

pub mod error;
pub mod progress;
pub mod table;
pub mod values;

pub use error::{Error, Result, Side};
pub use progress::{Control, Progress, Stage};
pub use table::{load_bytes, load_path, LoadOptions, Table};
pub mod compare;

pub use compare::{compare, ColumnPair, CompareConfig, CompareResult, RowStatus, Rules};
pub mod profile;
pub mod export;
