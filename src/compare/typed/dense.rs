//! Pairing rows by one integer key whose values are close together, as
//! ids usually are: each key value has its own place in a table of the
//! right side's rows, found by subtracting the smallest key. No key is
//! hashed, no two keys share a place, so rows paired here hold equal keys
//! and their key columns need not be compared again.
//!
//! A key spread thinly (a range of values more than [`SPREAD`] times the
//! rows of both sides) would make the table mostly empty; such keys are
//! hashed instead (`None`).

use super::MANY;
use crate::table::ArrowTable;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, PrimitiveArray};
use arrow_schema::{DataType, TimeUnit};
use rayon::prelude::*;

/// How many places, at most, the table holds for each row of both sides.
const SPREAD: i128 = 2;

/// Per left row, the right row with the same value in key column `key`
/// when exactly one right row holds it, else [`MANY`] (none, several, or
/// a null key). `None` when the key is not a column of integers (also
/// dates, timestamps and decimals) on both sides, or is spread too thinly.
pub(super) fn partners(
    left: &ArrowTable,
    right: &ArrowTable,
    key: (usize, usize),
) -> Option<Vec<u32>> {
    let t = left.data_type(key.0);
    if t != right.data_type(key.1) {
        return None;
    }
    pieces(&left.column(key.0), &right.column(key.1), t)
}

/// [`partners`] for the pieces of a key column of type `t` on each side.
fn pieces(l: &[ArrayRef], r: &[ArrayRef], t: &DataType) -> Option<Vec<u32>> {
    macro_rules! by {
        ($t:ty) => {
            partners_by::<$t>(l, r)
        };
    }
    integer_keys!(t, by, None)
}

/// [`partners`] for key columns of type `T`.
fn partners_by<T: ArrowPrimitiveType>(left: &[ArrayRef], right: &[ArrayRef]) -> Option<Vec<u32>>
where
    T::Native: Into<i128> + Ord,
{
    // Each piece's own type is checked: a frame's producer may not keep
    // to its schema, and such pieces are hashed instead.
    let (l, r) = (primitives::<T>(left)?, primitives::<T>(right)?);
    let rows: usize = l.iter().chain(&r).map(|a| a.len()).sum();
    let (lo, hi) = l
        .iter()
        .chain(&r)
        .filter_map(|a| bounds(a))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))?;
    // Decimals reach past half of i128 either way: their span may not fit.
    let (lo, span) = (lo.into(), hi.into().checked_sub(lo.into())?);
    if span >= SPREAD * rows as i128 + 64 {
        return None;
    }
    // Each place holds 0 (no right row), a right row plus one, or MANY.
    // The table is filled in two halves at once, each by a thread that
    // reads every right key and writes those of its half.
    let mut places = vec![0u32; span as usize + 1];
    let half = places.len() / 2;
    let (low, high) = places.split_at_mut(half);
    rayon::join(|| fill(low, lo, &r), || fill(high, lo + half as i128, &r));
    let mut partners = Vec::with_capacity(l.iter().map(|a| a.len()).sum());
    for a in l {
        let found = (0..a.len())
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| match a.is_valid(i) {
                false => MANY,
                true => match places[(a.value(i).into() - lo) as usize] {
                    0 | MANY => MANY,
                    p => p - 1,
                },
            });
        partners.par_extend(found);
    }
    Some(partners)
}

/// `pieces` as arrays of `T`; `None` when one is not.
fn primitives<T: ArrowPrimitiveType>(pieces: &[ArrayRef]) -> Option<Vec<&PrimitiveArray<T>>> {
    pieces.iter().map(|a| a.as_primitive_opt::<T>()).collect()
}

/// The smallest and largest valid value of `a`, `None` when it has none.
fn bounds<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>) -> Option<(T::Native, T::Native)>
where
    T::Native: Ord,
{
    let both = |b: (T::Native, T::Native), v: T::Native| (b.0.min(v), b.1.max(v));
    if a.null_count() == 0 {
        let first = *a.values().first()?;
        Some(a.values().iter().copied().fold((first, first), both))
    } else {
        let mut valid = a.iter().flatten();
        let first = valid.next()?;
        Some(valid.fold((first, first), both))
    }
}

/// Writes in `places` (the places of the key values from `lo` on) each
/// right row whose key falls there, or [`MANY`] where several do.
fn fill<T: ArrowPrimitiveType>(places: &mut [u32], lo: i128, right: &[&PrimitiveArray<T>])
where
    T::Native: Into<i128>,
{
    let mut row = 0u32;
    for a in right {
        for i in 0..a.len() {
            row += 1;
            if !a.is_valid(i) {
                continue;
            }
            let at = a.value(i).into() - lo;
            if let Some(p) = usize::try_from(at).ok().and_then(|at| places.get_mut(at)) {
                *p = if *p == 0 { row } else { MANY };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Decimal128Array, Int64Array, UInt64Array};
    use std::sync::Arc;

    fn ints(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    fn pair(l: &[ArrayRef], r: &[ArrayRef]) -> Option<Vec<u32>> {
        pieces(l, r, l[0].data_type())
    }

    #[test]
    fn rows_pair_by_equal_keys_across_batches() {
        let left = [
            ints(&[Some(10), Some(11), None]),
            ints(&[Some(12), Some(13), Some(14), Some(14)]),
        ];
        let right = [
            ints(&[Some(13), Some(12)]),
            ints(&[Some(10), None, Some(11), Some(11), Some(14), Some(9)]),
        ];
        // 10 -> right row 2; 11 twice on the right; a null; 12 -> 1;
        // 13 -> 0; 14 once on the right, twice on the left (each left row
        // finds it: repeats on the left are the caller's to see).
        assert_eq!(pair(&left, &right), Some(vec![2, MANY, MANY, 1, 0, 6, 6]));
    }

    #[test]
    fn keys_spread_thinly_are_declined_and_beyond_i64_are_placed_right() {
        let left = [ints(&[Some(0), Some(1_000_000)])];
        assert_eq!(pair(&left, &left), None);
        let big = |v: &[u64]| -> ArrayRef { Arc::new(UInt64Array::from(v.to_vec())) };
        let left = [big(&[u64::MAX, u64::MAX - 1])];
        let right = [big(&[u64::MAX - 1, u64::MAX - 2, u64::MAX])];
        assert_eq!(pair(&left, &right), Some(vec![2, 0]));
        let decimals = |v: &[i128]| -> ArrayRef {
            Arc::new(
                Decimal128Array::from(v.to_vec())
                    .with_precision_and_scale(38, 0)
                    .unwrap(),
            )
        };
        let extremes = [decimals(&[-(10i128.pow(38)) + 1, 10i128.pow(38) - 1])];
        assert_eq!(pair(&extremes, &extremes), None);
        let close = [decimals(&[5, 3, 4])];
        assert_eq!(pair(&close, &[decimals(&[4, 5])]), Some(vec![1, MANY, 0]));
    }

    #[test]
    fn a_side_of_nulls_or_no_rows_pairs_nothing() {
        let left = [ints(&[Some(1), Some(2)])];
        let right = [ints(&[None, None])];
        assert_eq!(pair(&left, &right), Some(vec![MANY, MANY]));
        assert_eq!(pair(&right, &left), Some(vec![MANY, MANY]));
        assert_eq!(pair(&left, &[ints(&[])]), Some(vec![MANY, MANY]));
        assert_eq!(pair(&right, &right), None);
        // A piece of another type than the column's is hashed instead.
        let other: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![1]));
        assert_eq!(pair(&[left[0].clone(), other], &left), None);
    }
}
