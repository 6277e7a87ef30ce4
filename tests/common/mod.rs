//! Helpers shared by the integration tests. Each test crate uses some of
//! them.

#![allow(dead_code)]

pub mod exports;
pub mod generate;

use std::process::{Command, Output};

/// Runs the `concord` binary with `args`, as a user would.
pub fn concord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .output()
        .expect("the concord binary runs")
}

/// Bytes of output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A small deterministic random number generator (xorshift), so that a
/// failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Checks that the overview's column names name the cells pages send (as
/// the results grid reads them: a row's cells by the position of their
/// column's name): each changed cell's values and each row's key are
/// found under their columns. Returns how many cells it checked.
pub fn columns_name_the_cells(w: &concord::backend::Workflow, id: &str) -> usize {
    use concord::backend::view::PageQuery;
    let overview = w.result_overview(id).unwrap();
    let query = PageQuery {
        limit: 10_000,
        ..PageQuery::default()
    };
    let page = w.page(id, &query, concord::Control::default()).unwrap();
    let at = |columns: &[String], values: &Option<Vec<String>>, name: &str| -> Option<String> {
        let i = columns.iter().position(|c| c == name)?;
        values.as_ref().map(|v| v[i].clone())
    };
    let mut checked = 0;
    for row in &page.rows {
        for change in &row.changes {
            let left = at(&overview.left.columns, &row.left_values, &change.column);
            let right = at(
                &overview.right.columns,
                &row.right_values,
                &change.right_column,
            );
            assert_eq!(left.as_deref(), Some(change.left.as_str()), "{row:?}");
            assert_eq!(right.as_deref(), Some(change.right.as_str()), "{row:?}");
            checked += 2;
        }
        let key = &overview.keys[0];
        let (columns, values, name) = match &row.left_values {
            Some(_) => (&overview.left.columns, &row.left_values, &key.left),
            None => (&overview.right.columns, &row.right_values, &key.right),
        };
        assert_eq!(
            at(columns, values, name).as_ref(),
            row.key.first(),
            "{row:?}"
        );
        checked += 1;
    }
    checked
}
