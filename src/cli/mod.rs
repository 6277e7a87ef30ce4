//! Command-line arguments and what each subcommand does with them.

mod progress;
mod sessions;

/// Writes a line to stderr. Unlike `eprintln!`, a closed stderr is not a
/// panic: the message is dropped and the exit code still tells the story.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

use clap::{Args, Parser, Subcommand, ValueEnum};
use concord::compare::{NumericMode, RuleOverrides};
use concord::export::{self, Format, Report};
use concord::table::{delimiter_name, Encoding};
use concord::{ColumnPair, CompareConfig, Control, Error, LoadOptions, Table};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Exit code when the files match, as with `diff`.
pub(crate) const SAME: i32 = 0;
/// Exit code when differences were found.
const DIFFERENT: i32 = 1;
/// Exit code for errors.
const TROUBLE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "concord",
    version,
    about = "Compare two CSV files by key, cell by cell, and export the differences."
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
    Inspect(InspectArgs),
    /// Compare two files and report or export their differences.
    ///
    /// Without --key (or --map), Concord suggests a key (and renamed column
    /// pairs) and uses them when it is confident, saying so on stderr.
    /// Exit status: 0 when the files match, 1 when they differ, 2 on error.
    Compare(Box<CompareArgs>),
    /// Suggest how the columns of two files correspond, and which identify a row.
    Suggest(SuggestArgs),
    /// List, show, delete, move and clean up saved sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Appends events to a session until killed (for the crash test).
    #[command(hide = true)]
    DebugAppend {
        /// The session, or `new` to create one.
        session: String,
        /// How many events to append.
        #[arg(long, default_value = "1000000")]
        count: u64,
    },
}

#[derive(Subcommand)]
enum SessionsCommand {
    /// List sessions, most recently changed first.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: InspectFormat,
    },
    /// Show one session, with its keys, mappings and rules.
    Show {
        /// The session id.
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: InspectFormat,
    },
    /// Delete a session (its stored files go at the next `gc`).
    Delete {
        /// The session id.
        id: String,
    },
    /// Write a session, with its files and result, to one portable file.
    Export {
        /// The session id.
        id: String,
        /// The file to write.
        file: PathBuf,
    },
    /// Import a portable session file, or every *.jsonl event log in a folder.
    Import {
        /// A file written by `sessions export`, or a folder of JSON Lines logs.
        path: PathBuf,
    },
    /// Remove stored files that no session refers to.
    Gc {
        /// Keep files younger than this many seconds (an operation may be writing them).
        #[arg(long, default_value = "3600", value_name = "SECONDS")]
        grace: u64,
    },
}

#[derive(Args)]
struct SuggestArgs {
    /// The left file.
    left: PathBuf,
    /// The right file.
    right: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: InspectFormat,
    #[command(flatten)]
    read: ReadArgs,
}

/// How input files are read; every option is detected when not given.
#[derive(Args, Clone)]
struct ReadArgs {
    /// Field delimiter: a single character, or `tab`.
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,
    /// The first line is data, not a header (columns are named column_1, column_2, ...).
    #[arg(long, conflicts_with = "header")]
    no_header: bool,
    /// The first line is a header, even if it looks like data.
    #[arg(long)]
    header: bool,
    /// Text encoding: utf-8, utf-16le, utf-16be or windows-1252.
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,
    /// Pad rows with too few fields with empty cells and cut rows with too many.
    #[arg(long)]
    allow_ragged: bool,
}

impl ReadArgs {
    fn options(&self) -> Result<LoadOptions, Error> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some("tab" | "\\t") => Some(b'\t'),
            Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
            Some(d) => {
                return Err(Error::Invalid(format!(
                    "--delimiter takes one ASCII character or `tab`, not '{d}'"
                )))
            }
        };
        let encoding = match self.encoding.as_deref() {
            None => None,
            Some(name) => Some(Encoding::from_name(name).ok_or_else(|| {
                Error::Invalid(format!(
                    "unknown encoding '{name}'; use utf-8, utf-16le, utf-16be or windows-1252"
                ))
            })?),
        };
        let has_header = match (self.header, self.no_header) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        Ok(LoadOptions {
            delimiter,
            has_header,
            encoding,
            allow_ragged: self.allow_ragged,
        })
    }
}

#[derive(Args)]
struct InspectArgs {
    /// The CSV file.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: InspectFormat,
    /// A value that means "no value" (e.g. NULL, N/A): counted as empty in
    /// the profiles. Repeatable.
    #[arg(long = "null-token", value_name = "T")]
    null_tokens: Vec<String>,
    #[command(flatten)]
    read: ReadArgs,
}

