use super::*;
use crate::error::Error;
use crate::progress::Control;

fn load(text: &str) -> Table {
    load_bytes("t.csv", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
}

fn rows(t: &Table) -> Vec<Vec<String>> {
    (0..t.num_rows())
        .map(|r| {
            (0..t.num_columns())
                .map(|c| t.cell(r, c).to_string())
                .collect()
        })
        .collect()
}

#[test]
fn loads_header_rows_and_cells() {
    let t = load("id,name\r\n1,\"Smith, J\"\r\n2,\"say \"\"hi\"\"\"\r\n");
    assert_eq!(t.columns(), ["id", "name"]);
    assert_eq!(
        rows(&t),
        vec![vec!["1", "Smith, J"], vec!["2", "say \"hi\""]]
    );
    assert_eq!(t.info().delimiter, Some(b','));
    assert!(t.info().has_header);
    assert_eq!(t.line_of(0), 2);
    assert_eq!(t.line_of(1), 3);
}

#[test]
fn lines_above_the_header_are_skipped_when_asked_and_still_counted() {
    let text = "Orders in March\r\n\nid,name\n1,Ann\n2,Bob\n";
    // As it is, the title is read as the header and a row is too long.
    let e = load_bytes("t.csv", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "field_count");
    let opts = LoadOptions {
        skip_lines: 2,
        ..LoadOptions::default()
    };
    let t = load_bytes("t.csv", text.as_bytes().to_vec(), &opts).unwrap();
    assert_eq!(t.columns(), ["id", "name"]);
    assert_eq!(rows(&t), vec![vec!["1", "Ann"], vec!["2", "Bob"]]);
    assert_eq!(
        (t.line_of(0), t.line_of(1)),
        (4, 5),
        "skipped lines still count"
    );
    assert_eq!(
        t.info().warnings,
        ["the first 2 lines were skipped, as asked"]
    );
    assert_eq!(
        t.effective_options(&opts).skip_lines,
        2,
        "kept for reading again"
    );
    let all = LoadOptions {
        skip_lines: 9,
        ..LoadOptions::default()
    };
    assert_eq!(
        load_bytes("t.csv", text.as_bytes().to_vec(), &all)
            .unwrap_err()
            .code(),
        "empty_file"
    );
    let parsed = LoadOptions::from_params(|k| (k == "skip").then_some("3")).unwrap();
    assert_eq!(parsed.skip_lines, 3);
    assert!(LoadOptions::from_params(|k| (k == "skip").then_some("some")).is_err());
}

#[test]
fn header_only_file_has_no_rows() {
    let t = load("a,b,c\n");
    assert_eq!(t.num_rows(), 0);
    assert_eq!(t.num_columns(), 3);
}

#[test]
fn empty_files_are_refused() {
    for text in ["", "\n\r\n", "\u{FEFF}"] {
        let e = load_bytes("e.csv", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap_err();
        assert!(matches!(e, Error::EmptyFile { .. }), "{text:?}: {e}");
        assert!(e.to_string().contains("e.csv"));
    }
}

#[test]
fn blank_and_duplicate_header_names_are_renamed_with_a_warning() {
    let t = load("id,,id,name,id\n1,2,3,4,5\n");
    assert_eq!(t.columns(), ["id", "column_2", "id_2", "name", "id_3"]);
    assert_eq!(t.info().warnings.len(), 3);
}

#[test]
fn renamed_columns_never_collide_with_real_ones() {
    let t = load("name,name,name_2\n1,2,3\n");
    assert_eq!(t.columns(), ["name", "name_3", "name_2"]);
    let t = load("x,,column_2\n1,2,3\n");
    assert_eq!(t.columns(), ["x", "column_2_2", "column_2"]);
    assert!(t.info().warnings[0].contains("column_2_2"));
}

#[test]
fn headers_of_years_and_pandas_indexes_are_headers() {
    let t = load("id,name,2022,2023,2024\n1,alice,10,20,30\n2,bob,11,21,31\n");
    assert_eq!(t.columns(), ["id", "name", "2022", "2023", "2024"]);
    assert_eq!(t.num_rows(), 2);
    let t = load(",name,amount\n0,a,1.5\n1,b,2.5\n");
    assert_eq!(t.columns(), ["column_1", "name", "amount"]);
    assert_eq!(t.cell(0, 2), "1.5");
}

#[test]
fn excel_sep_line_sets_the_delimiter_and_is_not_data() {
    let t = load("sep=;\r\nid;amount\r\n1;2,5\r\n2;3\r\n");
    assert_eq!(t.info().delimiter, Some(b';'));
    assert_eq!(t.columns(), ["id", "amount"]);
    assert_eq!(rows(&t), vec![vec!["1", "2,5"], vec!["2", "3"]]);
    assert_eq!(t.line_of(0), 3);
    assert!(t.info().warnings[0].contains("sep=;"));
    // Line numbers in errors count the sep line.
    let e = load_bytes(
        "x.csv",
        b"sep=,\na,b\n1,2\n3\n".to_vec(),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("line 4"), "{e}");
    // Without a header too.
    let t = load_bytes(
        "x.csv",
        b"sep=|\n1|2\n".to_vec(),
        &LoadOptions {
            has_header: Some(false),
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert_eq!((t.num_rows(), t.line_of(0)), (1, 2));
}

#[test]
fn field_count_error_names_file_and_line() {
    let e = load_bytes(
        "data.csv",
        b"a,b\n1,2\n\n\"x\ny\",3\n4\n".to_vec(),
        &LoadOptions::default(),
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(
            e,
            Error::FieldCount {
                line: 6,
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("data.csv") && msg.contains("line 6"), "{msg}");
    assert!(!msg.contains("title"), "no title lines here: {msg}");
}

#[test]
fn a_title_above_the_header_is_named_in_the_error_and_skipped_on_request() {
    let text =
        b"Sales report Q3\nExported 2026-10-01 by finance\n\nid,name,amount\n1,a,10\n2,b,20\n";
    let e = load_bytes("report.csv", text.to_vec(), &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::FieldCount {
                line: 4,
                title_lines: Some(2),
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .ends_with("the first 2 lines look like a title above the header"),
        "{e}"
    );
    assert_eq!(serde_json::to_value(&e).unwrap()["title_lines"], 2);
    let opts = LoadOptions {
        skip_lines: 2,
        ..LoadOptions::default()
    };
    let t = load_bytes("report.csv", text.to_vec(), &opts).unwrap();
    assert_eq!(t.columns(), ["id", "name", "amount"]);
    assert_eq!(t.num_rows(), 2);
}

#[test]
fn ragged_rows_are_padded_or_cut_on_request() {
    let opts = LoadOptions {
        allow_ragged: true,
        ..LoadOptions::default()
    };
    let t = load_bytes("r.csv", b"a,b\n1\n2,3,4\n".to_vec(), &opts).unwrap();
    assert_eq!(rows(&t), vec![vec!["1", ""], vec!["2", "3"]]);
    assert!(t.info().warnings[0].contains("2 rows"));
}

#[test]
fn unterminated_quote_names_its_line() {
    let e = load_bytes(
        "q.csv",
        b"a,b\n1,2\n3,\"open\n4,5\n".to_vec(),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::UnterminatedQuote { line: 3, .. }), "{e}");
}

#[test]
fn line_numbers_follow_blank_lines_and_multiline_fields() {
    let t = load("a,b\n\n1,\"x\ny\nz\"\n2,w\n\n3,v\n");
    assert_eq!(t.num_rows(), 3);
    assert_eq!(t.line_of(0), 3);
    assert_eq!(t.line_of(1), 6);
    assert_eq!(t.line_of(2), 8);
}

#[test]
fn headerless_files_get_numbered_columns() {
    let t = load("1,2.5,2024-01-01\n2,3.5,2024-01-02\n");
    assert!(!t.info().has_header);
    assert_eq!(t.columns(), ["column_1", "column_2", "column_3"]);
    assert_eq!(t.num_rows(), 2);
    assert_eq!(t.line_of(0), 1);
}

#[test]
fn forced_options_override_sniffing() {
    let opts = LoadOptions {
        delimiter: Some(b';'),
        has_header: Some(false),
        ..LoadOptions::default()
    };
    let t = load_bytes("f.csv", b"a,b;c\n".to_vec(), &opts).unwrap();
    assert_eq!(rows(&t), vec![vec!["a,b", "c"]]);
}

#[test]
fn excel_unicode_text_export_loads() {
    let text = "Name\tCity\r\nZoë\tMünchen\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let t = load_bytes("u.txt", bytes, &LoadOptions::default()).unwrap();
    assert_eq!(t.info().encoding, Some(Encoding::Utf16Le));
    assert_eq!(t.info().delimiter, Some(b'\t'));
    assert_eq!(rows(&t), vec![vec!["Zoë", "München"]]);
}

/// Writes `text` to a temporary file and loads it through the parallel path.
fn load_file(text: &[u8]) -> Result<Table, Error> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, text).unwrap();
    load_path(&path, &LoadOptions::default(), Control::default())
}

fn big_text(rows: usize, row: impl Fn(usize) -> String) -> String {
    let mut s = String::from("id,note,amount\n");
    for i in 0..rows {
        s.push_str(&row(i));
    }
    s
}

#[test]
fn parallel_load_equals_sequential_load() {
    let text = big_text(250_000, |i| {
        if i % 1000 == 7 {
            format!("{i},\"multi\nline, \"\"quoted\"\" {i}\",{i}.5\r\n")
        } else {
            format!("{i},plain note number {i},{i}.25\n")
        }
    });
    assert!(text.len() > 6 << 20, "the test needs several chunks");
    let seq = load(&text);
    let par = load_file(text.as_bytes()).unwrap();
    assert_eq!(par.num_rows(), 250_000);
    assert_eq!(rows(&par), rows(&seq));
    for r in [0, 7, 8, 1007, 60_000, 249_999] {
        assert_eq!(par.line_of(r), seq.line_of(r), "row {r}");
    }
    assert_eq!(par.line_of(8), 8 + 2 + 1);
}

#[test]
fn parallel_load_with_stray_quotes_falls_back_to_one_piece() {
    // A lone quote in an unquoted field upsets the quote parity used to cut,
    // so later cuts land inside quoted fields and must be detected.
    let text = big_text(150_000, |i| match i {
        10 => "10,5\" pipe,1\n".to_string(),
        i if i % 500 == 3 => format!("{i},\"two\nlines\",{i}\n"),
        i => format!("{i},note {i},{i}\n"),
    });
    let seq = load(&text);
    let par = load_file(text.as_bytes()).unwrap();
    assert_eq!(rows(&par), rows(&seq));
    assert_eq!(par.cell(10, 1), "5\" pipe");
    assert_eq!(par.line_of(149_999), seq.line_of(149_999));
}

#[test]
fn parallel_load_reports_the_first_bad_line() {
    let text = big_text(200_000, |i| {
        if i == 150_000 {
            format!("{i},short\n")
        } else {
            format!("{i},note {i},{i}\n")
        }
    });
    let e = load_file(text.as_bytes()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::FieldCount {
                line: 150_002,
                found: 2,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn missing_file_is_a_clear_error() {
    let e = load_path(
        std::path::Path::new("/no/such/left.csv"),
        &LoadOptions::default(),
        Control::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("/no/such/left.csv"), "{e}");
}

#[test]
fn huge_fields_load_without_a_cap() {
    let big = "y".repeat(200_000);
    let t = load(&format!("a,b\n{big},1\n2,{big}\n"));
    assert_eq!(t.cell(0, 0).len(), 200_000);
    assert_eq!(t.cell(0, 1), "1");
    assert_eq!(t.cell(1, 1).len(), 200_000);
}

#[test]
fn compact_storage_stays_near_file_size() {
    let text = big_text(50_000, |i| format!("{i},some note text {i},{i}.125\n"));
    let t = load(&text);
    let ratio = t.heap_bytes() as f64 / text.len() as f64;
    assert!(ratio < 1.5, "table uses {ratio:.2}x the file size");
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// Arbitrary bytes give a table or an error, never a panic.
        #[test]
        fn any_bytes_load_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            match load_bytes("fuzz.csv", bytes, &LoadOptions { allow_ragged: false, ..Default::default() }) {
                Ok(t) => {
                    for r in 0..t.num_rows() {
                        for c in 0..t.num_columns() {
                            let _ = t.cell(r, c);
                        }
                        prop_assert!(t.line_of(r) >= 1);
                    }
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }

        /// CSV-shaped input, with quotes, delimiters and line breaks in the mix.
        #[test]
        fn csv_like_text_loads_or_fails_cleanly(s in "[a-c,;\"\t\r\n]{0,300}", ragged in any::<bool>()) {
            let opts = LoadOptions { allow_ragged: ragged, ..Default::default() };
            if let Ok(t) = load_bytes("fuzz.csv", s.into_bytes(), &opts) {
                for r in 0..t.num_rows() {
                    for c in 0..t.num_columns() {
                        let _ = t.cell(r, c);
                    }
                }
            }
        }
    }
}

mod against_the_csv_crate {
    use super::*;
    use proptest::prelude::*;

    /// A field: plain text, or quoted text holding delimiters, quotes and line breaks.
    fn field() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9 ]{0,6}".prop_map(|s| s),
            "[a-z,\"\r\n ]{0,8}".prop_map(|s| format!("\"{}\"", s.replace('"', "\"\""))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Concord reads well-formed CSV exactly as BurntSushi's csv crate does.
        #[test]
        fn same_records(records in proptest::collection::vec(proptest::collection::vec(field(), 3), 1..12), crlf in any::<bool>()) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let text: String = records.iter().map(|r| r.join(",") + eol).collect();
            let opts = LoadOptions { has_header: Some(false), delimiter: Some(b','), ..LoadOptions::default() };
            let ours = load_bytes("p.csv", text.clone().into_bytes(), &opts).unwrap();
            let mut reader = ::csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
            let theirs: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
            prop_assert_eq!(rows(&ours), theirs);
        }
    }
}

#[test]
fn quoted_cells_read_the_same_in_narrow_wide_and_copied_rows() {
    // 70,000 bytes: past the 64 KiB a 16-bit end holds.
    let big = "x".repeat(70_000);
    let text =
        format!("a,b,c\n\"{big}\",\"q\",\"\"\n\"1\",2,\"say \"\"{big}\"\"\"\n\"\",\"\n\",z\n");
    let t = load(&text);
    let expected = vec![
        vec![big.clone(), "q".to_string(), String::new()],
        vec!["1".to_string(), "2".to_string(), format!("say \"{big}\"")],
        vec![String::new(), "\n".to_string(), "z".to_string()],
    ];
    assert_eq!(rows(&t), expected);
    for (r, row) in expected.iter().enumerate() {
        let cells = t.row(r);
        for (c, cell) in row.iter().enumerate() {
            assert_eq!(cells.bytes(c), cell.as_bytes(), "row {r} column {c}");
        }
    }
    // The same rows rebuilt cell by cell read the same.
    let mut b = TableBuilder::like(&t);
    for r in [2, 0, 1] {
        b.push_from(&t, r);
    }
    let rebuilt = b.finish(3).unwrap();
    assert_eq!(
        rows(&rebuilt),
        [
            expected[2].clone(),
            expected[0].clone(),
            expected[1].clone()
        ]
    );
    assert_eq!(t.line_of(2), 4);
}

#[test]
fn short_rows_keep_a_byte_per_field_end_and_quotes_read_the_same_either_way() {
    // A cell that begins with a quote once its own quotes are gone, in a
    // copied row: a loaded table and a rebuilt one must keep that quote.
    let narrow = "id,v\n1,\"\"\"fragile\"\"\"\n2,\"q\"\n3,plain\"\n";
    let long = format!("{narrow}4,{}\n", "y".repeat(300));
    let expected = [["1", "\"fragile\""], ["2", "q"], ["3", "plain\""]];
    for (text, bytes) in [(narrow.to_string(), true), (long, false)] {
        let t = load(&text);
        assert_eq!(matches!(t.cell_end, CellEnds::Bytes(_)), bytes, "{text}");
        for (r, row) in expected.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                assert_eq!(t.cell(r, c), *cell, "row {r} column {c}");
            }
        }
        let mut b = TableBuilder::like(&t);
        for r in 0..t.num_rows() {
            b.push_from(&t, r);
        }
        let rebuilt = b.finish(t.num_rows() as u64).unwrap();
        assert_eq!(rows(&rebuilt), rows(&t));
    }
}

#[test]
fn row_starts_are_kept_in_blocks_no_row_of_which_is_2_gib_past_the_first() {
    let gib = 1u64 << 30;
    let shift = |starts: &[u64]| RowStarts::shift_for(starts.iter().copied());
    assert_eq!(shift(&[0, 10, 20, 30]), 16);
    assert_eq!(shift(&[0, 1, 3 * gib, 3 * gib + 5]), 1);
    assert_eq!(shift(&[0, 3 * gib, 6 * gib]), 0);
    // A table of more rows than a block, with escaped rows on both sides
    // of the blocks' border, reads every row where it is.
    let mut text = String::from("id,v\n");
    for i in 0..70_000 {
        if i % 7 == 0 {
            text.push_str(&format!("{i},\"say \"\"{i}\"\"\"\n"));
        } else {
            text.push_str(&format!("{i},v{i}\n"));
        }
    }
    let t = load(&text);
    assert!(matches!(t.row_start, RowStarts::Blocked { shift: 16, .. }));
    for i in [0, 1, 65_534, 65_535, 65_536, 65_537, 69_999] {
        let want = match i % 7 {
            0 => format!("say \"{i}\""),
            _ => format!("v{i}"),
        };
        assert_eq!(
            (t.cell(i, 0), t.cell(i, 1)),
            (i.to_string().as_str(), want.as_str())
        );
        assert_eq!(t.line_of(i), i as u64 + 2);
    }
}
