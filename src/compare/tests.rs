use super::*;
use crate::table::{load_bytes, LoadOptions};

fn table(text: &str) -> Table {
    load_bytes("t.csv", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
}

fn keyed(key: &str) -> CompareConfig {
    CompareConfig {
        keys: vec![ColumnPair::new(key, key)],
        ..CompareConfig::default()
    }
}

fn run(l: &str, r: &str, cfg: &CompareConfig) -> (CompareResult, Table, Table) {
    let (lt, rt) = (table(l), table(r));
    let res = compare_as_configured(&lt, &rt, cfg, Control::default()).unwrap();
    (res, lt, rt)
}

/// (status, key, changed left column names) of every result row.
fn described(
    res: &CompareResult,
    l: &Table,
    r: &Table,
) -> Vec<(RowStatus, Vec<String>, Vec<String>)> {
    res.rows
        .iter()
        .map(|row| {
            let key = res
                .key_values(&row, l, r)
                .into_iter()
                .map(String::from)
                .collect();
            let cols = res
                .changed_pairs(&row)
                .iter()
                .map(|&p| res.pairs[p as usize].left.clone())
                .collect();
            (row.status, key, cols)
        })
        .collect()
}

#[test]
fn keyed_comparison_finds_changed_added_and_removed_rows() {
    let (res, l, r) = run(
        "id,name,amount\n1,a,10\n2,b,20\n3,c,30\n",
        "id,name,amount\n3,c,31\n1,a,10\n4,d,40\n",
        &keyed("id"),
    );
    let s = &res.summary;
    assert_eq!(
        (s.matched, s.identical, s.changed, s.only_left, s.only_right),
        (2, 1, 1, 1, 1)
    );
    assert_eq!(
        described(&res, &l, &r),
        vec![
            (RowStatus::OnlyLeft, vec!["2".into()], vec![]),
            (RowStatus::Changed, vec!["3".into()], vec!["amount".into()]),
            (RowStatus::OnlyRight, vec!["4".into()], vec![]),
        ]
    );
    assert_eq!(res.columns[1].differences, 1);
    assert_eq!(res.columns[1].max_difference, Some(1.0));
    let changed = &res.rows.get(1);
    assert_eq!((changed.left, changed.right), (Some(2), Some(0)));
    assert_eq!(l.line_of(changed.left.unwrap() as usize), 4);
}

#[test]
fn key_names_may_differ_and_renamed_columns_are_mapped() {
    let cfg = CompareConfig {
        keys: vec![ColumnPair::new("id", "ID")],
        mappings: vec![ColumnPair::new("amount", "amt")],
        ignore: vec!["note".into()],
        ..CompareConfig::default()
    };
    let (res, l, r) = run(
        "id,amount,note,extra\n1,5,x,y\n",
        "ID,amt,note\n1,6,z\n",
        &cfg,
    );
    assert_eq!(res.pairs.len(), 1);
    assert_eq!(
        (res.pairs[0].left.as_str(), res.pairs[0].right.as_str()),
        ("amount", "amt")
    );
    assert_eq!(res.left_only_columns, vec!["extra"]);
    assert!(res.right_only_columns.is_empty());
    assert_eq!(
        described(&res, &l, &r),
        vec![(RowStatus::Changed, vec!["1".into()], vec!["amount".into()])]
    );
}

#[test]
fn a_column_on_one_side_only_is_a_difference_unless_extra_columns_are_ignored() {
    let (left, right) = ("id,amount,extra,note\n1,5,y,a\n", "ID,amount\n1,5\n");
    let cfg = CompareConfig {
        keys: vec![ColumnPair::new("id", "ID")],
        ..CompareConfig::default()
    };
    let (res, _, _) = run(left, right, &cfg);
    assert_eq!(res.summary.changed, 0);
    assert_eq!(
        (
            res.summary.columns_only_left,
            res.summary.columns_only_right
        ),
        (2, 0)
    );
    assert!(res.summary.has_differences());
    let renamed: Vec<_> = res.renamed_columns().map(|p| (&p.left, &p.right)).collect();
    assert_eq!(renamed, [(&"id".to_string(), &"ID".to_string())]);

    // An ignored column is not one the files differ by.
    let ignoring = CompareConfig {
        ignore: vec!["extra".into(), "note".into()],
        ..cfg.clone()
    };
    let (res, _, _) = run(left, right, &ignoring);
    assert_eq!(res.summary.columns_only_left, 0);
    assert!(!res.summary.has_differences());

    // Extra columns set not to count are still listed.
    let extra = CompareConfig {
        ignore_extra_columns: true,
        ..cfg
    };
    let (res, _, _) = run(left, right, &extra);
    assert_eq!(res.left_only_columns, ["extra", "note"]);
    assert!(res.summary.extra_columns_ignored);
    assert!(!res.summary.has_differences());
}

#[test]
fn columns_whose_types_differ_are_named() {
    let cfg = CompareConfig {
        keys: vec![ColumnPair::new("id", "id")],
        ..CompareConfig::default()
    };
    let (res, _, _) = run(
        "id,n,when,none,same\n1,5,2024-01-02,,x\n2,6,2024-01-03,,y\n",
        "id,n,when,none,same\n1,5,02/01/2024,3,x\n2,n/a,03/01/2024,4,y\n",
        &cfg,
    );
    let differ: Vec<_> = res
        .type_differences()
        .map(|c| (c.left.as_str(), c.left_type.name(), c.right_type.name()))
        .collect();
    // `n` holds text on the right; `when` stays a date (another layout);
    // an empty column takes any type; `same` is text on both sides.
    assert_eq!(differ, [("n", "integer", "text")]);
    let none = res.columns.iter().find(|c| c.left == "none").unwrap();
    assert_eq!(
        (none.left_type.name(), none.right_type.name()),
        ("empty", "integer")
    );
}

#[test]
fn composite_keys() {
    let cfg = CompareConfig {
        keys: vec![ColumnPair::new("a", "a"), ColumnPair::new("b", "b")],
        ..CompareConfig::default()
    };
    let (res, ..) = run("a,b,v\n1,x,1\n1,y,2\n", "a,b,v\n1,y,2\n1,x,9\n", &cfg);
    assert_eq!(res.summary.matched, 2);
    assert_eq!(res.summary.changed, 1);
}

#[test]
fn duplicate_keys_are_reported_with_every_row_never_paired() {
    let (res, l, r) = run(
        "id,v\n1,a\n2,b\n2,c\n3,d\n",
        "id,v\n2,b\n3,x\n3,y\n5,e\n5,f\n",
        &keyed("id"),
    );
    let s = &res.summary;
    assert_eq!((s.duplicate_keys_left, s.duplicate_keys_right), (1, 2));
    assert_eq!((s.matched, s.only_left, s.only_right), (0, 1, 0));
    let rows: Vec<(RowStatus, Option<u32>, Option<u32>)> = res
        .rows
        .iter()
        .map(|r| (r.status, r.left, r.right))
        .collect();
    use RowStatus::*;
    assert_eq!(
        rows,
        vec![
            (OnlyLeft, Some(0), None),
            (Duplicate, Some(1), None),
            (Duplicate, Some(2), None),
            (Duplicate, None, Some(0)),
            (Duplicate, Some(3), None),
            (Duplicate, None, Some(1)),
            (Duplicate, None, Some(2)),
            (Duplicate, None, Some(3)),
            (Duplicate, None, Some(4)),
        ]
    );
    assert_eq!(res.key_values(&res.rows.get(7), &l, &r), vec!["5"]);
}

#[test]
fn positional_comparison_says_so() {
    let (res, ..) = run(
        "a,b\n1,2\n3,4\n5,6\n",
        "a,b\n1,2\n3,5\n",
        &CompareConfig {
            by_position: true,
            ..CompareConfig::default()
        },
    );
    assert_eq!(res.mode, Mode::Positional);
    assert!(res.keys.is_empty());
    assert!(res.notes[0].contains("row N"));
    let s = &res.summary;
    assert_eq!(
        (s.matched, s.changed, s.only_left, s.only_right),
        (2, 1, 1, 0)
    );
}

#[test]
fn rules_apply_globally_and_per_column() {
    let mut cfg = keyed("id");
    cfg.rules.trim = true;
    cfg.rules.null_tokens = vec!["NULL".into()];
    cfg.column_rules.insert(
        "price".into(),
        RuleOverrides {
            abs_tolerance: Some(0.01),
            ..Default::default()
        },
    );
    let (res, ..) = run(
        "id,name,price,qty,note\n1, ann ,1.50,1e3,NULL\n2,bob,2.00,5,x\n",
        "id,name,price,qty,note\n1,ann,1.505,1000,\n2,Bob,2.02,5,x\n",
        &cfg,
    );
    assert_eq!(res.summary.changed, 1);
    let row = &res.rows.get(0);
    let changed: Vec<&str> = res
        .changed_pairs(row)
        .iter()
        .map(|&p| res.pairs[p as usize].left.as_str())
        .collect();
    assert_eq!(changed, vec!["name", "price"]);
}

#[test]
fn unknown_columns_name_the_side_and_the_choices() {
    let l = table("id,a\n1,2\n");
    let r = table("key,a\n1,2\n");
    let e = compare_as_configured(&l, &r, &keyed("id"), Control::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("right file has no column named 'id'") && msg.contains("key, a"),
        "{msg}"
    );
}

#[test]
fn cancellation_stops_the_comparison() {
    let l = table("id,v\n1,2\n");
    let flag = std::sync::atomic::AtomicBool::new(true);
    let ctl = Control {
        progress: None,
        cancel: Some(&flag),
        ..Control::default()
    };
    assert!(matches!(
        compare_as_configured(&l, &l, &keyed("id"), ctl),
        Err(Error::Cancelled)
    ));
}

/// Pairs rows the slow, obvious way: a map from key to rows on each side.
/// A result row as (status, left row, right row).
type Plain = (RowStatus, Option<u32>, Option<u32>);

fn naive(l: &Table, r: &Table) -> (Summary, Vec<Plain>) {
    use std::collections::HashMap;
    let index = |t: &Table| {
        let mut m: HashMap<String, Vec<u32>> = HashMap::new();
        for i in 0..t.num_rows() {
            m.entry(t.cell(i, 0).to_string())
                .or_default()
                .push(i as u32);
        }
        m
    };
    let (li, ri) = (index(l), index(r));
    let mut s = Summary {
        left_rows: l.num_rows() as u64,
        right_rows: r.num_rows() as u64,
        ..Summary::default()
    };
    s.duplicate_keys_left = li.values().filter(|v| v.len() > 1).count() as u64;
    s.duplicate_keys_right = ri.values().filter(|v| v.len() > 1).count() as u64;
    let mut rows = Vec::new();
    for i in 0..l.num_rows() {
        let k = l.cell(i, 0);
        let (ls, rs) = (&li[k], ri.get(k));
        let dup = ls.len() > 1 || rs.is_some_and(|v| v.len() > 1);
        if dup {
            if ls[0] == i as u32 {
                rows.extend(ls.iter().map(|&x| (RowStatus::Duplicate, Some(x), None)));
                rows.extend(
                    rs.into_iter()
                        .flatten()
                        .map(|&x| (RowStatus::Duplicate, None, Some(x))),
                );
            }
            continue;
        }
        match rs {
            None => {
                s.only_left += 1;
                rows.push((RowStatus::OnlyLeft, Some(i as u32), None));
            }
            Some(v) => {
                s.matched += 1;
                let j = v[0] as usize;
                if (1..l.num_columns()).any(|c| l.cell(i, c) != r.cell(j, c)) {
                    s.changed += 1;
                    rows.push((RowStatus::Changed, Some(i as u32), Some(j as u32)));
                }
            }
        }
    }
    for j in 0..r.num_rows() {
        let k = r.cell(j, 0);
        if li.contains_key(k) {
            continue;
        }
        let rs = &ri[k];
        if rs.len() > 1 {
            if rs[0] == j as u32 {
                rows.extend(rs.iter().map(|&x| (RowStatus::Duplicate, None, Some(x))));
            }
        } else {
            s.only_right += 1;
            rows.push((RowStatus::OnlyRight, None, Some(j as u32)));
        }
    }
    s.identical = s.matched - s.changed;
    (s, rows)
}

#[test]
fn keyed_matching_agrees_with_a_naive_join_on_many_rows() {
    // Enough rows for many hash buckets, with repeated keys and changes.
    let mut state = 7u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut left = String::from("k,v\n");
    let mut right = String::from("k,v\n");
    for _ in 0..60_000 {
        left.push_str(&format!("{},{}\n", next() % 70_000, next() % 3));
        right.push_str(&format!("{},{}\n", next() % 70_000, next() % 3));
    }
    let (l, r) = (table(&left), table(&right));
    let res = compare_as_configured(&l, &r, &keyed("k"), Control::default()).unwrap();
    let (summary, rows) = naive(&l, &r);
    assert_eq!(res.summary, summary);
    let got: Vec<_> = res
        .rows
        .iter()
        .map(|x| (x.status, x.left, x.right))
        .collect();
    assert_eq!(got, rows);
    assert!(
        summary.duplicate_keys_left > 100 && summary.changed > 100,
        "{summary:?}"
    );
}

fn by_content() -> CompareConfig {
    CompareConfig {
        use_suggestions: false,
        ..CompareConfig::default()
    }
}

/// A result row as (status, left line, right line, changed left columns).
type Placed = (RowStatus, Option<u64>, Option<u64>, Vec<String>);

/// Every result row, [`Placed`].
fn placed(res: &CompareResult, l: &Table, r: &Table) -> Vec<Placed> {
    res.rows
        .iter()
        .map(|row| {
            let changed = res
                .changed_pairs(&row)
                .iter()
                .map(|&p| res.pairs[p as usize].left.clone())
                .collect();
            (
                row.status,
                row.left.map(|i| l.line_of(i as usize)),
                row.right.map(|j| r.line_of(j as usize)),
                changed,
            )
        })
        .collect()
}

#[test]
fn without_a_key_rows_pair_by_content_in_any_order_counting_repeats() {
    use RowStatus::*;
    // Three copies of `a,1` against two: one is left over, on the left.
    let (res, l, r) = run(
        "x,y\na,1\nb,2\na,1\nc,3\na,1\n",
        "x,y\nc,3\na,1\nb,2\na,1\n",
        &by_content(),
    );
    assert_eq!(res.mode, Mode::Content);
    assert!(
        res.notes[0].contains("paired by their content"),
        "{:?}",
        res.notes
    );
    let s = &res.summary;
    assert_eq!(
        (s.matched, s.identical, s.only_left, s.only_right),
        (4, 4, 1, 0)
    );
    assert_eq!(placed(&res, &l, &r), [(OnlyLeft, Some(6), None, vec![])]);
}

#[test]
fn a_row_left_over_pairs_with_the_row_clearly_most_like_it() {
    use RowStatus::*;
    let (res, l, r) = run(
        "id,name,city,age\n1,Ann,Oslo,30\n2,Bob,Rome,41\n3,Cy,Lima,52\n4,Dee,Kiev,63\n",
        // Bob's age edited and moved; Cy replaced by someone else entirely;
        // Dee's name and city edited (only half her cells equal).
        "id,name,city,age\n2,Bob,Rome,42\n1,Ann,Oslo,30\n9,Eve,Pune,25\n4,Dora,Kyiv,63\n",
        &by_content(),
    );
    assert_eq!(
        placed(&res, &l, &r),
        [
            (Changed, Some(3), Some(2), vec!["age".to_string()]),
            (OnlyLeft, Some(4), None, vec![]),
            (OnlyLeft, Some(5), None, vec![]),
            (OnlyRight, None, Some(4), vec![]),
            (OnlyRight, None, Some(5), vec![]),
        ]
    );
    assert!(
        res.notes[0].contains("1 row paired with the right row most like it"),
        "{:?}",
        res.notes
    );
}

#[test]
fn a_row_with_two_equally_close_partners_stays_on_its_side() {
    let (res, ..) = run("a,b,c\n1,2,3\n", "a,b,c\n1,2,4\n1,2,5\n", &by_content());
    let s = &res.summary;
    assert_eq!((s.matched, s.only_left, s.only_right), (0, 1, 2));
}

#[test]
fn with_no_column_compared_rows_are_repeats_of_one_empty_content() {
    let mut cfg = by_content();
    cfg.ignore = vec!["a".into(), "b".into()];
    let (res, ..) = run("a,b\n1,x\n2,y\n", "a,b\n1,z\n", &cfg);
    let s = &res.summary;
    assert_eq!(
        (s.matched, s.identical, s.only_left, s.only_right),
        (1, 1, 1, 0)
    );
}

#[test]
fn empty_cells_are_part_of_a_rows_content_and_rules_apply() {
    let mut cfg = by_content();
    cfg.rules.trim = true;
    let (res, ..) = run("a,b,c\nx,,1\ny, z ,2\n", "a,b,c\ny,z,2\nx,,1\n", &cfg);
    assert!(!res.summary.has_differences(), "{:?}", res.summary);
    assert_eq!(res.summary.identical, 2);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A small table: unique-ish integer keys with a few values each.
    fn rows() -> impl Strategy<Value = Vec<(u8, u8, String)>> {
        proptest::collection::vec((0u8..40, 0u8..4, "[a-c]{0,2}"), 0..30)
    }

    fn csv(rows: &[(u8, u8, String)]) -> String {
        let mut s = String::from("id,n,t\n");
        for (k, n, t) in rows {
            s.push_str(&format!("{k},{n},{t}\n"));
        }
        s
    }

    fn signature(
        res: &CompareResult,
        l: &Table,
        r: &Table,
    ) -> Vec<(RowStatus, Vec<String>, Vec<String>)> {
        let mut d = described(res, l, r);
        d.sort_by(|a, b| (a.0.name(), &a.1).cmp(&(b.0.name(), &b.1)));
        d
    }

    proptest! {
        #[test]
        fn swapping_sides_swaps_only_left_and_only_right(a in rows(), b in rows()) {
            let (ab, ..) = run(&csv(&a), &csv(&b), &keyed("id"));
            let (ba, ..) = run(&csv(&b), &csv(&a), &keyed("id"));
            let (x, y) = (&ab.summary, &ba.summary);
            prop_assert_eq!(x.only_left, y.only_right);
            prop_assert_eq!(x.only_right, y.only_left);
            prop_assert_eq!(x.matched, y.matched);
            prop_assert_eq!(x.changed, y.changed);
            prop_assert_eq!(x.duplicate_keys_left, y.duplicate_keys_right);
        }

        #[test]
        fn shuffling_rows_changes_nothing(a in rows(), b in rows(), seed in any::<u64>()) {
            let mut shuffled = b.clone();
            // A deterministic shuffle from the seed.
            let mut s = seed | 1;
            for i in (1..shuffled.len()).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                shuffled.swap(i, (s % (i as u64 + 1)) as usize);
            }
            let (r1, l1, rt1) = run(&csv(&a), &csv(&b), &keyed("id"));
            let (r2, l2, rt2) = run(&csv(&a), &csv(&shuffled), &keyed("id"));
            prop_assert_eq!(&r1.summary, &r2.summary);
            prop_assert_eq!(signature(&r1, &l1, &rt1), signature(&r2, &l2, &rt2));
        }

        #[test]
        fn without_a_key_a_shuffled_copy_has_no_differences(a in rows(), seed in any::<u64>()) {
            let mut shuffled = a.clone();
            let mut s = seed | 1;
            for i in (1..shuffled.len()).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                shuffled.swap(i, (s % (i as u64 + 1)) as usize);
            }
            let (res, ..) = run(&csv(&a), &csv(&shuffled), &by_content());
            prop_assert!(!res.summary.has_differences(), "{:?}", res.summary);
        }

        #[test]
        fn without_a_key_every_row_common_to_both_files_is_found(a in rows(), b in rows()) {
            // The naive reference: rows common to both files, counted with
            // their repeats.
            let mut rest = b.clone();
            let common = a.iter().filter(|row| match rest.iter().position(|x| x == *row) {
                Some(i) => { rest.swap_remove(i); true }
                None => false,
            }).count() as u64;
            let (res, ..) = run(&csv(&a), &csv(&b), &by_content());
            let s = &res.summary;
            prop_assert!(s.identical >= common, "{s:?}, {common} in common");
            prop_assert_eq!(s.matched + s.only_left, a.len() as u64);
            prop_assert_eq!(s.matched + s.only_right, b.len() as u64);
            prop_assert_eq!(s.identical + s.changed, s.matched);
        }

        #[test]
        fn a_file_compared_with_itself_has_no_differences(a in rows()) {
            let text = csv(&a);
            let (res, ..) = run(&text, &text, &keyed("id"));
            prop_assert_eq!(res.summary.changed, 0);
            prop_assert_eq!(res.summary.only_left + res.summary.only_right, 0);
            // Only repeated keys show up, once per side for each of their rows.
            prop_assert!(res.rows.iter().all(|r| r.status == RowStatus::Duplicate));
            let on_left = res.rows.iter().filter(|r| r.left.is_some()).count();
            prop_assert_eq!(on_left * 2, res.rows.len());
            let (pos, ..) = run(&text, &text, &CompareConfig::default());
            prop_assert!(!pos.summary.has_differences());
            prop_assert!(pos.rows.is_empty());
        }

        #[test]
        fn summary_counts_add_up(a in rows(), b in rows()) {
            let (res, ..) = run(&csv(&a), &csv(&b), &keyed("id"));
            let s = &res.summary;
            prop_assert_eq!(s.identical + s.changed, s.matched);
            let dup_rows = res.rows.iter().filter(|r| r.status == RowStatus::Duplicate).count() as u64;
            let left_dup_rows = res.rows.iter().filter(|r| r.status == RowStatus::Duplicate && r.left.is_some()).count() as u64;
            prop_assert_eq!(s.matched + s.only_left + left_dup_rows, s.left_rows);
            prop_assert_eq!(s.matched + s.only_right + (dup_rows - left_dup_rows), s.right_rows);
        }
    }
}