/// Text for people or JSON for programs.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum InspectFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
    Csv,
    Html,
    Xlsx,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Text => Format::Text,
            OutputFormat::Json => Format::Json,
            OutputFormat::Csv => Format::Csv,
            OutputFormat::Html => Format::Html,
            OutputFormat::Xlsx => Format::Xlsx,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum NumericArg {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
struct CompareArgs {
    /// The left file (the "before").
    left: PathBuf,
    /// The right file (the "after").
    right: PathBuf,
    /// Key column; `LEFT=RIGHT` when the names differ. Repeat for a composite key.
    /// Without a key, row N is compared with row N.
    #[arg(long = "key", short = 'k', value_name = "L[=R]")]
    keys: Vec<String>,
    /// Pair two differently named columns: `LEFT=RIGHT`. Repeatable.
    #[arg(long = "map", value_name = "L=R")]
    maps: Vec<String>,
    /// Leave a column out of the comparison. Repeatable.
    #[arg(long = "ignore", value_name = "COL")]
    ignore: Vec<String>,
    /// Ignore leading and trailing spaces; `--trim=COL` for one column only.
    #[arg(long, value_name = "COL", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    trim: Vec<String>,
    /// Ignore upper/lower case; `--ignore-case=COL` for one column only.
    #[arg(long, value_name = "COL", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    ignore_case: Vec<String>,
    /// Numbers use a decimal comma and dots between thousands (1.234,5);
    /// `--decimal-comma=COL` for one column only.
    #[arg(long, value_name = "COL", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    decimal_comma: Vec<String>,
    /// A value that means "no value", like an empty cell (e.g. NULL, N/A);
    /// `COL=T` for one column only. Repeatable.
    #[arg(long = "null-token", value_name = "[COL=]T")]
    null_tokens: Vec<String>,
    /// Numbers within ABS of each other are equal: `COL=ABS`, or `ABS` for all columns.
    #[arg(long = "tolerance", value_name = "[COL=]ABS")]
    tolerances: Vec<String>,
    /// Numbers within REL (a fraction) of each other are equal: `COL=REL` or `REL`.
    #[arg(long = "rel-tolerance", value_name = "[COL=]REL")]
    rel_tolerances: Vec<String>,
    /// Date format (chrono syntax, e.g. %d/%m/%Y) under which dates are compared
    /// as dates: `COL=FMT` or `FMT`. Repeatable.
    #[arg(long = "date-format", value_name = "[COL=]FMT")]
    date_formats: Vec<String>,
    /// Compare numbers by value (`1.50` = `1.5`): in numeric columns (auto), always, or never.
    #[arg(long, value_enum, default_value = "auto")]
    numeric: NumericArg,
    /// Do not fill in a missing key or mapping from suggestions.
    #[arg(long)]
    no_suggest: bool,
    /// Keep this comparison as a session (see `concord sessions`).
    #[arg(long)]
    save: bool,
    /// The saved session's name [default: LEFT vs RIGHT].
    #[arg(long, requires = "save")]
    name: Option<String>,
    /// Output format; by default taken from the --output extension, else text.
    #[arg(long, value_enum)]
    format: Option<OutputFormat>,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
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
        Command::Inspect(a) => inspect(a),
        Command::Compare(a) => compare(*a, &data_dir),
        Command::Suggest(a) => suggest(a),
        Command::Sessions(c) => sessions::run(c, &data_dir),
        Command::DebugAppend { session, count } => {
            sessions::debug_append(&data_dir, &session, count)
        }
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
fn hint(e: &Error) -> Option<&'static str> {
    match e {
        Error::FieldCount { .. } => Some("pass --allow-ragged to pad short rows and cut long ones"),
        Error::NotText { detail, .. } if detail.contains("not valid UTF-8") => {
            Some("try --encoding windows-1252")
        }
        _ => None,
    }
}

fn inspect(a: InspectArgs) -> Result<i32, Error> {
    let opts = a.read.options()?;
    let bar = progress::Bar::new();
    let report = |p| bar.update(p);
    let table = concord::load_path(
        &a.file,
        &opts,
        Control {
            progress: Some(&report),
            cancel: None,
            ..Control::default()
        },
    );
    bar.finish();
    let table = table?;
    let rules = concord::compare::Rules {
        null_tokens: a.null_tokens.clone(),
        ..Default::default()
    };
    let profiles =
        concord::profile::profile_with(&table, &|_, v| rules.is_null(v), Control::default())?;
    let info = table.info();
    let mut out = std::io::stdout().lock();
    let written = match a.format {
        InspectFormat::Json => {
            let v = serde_json::json!({
                "path": info.path,
                "bytes": info.bytes,
                "encoding": info.encoding,
                "delimiter": (info.delimiter as char).to_string(),
                "has_header": info.has_header,
                "rows": table.num_rows(),
                "columns": profiles,
                "warnings": info.warnings,
            });
            serde_json::to_writer_pretty(&mut out, &v)
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out))
        }
        InspectFormat::Text => write_inspect_text(&mut out, &table, &profiles),
    };
    finish_stdout(written)?;
    Ok(SAME)
}

