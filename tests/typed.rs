//! The typed plan against the text one: two Parquet files compared by a
//! named key, where equal rows are found on their Arrow values and only the
//! others are made text (`concord::compare::typed`), must give the very
//! same export, byte for byte, in every format, as the files read whole as
//! text and compared. The generated tables hold what could tell the two
//! apart: keys repeated, null or empty on either side; floats whose text is
//! the same for different bits (NaNs, which is why float keys are not
//! read as values) and whose bits differ for equal text; nulls beside
//! empty strings; decimals, dates, timestamps, booleans, lists and
//! dictionary columns; and rules that read different values as equal.

mod common;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, Int64Builder, ListBuilder,
    StringBuilder, StringDictionaryBuilder, StringViewBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use common::exports::{every_export, same_exports};
use common::Rng;
use concord::compare::{ColumnPair, CompareConfig, Comparison, RuleOverrides};
use concord::export::Report;
use concord::plan::{compare_arrow, compare_files, Resources};
use concord::table::{table_from_arrow, ArrowTable};
use concord::{Control, SideOptions};
use std::path::Path;
use std::sync::Arc;

/// One generated row: every column's value, `None` for a null.
#[derive(Clone)]
struct Row {
    id: Option<i64>,
    label: Option<String>,
    code: Option<String>,
    amount: Option<f64>,
    price: Option<i128>,
    day: Option<i32>,
    at: Option<i64>,
    flag: Option<bool>,
    tags: Option<Vec<String>>,
    kind: Option<String>,
}

/// Values that look alike as text and differ as values, or the reverse.
const FLOATS: [f64; 9] = [
    0.0,
    -0.0,
    1.5,
    0.1,
    0.30000000000000004,
    0.3,
    1e300,
    f64::INFINITY,
    2.5,
];
const CODES: [&str; 10] = [
    "a",
    "A",
    " a",
    "",
    "007",
    "7",
    "Ünï",
    "twelve bytes",
    "same start, then one way",
    "same start, then one wax",
];

fn nan(payload: u64) -> f64 {
    f64::from_bits(0x7ff8_0000_0000_0000 | payload)
}

fn row(rng: &mut Rng, id: Option<i64>) -> Row {
    let pick = |rng: &mut Rng, n: u64| rng.below(n) as usize;
    let maybe = |rng: &mut Rng| rng.below(8) != 0;
    Row {
        id,
        label: match rng.below(30) {
            0 => Some(String::new()),
            1 => None,
            _ => id.map(|i| format!("row {i}")),
        },
        code: maybe(rng).then(|| CODES[pick(rng, CODES.len() as u64)].to_string()),
        amount: maybe(rng).then(|| match rng.below(10) {
            0 => nan(rng.below(3)),
            _ => FLOATS[pick(rng, FLOATS.len() as u64)],
        }),
        price: maybe(rng).then(|| rng.below(2000) as i128 - 1000),
        day: maybe(rng).then(|| rng.below(40_000) as i32 - 10_000),
        at: maybe(rng).then(|| (rng.below(1 << 40) as i64) * 1000 + rng.below(2) as i64 * 7),
        flag: maybe(rng).then(|| rng.below(2) == 0),
        tags: maybe(rng).then(|| (0..rng.below(3)).map(|i| format!("t{i}")).collect()),
        kind: maybe(rng).then(|| ["x", "y", "z"][pick(rng, 3)].to_string()),
    }
}

/// A string of the same length as `code` that differs from it only past
/// its first 4 bytes (a string view holds its length and those bytes).
fn twin(code: Option<&str>) -> &'static str {
    match code {
        Some("same start, then one way") => "same start, then one wax",
        Some("twelve bytes") => "twelve bytez",
        Some("twelve bytez") => "twelve bytes",
        _ => "same start, then one way",
    }
}

/// A change to one value of `r`, of the kinds the rules may or may not see.
fn change(rng: &mut Rng, r: &mut Row) {
    match rng.below(12) {
        10 => r.code = None,
        11 => r.kind = r.kind.take().xor(Some("x".into())),
        0 => r.code = r.code.take().map(|c| c.to_uppercase()),
        9 => r.code = Some(twin(r.code.as_deref()).to_string()),
        1 => r.code = Some(String::new()),
        2 => r.amount = r.amount.map(|a| a + 0.001),
        3 => r.amount = Some(nan(rng.below(3))),
        4 => r.price = r.price.map(|p| p + 1),
        5 => r.at = r.at.map(|t| t + 1),
        6 => r.flag = r.flag.map(|f| !f),
        7 => r.tags = None,
        _ => r.kind = Some("w".into()),
    }
}