#[test]
fn empty_keys_pair_with_nothing_and_are_counted_in_a_note() {
    let mut cfg = keyed("id");
    cfg.rules.null_tokens = vec!["NULL".into()];
    let (res, l, r) = run("id,v\n,a\nNULL,b\n1,c\n", "id,v\n,a\n1,c\nNULL,b\n", &cfg);
    let s = &res.summary;
    assert_eq!(
        (s.matched, s.only_left, s.only_right, s.duplicate_keys_left),
        (1, 2, 2, 0)
    );
    let statuses: Vec<_> = described(&res, &l, &r).into_iter().map(|d| d.0).collect();
    assert_eq!(
        statuses,
        [
            RowStatus::OnlyLeft,
            RowStatus::OnlyLeft,
            RowStatus::OnlyRight,
            RowStatus::OnlyRight
        ]
    );
    assert!(
        res.notes
            .iter()
            .any(|n| n.contains("2 left rows and 2 right rows have an empty key")),
        "{:?}",
        res.notes
    );
    // A composite key with one empty part is empty too, as in SQL.
    let cfg = CompareConfig {
        keys: vec![ColumnPair::new("a", "a"), ColumnPair::new("b", "b")],
        ..CompareConfig::default()
    };
    let (res, _, _) = run("a,b,v\nx,,1\nx,y,2\n", "a,b,v\nx,,1\nx,y,2\n", &cfg);
    assert_eq!((res.summary.matched, res.summary.only_left), (1, 1));
}