fn write_inspect_text(
    out: &mut dyn Write,
    table: &Table,
    profiles: &[concord::profile::ColumnProfile],
) -> std::io::Result<()> {
    let info = table.info();
    writeln!(out, "file:      {}", info.path)?;
    writeln!(out, "encoding:  {}", info.encoding)?;
    writeln!(out, "delimiter: {}", delimiter_name(info.delimiter))?;
    writeln!(
        out,
        "header:    {}",
        if info.has_header { "yes" } else { "no" }
    )?;
    writeln!(out, "rows:      {}", table.num_rows())?;
    writeln!(out, "columns:   {}", table.num_columns())?;
    for w in &info.warnings {
        writeln!(out, "note:      {w}")?;
    }
    writeln!(out)?;
    let width = profiles
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(6);
    writeln!(
        out,
        "{:<width$}  {:<8}  {:>8}  {:>10}  {:<6}  {:<20}  {:<20}  samples",
        "column", "type", "empty", "distinct", "unique", "min", "max"
    )?;
    let short = |s: &Option<String>| -> String {
        let s = s.as_deref().unwrap_or("");
        if s.chars().count() > 20 {
            format!("{}…", s.chars().take(19).collect::<String>())
        } else {
            s.to_string()
        }
    };
    for p in profiles {
        let distinct = if p.distinct_exact {
            p.distinct.to_string()
        } else {
            format!("~{}", p.distinct)
        };
        writeln!(
            out,
            "{:<width$}  {:<8}  {:>8}  {:>10}  {:<6}  {:<20}  {:<20}  {}",
            p.name,
            p.value_type.name(),
            p.nulls,
            distinct,
            if p.unique { "yes" } else { "no" },
            short(&p.min),
            short(&p.max),
            p.samples
                .iter()
                .map(|s| short(&Some(s.clone())))
                .collect::<Vec<_>>()
                .join(" | ")
        )?;
    }
    Ok(())
}

fn suggest(a: SuggestArgs) -> Result<i32, Error> {
    let opts = a.read.options()?;
    let bar = progress::Bar::new();
    let report = |p| bar.update(p);
    let ctl = Control {
        progress: Some(&report),
        cancel: None,
        ..Control::default()
    };
    let (left, right) = rayon::join(
        || concord::load_path(&a.left, &opts, ctl.with_side(concord::Side::Left)),
        || concord::load_path(&a.right, &opts, ctl.with_side(concord::Side::Right)),
    );
    bar.finish();
    let (left, right) = (left?, right?);
    let s = concord::suggest::suggest(&left, &right, ctl)?;
    let mut out = std::io::stdout().lock();
    let written = match a.format {
        InspectFormat::Json => serde_json::to_writer_pretty(&mut out, &s)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out)),
        InspectFormat::Text => write_suggestions_text(&mut out, &s),
    };
    finish_stdout(written)?;
    Ok(SAME)
}

