//! Command-line arguments, and one module per subcommand (as in xsv's
//! `src/cmd/`). Values are parsed by clap straight into the library's types
//! ([`args`]); every subcommand is a thin caller of the library.

mod args;
mod compare;
mod inspect;
mod mapped;
mod progress;
mod serve;
mod sessions;
mod spark;
mod suggest;

/// Writes a line to stderr. Unlike `eprintln!`, a closed stderr is not a
/// panic: the message is dropped and the exit code still tells the story.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use say;
mod apply;
mod git;

use clap::{Parser, Subcommand, ValueEnum};
use concord::Error;
use std::path::PathBuf;

/// Exit code when the files match, as with `diff`.
pub(crate) const SAME: i32 = 0;
/// Exit code when differences were found.
pub(crate) const DIFFERENT: i32 = 1;
/// Exit code for errors.
pub(crate) const TROUBLE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "concord",
    version,
    about = "Compare two tables (CSV, JSON Lines, workbooks, Parquet, Arrow) by key, cell by cell, and export the differences."
)]
struct Cli {
    /// Where sessions are kept [default: the system's application data folder].
    #[arg(long, global = true, env = "CONCORD_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show how a file is read: encoding, delimiter, header, rows and column profiles.
    Inspect(inspect::InspectArgs),
    /// Compare two files and report or export their differences.
    ///
    /// Without --key (or --map), Concord suggests a key (and renamed column
    /// pairs) and uses them when it is confident, saying so on stderr.
    /// Exit status: 0 when the files match, 1 when they differ, 2 on error.
    Compare(Box<compare::CompareArgs>),
    /// Apply a patch (`concord compare L R --format patch`) to the left file.
    ///
    /// Rows the patch does not touch keep their bytes; a patch whose rows
    /// no longer fit the file is refused with the rows in conflict.
    /// Exit status: 0 when the patch applied, 2 on error.
    Apply(apply::ApplyArgs),
    /// Set Concord up as git's diff and merge driver for tables.
    #[command(subcommand)]
    Git(git::GitCommand),
    /// Suggest how the columns of two files correspond, and which identify a row.
    Suggest(suggest::SuggestArgs),
    /// Serve the web UI and its API on this machine (http://127.0.0.1:7480/).
    Serve(serve::ServeArgs),
    /// List, show, delete, move and clean up saved sessions.
    #[command(subcommand)]
    Sessions(sessions::SessionsCommand),
    /// Appends events to a session until killed (for the crash test).
    #[command(hide = true)]
    DebugAppend {
        /// The session, or `new` to create one.
        session: String,
        /// How many events to append.
        #[arg(long, default_value = "1000000")]
        count: u64,
    },
    /// Maps a file, cuts it short and reads it (for the SIGBUS test).
    #[command(hide = true)]
    DebugCutShort {
        /// The file, which is emptied.
        file: PathBuf,
    },
}

/// Text for people or JSON for programs.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum InspectFormat {
    Text,
    Json,
}

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { TROUBLE } else { SAME };
            let _ = e.print();
            return code;
        }
    };
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(concord::backend::default_data_dir);
    let outcome = match cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Compare(a) => compare::run(*a, &data_dir),
        Command::Apply(a) => apply::run(a),
        Command::Git(c) => git::run(c),
        Command::Suggest(a) => suggest::run(a),
        Command::Serve(a) => serve::run(a, &data_dir),
        Command::Sessions(c) => sessions::run(c, &data_dir),
        Command::DebugAppend { session, count } => {
            sessions::debug_append(&data_dir, &session, count)
        }
        Command::DebugCutShort { file } => mapped::debug_cut_short(&file),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            match hint(&e) {
                Some(h) => say!("concord: error: {e}; {h}"),
                None => say!("concord: error: {e}"),
            }
            TROUBLE
        }
    }
}

/// What a user of the command line can do about an error, naming the flag:
/// the engine's messages name no flags.
fn hint(e: &Error) -> Option<String> {
    match e {
        Error::FieldCount {
            title_lines: Some(n),
            ..
        } => Some(format!(
            "pass --skip-lines {n} to read from the header below them (--left-skip-lines or --right-skip-lines for one file of two)"
        )),
        Error::PatchConflict { .. } => {
            Some("pass --force to apply the rows that fit and list the others".into())
        }
        Error::FieldCount { .. } => Some("pass --allow-ragged to pad short rows and cut long ones".into()),
        Error::NotText { detail, .. } if detail.contains("not valid UTF-8") => {
            Some("try --encoding windows-1252".into())
        }
        Error::NoSpace { .. } => Some("pass --spill-dir DIR for a directory with more room".into()),
        _ => None,
    }
}

/// A closed pipe (`concord ... | head`) is not an error worth reporting.
pub(crate) fn finish_stdout(r: std::io::Result<()>) -> Result<(), Error> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(Error::Write {
            path: "standard output".into(),
            source,
        }),
        Ok(()) => Ok(()),
    }
}