#[test]
fn null_tokens_keep_a_column_numeric() {
    let mut cfg = keyed("id");
    cfg.rules.null_tokens = vec!["NULL".into()];
    let (res, _, _) = run(
        "id,amount\n1,1.50\n2,NULL\n3,2\n",
        "id,amount\n1,1.5\n2,NULL\n3,2.0\n",
        &cfg,
    );
    assert_eq!(res.summary.changed, 0, "{:?}", res.rows);
}

#[test]
fn codes_keep_their_leading_zeros_in_a_whole_comparison() {
    let (res, _, _) = run(
        "id,zip\n1,02134\n2,10001\n3,007\n",
        "id,zip\n1,2134\n2,10001\n3,007\n",
        &keyed("id"),
    );
    assert_eq!(res.summary.changed, 1);
}

#[test]
fn every_option_that_names_a_column_is_checked() {
    let l = table("id,amount,when\n1,2,2024-01-01\n");
    let r = table("id,amt,when\n1,2,2024-01-01\n");
    let check = |cfg: CompareConfig, expect: &str| {
        let e = compare_as_configured(&l, &r, &cfg, Control::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(expect), "{msg}");
        assert!(
            msg.contains("id, amount, when") && msg.contains("id, amt, when"),
            "{msg}"
        );
    };
    check(
        CompareConfig {
            ignore: vec!["nosuch".into()],
            ..keyed("id")
        },
        "ignored columns names 'nosuch'",
    );
    let mut cfg = keyed("id");
    cfg.column_rules.insert(
        "nosuch".into(),
        RuleOverrides {
            trim: Some(true),
            ..Default::default()
        },
    );
    check(cfg, "a column rule names 'nosuch'");
    // A rule may name a column by its right-hand name.
    let mut cfg = keyed("id");
    cfg.mappings = vec![ColumnPair::new("amount", "amt")];
    cfg.column_rules.insert(
        "amt".into(),
        RuleOverrides {
            abs_tolerance: Some(1.0),
            ..Default::default()
        },
    );
    assert!(compare_as_configured(&l, &r, &cfg, Control::default()).is_ok());
    let mut cfg = keyed("id");
    cfg.rules.date_formats = vec!["%Q".into()];
    let e = compare_as_configured(&l, &r, &cfg, Control::default()).unwrap_err();
    assert!(
        e.to_string().contains("'%Q' is not a valid date format"),
        "{e}"
    );
}

