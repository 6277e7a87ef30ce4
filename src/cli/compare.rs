//! `concord compare`: load two files, compare them, report or export.

use super::args::{self, PairReadArgs, PerColumn};
use super::{finish_stdout, progress, say, DIFFERENT, SAME};
use clap::Args;
use concord::backend::Workflow;
use concord::budget::MemoryBudget;
use concord::compare::options::CompareOptions;
use concord::compare::{Comparison, NumericMode, Sides};
use concord::export::{self, Format};
use concord::plan::{compare_files, Resources, Strategy};
use concord::{ColumnPair, CompareConfig, Control, Error, Side, SideOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub(crate) struct CompareArgs {
    /// The left file (the "before").
    left: PathBuf,
    /// The right file (the "after").
    right: PathBuf,
    /// Key column; `LEFT=RIGHT` when the names differ. Repeat for a composite key.
    /// Without a key, row N is compared with row N.
    #[arg(long = "key", short = 'k', value_name = "L[=R]", value_parser = args::key)]
    keys: Vec<ColumnPair>,
    /// Pair two differently named columns: `LEFT=RIGHT`. Repeatable.
    #[arg(long = "map", value_name = "L=R", value_parser = args::mapping)]
    maps: Vec<ColumnPair>,
    /// Leave a column out of the comparison. Repeatable.
    #[arg(long = "ignore", value_name = "COL")]
    ignore: Vec<String>,
    /// Columns on one side only do not make the files differ (exit 0 when
    /// every row matches); they are still listed.
    #[arg(long)]
    ignore_extra_columns: bool,
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
    /// The file whose numbers have decimal commas (with --decimal-comma, or
    /// alone for every column) [default: both].
    #[arg(long, value_name = "SIDE", value_parser = concord::compare::options::sides)]
    decimal_comma_side: Option<Sides>,
    /// A value that means "no value", like an empty cell (e.g. NULL, N/A);
    /// `COL=T` for one column only. Repeatable.
    #[arg(long = "null-token", value_name = "[COL=]T", value_parser = args::per_column_text)]
    null_tokens: Vec<PerColumn<String>>,
    /// Numbers within ABS of each other are equal: `COL=ABS`, or `ABS` for all columns.
    #[arg(long = "tolerance", value_name = "[COL=]ABS", value_parser = args::per_column_number)]
    tolerances: Vec<PerColumn<f64>>,
    /// Numbers within REL (a fraction) of each other are equal: `COL=REL` or `REL`.
    #[arg(long = "rel-tolerance", value_name = "[COL=]REL", value_parser = args::per_column_number)]
    rel_tolerances: Vec<PerColumn<f64>>,
    /// Date format (chrono syntax, e.g. %d/%m/%Y) under which dates are compared
    /// as dates: `COL=FMT` or `FMT`. Repeatable.
    #[arg(long = "date-format", value_name = "[COL=]FMT", value_parser = args::per_column_text)]
    date_formats: Vec<PerColumn<String>>,
    /// Compare numbers by value (`1.50` = `1.5`): in numeric columns (auto), always, or never.
    #[arg(long, default_value = "auto", value_parser = args::numeric())]
    numeric: NumericMode,
    /// Do not fill in a missing key, mapping or rule from suggestions.
    #[arg(long)]
    no_suggest: bool,
    /// Do not read columns as their values show (null spellings such as NA,
    /// decimal commas in one file); a key and mappings are still suggested.
    #[arg(long)]
    no_infer: bool,
    /// Without a key, compare row N with row N instead of pairing rows by
    /// their content in any order.
    #[arg(long, conflicts_with = "keys")]
    by_position: bool,
    /// Where the comparison runs: here, or on Apache Spark through
    /// spark-submit (with --master and --output DIR; the Python package
    /// must be installed where Spark runs Python).
    #[arg(long, default_value = "local", value_parser = ["local", "spark"])]
    engine: String,
    /// With --engine spark: the Spark master (local[2], yarn, spark://HOST:7077, k8s://...).
    #[arg(long, value_name = "URL", default_value = "local[*]")]
    master: String,
    /// With --engine spark: partitions both sides are split into [default: twice Spark's parallelism].
    #[arg(long, value_name = "N")]
    partitions: Option<u32>,
    /// Keep this comparison as a session (see `concord sessions`).
    #[arg(long)]
    save: bool,
    /// The saved session's name [default: LEFT vs RIGHT].
    #[arg(long, requires = "save")]
    name: Option<String>,
    /// Output format; by default taken from the --output extension, else text.
    #[arg(long, value_parser = args::format())]
    format: Option<Format>,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Memory the comparison may use (e.g. 2G, 512M) [default: half of RAM].
    /// Larger files are compared in partitions on disk, with the same result.
    #[arg(long, value_name = "SIZE", env = "CONCORD_MEMORY_LIMIT", value_parser = MemoryBudget::parse)]
    memory_limit: Option<MemoryBudget>,
    /// Directory for the spill files of files larger than the memory limit
    /// [default: the system's temporary directory].
    #[arg(long, value_name = "DIR", env = "CONCORD_SPILL_DIR")]
    spill_dir: Option<PathBuf>,
    /// With --save: files of this size or more are referenced by path
    /// instead of copied into the session store [default: 256M].
    #[arg(long, value_name = "SIZE", env = "CONCORD_REFERENCE_ABOVE", value_parser = concord::budget::parse_size)]
    reference_above: Option<u64>,
    #[command(flatten)]
    read: PairReadArgs,
}

/// Turns the arguments into the library's configuration.
fn config(a: &CompareArgs) -> CompareConfig {
    CompareOptions {
        keys: a.keys.clone(),
        mappings: a.maps.clone(),
        ignore: a.ignore.clone(),
        ignore_extra_columns: a.ignore_extra_columns,
        trim: a.trim.clone(),
        ignore_case: a.ignore_case.clone(),
        decimal_comma: a.decimal_comma.clone(),
        decimal_comma_side: a.decimal_comma_side,
        null_tokens: a.null_tokens.clone(),
        tolerances: a.tolerances.clone(),
        rel_tolerances: a.rel_tolerances.clone(),
        date_formats: a.date_formats.clone(),
        numeric: a.numeric,
        suggest: !a.no_suggest,
        infer: !a.no_infer,
        by_position: a.by_position,
    }
    .config()
}

/// Picks the output format: the flag, else the output file's extension, else text.
fn output_format(a: &CompareArgs) -> Result<Format, Error> {
    if let Some(f) = a.format {
        return Ok(f);
    }
    match &a.output {
        None => Ok(Format::Text),
        Some(path) => Format::of_path(path).map_err(|e| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            Error::Invalid(format!("{e}; pass --format {}", names.join("|")))
        }),
    }
}

