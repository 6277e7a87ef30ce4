//! The XLSX export: a "Summary" sheet and a "Differences" sheet laid out like
//! the CSV export, with changed cells highlighted. Rows are written in
//! constant-memory mode, straight to disk; past Excel's row limit the
//! differences continue on "Differences 2", "Differences 3", ...

use super::{progress_every, Report};
use crate::compare::RowStatus;
use crate::error::{Error, Result};
use crate::progress::Control;
use crate::values::readable_number;
use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Rows per sheet, below Excel's 1,048,576 to leave room for the header.
const ROWS_PER_SHEET: usize = 1_000_000;

/// Excel's longest cell text; longer values are cut, with a mark.
const MAX_CELL_CHARS: usize = 32_767;

fn xerr(e: XlsxError) -> Error {
    Error::Xlsx(e.to_string())
}

fn fit(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= MAX_CELL_CHARS {
        return s.into();
    }
    let cut: String = s.chars().take(MAX_CELL_CHARS - 1).collect();
    if cut.len() == s.len() {
        s.into()
    } else {
        format!("{cut}…").into()
    }
}

pub(super) fn write(report: Report<'_>, path: &Path, ctl: Control<'_>) -> Result<()> {
    let res = report.result;
    let s = &res.summary;
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF6F8FA));
    let changed = Format::new().set_background_color(Color::RGB(0xFFEB9C));
    let removed = Format::new().set_background_color(Color::RGB(0xFFEBE9));
    let added = Format::new().set_background_color(Color::RGB(0xDAFBE1));
    let duplicate = Format::new().set_background_color(Color::RGB(0xEDE3FF));
    let plain = Format::new();

    let mut book = Workbook::new();
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Summary").map_err(xerr)?;
        sheet.set_column_width(0, 28).map_err(xerr)?;
        sheet.set_column_width(1, 40).map_err(xerr)?;
        let mut r = 0u32;
        let mut line = |sheet: &mut Worksheet, label: &str, value: &str| -> Result<()> {
            sheet
                .write_string_with_format(r, 0, label, &bold)
                .map_err(xerr)?;
            sheet.write_string(r, 1, fit(value)).map_err(xerr)?;
            r += 1;
            Ok(())
        };
        line(sheet, "left file", &report.left.info().path)?;
        line(sheet, "right file", &report.right.info().path)?;
        let key = report.pairing();
        line(sheet, "key", &key)?;
        for (label, text) in super::column_lines(res) {
            line(sheet, &format!("columns {label}"), &text)?;
        }
        for (label, n) in [
            ("left rows", s.left_rows),
            ("right rows", s.right_rows),
            ("matched", s.matched),
            ("identical", s.identical),
            ("changed", s.changed),
            ("only in left", s.only_left),
            ("only in right", s.only_right),
            ("duplicate keys in left", s.duplicate_keys_left),
            ("duplicate keys in right", s.duplicate_keys_right),
            ("columns only in left", s.columns_only_left),
            ("columns only in right", s.columns_only_right),
        ] {
            sheet
                .write_string_with_format(r, 0, label, &bold)
                .map_err(xerr)?;
            sheet.write_number(r, 1, n as f64).map_err(xerr)?;
            r += 1;
        }
        r += 1;
        for (c, title) in [
            "left column",
            "right column",
            "differences",
            "largest difference",
            "left type",
            "right type",
        ]
        .iter()
        .enumerate()
        {
            sheet
                .write_string_with_format(r, c as u16, *title, &header)
                .map_err(xerr)?;
        }
        for col in &res.columns {
            r += 1;
            sheet.write_string(r, 0, fit(&col.left)).map_err(xerr)?;
            sheet.write_string(r, 1, fit(&col.right)).map_err(xerr)?;
            sheet
                .write_number(r, 2, col.differences as f64)
                .map_err(xerr)?;
            match col.max_difference {
                Some(d) if d.is_finite() => sheet.write_number(r, 3, d).map(|_| ()),
                Some(d) => sheet.write_string(r, 3, readable_number(d)).map(|_| ()),
                None => Ok(()),
            }
            .map_err(xerr)?;
            sheet
                .write_string(r, 4, col.left_type.name())
                .map_err(xerr)?;
            sheet
                .write_string(r, 5, col.right_type.name())
                .map_err(xerr)?;
        }
        r += 1;
        for note in &res.notes {
            r += 1;
            sheet
                .write_string_with_format(r, 0, "note", &bold)
                .map_err(xerr)?;
            sheet.write_string(r, 1, fit(note)).map_err(xerr)?;
        }
    }

    let mut titles: Vec<String> = vec!["status".into()];
    titles.extend(report.id_names());
    titles.extend(["left line".into(), "right line".into()]);
    let fixed = titles.len();
    let ids = fixed as u16 - 3;
    for p in &res.pairs {
        titles.push(format!("left:{}", p.left));
        titles.push(format!("right:{}", p.right));
    }
    // Row ranges, one per sheet; a result without rows still gets a sheet.
    let chunks: Vec<_> = (0..res.rows.len().div_ceil(ROWS_PER_SHEET).max(1))
        .map(|n| n * ROWS_PER_SHEET..((n + 1) * ROWS_PER_SHEET).min(res.rows.len()))
        .collect();
    let mut written = 0usize;
    for (n, chunk) in chunks.into_iter().enumerate() {
        let sheet = book.add_worksheet_with_constant_memory();
        let name = if n == 0 {
            "Differences".to_string()
        } else {
            format!("Differences {}", n + 1)
        };
        sheet.set_name(name).map_err(xerr)?;
        sheet.set_freeze_panes(1, 0).map_err(xerr)?;
        for (c, t) in titles.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, fit(t), &header)
                .map_err(xerr)?;
        }
        for (i, at) in chunk.enumerate() {
            let row = &res.rows.get(at);
            progress_every(&ctl, written, res.rows.len())?;
            written += 1;
            let r = i as u32 + 1;
            let row_format = match row.status {
                RowStatus::Changed => &plain,
                RowStatus::OnlyLeft => &removed,
                RowStatus::OnlyRight => &added,
                RowStatus::Duplicate => &duplicate,
            };
            sheet
                .write_string_with_format(r, 0, row.status.name(), row_format)
                .map_err(xerr)?;
            let mut c = 1u16;
            match report.row_number(row) {
                Some(n) => sheet.write_number(r, c, n as f64).map(|_| ()),
                None => report
                    .key(row)
                    .into_iter()
                    .enumerate()
                    .try_for_each(|(i, k)| sheet.write_string(r, c + i as u16, fit(k)).map(|_| ())),
            }
            .map_err(xerr)?;
            c += ids;
            let (ll, rl) = report.lines(row);
            for l in [ll, rl] {
                if let Some(l) = l {
                    sheet.write_number(r, c, l as f64).map_err(xerr)?;
                }
                c += 1;
            }
            debug_assert_eq!(c as usize, fixed);
            let diffs = report.changed(row);
            for p in 0..res.pairs.len() {
                let f = if diffs.contains(&(p as u32)) {
                    &changed
                } else {
                    row_format
                };
                let (lv, rv) = (report.left_value(row, p), report.right_value(row, p));
                let col = (fixed + 2 * p) as u16;
                sheet
                    .write_string_with_format(r, col, fit(lv), f)
                    .map_err(xerr)?;
                sheet
                    .write_string_with_format(r, col + 1, fit(rv), f)
                    .map_err(xerr)?;
            }
        }
    }
    book.save(path).map_err(xerr)?;
    Ok(())
}