#[test]
fn rules_reach_a_column_through_its_pair_on_either_side() {
    let mut cfg = keyed("id");
    cfg.mappings = vec![ColumnPair::new("amount", "amt")];
    cfg.column_rules.insert(
        "amount".into(),
        RuleOverrides {
            null_tokens: Some(vec!["NULL".into()]),
            ..Default::default()
        },
    );
    let right = cfg.rules_for_column(Side::Right, "amt");
    assert!(right.is_null("NULL"));
    assert!(cfg.rules_for_column(Side::Left, "amount").is_null("NULL"));
    assert!(!cfg.rules_for_column(Side::Left, "id").is_null("NULL"));
}

#[test]
fn pairing_shows_keys_pairs_and_leftovers_as_compare_would_use_them() {
    let l = table("id,name,amount,note\n1,a,5,x\n");
    let r = table("id,full_name,amount,extra\n1,a,5,y\n");
    let cfg = CompareConfig {
        mappings: vec![ColumnPair::new("name", "full_name")],
        ignore: vec!["note".to_string()],
        ..keyed("id")
    };
    let p = pairing(&l, &r, &cfg).unwrap();
    assert_eq!(p.keys, vec![ColumnPair::new("id", "id")]);
    let pairs: Vec<(&str, &str, bool)> = p
        .pairs
        .iter()
        .map(|c| (c.left.as_str(), c.right.as_str(), c.numeric))
        .collect();
    assert_eq!(
        pairs,
        [("name", "full_name", false), ("amount", "amount", true)]
    );
    assert!(p.left_only.is_empty(), "note is ignored, not left over");
    assert_eq!(p.right_only, ["extra"]);
    // The same errors as a comparison: a column used twice.
    let twice = CompareConfig {
        mappings: vec![ColumnPair::new("id", "amount")],
        ..keyed("id")
    };
    assert!(matches!(
        pairing(&l, &r, &twice),
        Err(Error::ColumnUsedTwice { .. })
    ));
}