fn write_suggestions_text(
    out: &mut dyn Write,
    s: &concord::suggest::Suggestions,
) -> std::io::Result<()> {
    writeln!(out, "column pairs:")?;
    let width = s
        .mappings
        .iter()
        .map(|m| m.left.chars().count())
        .max()
        .unwrap_or(0);
    for m in &s.mappings {
        writeln!(
            out,
            "  {:<width$}  =  {:<24}  {:.2}  {}",
            m.left, m.right, m.score, m.reason
        )?;
    }
    if !s.unmapped_left.is_empty() {
        writeln!(out, "only in left:  {}", s.unmapped_left.join(", "))?;
    }
    if !s.unmapped_right.is_empty() {
        writeln!(out, "only in right: {}", s.unmapped_right.join(", "))?;
    }
    writeln!(out, "\nkeys:")?;
    if s.keys.is_empty() {
        writeln!(out, "  none: no paired column is unique on both sides")?;
    }
    for k in &s.keys {
        writeln!(
            out,
            "  {:<30}  score {:.2}  unique left {:.1}%  unique right {:.1}%  shared {:.1}%{}",
            k.label(),
            k.score,
            k.unique_left * 100.0,
            k.unique_right * 100.0,
            k.overlap * 100.0,
            if k.is_confident() {
                ""
            } else {
                "  (not confident)"
            }
        )?;
    }
    if let Some(k) = s.keys.first().filter(|k| k.is_confident()) {
        let flags: Vec<String> = k
            .left
            .iter()
            .zip(&k.right)
            .map(|(l, r)| format!("--key {}", concord::compare::pair_label(l, r)))
            .collect();
        writeln!(
            out,
            "\nconcord compare uses the first key when none is given, as with: {}",
            flags.join(" ")
        )?;
    }
    Ok(())
}

/// Splits `COL=VALUE`; a bare `VALUE` applies to all columns (`None`).
fn split_column(s: &str) -> (Option<&str>, &str) {
    match s.split_once('=') {
        Some((c, v)) => (Some(c), v),
        None => (None, s),
    }
}

fn parse_pair(s: &str, flag: &str, need_both: bool) -> Result<ColumnPair, Error> {
    match s.split_once('=') {
        Some((l, r)) if !l.is_empty() && !r.is_empty() => Ok(ColumnPair::new(l, r)),
        None if !need_both && !s.is_empty() => Ok(ColumnPair::new(s, s)),
        _ => Err(Error::Invalid(format!(
            "{flag} '{s}': expected {}",
            if need_both {
                "LEFT=RIGHT"
            } else {
                "COLUMN or LEFT=RIGHT"
            }
        ))),
    }
}

fn parse_number(s: &str, flag: &str) -> Result<f64, Error> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| Error::Invalid(format!("{flag} takes a number of zero or more, not '{s}'")))
}

fn config(a: &CompareArgs) -> Result<CompareConfig, Error> {
    let mut cfg = CompareConfig {
        keys: a
            .keys
            .iter()
            .map(|k| parse_pair(k, "--key", false))
            .collect::<Result<_, _>>()?,
        mappings: a
            .maps
            .iter()
            .map(|m| parse_pair(m, "--map", true))
            .collect::<Result<_, _>>()?,
        ignore: a.ignore.clone(),
        use_suggestions: !a.no_suggest,
        ..CompareConfig::default()
    };
    for t in &a.null_tokens {
        match split_column(t) {
            (Some(c), v) if !c.is_empty() => column(&mut cfg, c)
                .null_tokens
                .get_or_insert_with(Vec::new)
                .push(v.to_string()),
            _ => cfg.rules.null_tokens.push(t.to_string()),
        }
    }
    // A column's own null tokens add to the global ones.
    for o in cfg.column_rules.values_mut() {
        if let Some(own) = o.null_tokens.as_mut() {
            own.splice(0..0, cfg.rules.null_tokens.iter().cloned());
        }
    }
    cfg.rules.numeric = match a.numeric {
        NumericArg::Auto => NumericMode::Auto,
        NumericArg::Always => NumericMode::Always,
        NumericArg::Never => NumericMode::Never,
    };
    for c in &a.decimal_comma {
        if c.is_empty() {
            cfg.rules.decimal_comma = true;
        } else {
            column(&mut cfg, c).decimal_comma = Some(true);
        }
    }
    let mut global_trim = false;
    let mut global_case = false;
    for c in &a.trim {
        if c.is_empty() {
            global_trim = true
        } else {
            column(&mut cfg, c).trim = Some(true)
        }
    }
    for c in &a.ignore_case {
        if c.is_empty() {
            global_case = true
        } else {
            column(&mut cfg, c).ignore_case = Some(true)
        }
    }
    let mut abs = None;
    let mut rel = None;
    for t in &a.tolerances {
        match split_column(t) {
            (Some(c), v) => {
                column(&mut cfg, c).abs_tolerance = Some(parse_number(v, "--tolerance")?)
            }
            (None, v) => abs = Some(parse_number(v, "--tolerance")?),
        }
    }
    for t in &a.rel_tolerances {
        match split_column(t) {
            (Some(c), v) => {
                column(&mut cfg, c).rel_tolerance = Some(parse_number(v, "--rel-tolerance")?)
            }
            (None, v) => rel = Some(parse_number(v, "--rel-tolerance")?),
        }
    }
    let mut formats = Vec::new();
    for f in &a.date_formats {
        match split_column(f) {
            (Some(c), v) => column(&mut cfg, c)
                .date_formats
                .get_or_insert_with(Vec::new)
                .push(v.to_string()),
            (None, v) => formats.push(v.to_string()),
        }
    }
    cfg.rules.trim = global_trim;
    cfg.rules.ignore_case = global_case;
    cfg.rules.abs_tolerance = abs.unwrap_or(0.0);
    cfg.rules.rel_tolerance = rel.unwrap_or(0.0);
    cfg.rules.date_formats = formats;
    Ok(cfg)
}

