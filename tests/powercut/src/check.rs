//! The checks after a cut, run in a fresh process on the remounted disk
//! (as Concord starts after a reboot), against every fact the writers
//! said (see [`crate::writer`] for the lines).

use concord::backend::{SessionStore, Workflow};
use concord::Control;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What the writers were told, folded from their lines.
#[derive(Default, Debug)]
pub struct Facts {
    /// The last event acknowledged for each session.
    events: BTreeMap<String, u64>,
    /// For each key: its last acknowledged value and the values tried
    /// since (`*` for any).
    registers: BTreeMap<String, (String, BTreeSet<String>)>,
    /// Acknowledged lines, counted by what they acknowledged.
    pub counts: BTreeMap<String, u64>,
}

impl Facts {
    /// Folds the writers' lines, oldest first.
    pub fn read(text: &str) -> Facts {
        let mut facts = Facts::default();
        for line in text.lines() {
            let mut words = line.splitn(3, ' ');
            let (Some(what), Some(key)) = (words.next(), words.next()) else {
                *facts.counts.entry(line.to_string()).or_default() += 1;
                continue;
            };
            let value = words.next().unwrap_or("").to_string();
            match what {
                "event" => {
                    let n: u64 = value.parse().unwrap_or(0);
                    let e = facts.events.entry(key.to_string()).or_default();
                    *e = (*e).max(n);
                    *facts.counts.entry("event".into()).or_default() += 1;
                }
                "try" => {
                    if let Some((_, tried)) = facts.registers.get_mut(key) {
                        tried.insert(value);
                    }
                }
                "ack" => {
                    let kind = key.split(':').next().unwrap_or(key);
                    let kind = if kind == "session" {
                        format!("session {value}")
                    } else {
                        kind.to_string()
                    };
                    *facts.counts.entry(kind).or_default() += 1;
                    facts
                        .registers
                        .insert(key.to_string(), (value, BTreeSet::new()));
                }
                _ => {}
            }
        }
        facts
    }

    fn allows(&self, key: &str, actual: &str) -> Result<(), String> {
        let Some((acked, tried)) = self.registers.get(key) else {
            return Ok(());
        };
        if actual == acked || tried.contains(actual) || tried.contains("*") {
            return Ok(());
        }
        Err(format!(
            "{key} is {actual}, but {acked} was acknowledged{}",
            if tried.is_empty() {
                String::new()
            } else {
                format!(" (and {tried:?} tried since)")
            }
        ))
    }

    /// The acknowledged facts of one kind of key.
    fn keys<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.registers
            .keys()
            .filter_map(move |k| k.strip_prefix(prefix))
    }
}

/// Opens the data directory as Concord does after a reboot and checks it
/// against `facts`: every acknowledged event is there, every listed
/// session opens and shows its summary, no blob an event names is missing
/// or damaged, and no export reported written is torn. Returns what it
/// checked, counted, or every problem it found.
pub fn check(data: &Path, facts: &Facts) -> Result<Checked, Vec<String>> {
    let mut problems = Vec::new();
    let store = match SessionStore::open(data) {
        Ok(s) => s,
        Err(e) => return Err(vec![format!("the store does not open: {e}")]),
    };
    // Opened as Concord starts: with the settings saved in the directory.
    let w = match Workflow::open(data) {
        Ok(w) => w,
        Err(e) => return Err(vec![format!("the data directory does not open: {e}")]),
    };
    let listed = match w.list_sessions() {
        Ok(l) => l,
        Err(e) => return Err(vec![format!("the sessions are not listed: {e}")]),
    };
    let mut checked = Checked::default();
    let listed_ids: BTreeSet<&str> = listed.iter().map(|s| s.id.as_str()).collect();
    for info in &listed {
        let id = &info.id;
        checked.sessions += 1;
        if let Err(e) = w.open_session(id, Control::default()) {
            problems.push(format!("session {id} does not open: {e}"));
            continue;
        }
        match store.read_state(id) {
            Ok(state) => {
                for blob in state.blobs() {
                    checked.blobs += 1;
                    if let Err(e) = store.blobs().verify(blob) {
                        problems.push(format!("session {id}: blob {blob}: {e}"));
                    }
                }
            }
            Err(e) => problems.push(format!("session {id} does not fold: {e}")),
        }
        let shown = match w.session(id) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("session {id} is not shown: {e}"));
                continue;
            }
        };
        if let Some(&acked) = facts.events.get(id) {
            checked.events += 1;
            if shown.last_event < acked {
                problems.push(format!(
                    "session {id}: acknowledged event {acked} lost (its log ends at {})",
                    shown.last_event
                ));
            }
        }
        let summary = match &shown.summary {
            Some(s) => serde_json::to_string(s).expect("a summary is JSON"),
            None => "none".to_string(),
        };
        for (key, actual) in [
            (format!("name:{id}"), shown.name.clone()),
            (format!("summary:{id}"), summary),
        ] {
            checked.values += 1;
            problems.extend(facts.allows(&key, &actual).err());
        }
    }
    for id in facts.keys("session:") {
        checked.values += 1;
        let actual = if listed_ids.contains(id) {
            "present"
        } else {
            "deleted"
        };
        problems.extend(facts.allows(&format!("session:{id}"), actual).err());
    }
    for path in facts.keys("file:") {
        checked.files += 1;
        let actual = match std::fs::read(path) {
            Ok(bytes) => blake3::hash(&bytes).to_hex().to_string(),
            Err(e) => format!("unreadable ({e})"),
        };
        problems.extend(facts.allows(&format!("file:{path}"), &actual).err());
    }
    let limit = w.settings().memory_limit.to_string();
    checked.values += 1;
    problems.extend(facts.allows("setting:memory_limit", &limit).err());
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems)
    }
}

/// What one check looked at.
#[derive(Default, Debug, Clone, Copy)]
pub struct Checked {
    pub sessions: u64,
    pub events: u64,
    pub blobs: u64,
    pub values: u64,
    pub files: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_its_last_acknowledged_one_or_one_tried_since() {
        let facts = Facts::read(
            "ack name:a first\ntry name:a second\nack name:a second\ntry name:a third\n",
        );
        assert!(facts.allows("name:a", "second").is_ok());
        assert!(facts.allows("name:a", "third").is_ok());
        let err = facts.allows("name:a", "first").unwrap_err();
        assert!(err.contains("second was acknowledged"), "{err}");
        // A key never acknowledged is not checked.
        assert!(facts.allows("name:b", "anything").is_ok());
    }

    #[test]
    fn a_wildcard_try_allows_any_value_until_the_next_ack() {
        let facts = Facts::read("ack summary:a none\ntry summary:a *\n");
        assert!(facts.allows("summary:a", "{\"matched\":1}").is_ok());
        let facts = Facts::read("ack summary:a none\ntry summary:a *\nack summary:a S\n");
        assert!(facts.allows("summary:a", "none").is_err());
    }

    #[test]
    fn events_keep_their_highest_acknowledged_number() {
        let facts = Facts::read("event a 3\nevent a 7\nevent a 5\n");
        assert_eq!(facts.events["a"], 7);
    }
}
