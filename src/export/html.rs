//! The HTML report: one self-contained page (no scripts, no external files)
//! with the summary, a bar chart of differences per column, and a table of
//! differing rows. Every value is escaped.

use super::text::thousands;
use super::{progress_every, Report};
use crate::compare::RowStatus;
use crate::error::{Error, Result};
use crate::progress::Control;
use crate::values::readable_number;
use std::io::Write;

/// A browser struggles with larger tables; the report lists this many rows
/// and says how to get the rest.
pub(super) const MAX_ROWS: usize = 20_000;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Values shorter than this are shown whole; in longer ones the part that
/// differs is marked, so that a changed word in a long text stands out.
const MARK_FROM: usize = 16;

/// Escapes two differing values, marking in each the part between their
/// common beginning and common end.
fn marked_pair(a: &str, b: &str) -> (String, String) {
    if a.chars().count() < MARK_FROM && b.chars().count() < MARK_FROM {
        return (escape(a), escape(b));
    }
    let prefix: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix: usize = ra
        .chars()
        .rev()
        .zip(rb.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let mark = |s: &str| {
        let rest = &s[prefix..];
        let (mid, end) = rest.split_at(rest.len() - suffix);
        let mid = if mid.is_empty() {
            String::new()
        } else if mid.trim().is_empty() {
            // A difference of white space alone would be invisible.
            let shown: String = mid
                .chars()
                .map(|c| if c == '\t' { '⇥' } else { '␣' })
                .collect();
            format!("<mark title=\"white space\">{shown}</mark>")
        } else {
            format!("<mark>{}</mark>", escape(mid))
        };
        format!("{}{mid}{}", escape(&s[..prefix]), escape(end))
    };
    (mark(a), mark(b))
}

const STYLE: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1f2328;background:#fff}\
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}\
.files{color:#57606a;margin:0 0 1rem}\
.cards{display:flex;flex-wrap:wrap;gap:.75rem}.card{border:1px solid #d0d7de;border-radius:8px;padding:.6rem .9rem;min-width:8rem}\
.card b{display:block;font-size:1.4rem}.card.changed b{color:#9a6700}.card.only_left b{color:#cf222e}.card.only_right b{color:#1a7f37}.card.duplicate b{color:#8250df}\
.bars{display:grid;grid-template-columns:minmax(8rem,16rem) minmax(4rem,1fr) auto;gap:.3rem .75rem;align-items:center;max-width:60rem}\
.bars .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.bars .track{background:#f6f8fa;border-radius:3px;height:.9rem}\
.bars .fill{display:block;background:#d4a72c;height:100%;border-radius:3px;min-width:2px}.bars .n{color:#57606a;white-space:nowrap}\
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa;position:sticky;top:0}td.status{white-space:nowrap;font-weight:600}td.lines{white-space:nowrap}\
tr.changed td.status{color:#9a6700}tr.only_left td.status{color:#cf222e}tr.only_right td.status{color:#1a7f37}tr.duplicate td.status{color:#8250df}\
del{background:#ffebe9;text-decoration:none;padding:0 .2rem}ins{background:#dafbe1;text-decoration:none;padding:0 .2rem}\
del mark{background:#ffb8b0;color:inherit}ins mark{background:#8fe0a0;color:inherit}\
.col{color:#57606a}.note{color:#57606a;font-style:italic}";

pub(super) fn write(report: Report<'_>, w: &mut dyn Write, ctl: Control<'_>) -> Result<()> {
    let io = |source| Error::Write {
        path: "output".to_string(),
        source,
    };
    let res = report.result;
    let s = &res.summary;
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
    h.push_str(&format!(
        "<title>Concord: {} vs {}</title><style>{STYLE}</style></head><body>",
        escape(&report.left.info().path),
        escape(&report.right.info().path)
    ));
    h.push_str("<h1>Concord comparison</h1>");
    h.push_str(&format!(
        "<p class=\"files\">left <b>{}</b> ({} rows) · right <b>{}</b> ({} rows) · key: {}</p>",
        escape(&report.left.info().path),
        s.left_rows,
        escape(&report.right.info().path),
        s.right_rows,
        escape(&report.pairing())
    ));
    h.push_str("<div class=\"cards\">");
    for (class, label, n) in [
        ("", "matched", s.matched),
        ("", "identical", s.identical),
        ("changed", "changed", s.changed),
        ("only_left", "only in left", s.only_left),
        ("only_right", "only in right", s.only_right),
        (
            "duplicate",
            "duplicate keys",
            s.duplicate_keys_left + s.duplicate_keys_right,
        ),
    ] {
        h.push_str(&format!(
            "<div class=\"card {class}\"><b>{}</b>{label}</div>",
            thousands(n)
        ));
    }
    h.push_str("</div>");
    let columns = super::column_lines(res);
    if !columns.is_empty() {
        h.push_str("<h2>Columns</h2><ul class=\"columns\">");
        for (label, text) in columns {
            h.push_str(&format!("<li><b>{label}</b>: {}</li>", escape(&text)));
        }
        h.push_str("</ul>");
    }
    h.push_str("<h2>Differences by column</h2>");
    let most = res
        .columns
        .iter()
        .map(|c| c.differences)
        .max()
        .unwrap_or(0)
        .max(1);
    let differing: Vec<_> = res.columns.iter().filter(|c| c.differences > 0).collect();
    if !differing.is_empty() {
        h.push_str("<div class=\"bars\">");
        for c in &differing {
            let pct = c.differences as f64 * 100.0 / most as f64;
            let name = if c.left == c.right {
                escape(&c.left)
            } else {
                format!("{} / {}", escape(&c.left), escape(&c.right))
            };
            let max = c.max_difference.map_or(String::new(), |d| {
                format!(" · largest difference {}", readable_number(d))
            });
            h.push_str(&format!(
                "<span class=\"name\" title=\"{name}\">{name}</span><span class=\"track\"><span class=\"fill\" style=\"width:{pct:.1}%\"></span></span><span class=\"n\">{}{max}</span>",
                thousands(c.differences)
            ));
        }
        h.push_str("</div>");
    }
    let same = res.columns.len() - differing.len();
    if same > 0 {
        h.push_str(&format!(
            "<p class=\"note\">{} of {} compared columns have no differences.</p>",
            thousands(same as u64),
            thousands(res.columns.len() as u64)
        ));
    }
    for note in &res.notes {
        h.push_str(&format!("<p class=\"note\">{}</p>", escape(note)));
    }
    h.push_str("<h2>Differing rows</h2>");
    if res.rows.len() > MAX_ROWS {
        h.push_str(&format!(
            "<p class=\"note\">Showing the first {} of {} rows; export CSV or XLSX for all of them.</p>",
            thousands(MAX_ROWS as u64),
            thousands(res.rows.len() as u64)
        ));
    }
    h.push_str("<table><thead><tr><th>status</th>");
    for k in report.id_names() {
        h.push_str(&format!("<th>{}</th>", escape(&k)));
    }
    let places = match report.places() {
        (l, r) if l == r => format!("{l}s"),
        (l, r) => format!("{l} / {r}"),
    };
    h.push_str(&format!(
        "<th>{places}</th><th>differences</th></tr></thead><tbody>"
    ));
    w.write_all(h.as_bytes()).map_err(io)?;
    for (i, row) in res.rows.iter().take(MAX_ROWS).enumerate() {
        let row = &row;
        progress_every(&ctl, i, res.rows.len().min(MAX_ROWS))?;
        let mut h = format!(
            "<tr class=\"{0}\"><td class=\"status\">{0}</td>",
            row.status.name()
        );
        for k in report.id_values(row) {
            h.push_str(&format!("<td>{}</td>", escape(&k)));
        }
        let (ll, rl) = report.lines(row);
        let line = |l: Option<u64>| l.map_or("–".to_string(), |l| l.to_string());
        h.push_str(&format!(
            "<td class=\"lines\">{} / {}</td><td>",
            line(ll),
            line(rl)
        ));
        if row.status == RowStatus::Changed {
            for &p in report.changed(row) {
                let p = p as usize;
                let (old, new) = marked_pair(report.left_value(row, p), report.right_value(row, p));
                h.push_str(&format!(
                    "<div><span class=\"col\">{}</span>: <del>{old}</del> → <ins>{new}</ins></div>",
                    escape(&res.pairs[p].left),
                ));
            }
        } else {
            // A row on one side only: show what it holds, so that it can be
            // recognised without opening the file.
            let (tag, on_left) = match row.left {
                Some(_) => ("del", true),
                None => ("ins", false),
            };
            for (p, pair) in res.pairs.iter().enumerate() {
                let (name, value) = if on_left {
                    (&pair.left, report.left_value(row, p))
                } else {
                    (&pair.right, report.right_value(row, p))
                };
                h.push_str(&format!(
                    "<div><span class=\"col\">{}</span>: <{tag}>{}</{tag}></div>",
                    escape(name),
                    escape(value)
                ));
            }
        }
        h.push_str("</td></tr>");
        w.write_all(h.as_bytes()).map_err(io)?;
    }
    w.write_all(b"</tbody></table><p class=\"note\">Made by Concord.</p></body></html>\n")
        .map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_mark_only_what_differs() {
        let (a, b) = marked_pair(
            "Case closed. Vehicles moved <ok>",
            "Case closed. Vehicles moved sir <ok>",
        );
        assert_eq!(a, "Case closed. Vehicles moved &lt;ok&gt;");
        assert_eq!(b, "Case closed. Vehicles moved <mark>sir </mark>&lt;ok&gt;");
        let (a, b) = marked_pair("São Paulo, Brasil – centro", "São Paulo, Brazil – centro");
        assert_eq!(a, "São Paulo, Bra<mark>s</mark>il – centro");
        assert_eq!(b, "São Paulo, Bra<mark>z</mark>il – centro");
        assert_eq!(
            marked_pair("20", "25.5"),
            ("20".to_string(), "25.5".to_string())
        );
    }
}