/// A generated pair: the right side the left shuffled, with changes,
/// rows gone and rows added, and keys repeated, null or shared.
fn pair(seed: u64, rows: usize) -> (Vec<Row>, Vec<Row>) {
    let mut rng = Rng(seed * 7919 + 13);
    let mut left: Vec<Row> = (0..rows)
        .map(|i| {
            let id = match rng.below(40) {
                0 => None,
                1 => Some(rng.below(rows as u64) as i64),
                _ => Some(i as i64),
            };
            row(&mut rng, id)
        })
        .collect();
    let mut right = Vec::new();
    for r in &left {
        match rng.below(20) {
            0 => continue,
            1..=3 => {
                let mut c = r.clone();
                change(&mut rng, &mut c);
                right.push(c);
            }
            4 => {
                right.push(r.clone());
                right.push(r.clone());
            }
            _ => right.push(r.clone()),
        }
    }
    for i in 0..rows / 20 {
        let id = (rng.below(4) != 0).then_some((rows + i) as i64);
        right.push(row(&mut rng, id));
    }
    // Shuffled, as another writer would order them.
    for i in (1..right.len()).rev() {
        right.swap(i, rng.below(i as u64 + 1) as usize);
    }
    // Some left rows identical to another's but for the key.
    if rows > 4 {
        left[3] = Row {
            id: left[3].id,
            ..left[2].clone()
        };
    }
    (left, right)
}

/// `rows` as a record batch of typed columns (a dictionary column among
/// them), its strings as string views (as polars gives them) or not.
fn batch(rows: &[Row], views: bool) -> RecordBatch {
    let mut id = Int64Builder::new();
    let mut label = StringBuilder::new();
    let mut code = StringBuilder::new();
    let mut amount = Float64Builder::new();
    let mut price =
        Decimal128Builder::new().with_data_type(arrow_schema::DataType::Decimal128(10, 2));
    let mut day = Date32Builder::new();
    let mut at = TimestampMicrosecondBuilder::new().with_timezone("UTC");
    let mut flag = BooleanBuilder::new();
    let mut tags = ListBuilder::new(StringBuilder::new());
    let mut kind = StringDictionaryBuilder::<Int32Type>::new();
    for r in rows {
        id.append_option(r.id);
        amount.append_option(r.amount);
        price.append_option(r.price);
        day.append_option(r.day);
        at.append_option(r.at);
        flag.append_option(r.flag);
        match &r.tags {
            Some(t) => {
                for v in t {
                    tags.values().append_value(v);
                }
                tags.append(true);
            }
            None => tags.append(false),
        }
        kind.append_option(r.kind.as_deref());
    }
    let text = |b: &mut StringBuilder, values: Vec<Option<&str>>| -> ArrayRef {
        if views {
            let mut v = StringViewBuilder::new();
            values.into_iter().for_each(|x| v.append_option(x));
            Arc::new(v.finish())
        } else {
            values.into_iter().for_each(|x| b.append_option(x));
            Arc::new(b.finish())
        }
    };
    let label = text(
        &mut label,
        rows.iter().map(|r| r.label.as_deref()).collect(),
    );
    let code = text(&mut code, rows.iter().map(|r| r.code.as_deref()).collect());
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(id.finish())),
        ("label", label),
        ("code", code),
        ("amount", Arc::new(amount.finish())),
        ("price", Arc::new(price.finish())),
        ("day", Arc::new(day.finish())),
        ("at", Arc::new(at.finish())),
        ("flag", Arc::new(flag.finish())),
        ("tags", Arc::new(tags.finish())),
        ("kind", Arc::new(kind.finish())),
    ];
    RecordBatch::try_from_iter(columns).unwrap()
}

/// How a Parquet file's strings are written: the values of each row group
/// once in a dictionary (the reader keeps it), plain, or in a dictionary
/// that overflows into plain pages (the reader reads the values).
#[derive(Clone, Copy, Debug)]
enum Strings {
    Dictionary,
    Plain,
    Overflowing,
}