/// Runs `concord compare`.
pub(crate) fn run(a: CompareArgs, data_dir: &Path) -> Result<i32, Error> {
    let opts = a.read.options();
    let cfg = config(&a);
    if a.engine == "spark" {
        let Some(output) = &a.output else {
            return Err(Error::Invalid(
                "--engine spark writes the differing rows to a directory: pass --output DIR".into(),
            ));
        };
        let format = a.format.unwrap_or(Format::Text);
        let run = super::spark::SparkRun {
            master: &a.master,
            output,
            partitions: a.partitions,
        };
        return super::spark::compare(&a.left, &a.right, &cfg, &run, format);
    }
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
        ..Control::default()
    };
    let outcome = run_comparison(&a, &opts, &cfg, ctl, data_dir);
    bar.finish();
    let comparison = outcome?;
    let result = &comparison.result;
    for note in &result.notes {
        say!("concord: note: {note}");
    }
    if format == Format::Csv {
        // The CSV holds rows only; every other format has this section.
        for (label, text) in export::column_lines(result) {
            say!("concord: columns {label}: {text}");
        }
    }
    let report_view = export::Report::of(&comparison);
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

/// Loads and compares the two files, through a saved session with `--save`.
fn run_comparison(
    a: &CompareArgs,
    opts: &SideOptions,
    cfg: &CompareConfig,
    ctl: Control<'_>,
    data_dir: &Path,
) -> Result<Comparison, Error> {
    if !a.save {
        let defaults = Resources::default();
        let resources = Resources {
            budget: a.memory_limit.unwrap_or(defaults.budget),
            spill_dir: a.spill_dir.clone().unwrap_or(defaults.spill_dir),
        };
        let decided = |strategy: Strategy, bytes: u64| {
            if let Some(note) = strategy.note(bytes, &resources) {
                say!("concord: {note}");
            }
        };
        super::mapped::guard(&[&a.left, &a.right]);
        let (comparison, _) =
            compare_files(&a.left, &a.right, opts, cfg, &resources, &decided, ctl)?;
        return Ok(comparison);
    }
    let mut w = Workflow::open(data_dir)?;
    if let Some(limit) = a.memory_limit {
        w = w.with_memory_limit(limit);
    }
    if let Some(bytes) = a.reference_above {
        w = w.with_reference_above(bytes);
    }
    let name = a
        .name
        .clone()
        .unwrap_or_else(|| format!("{} vs {}", a.left.display(), a.right.display()));
    let session = w.create_session(&name)?;
    for (side, path) in [(Side::Left, &a.left), (Side::Right, &a.right)] {
        let file = w.load_file(&session.id, side, path, opts.side(side), ctl)?;
        if file.on_disk {
            say!(
                "concord: {} is larger than a third of the memory limit ({}): its table is kept on disk, in {}",
                path.display(),
                w.memory_limit(),
                data_dir.display()
            );
        }
    }
    w.set_config(&session.id, cfg.clone())?;
    w.compare(&session.id, ctl)?;
    if let Some(plan) = w.result_overview(&session.id)?.plan {
        say!("concord: {plan}");
    }
    let comparison = w.comparison(&session.id)?;
    say!("concord: saved as session {} ({name})", session.id);
    Ok(comparison)
}