#[test]
fn differences_only_in_case_or_spaces_are_pointed_out() {
    let (res, ..) = run(
        "id,name,city,code\n1,Ann,Oslo,a1\n2,Bob,Rome,b2\n3,Cy,Lima,c3\n",
        "id,name,city,code\n1,ANN,Oslo ,a1\n2,bob,Rome,B-2\n3,Cy, lima,C3\n",
        &keyed("id"),
    );
    let hints: Vec<&String> = res
        .notes
        .iter()
        .filter(|n| n.contains(" for this column"))
        .collect();
    assert_eq!(
        hints,
        [
            "all 2 differences in 'name' are in letter case: ignore case for this column to leave them out",
            "all 2 differences in 'city' are in letter case or spaces at the start or end: ignore case and trim spaces for this column to leave them out",
        ]
    );
    // `code` has a real difference (b2 / B-2) beside a case one: no note.
    assert!(!res.notes.iter().any(|n| n.contains("'code'")));
    // Spaces alone, and one difference.
    let (res, ..) = run("id,x\n1,a\n", "id,x\n1, a\n", &keyed("id"));
    assert!(res.notes.iter().any(|n| n == "the 1 difference in 'x' is in spaces at the start or end: trim spaces for this column to leave it out"), "{:?}", res.notes);
}

