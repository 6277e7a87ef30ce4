use super::*;
use crate::compare::{compare_as_configured, ColumnPair, CompareConfig, CompareResult};
use crate::table::{load_bytes, LoadOptions};
use std::io::Read;

type Compared = (Table, Table, CompareResult);

/// Two small files, loaded and compared under `cfg`.
fn compared(left: &[u8], right: &[u8], cfg: &CompareConfig) -> Compared {
    let load =
        |name: &str, text: &[u8]| load_bytes(name, text.to_vec(), &LoadOptions::default()).unwrap();
    let (left, right) = (load("left.csv", left), load("right.csv", right));
    let res = compare_as_configured(&left, &right, cfg, Control::default()).unwrap();
    (left, right, res)
}

fn fixture() -> Compared {
    let cfg = CompareConfig {
        keys: vec![ColumnPair::new("id", "id")],
        ..CompareConfig::default()
    };
    compared(
        b"id,name,amount\n1,Ann,10\n2,\"<b>Bob</b>\",20\n3,\"Cy, \"\"the\"\" one\",30\n",
        b"id,name,amount\n1,Ann,10\n2,<b>Bob</b>,25.5\n4,Dee,40\n",
        &cfg,
    )
}

fn render(format: Format) -> Vec<u8> {
    render_with(format, &fixture())
}

#[test]
fn csv_has_status_key_lines_changed_columns_and_value_pairs() {
    let out = String::from_utf8(render(Format::Csv)).unwrap();
    let t = load_bytes("out.csv", out.clone().into_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(
        t.columns(),
        [
            "status",
            "id",
            "left_line",
            "right_line",
            "changed_columns",
            "left:name",
            "right:name",
            "left:amount",
            "right:amount"
        ]
    );
    let rows: Vec<Vec<&str>> = (0..t.num_rows())
        .map(|r| (0..t.num_columns()).map(|c| t.cell(r, c)).collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec![
                "changed",
                "2",
                "3",
                "3",
                "amount",
                "<b>Bob</b>",
                "<b>Bob</b>",
                "20",
                "25.5"
            ],
            vec![
                "only_left",
                "3",
                "4",
                "",
                "",
                "Cy, \"the\" one",
                "",
                "30",
                ""
            ],
            vec!["only_right", "4", "", "4", "", "", "Dee", "", "40"],
        ]
    );
}

#[test]
fn json_has_the_documented_shape() {
    let v: serde_json::Value = serde_json::from_slice(&render(Format::Json)).unwrap();
    assert_eq!(v["left"]["path"], "left.csv");
    assert_eq!(v["left"]["rows"], 3);
    assert_eq!(v["left"]["encoding"], "utf-8");
    assert_eq!(v["left"]["delimiter"], ",");
    assert_eq!(v["left"]["columns"][1], "name");
    assert_eq!(v["keys"], serde_json::json!([["id", "id"]]));
    let s = &v["summary"];
    for (k, n) in [
        ("left_rows", 3),
        ("right_rows", 3),
        ("matched", 2),
        ("identical", 1),
        ("changed", 1),
        ("only_left", 1),
        ("only_right", 1),
        ("duplicate_keys_left", 0),
        ("duplicate_keys_right", 0),
    ] {
        assert_eq!(s[k], n, "{k}");
    }
    assert_eq!(v["columns"][1]["left"], "amount");
    assert_eq!(v["columns"][1]["differences"], 1);
    assert_eq!(v["columns"][1]["max_difference"], 5.5);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["status"], "changed");
    assert_eq!(rows[0]["key"], serde_json::json!(["2"]));
    assert_eq!(rows[0]["left_line"], 3);
    assert_eq!(
        rows[0]["changes"],
        serde_json::json!([{"column": "amount", "right_column": "amount", "left": "20", "right": "25.5"}])
    );
    assert_eq!(rows[2]["status"], "only_right");
    assert_eq!(rows[2]["left_line"], serde_json::Value::Null);
}

#[test]
fn html_is_self_contained_and_escapes_every_value() {
    let out = String::from_utf8(render(Format::Html)).unwrap();
    assert!(out.starts_with("<!DOCTYPE html>"));
    assert!(
        !out.contains("<b>Bob</b>"),
        "raw HTML from a cell leaked into the report"
    );
    assert!(out.contains("&lt;b&gt;Bob&lt;/b&gt;") || !out.contains("Bob"));
    assert!(!out.contains("<script") && !out.contains("src=") && !out.contains("href="));
    assert!(out.contains("<del>20</del> → <ins>25.5</ins>"));
    assert!(out.contains("only_left"));
}

#[test]
fn text_report_summarises_and_lists_rows() {
    let out = String::from_utf8(render(Format::Text)).unwrap();
    assert!(out.contains("key:   id"), "{out}");
    assert!(
        out.contains("changed") && out.contains("amount: 20 → 25.5"),
        "{out}"
    );
    assert!(out.contains("largest difference 5.5"), "{out}");
}

