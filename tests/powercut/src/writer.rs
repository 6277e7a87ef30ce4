//! The writer: a process that does what users do with Concord's data
//! directory, at random, and says on standard output what it was told was
//! done. The harness kills it at a random moment and cuts the power.
//!
//! Each line is one fact, in the order the calls returned:
//! - `event ID N`: session ID's log holds event N (and all before it);
//! - `try KEY VALUE`: a call that may change KEY to VALUE has started
//!   (`*` when its value is known only once the call returns);
//! - `ack KEY VALUE`: it returned: KEY is VALUE.
//!
//! The keys are `session:ID` (`present` or `deleted`), `name:ID`,
//! `summary:ID` (its JSON, or `none`), `setting:memory_limit` (bytes) and
//! `file:PATH` (an export's BLAKE3 hash). After a cut, a key must hold its
//! last acknowledged value or one tried since ([`crate::check`]).

use crate::Rng;
use concord::backend::models::SettingsChange;
use concord::backend::Workflow;
use concord::export::Format;
use concord::{ColumnPair, CompareConfig, Control, LoadOptions, Side};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the writer works: the data directory and export folder (on the
/// file system that will be cut) and the big input pair (elsewhere).
pub struct Places {
    pub data: PathBuf,
    pub exports: PathBuf,
    pub big: [PathBuf; 2],
}

/// Sessions kept at most: more are deleted, so that a check after a cut
/// (which opens every session) stays quick.
const MAX_SESSIONS: usize = 6;

/// Says one fact (standard output is line-buffered, so each line leaves
/// whole, as soon as it is said).
fn say(line: &str) {
    println!("{line}");
}

fn summary_text(s: &Option<concord::compare::Summary>) -> String {
    match s {
        Some(s) => serde_json::to_string(s).expect("a summary is JSON"),
        None => "none".to_string(),
    }
}

/// Runs until killed (or until an error, which it reports and exits 1
/// with: a refusal on a healthy disk is a bug too).
pub fn run(places: &Places, seed: u64) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    // The export folder is the user's: it exists before Concord writes
    // there, so it is made durable first (as a folder on a real disk is).
    // The data directory is Concord's to make durable: this is done before
    // Concord creates it.
    std::fs::create_dir_all(&places.exports).map_err(|e| e.to_string())?;
    sync_dir(places.exports.parent().unwrap())?;
    let w = Workflow::open(&places.data).map_err(|e| format!("open: {e}"))?;
    let mut n = 0u64;
    loop {
        n += 1;
        let ids: Vec<String> = w
            .list_sessions()
            .map_err(|e| format!("list: {e}"))?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let pick = |rng: &mut Rng| ids[rng.below(ids.len() as u64) as usize].clone();
        let roll = rng.below(100);
        let step = if ids.is_empty() {
            new_session(&w, places, &mut rng, false)
        } else if ids.len() > MAX_SESSIONS {
            delete(&w, &pick(&mut rng))
        } else {
            match roll {
                0..=29 => new_session(&w, places, &mut rng, false),
                30..=35 => new_session(&w, places, &mut rng, true),
                36..=47 => rename(&w, &pick(&mut rng), n),
                48..=55 => fork(&w, &pick(&mut rng), n),
                56..=63 => delete(&w, &pick(&mut rng)),
                64..=69 => gc(&w),
                70..=75 => export_and_import(&w, places, &pick(&mut rng), n),
                76..=83 => settings(&w, &mut rng),
                _ => export(&w, places, &pick(&mut rng), &mut rng),
            }
        };
        step?;
    }
}

fn event(w: &Workflow, id: &str) -> Result<(), String> {
    let info = w.session(id).map_err(|e| format!("session {id}: {e}"))?;
    say(&format!("event {id} {}", info.last_event));
    Ok(())
}

/// A small pair of files, different each time, some rows changed.
fn small_pair(rng: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    let rows = 5 + rng.below(200);
    let mut left = b"id,name,amount\n".to_vec();
    let mut right = left.clone();
    for i in 0..rows {
        let amount = rng.below(100_000);
        left.extend(format!("{i},name {i},{amount}.{}\n", i % 100).bytes());
        if rng.below(10) != 0 {
            let changed = if rng.below(8) == 0 {
                amount + 1
            } else {
                amount
            };
            right.extend(format!("{i},name {i},{changed}.{}\n", i % 100).bytes());
        }
    }
    (left, right)
}

