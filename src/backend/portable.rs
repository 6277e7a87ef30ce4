//! Moving sessions between data directories and machines.