#[test]
fn xlsx_has_both_sheets_and_highlights_changed_cells() {
    let bytes = render(Format::Xlsx);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut workbook)
        .unwrap();
    assert!(workbook.contains("name=\"Summary\"") && workbook.contains("name=\"Differences\""));
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet2.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    // Header plus three rows, and the two changed amount cells share a style
    // that the unchanged name cells of the same row do not have.
    assert_eq!(sheet.matches("<row ").count(), 4, "{sheet}");
    let style_of = |cell: &str| -> String {
        let at = sheet
            .find(&format!("r=\"{cell}\""))
            .unwrap_or_else(|| panic!("{cell} missing"));
        let tag = &sheet[at..at + sheet[at..].find('>').unwrap()];
        match tag.find("s=\"") {
            Some(i) => tag[i + 3..].split('"').next().unwrap().to_string(),
            None => "default".to_string(),
        }
    };
    assert_eq!(style_of("G2"), style_of("H2"));
    assert_ne!(style_of("E2"), style_of("G2"));
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains("FFEB9C"), "highlight colour missing");
}

#[test]
fn write_file_is_atomic_and_leaves_nothing_on_failure() {
    let c = fixture();
    let report = report(&c);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("diff.csv");
    write_file(report, Format::Csv, &target, Control::default()).unwrap();
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .starts_with("status,id"));
    // A cancelled export fails and leaves neither the target nor a temp file.
    let flag = std::sync::atomic::AtomicBool::new(true);
    let ctl = Control {
        progress: None,
        cancel: Some(&flag),
        ..Control::default()
    };
    let other = dir.path().join("other.json");
    assert!(matches!(
        write_file(report, Format::Json, &other, ctl),
        Err(Error::Cancelled)
    ));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("diff.csv")]);
    // A missing directory is a clear error naming the path.
    let e = write_file(
        report,
        Format::Csv,
        &dir.path().join("no/such/dir/x.csv"),
        Control::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no/such/dir/x.csv"), "{e}");
}

fn positional() -> Compared {
    compared(
        b"name,amount\nAnn,10\nBob,20\nCy,30\n",
        b"name,amount\nAnn,10\nBob,25\n",
        &CompareConfig {
            by_position: true,
            ..CompareConfig::default()
        },
    )
}

/// The three parts of a comparison, as exporters take them.
fn report((left, right, result): &Compared) -> Report<'_> {
    Report {
        left,
        right,
        result,
    }
}

fn render_with(format: Format, c: &Compared) -> Vec<u8> {
    let mut out = Vec::new();
    write(report(c), format, &mut out, Control::default()).unwrap();
    out
}