/// `rows` as a Parquet file, in row groups of 64 rows.
fn write(path: &Path, rows: &[Row], strings: Strings) {
    let batch = batch(rows, false);
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(64))
        .set_dictionary_enabled(!matches!(strings, Strings::Plain))
        .set_dictionary_page_size_limit(match strings {
            Strings::Overflowing => 40,
            _ => 1 << 20,
        })
        .set_data_page_row_count_limit(8)
        .set_write_batch_size(8)
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// Compares the files at `left` and `right` as the command line does
/// (the typed plan, where it applies).
fn typed(left: &Path, right: &Path, config: &CompareConfig) -> Comparison {
    let resources = Resources::default();
    let opts = SideOptions::default();
    compare_files(
        left,
        right,
        &opts,
        config,
        &resources,
        &|_, _| {},
        Control::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", left.display()))
    .0
}

/// Compares the files read whole as text.
fn as_text(left: &Path, right: &Path, config: &CompareConfig) -> Comparison {
    let opts = concord::LoadOptions::default();
    let l = concord::load_path(left, &opts, Control::default()).unwrap();
    let r = concord::load_path(right, &opts, Control::default()).unwrap();
    let result = concord::compare(&l, &r, config, Control::default()).unwrap();
    Comparison::new(l, r, result)
}

/// Whether the comparison's tables hold only the rows its result refers
/// to (the typed plan), rather than the whole files.
fn rows_copied(c: &Comparison) -> bool {
    c.left.num_rows() as u64 != c.left.file_rows()
        || c.right.num_rows() as u64 != c.right.file_rows()
}

/// Checks both plans export the same, and returns whether the typed plan
/// was taken.
fn same_as_text(left: &Path, right: &Path, config: &CompareConfig) -> bool {
    let t = typed(left, right, config);
    let x = as_text(left, right, config);
    let exports = |c: &Comparison| every_export(Report::of(c)).unwrap();
    same_exports(left, right, &exports(&x), &exports(&t), "typed");
    rows_copied(&t)
}

fn keyed(key: &str) -> CompareConfig {
    CompareConfig {
        keys: vec![ColumnPair::new(key, key)],
        ..CompareConfig::default()
    }
}

/// Configurations to compare each pair with, and whether the typed plan
/// applies to them.
fn configs() -> Vec<(&'static str, CompareConfig, bool)> {
    let mut tolerant = keyed("id");
    tolerant.rules.abs_tolerance = 0.01;
    tolerant.column_rules.insert(
        "code".into(),
        RuleOverrides {
            ignore_case: Some(true),
            null_tokens: Some(vec!["7".into()]),
            ..RuleOverrides::default()
        },
    );
    let mut null_token = keyed("id");
    null_token.rules.null_tokens = vec!["7".into()];
    let mut trimmed_key = keyed("id");
    trimmed_key.rules.trim = true;
    let mut loose_code = keyed("id");
    loose_code.column_rules.insert(
        "code".into(),
        RuleOverrides {
            trim: Some(true),
            ignore_case: Some(true),
            ..RuleOverrides::default()
        },
    );
    let mut ignoring = keyed("id");
    ignoring.ignore = vec!["amount".into(), "tags".into()];
    let mut two_keys = keyed("id");
    two_keys.keys.push(ColumnPair::new("label", "label"));
    let mut plain = keyed("id");
    plain.infer_rules = false;
    vec![
        ("by id", keyed("id"), true),
        ("by id, nothing inferred", plain, true),
        ("tolerances, case and a null token", tolerant, true),
        ("trimmed and lower-cased codes", loose_code, true),
        ("ignored columns", ignoring, true),
        ("by id and label", two_keys, true),
        ("by a string key", keyed("label"), true),
        ("by a timestamp key", keyed("at"), true),
        ("by a decimal key, mostly repeated", keyed("price"), true),
        // Keys trimmed or with null tokens, or floats (every NaN is the text
        // NaN), are not read as values: the tables are compared as text.
        ("trimmed keys", trimmed_key, false),
        ("null tokens for every column", null_token, false),
        ("by a float key", keyed("amount"), false),
    ]
}

#[test]
fn the_typed_plan_exports_what_the_text_plan_does() {
    let dir = tempfile::tempdir().unwrap();
    let (l, r) = (
        dir.path().join("left.parquet"),
        dir.path().join("right.parquet"),
    );
    let strings = [Strings::Dictionary, Strings::Plain, Strings::Overflowing];
    for seed in 0..12 {
        let (left, right) = pair(seed, [0, 1, 7, 150, 400][seed as usize % 5]);
        // Strings kept in dictionaries on both sides, on one, or on neither.
        write(&l, &left, strings[seed as usize % 3]);
        write(&r, &right, strings[(seed as usize / 3) % 3]);
        for (what, config, applies) in configs() {
            let took = same_as_text(&l, &r, &config);
            // An empty or one-row pair may leave nothing out either way.
            if left.len() > 10 {
                assert_eq!(took, applies, "seed {seed}, {what}: typed plan taken");
            }
        }
    }
}

#[test]
fn keys_that_read_alike_as_text_are_repeated_keys() {
    // NaNs of different bits are all the text NaN: a repeated key on both
    // sides, four rows of a duplicated key, not two identical pairs.
    let dir = tempfile::tempdir().unwrap();
    let (l, r) = (
        dir.path().join("left.parquet"),
        dir.path().join("right.parquet"),
    );
    let rows: Vec<Row> = (0..4)
        .map(|i| Row {
            amount: Some(if i < 2 { nan(i) } else { i as f64 }),
            ..row(&mut Rng(5), Some(i as i64))
        })
        .collect();
    write(&l, &rows, Strings::Dictionary);
    write(&r, &rows, Strings::Dictionary);
    assert!(!same_as_text(&l, &r, &keyed("amount")));
    let t = typed(&l, &r, &keyed("amount"));
    assert_eq!(t.result.summary.duplicate_keys_left, 1);
    assert_eq!(t.result.summary.duplicate_keys_right, 1);
    assert_eq!(t.result.summary.identical, 2);
}

#[test]
fn most_rows_of_a_large_pair_are_never_made_text() {
    let dir = tempfile::tempdir().unwrap();
    let (l, r) = (
        dir.path().join("left.parquet"),
        dir.path().join("right.parquet"),
    );
    let (left, right) = pair(99, 5000);
    write(&l, &left, Strings::Dictionary);
    write(&r, &right, Strings::Dictionary);
    let t = typed(&l, &r, &keyed("id"));
    assert!(same_as_text(&l, &r, &keyed("id")));
    // The rows kept are the differing ones (and the type samples' rows
    // are not among them): far fewer than the files hold.
    let s = &t.result.summary;
    assert!(s.identical > 3000, "{s:?}");
    let kept = t.left.num_rows() as u64 + t.right.num_rows() as u64;
    assert!(
        kept < (s.left_rows + s.right_rows) / 3,
        "{kept} rows kept: {s:?}"
    );
}

#[test]
fn rows_of_different_keys_are_never_paired_whatever_their_hashes() {
    // Keys 2 and 3 with the same values: one row only on each side, not an
    // identical pair, even if the two keys hashed alike (the keys are
    // compared as the values are).
    let dir = tempfile::tempdir().unwrap();
    let (l, r) = (
        dir.path().join("left.parquet"),
        dir.path().join("right.parquet"),
    );
    let same = row(&mut Rng(11), None);
    let left: Vec<Row> = [2, 10, 11]
        .map(|i| Row {
            id: Some(i),
            ..same.clone()
        })
        .to_vec();
    let right: Vec<Row> = [3, 10, 11]
        .map(|i| Row {
            id: Some(i),
            ..same.clone()
        })
        .to_vec();
    write(&l, &left, Strings::Dictionary);
    write(&r, &right, Strings::Dictionary);
    assert!(same_as_text(&l, &r, &keyed("id")));
    let s = typed(&l, &r, &keyed("id")).result.summary.clone();
    assert_eq!((s.only_left, s.only_right, s.identical), (1, 1, 2), "{s:?}");
}

/// `rows` as a frame of two batches, its strings as string views.
fn frame(rows: &[Row]) -> Vec<RecordBatch> {
    let b = batch(rows, true);
    let half = b.num_rows() / 2;
    vec![b.slice(0, half), b.slice(half, b.num_rows() - half)]
}

/// A frame's batches as the stream an Arrow table reader takes.
type Stream = std::vec::IntoIter<Result<RecordBatch, arrow_schema::ArrowError>>;

fn stream(batches: &[RecordBatch]) -> Stream {
    batches
        .iter()
        .cloned()
        .map(Ok)
        .collect::<Vec<_>>()
        .into_iter()
}

#[test]
fn frames_of_string_views_compare_as_their_text_does() {
    // Polars' strings: views holding short strings in themselves, and
    // longer ones that start alike.
    let ctl = Control::default();
    for seed in 0..6 {
        let (left, right) = pair(seed, 300);
        let (l, r) = (frame(&left), frame(&right));
        let schema = l[0].schema();
        for (what, config, applies) in configs() {
            let arrow = |name: &str, b: &[RecordBatch]| {
                ArrowTable::from_batches(name, schema.clone(), stream(b), ctl).unwrap()
            };
            let typed = compare_arrow(
                arrow("left", &l),
                arrow("right", &r),
                &config,
                &Resources::default(),
                ctl,
            )
            .unwrap();
            let table = |name: &str, b: &[RecordBatch]| {
                table_from_arrow(name, schema.clone(), stream(b), ctl).unwrap()
            };
            let (lt, rt) = (table("left", &l), table("right", &r));
            let result = concord::compare(&lt, &rt, &config, ctl).unwrap();
            let text = Comparison::new(lt, rt, result);
            let exports = |c: &Comparison| every_export(Report::of(c)).unwrap();
            let name = Path::new(what);
            same_exports(
                name,
                name,
                &exports(&text),
                &exports(&typed),
                "typed, from string views",
            );
            assert_eq!(rows_copied(&typed), applies, "seed {seed}, {what}");
        }
    }
}
