//! `concord git`: Concord as git's diff and merge driver for tables.
//!
//! `install` writes the drivers into git's configuration and names them for
//! the files Concord reads in `.gitattributes` (or, with `--global`, the
//! user's attributes file), between marker lines that `uninstall` removes
//! again. git then runs `concord git diff` for `git diff` (and, with
//! `--ext-diff`, `git log -p` and `git show`) and `concord git merge` when
//! both branches changed a CSV file.

use super::args;
use super::SAME;
use clap::{Args, Subcommand};
use concord::compare::CompareConfig;
use concord::export::{self, Format, Report};
use concord::table::{InputFormat, CSV};
use concord::{ColumnPair, Control, Error, LoadOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Subcommand)]
pub(crate) enum GitCommand {
    /// Set Concord up as git's diff driver for the tables Concord reads, and
    /// as its merge driver for CSV files: in this repository (git config and
    /// .gitattributes), or for every repository of the user with --global.
    Install(Scope),
    /// Undo `install`.
    Uninstall(Scope),
    /// The diff driver git runs: PATH OLD OLD-HEX OLD-MODE NEW NEW-HEX NEW-MODE.
    #[command(hide = true)]
    Diff(DriverArgs),
    /// The merge driver git runs: BASE OURS THEIRS PATH; the result goes to OURS.
    #[command(hide = true)]
    Merge(DriverArgs),
    /// The text git diffs a table as without the diff driver (`git log -p`,
    /// `git show`): its rows as CSV, whatever its format.
    #[command(hide = true)]
    Textconv {
        /// The file.
        file: PathBuf,
    },
}

#[derive(Args)]
pub(crate) struct Scope {
    /// For every repository of the user (git config --global and the
    /// user's attributes file).
    #[arg(long)]
    global: bool,
}

#[derive(Args)]
pub(crate) struct DriverArgs {
    /// Key column; `LEFT=RIGHT` when the names differ. Without one, the key
    /// is suggested.
    #[arg(long = "key", short = 'k', value_name = "L[=R]", value_parser = args::key)]
    keys: Vec<ColumnPair>,
    /// What git passes.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Runs `concord git ...`.
pub(crate) fn run(c: GitCommand) -> Result<i32, Error> {
    match c {
        GitCommand::Install(s) => install(s.global, true),
        GitCommand::Uninstall(s) => install(s.global, false),
        GitCommand::Diff(a) => diff(&a),
        GitCommand::Merge(a) => merge(&a),
        GitCommand::Textconv { file } => textconv(&file),
    }
}

const BEGIN: &str =
    "# concord: begin (written by `concord git install`; `concord git uninstall` removes it)";
const END: &str = "# concord: end";

/// The attribute lines: every format Concord reads is diffed by it, CSV
/// (which a merge writes back) merged by it too, for the extensions it
/// claims ([`InputFormat::claimed_extensions`]).
fn attribute_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for format in InputFormat::all() {
        for ext in format.claimed_extensions() {
            let merge = if format.name == CSV {
                " merge=concord"
            } else {
                ""
            };
            lines.push(format!("*.{ext} diff=concord{merge}"));
        }
    }
    lines
}

fn git(args: &[&str]) -> Result<String, Error> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| Error::Invalid(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Invalid(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Where the attribute lines go.
fn attributes_file(global: bool) -> Result<PathBuf, Error> {
    if !global {
        return Ok(Path::new(&git(&["rev-parse", "--show-toplevel"])?).join(".gitattributes"));
    }
    if let Ok(set) = git(&["config", "--global", "--path", "core.attributesFile"]) {
        if !set.is_empty() {
            return Ok(PathBuf::from(set));
        }
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))
        .ok_or_else(|| Error::Invalid("neither XDG_CONFIG_HOME nor HOME is set".into()))?;
    Ok(config.join("git").join("attributes"))
}

fn install(global: bool, on: bool) -> Result<i32, Error> {
    let scope: &[&str] = if global { &["--global"] } else { &["--local"] };
    let set = |key: &str, value: &str| git(&[&["config"], scope, &[key, value]].concat());
    if on {
        let exe = std::env::current_exe()
            .map_err(|e| Error::Invalid(format!("cannot tell where concord is: {e}")))?;
        let exe = shell_word(&exe.display().to_string());
        set("diff.concord.command", &format!("{exe} git diff"))?;
        set("diff.concord.textconv", &format!("{exe} git textconv"))?;
        set(
            "merge.concord.name",
            "Concord: a merge of tables by key and cell",
        )?;
        set(
            "merge.concord.driver",
            &format!("{exe} git merge %O %A %B %P"),
        )?;
    } else {
        for section in ["diff.concord", "merge.concord"] {
            // Gone already is fine.
            let _ = git(&[&["config"], scope, &["--remove-section", section]].concat());
        }
    }
    let path = attributes_file(global)?;
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let mut kept: Vec<&str> = Vec::new();
    let mut inside = false;
    for line in old.lines() {
        match line {
            BEGIN => inside = true,
            END => inside = false,
            _ if !inside => kept.push(line),
            _ => {}
        }
    }
    let mut text = kept.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    if on {
        text.push_str(BEGIN);
        text.push('\n');
        for line in attribute_lines() {
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str(END);
        text.push('\n');
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.display().to_string(),
            source,
        })?;
    }
    export::write_bytes(&path, text.as_bytes())?;
    say!(
        "concord: {} {}: git config{} and {}",
        if on {
            "installed as git's diff and merge driver"
        } else {
            "removed from git"
        },
        if global {
            "for every repository"
        } else {
            "in this repository"
        },
        if global { " --global" } else { "" },
        path.display()
    );
    Ok(SAME)
}

