use super::*;
use crate::table::{load_bytes, LoadOptions};

fn table(text: &str) -> Table {
    load_bytes("t.csv", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
}

fn pairs(s: &Suggestions) -> Vec<(&str, &str)> {
    s.mappings
        .iter()
        .map(|m| (m.left.as_str(), m.right.as_str()))
        .collect()
}

#[test]
fn renamed_and_reordered_columns_are_paired() {
    let left = table("customer_id,qty,amt,desc\n1,5,10.5,apple\n2,3,20,pear\n3,7,5.25,fig\n");
    let right = table(
        "Description,CustomerID,Amount,Quantity\napple,1,10.50,5\npear,2,20.0,3\nfig,3,5.25,7\n",
    );
    let s = suggest(&left, &right, crate::progress::Control::default()).unwrap();
    assert_eq!(
        pairs(&s),
        vec![
            ("customer_id", "CustomerID"),
            ("qty", "Quantity"),
            ("amt", "Amount"),
            ("desc", "Description")
        ]
    );
    assert!(s.unmapped_left.is_empty() && s.unmapped_right.is_empty());
    assert_eq!(s.keys[0].left, vec!["customer_id"]);
    assert_eq!(s.keys[0].right, vec!["CustomerID"]);
    assert!(s.confident_key().is_some());
}

#[test]
fn content_finds_a_column_whose_name_shares_nothing() {
    let mut l = String::from("ref,colour\n");
    let mut r = String::from("colour,zz9\n");
    for i in 0..300 {
        l.push_str(&format!("R{i:04},c{}\n", i % 5));
        r.push_str(&format!("c{},R{i:04}\n", i % 5));
    }
    let s = suggest(&table(&l), &table(&r), crate::progress::Control::default()).unwrap();
    let m = s
        .mappings
        .iter()
        .find(|m| m.left == "ref")
        .expect("ref is mapped");
    assert_eq!(m.right, "zz9");
    assert_eq!(m.reason, "same values");
    assert_eq!(s.keys[0].left, vec!["ref"]);
}

#[test]
fn decoys_with_similar_names_lose_to_the_real_data() {
    let mut l = String::from("id,created_date\n");
    let mut r = String::from("id,updated_date,creation\n");
    for i in 0..200 {
        l.push_str(&format!("{i},2024-01-{:02}\n", i % 28 + 1));
        r.push_str(&format!(
            "{i},2025-06-{:02},2024-01-{:02}\n",
            i % 28 + 1,
            i % 28 + 1
        ));
    }
    let s = suggest(&table(&l), &table(&r), crate::progress::Control::default()).unwrap();
    let m = s
        .mappings
        .iter()
        .find(|m| m.left == "created_date")
        .unwrap();
    assert_eq!(m.right, "creation", "{s:?}");
    assert_eq!(s.unmapped_right, vec!["updated_date"]);
}

#[test]
fn composite_keys_when_no_single_column_is_unique() {
    let mut l = String::from("store,sku,qty\n");
    let mut r = String::from("store,sku,qty\n");
    for store in 0..20 {
        for sku in 0..30 {
            l.push_str(&format!("S{store},K{sku},{}\n", (store * sku) % 7));
            r.push_str(&format!("S{store},K{sku},{}\n", (store + sku) % 7));
        }
    }
    let s = suggest(&table(&l), &table(&r), crate::progress::Control::default()).unwrap();
    let k = &s.keys[0];
    let mut cols = k.left.clone();
    cols.sort();
    assert_eq!(cols, vec!["sku", "store"]);
    assert_eq!((k.unique_left, k.unique_right, k.overlap), (1.0, 1.0, 1.0));
}

#[test]
fn unrelated_columns_stay_unmapped() {
    let left = table("id,email\n1,a@x.org\n2,b@x.org\n3,c@x.org\n");
    let right = table("id,zip\n1,02134\n2,10001\n3,94105\n");
    let s = suggest(&left, &right, crate::progress::Control::default()).unwrap();
    assert_eq!(pairs(&s), vec![("id", "id")]);
    assert_eq!(s.unmapped_left, vec!["email"]);
    assert_eq!(s.unmapped_right, vec!["zip"]);
}

/// Rows no sample reads: with 30,000 rows, the 20,000 sampled rows are
/// `i * 3 / 2`, so row `3k + 2` is never among them.
fn unsampled(row: usize) -> bool {
    row % 3 == 2
}

/// A table of 30,000 rows, `code,id,amount`, where `code(row)` writes the
/// code (the leftmost key-named column, tried first) and `id` is unique.
fn wide(code: impl Fn(usize) -> String, id_offset: usize) -> Table {
    let mut t = String::from("code,id,amount\n");
    for row in 0..30_000 {
        t.push_str(&format!("{},{},{}\n", code(row), row + id_offset, row % 89));
    }
    table(&t)
}

/// The comparison checks a key judged on the samples instead of reading
/// every row first; whatever it finds, the answer is the one of checking
/// first (`complete_config`, then `compare`), figures and notes included.
#[test]
fn a_key_checked_by_the_comparison_gives_the_answer_of_checking_first() {
    let plain = |row: usize| format!("C{row}");
    let cases = [
        // Unique everywhere: the comparison confirms it.
        ("unique", wide(plain, 0), wide(plain, 0), Some("code")),
        // Repeated only in rows the samples skip: `id` is the key.
        (
            "repeated unsampled",
            wide(|r| format!("C{}", if unsampled(r) { r - 1 } else { r }), 0),
            wide(plain, 0),
            Some("id"),
        ),
        // Empty in five rows the samples skip: still the key, not exact.
        (
            "empty unsampled",
            wide(
                |r| {
                    if unsampled(r) && r < 15 {
                        String::new()
                    } else {
                        format!("C{r}")
                    }
                },
                0,
            ),
            wide(plain, 0),
            Some("code"),
        ),
        // Found on both sides for a third of the rows only: no key.
        (
            "mostly unmatched",
            wide(plain, 0),
            wide(
                |r| {
                    if unsampled(r) {
                        format!("C{r}")
                    } else {
                        format!("D{r}")
                    }
                },
                20_000,
            ),
            None,
        ),
    ];
    for (name, left, right, key) in cases {
        same_as_checking_first(name, &left, &right, &CompareConfig::default(), key);
    }
    // The key taken as exact holds an ignored column: the one used is
    // checked on every row too.
    let ignoring = CompareConfig {
        ignore: vec!["code".into()],
        ..CompareConfig::default()
    };
    same_as_checking_first(
        "ignored",
        &wide(plain, 0),
        &wide(plain, 0),
        &ignoring,
        Some("id"),
    );
    // Letter case ignored: the comparison would match the codes, which
    // the key search (reading them as written) finds on one side only.
    let mut any_case = CompareConfig::default();
    any_case.rules.ignore_case = true;
    let lower = wide(|r| format!("c{r}"), 1_000_000);
    same_as_checking_first("any case", &wide(plain, 0), &lower, &any_case, None);
}

/// `compare` on `left` and `right` with `config` gives what completing the
/// configuration (keys checked on every row) and then comparing gives, and
/// uses `key`, with figures measured on every row.
fn same_as_checking_first(
    name: &str,
    left: &Table,
    right: &Table,
    config: &CompareConfig,
    key: Option<&str>,
) {
    let ctl = crate::progress::Control::default();
    let checked = compare(left, right, config, ctl).unwrap();
    let first = complete_config(left, right, config, ctl).unwrap();
    let expected = annotate(
        compare_as_configured(left, right, &first.config, ctl).unwrap(),
        first,
    );
    assert_eq!(checked, expected, "{name}");
    let used = checked.suggested.as_ref().and_then(|s| s.key.as_ref());
    assert_eq!(used.map(|k| k.left[0].as_str()), key, "{name}");
    assert!(used.is_none_or(|k| !k.sampled), "{name}");
}

/// The library's `compare`, given the default configuration (which asks
/// for suggestions), fills in the key as the command line does; the
/// comparison as configured pairs the rows by content instead.
#[test]
fn the_librarys_compare_honours_use_suggestions() {
    let left = table("id,v\n1,a\n2,b\n3,c\n");
    let right = table("id,v\n3,c\n2,x\n1,a\n");
    let ctl = crate::progress::Control::default();
    let config = CompareConfig::default();
    assert!(config.use_suggestions);
    let suggested = crate::compare(&left, &right, &config, ctl).unwrap();
    let key = suggested.suggested.as_ref().and_then(|s| s.key.as_ref());
    assert_eq!(key.map(|k| k.label()), Some("id".to_string()));
    assert_eq!(suggested.summary.changed, 1);
    let as_configured = compare_as_configured(&left, &right, &config, ctl).unwrap();
    assert!(as_configured.suggested.is_none() && as_configured.keys.is_empty());
}