#[test]
fn rows_with_the_same_text_are_the_same_only_when_read_alike() {
    // The same text with the columns in another order: `a` and `b` differ.
    let (res, l, r) = run(
        "id,a,b\n1,x,y\n2,z,z\n",
        "id,b,a\n1,x,y\n2,z,z\n",
        &keyed("id"),
    );
    let changed = (
        RowStatus::Changed,
        vec!["1".to_string()],
        vec!["a".to_string(), "b".to_string()],
    );
    assert_eq!(described(&res, &l, &r), [changed]);
    assert_eq!(res.summary.identical, 1);
    // The same text read with another delimiter: other cells.
    let read = |text: &str, delimiter| {
        let opts = LoadOptions {
            delimiter: Some(delimiter),
            ..LoadOptions::default()
        };
        load_bytes("t.csv", text.as_bytes().to_vec(), &opts).unwrap()
    };
    let comma = read("a,b\n1;2,3\n", b',');
    let semicolon = read("a;b\n1;2,3\n", b';');
    let by_position = CompareConfig {
        by_position: true,
        ..CompareConfig::default()
    };
    let res = compare_as_configured(&comma, &semicolon, &by_position, Control::default()).unwrap();
    assert_eq!(
        (res.summary.matched, res.summary.changed),
        (1, 1),
        "{:?}",
        res.summary
    );
}