/// `s` quoted for the shell git runs drivers with, when it must be.
fn shell_word(s: &str) -> String {
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn config(a: &DriverArgs) -> CompareConfig {
    CompareConfig {
        keys: a.keys.clone(),
        ..CompareConfig::default()
    }
}

/// The diff driver: Concord's text report of the two versions.
fn diff(a: &DriverArgs) -> Result<i32, Error> {
    let [path, old, _, _, new, ..] = &a.files[..] else {
        return Err(Error::Invalid(
            "git passes the diff driver PATH OLD OLD-HEX OLD-MODE NEW NEW-HEX NEW-MODE".into(),
        ));
    };
    let name = path.display();
    let mut out = std::io::stdout().lock();
    let write = |out: &mut dyn Write, s: String| {
        out.write_all(s.as_bytes()).map_err(|source| Error::Write {
            path: "standard output".into(),
            source,
        })
    };
    write(&mut out, format!("concord diff a/{name} b/{name}\n"))?;
    let load = |side: &str, file: &Path| -> Result<Option<concord::Table>, Error> {
        if file == Path::new("/dev/null") {
            return Ok(None);
        }
        let bytes = std::fs::read(file).map_err(|source| Error::Read {
            path: file.display().to_string(),
            source,
        })?;
        concord::load_bytes(&format!("{side}/{name}"), bytes, &LoadOptions::default()).map(Some)
    };
    let compared = load("a", old).and_then(|l| Ok((l, load("b", new)?)));
    let report = match compared {
        Ok((Some(l), Some(r))) => concord::compare(&l, &r, &config(a), Control::default())
            .and_then(|res| {
                let report = Report {
                    left: &l,
                    right: &r,
                    result: &res,
                };
                export::write(report, Format::Text, &mut out, Control::default())
            }),
        Ok((l, r)) => {
            let (what, t) = match (l, r) {
                (None, Some(t)) => ("new file", t),
                (Some(t), None) => ("deleted file", t),
                _ => return Ok(SAME),
            };
            let (rows, cols) = (t.num_rows(), t.num_columns());
            write(
                &mut out,
                format!(
                    "{what}: {rows} rows, {cols} columns ({})\n",
                    t.columns().join(", ")
                ),
            )
        }
        Err(e) => Err(e),
    };
    if let Err(e) = report {
        // Not a table Concord can read: git's own diff of its lines.
        write(
            &mut out,
            format!("concord: cannot compare it as a table ({e}); its lines:\n"),
        )?;
        out.flush().ok();
        let _ = Command::new("git")
            .args(["diff", "--no-index", "--no-ext-diff", "--no-textconv", "--"])
            .arg(old)
            .arg(new)
            .status();
    }
    // git stops at a driver that fails: the report is all it needs.
    Ok(SAME)
}

/// The rows of `file` as CSV, for git's own line diff.
fn textconv(file: &Path) -> Result<i32, Error> {
    let t = concord::load_path(file, &LoadOptions::default(), Control::default())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    concord::table::write_csv(&t, &mut out)
        .and_then(|()| out.flush())
        .map_err(|source| Error::Write {
            path: "standard output".into(),
            source,
        })?;
    Ok(SAME)
}

/// The merge driver: a merge by key and cell into OURS; exit status 1
/// when rows are in conflict, as git expects.
fn merge(a: &DriverArgs) -> Result<i32, Error> {
    let [base, ours, theirs, path] = &a.files[..] else {
        return Err(Error::Invalid(
            "git passes the merge driver BASE OURS THEIRS PATH (%O %A %B %P)".into(),
        ));
    };
    let name = path.display();
    match concord::merge::merge(
        base,
        ours,
        theirs,
        &LoadOptions::default(),
        &config(a),
        Control::default(),
    ) {
        Ok(m) => {
            let [changed, removed, added] = m.counts;
            say!("concord: merged {name} by key: their {changed} changed, {removed} removed and {added} added rows");
            for c in &m.conflicts {
                say!(
                    "concord: CONFLICT in {name}: the row of key {}: {}",
                    c.key.join(", "),
                    c.reason
                );
            }
            Ok(if m.conflicts.is_empty() { SAME } else { 1 })
        }
        Err(e) => {
            // git's line merge instead, as if Concord were not installed.
            say!("concord: {name} merged line by line, not by key: {e}");
            let status = Command::new("git")
                .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
                .args([ours, base, theirs])
                .status()
                .map_err(|e| Error::Invalid(format!("cannot run git merge-file: {e}")))?;
            Ok(status.code().unwrap_or(2).min(1))
        }
    }
}