#[test]
fn positional_rows_carry_their_row_number_in_every_format() {
    let p = positional();
    let v: serde_json::Value = serde_json::from_slice(&render_with(Format::Json, &p)).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(
        (rows[0]["row"].as_u64(), rows[1]["row"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(rows[1]["status"], "only_left");

    let csv = String::from_utf8(render_with(Format::Csv, &p)).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines.next().unwrap().starts_with("status,row,left_line"),
        "{csv}"
    );
    assert!(lines.next().unwrap().starts_with("changed,2,3,3"), "{csv}");
    assert!(lines.next().unwrap().starts_with("only_left,3,4,"), "{csv}");

    let html = String::from_utf8(render_with(Format::Html, &p)).unwrap();
    assert!(
        html.contains("<th>row</th>") && html.contains("<td>3</td>"),
        "{html}"
    );

    let text = String::from_utf8(render_with(Format::Text, &p)).unwrap();
    assert!(text.contains("changed     row 2"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.xlsx");
    write_file(report(&p), Format::Xlsx, &path, Control::default()).unwrap();
    let sheet = xlsx_sheet(&path, "xl/worksheets/sheet2.xml");
    assert!(sheet.contains("<t>row</t>"), "{sheet}");
    assert!(
        sheet.contains("<v>2</v>") && sheet.contains("<v>3</v>"),
        "{sheet}"
    );
}

/// One part of an XLSX file, as text.
fn xlsx_sheet(path: &Path, part: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn html_shows_one_sided_rows_and_large_counts_readably() {
    let html = String::from_utf8(render(Format::Html)).unwrap();
    // Row 3 is only on the left, row 4 only on the right: their values show.
    assert!(
        html.contains("<del>Cy, &quot;the&quot; one</del>"),
        "{html}"
    );
    assert!(html.contains("<ins>Dee</ins>"), "{html}");
    assert!(super::text::thousands(1_234_567) == "1,234,567");
}

#[cfg(unix)]
#[test]
fn exported_files_get_the_permissions_of_any_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let c = fixture();
    let dir = tempfile::tempdir().unwrap();
    let report = report(&c);
    // What a new file gets here (0666 less the umask of this process).
    let probe = dir.path().join("probe");
    std::fs::write(&probe, b"").unwrap();
    let usual = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    for format in Format::ALL {
        let path = dir.path().join(format!("out.{}", format.extension()));
        write_file(report, format, &path, Control::default()).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, usual, "{format:?}");
    }
    // Overwriting keeps the permissions the file had.
    let path = dir.path().join("out.csv");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_file(report, Format::Csv, &path, Control::default()).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn export_file_names_are_safe_everywhere() {
    assert_eq!(
        file_name("March vs April/ü", Format::Xlsx),
        "concord-March-vs-April.xlsx"
    );
    assert_eq!(file_name("a_b-c", Format::Text), "concord-a_b-c.txt");
    assert_eq!(file_name("../..", Format::Csv), "concord.csv");
}

#[cfg(unix)]
#[test]
fn a_pipe_or_device_is_written_through_and_a_link_is_kept() {
    let c = fixture();
    let report = report(&c);
    let dir = tempfile::tempdir().unwrap();
    // A named pipe stands in for /dev/null and /dev/stdout: renaming over
    // it would leave a regular file where the device was.
    let fifo = dir.path().join("pipe");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    // The read end is opened without blocking, so a writer that renames
    // over the pipe fails the test instead of hanging it; the report is
    // smaller than the pipe's buffer.
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    write_file(report, Format::Csv, &fifo, Control::default()).unwrap();
    let mut read = Vec::new();
    reader.read_to_end(&mut read).unwrap();
    assert_eq!(read, render(Format::Csv));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file is left");

    // A link to a report stays a link; the report it points to is replaced.
    let real = dir.path().join("real.csv");
    std::fs::write(&real, b"old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    write_file(report, Format::Json, &link, Control::default()).unwrap();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(&real).unwrap(), render(Format::Json));
}

#[test]
fn every_report_has_the_columns_section() {
    let cfg = CompareConfig {
        keys: vec![ColumnPair::new("id", "ID")],
        ..CompareConfig::default()
    };
    let c = compared(
        b"id,n,extra\n1,5,a\n2,6,b\n",
        b"ID,n,more\n1,5,x\n2,n/a,y\n",
        &cfg,
    );
    let expected = [
        "only in left",
        "extra (a difference)",
        "only in right",
        "more (a difference)",
        "under another name",
        "id=ID",
        "types differ",
        "n: integer in left, text in right",
    ];
    let text = String::from_utf8(render_with(Format::Text, &c)).unwrap();
    let html = String::from_utf8(render_with(Format::Html, &c)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("r.xlsx");
    write_file(report(&c), Format::Xlsx, &book, Control::default()).unwrap();
    let strings = xlsx_sheet(&book, "xl/sharedStrings.xml");
    for (format, out) in [("text", &text), ("html", &html), ("xlsx", &strings)] {
        for part in expected {
            assert!(out.contains(part), "{format} lacks '{part}':\n{out}");
        }
    }
    let v: serde_json::Value = serde_json::from_slice(&render_with(Format::Json, &c)).unwrap();
    assert_eq!(v["left_only_columns"], serde_json::json!(["extra"]));
    assert_eq!(v["right_only_columns"], serde_json::json!(["more"]));
    assert_eq!(v["renamed_columns"], serde_json::json!([["id", "ID"]]));
    assert_eq!(
        v["type_differences"],
        serde_json::json!([{"left": "n", "right": "n", "left_type": "integer", "right_type": "text"}])
    );
    assert_eq!(v["summary"]["columns_only_left"], 1);
    assert_eq!(v["summary"]["columns_only_right"], 1);
}

#[test]
fn without_a_key_the_text_report_tells_rows_by_their_first_cells() {
    let cfg = CompareConfig {
        use_suggestions: false,
        ..CompareConfig::default()
    };
    let c = compared(
        b"name,city,age,pet,car\nAnn,Oslo,30,cat,vw\nBob,Rome,41,dog,fiat\n",
        b"name,city,age,pet,car\nBob,Rome,41,dog,fiat\nCy,Lima,52,owl,kia\n",
        &cfg,
    );
    let text = String::from_utf8(render_with(Format::Text, &c)).unwrap();
    assert!(
        text.contains("key:   none, rows paired by content (in any order)"),
        "{text}"
    );
    assert!(
        text.contains("only_left   name=Ann, city=Oslo, age=30, pet=cat, …  (left line 2)"),
        "{text}"
    );
    assert!(
        text.contains("only_right  name=Cy, city=Lima, age=52, pet=owl, …  (right line 3)"),
        "{text}"
    );
}