/// The rule overrides of one column, created on first use.
fn column<'c>(cfg: &'c mut CompareConfig, name: &str) -> &'c mut RuleOverrides {
    cfg.column_rules.entry(name.to_string()).or_default()
}

/// Picks the output format: the flag, else the output file's extension, else text.
fn output_format(a: &CompareArgs) -> Result<Format, Error> {
    if let Some(f) = a.format {
        return Ok(f.into());
    }
    let ext = a
        .output
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str());
    match ext {
        None => Ok(Format::Text),
        Some(e) => Format::from_name(e).or(if e == "txt" { Some(Format::Text) } else { None }).ok_or_else(|| {
            Error::Invalid(format!("cannot tell the output format from '.{e}'; pass --format text|json|csv|html|xlsx"))
        }),
    }
}

fn compare(a: CompareArgs, data_dir: &Path) -> Result<i32, Error> {
    let opts = a.read.options()?;
    let cfg = config(&a)?;
    let format = output_format(&a)?;
    if format == Format::Xlsx && a.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Error::Invalid(
            "XLSX is a binary format: pass --output FILE.xlsx".into(),
        ));
    }
    let bar = progress::Bar::new();
    let report = |p| bar.update(p);
    let ctl = Control {
        progress: Some(&report),
        cancel: None,
        ..Control::default()
    };
    let outcome = run_comparison(&a, &opts, &cfg, ctl, data_dir);
    bar.finish();
    let (left, right, result) = outcome?;
    for note in &result.notes {
        say!("concord: note: {note}");
    }
    let report_view = Report {
        left: &left,
        right: &right,
        result: &result,
    };
    let written = match &a.output {
        Some(path) => {
            let r = export::write_file(report_view, format, path, ctl);
            bar.finish();
            r?;
            say!(
                "concord: wrote {} differing rows to {}",
                result.rows.len(),
                path.display()
            );
            Ok(())
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            match export::write(report_view, format, &mut out, Control::default()) {
                Err(Error::Write { source, .. }) => Err(source),
                Err(e) => return Err(e),
                Ok(()) => out.flush(),
            }
        }
    };
    finish_stdout(written)?;
    Ok(if result.summary.has_differences() {
        DIFFERENT
    } else {
        SAME
    })
}

type Compared = (Arc<Table>, Arc<Table>, Arc<concord::CompareResult>);

/// Loads and compares the two files, through a saved session with `--save`.
fn run_comparison(
    a: &CompareArgs,
    opts: &LoadOptions,
    cfg: &CompareConfig,
    ctl: Control<'_>,
    data_dir: &Path,
) -> Result<Compared, Error> {
    if !a.save {
        let (left, right) = rayon::join(
            || concord::load_path(&a.left, opts, ctl.with_side(concord::Side::Left)),
            || concord::load_path(&a.right, opts, ctl.with_side(concord::Side::Right)),
        );
        let (left, right) = (left?, right?);
        let result = concord::compare_with_suggestions(&left, &right, cfg, ctl)?;
        return Ok((Arc::new(left), Arc::new(right), Arc::new(result)));
    }
    let w = concord::backend::Workflow::open(data_dir)?;
    let name = a
        .name
        .clone()
        .unwrap_or_else(|| format!("{} vs {}", a.left.display(), a.right.display()));
    let session = w.create_session(&name)?;
    w.load_file(&session.id, concord::Side::Left, &a.left, opts, ctl)?;
    w.load_file(&session.id, concord::Side::Right, &a.right, opts, ctl)?;
    w.set_config(&session.id, cfg.clone())?;
    w.compare(&session.id, ctl)?;
    let c = w.comparison(&session.id)?;
    say!("concord: saved as session {} ({name})", session.id);
    Ok((c.left, c.right, c.result))
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