/// Creates a session, loads a pair, sets the key, compares: what a user
/// does first.
fn new_session(w: &Workflow, places: &Places, rng: &mut Rng, big: bool) -> Result<(), String> {
    let info = w
        .create_session(if big { "big pair" } else { "small pair" })
        .map_err(|e| format!("create: {e}"))?;
    let id = info.id;
    say(&format!("ack session:{id} present"));
    say(&format!("ack name:{id} {}", info.name));
    say(&format!("ack summary:{id} none"));
    event(w, &id)?;
    let options = LoadOptions::default();
    if big {
        for (side, path) in [Side::Left, Side::Right].into_iter().zip(&places.big) {
            w.load_file(&id, side, path, &options, Control::default())
                .map_err(|e| format!("load {}: {e}", path.display()))?;
            event(w, &id)?;
        }
    } else {
        let (left, right) = small_pair(rng);
        for (side, bytes) in [(Side::Left, left), (Side::Right, right)] {
            w.load_bytes(&id, side, "pair.csv", &bytes, &options, Control::default())
                .map_err(|e| format!("load: {e}"))?;
            event(w, &id)?;
        }
    }
    let config = CompareConfig {
        keys: vec![ColumnPair {
            left: "id".into(),
            right: "id".into(),
        }],
        ..CompareConfig::default()
    };
    w.set_config(&id, config)
        .map_err(|e| format!("config: {e}"))?;
    event(w, &id)?;
    say(&format!("try summary:{id} *"));
    let summary = w
        .compare(&id, Control::default())
        .map_err(|e| format!("compare: {e}"))?;
    say(&format!(
        "ack summary:{id} {}",
        summary_text(&Some(summary))
    ));
    event(w, &id)
}

fn rename(w: &Workflow, id: &str, n: u64) -> Result<(), String> {
    let name = format!("renamed {n}");
    say(&format!("try name:{id} {name}"));
    w.rename_session(id, &name)
        .map_err(|e| format!("rename: {e}"))?;
    say(&format!("ack name:{id} {name}"));
    event(w, id)
}

fn fork(w: &Workflow, id: &str, n: u64) -> Result<(), String> {
    let fork = w
        .fork_session(id, &format!("fork {n}"))
        .map_err(|e| format!("fork: {e}"))?;
    let new = &fork.id;
    say(&format!("ack session:{new} present"));
    say(&format!("ack name:{new} {}", fork.name));
    say(&format!(
        "ack summary:{new} {}",
        summary_text(&fork.summary)
    ));
    event(w, new)
}

fn delete(w: &Workflow, id: &str) -> Result<(), String> {
    say(&format!("try session:{id} deleted"));
    w.delete_session(id).map_err(|e| format!("delete: {e}"))?;
    say(&format!("ack session:{id} deleted"));
    Ok(())
}

fn gc(w: &Workflow) -> Result<(), String> {
    w.gc(Duration::ZERO).map_err(|e| format!("gc: {e}"))?;
    say("gc");
    Ok(())
}

/// Writes a session to a portable file and imports it as a new session
/// (moving a session between machines, in one directory).
fn export_and_import(w: &Workflow, places: &Places, id: &str, n: u64) -> Result<(), String> {
    let path = places.exports.join(format!("session-{}.concord", n % 4));
    let key = format!("file:{}", path.display());
    say(&format!("try {key} *"));
    w.export_session(id, &path)
        .map_err(|e| format!("export session: {e}"))?;
    say(&format!("ack {key} {}", hash_file(&path)?));
    let info = w
        .import_session(&path)
        .map_err(|e| format!("import: {e}"))?;
    let new = &info.id;
    say(&format!("ack session:{new} present"));
    say(&format!("ack name:{new} {}", info.name));
    say(&format!(
        "ack summary:{new} {}",
        summary_text(&info.summary)
    ));
    event(w, new)
}

fn settings(w: &Workflow, rng: &mut Rng) -> Result<(), String> {
    let choices = ["32M", "512M", "2G", ""];
    let choice = choices[rng.below(choices.len() as u64) as usize];
    let change = SettingsChange {
        memory_limit: Some(choice.to_string()),
        reference_above: None,
    };
    let expected = if choice.is_empty() {
        w.settings().memory_limit_default
    } else {
        concord::budget::MemoryBudget::parse(choice)
            .map_err(|e| e.to_string())?
            .0
    };
    say(&format!("try setting:memory_limit {expected}"));
    let now = w
        .set_settings(&change)
        .map_err(|e| format!("settings: {e}"))?;
    say(&format!("ack setting:memory_limit {}", now.memory_limit));
    Ok(())
}

/// Exports a session's result, when it has one, to one of a few names (so
/// that some exports replace earlier ones).
fn export(w: &Workflow, places: &Places, id: &str, rng: &mut Rng) -> Result<(), String> {
    if w.result(id).map_err(|e| e.to_string())?.is_none() {
        return Ok(());
    }
    let formats = [
        (Format::Csv, "csv"),
        (Format::Json, "json"),
        (Format::Html, "html"),
    ];
    let (format, ext) = formats[rng.below(3) as usize];
    let path = places
        .exports
        .join(format!("export-{}.{ext}", rng.below(4)));
    let mut bytes = Vec::new();
    w.export_to(id, format, None, &mut bytes, Control::default())
        .map_err(|e| format!("export: {e}"))?;
    let hash = blake3::hash(&bytes).to_hex().to_string();
    let key = format!("file:{}", path.display());
    say(&format!("try {key} {hash}"));
    w.export_file(id, format, None, &path, Control::default())
        .map_err(|e| format!("export {}: {e}", path.display()))?;
    say(&format!("ack {key} {hash}"));
    Ok(())
}

/// The hash of a file's bytes.
pub fn hash_file(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("read {}: {e}", path.display()))?;
    Ok(blake3::hash(&bytes).to_hex().to_string())
}

fn sync_dir(dir: &Path) -> Result<(), String> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("sync {}: {e}", dir.display()))
}