#[test]
fn rows_a_builder_wrote_are_the_same_only_when_their_fields_end_alike() {
    // Tables from Arrow data hold their fields' text with a comma between
    // them, unquoted: "1", "a,b", "c" and "1", "a", "b,c" are the same
    // text, cut elsewhere.
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use std::sync::Arc;
    let table = |a: [&str; 2], b: [&str; 2]| {
        let batch = RecordBatch::try_from_iter([
            (
                "id",
                Arc::new(StringArray::from(vec!["1", "2"])) as ArrayRef,
            ),
            (
                "a",
                Arc::new(StringArray::from(vec![a[0], a[1]])) as ArrayRef,
            ),
            (
                "b",
                Arc::new(StringArray::from(vec![b[0], b[1]])) as ArrayRef,
            ),
        ])
        .unwrap();
        let schema = batch.schema();
        crate::table::table_from_arrow("t", schema, [Ok(batch)].into_iter(), Control::default())
            .unwrap()
    };
    let left = table(["a,b", "x"], ["c", "y"]);
    let right = table(["a", "x"], ["b,c", "y"]);
    let res = compare_as_configured(&left, &right, &keyed("id"), Control::default()).unwrap();
    assert_eq!(
        (res.summary.identical, res.summary.changed),
        (1, 1),
        "{:?}",
        res.summary
    );
    assert_eq!(res.columns[0].differences + res.columns[1].differences, 2);
}
