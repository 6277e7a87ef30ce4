//! `concord sessions ...`: saved comparisons on the command line.

use super::{finish_stdout, InspectFormat, SAME};
use clap::Subcommand;
use concord::backend::models::SessionInfo;
use concord::backend::Workflow;
use concord::{Control, Error, LoadOptions, Side};
use std::io::Write;
use std::path::Path;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(crate) enum SessionsCommand {
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
    /// Open the result of a comparison made on Apache Spark (`compare
    /// --engine spark --output DIR`) as a session: its differing rows can
    /// then be paged, filtered and exported in the app, the browser or
    /// `export`. The inputs stay where they are.
    ImportResult {
        /// The folder Spark wrote: `manifest.json` and `rows/`.
        dir: PathBuf,
        /// The session's name (by default, after its two inputs).
        #[arg(long)]
        name: Option<String>,
    },
    /// Remove stored files that no session refers to.
    Gc {
        /// Keep files younger than this many seconds (an operation may be writing them).
        #[arg(long, default_value = "3600", value_name = "SECONDS")]
        grace: u64,
    },
}

/// Runs a `sessions` subcommand.
pub(crate) fn run(c: SessionsCommand, data_dir: &Path) -> Result<i32, Error> {
    let w = Workflow::open(data_dir)?;
    let mut out = std::io::stdout().lock();
    let written = match c {
        SessionsCommand::List { format } => {
            let list = w.list_sessions()?;
            match format {
                InspectFormat::Json => json(&mut out, &list),
                InspectFormat::Text => {
                    if list.is_empty() {
                        writeln!(out, "no sessions in {}", data_dir.display())
                    } else {
                        list.iter().try_for_each(|s| write_line(&mut out, s))
                    }
                }
            }
        }
        SessionsCommand::Show { id, format } => {
            let s = w.session(&id)?;
            match format {
                InspectFormat::Json => json(&mut out, &s),
                InspectFormat::Text => write_show(&mut out, &s),
            }
        }
        SessionsCommand::Delete { id } => {
            w.delete_session(&id)?;
            writeln!(out, "deleted session {id}")
        }
        SessionsCommand::Export { id, file } => {
            w.export_session(&id, &file)?;
            writeln!(out, "wrote session {id} to {}", file.display())
        }
        SessionsCommand::Import { path } => {
            let imported = if path.is_dir() {
                w.import_event_logs(&path)?
            } else {
                vec![w.import_session(&path)?]
            };
            imported
                .iter()
                .try_for_each(|s| writeln!(out, "imported session {} ({})", s.id, s.name))
        }
        SessionsCommand::ImportResult { dir, name } => {
            let s = w.import_result(&dir, name.as_deref(), Control::default())?;
            writeln!(out, "imported session {} ({})", s.id, s.name)
        }
        SessionsCommand::Gc { grace } => {
            let r = w.gc(std::time::Duration::from_secs(grace))?;
            writeln!(
                out,
                "removed {} stored files ({} bytes); kept {}",
                r.removed, r.bytes, r.kept
            )
        }
    };
    finish_stdout(written)?;
    Ok(SAME)
}

fn json(out: &mut dyn Write, v: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v).map_err(std::io::Error::from)?;
    writeln!(out)
}

/// A time in milliseconds since the epoch, as `YYYY-MM-DD HH:MM` UTC.
fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

fn write_line(out: &mut dyn Write, s: &SessionInfo) -> std::io::Result<()> {
    let files = format!(
        "{} vs {}",
        s.left.as_deref().unwrap_or("-"),
        s.right.as_deref().unwrap_or("-")
    );
    let state = match &s.summary {
        Some(x) => format!(
            "{} changed, {} only left, {} only right",
            x.changed, x.only_left, x.only_right
        ),
        None => "not compared".to_string(),
    };
    writeln!(
        out,
        "{}  {}  {:<24}  {files}  ({state})",
        s.id,
        when(s.updated),
        s.name
    )
}

fn write_show(out: &mut dyn Write, s: &SessionInfo) -> std::io::Result<()> {
    writeln!(out, "id:       {}", s.id)?;
    writeln!(out, "name:     {}", s.name)?;
    writeln!(out, "created:  {}", when(s.created))?;
    writeln!(out, "updated:  {}", when(s.updated))?;
    writeln!(out, "left:     {}", s.left.as_deref().unwrap_or("-"))?;
    writeln!(out, "right:    {}", s.right.as_deref().unwrap_or("-"))?;
    if let Some(c) = &s.config {
        let keys: Vec<String> = c
            .keys
            .iter()
            .map(|k| concord::compare::pair_label(&k.left, &k.right))
            .collect();
        writeln!(
            out,
            "keys:     {}",
            if keys.is_empty() {
                "(none: suggested or by position)".into()
            } else {
                keys.join(", ")
            }
        )?;
        for m in &c.mappings {
            writeln!(out, "mapping:  {} = {}", m.left, m.right)?;
        }
        if !c.ignore.is_empty() {
            writeln!(out, "ignored:  {}", c.ignore.join(", "))?;
        }
        if c.ignore_extra_columns {
            writeln!(out, "columns on one side only: not counted as a difference")?;
        }
    }
    match &s.summary {
        Some(x) => writeln!(
            out,
            "result:   {} matched, {} identical, {} changed, {} only left, {} only right, {} columns on one side only",
            x.matched,
            x.identical,
            x.changed,
            x.only_left,
            x.only_right,
            x.columns_only_left + x.columns_only_right
        ),
        None => writeln!(out, "result:   not compared (or the inputs changed since)"),
    }
}

/// Appends events to a session until `count` are written or the process is
/// killed, printing `ack N` after event N is durable. Each event stores a
/// new small file first, so blobs are exercised too.
pub(crate) fn debug_append(data_dir: &Path, session: &str, count: u64) -> Result<i32, Error> {
    let w = Workflow::open(data_dir)?;
    let id = if session == "new" {
        w.create_session("crash test")?.id
    } else {
        session.to_string()
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "session {id}");
    let _ = out.flush();
    for i in 0..count {
        let text = format!("id,n\n1,{i}\n2,{}\n", std::process::id());
        w.load_bytes(
            &id,
            Side::Left,
            &format!("step{i}.csv"),
            text.as_bytes(),
            &LoadOptions::default(),
            Control::default(),
        )?;
        let last = w.session(&id)?.last_event;
        let _ = writeln!(out, "ack {last}");
        let _ = out.flush();
    }
    Ok(SAME)
}
