//! A keyed comparison of two tables held as Arrow columns
//! ([`ArrowTable`]: Parquet and Arrow files, frames), where most rows are
//! usually the same on both sides.
//!
//! A value's text depends on its type and value alone (see
//! `table::columnar`), so two rows whose compared columns hold the same
//! typed values hold the same text, which every rule reads as equal. When
//! such a pair's key is the only one of its kind on either side, the text
//! comparison counts the pair as matched and identical and says nothing
//! else of it. Those pairs are found on the Arrow columns here: keys
//! hashed (or, for one integer key whose values are close together, each
//! given its own place: see `dense`), values compared where Arrow holds
//! them. Only the other rows are
//! made text and compared as usual, as one partition of the whole tables
//! ([`compare_subset`]), which gives the result comparing the whole tables
//! as text gives, row for row, at a fraction of the work when few rows
//! differ.
//!
//! That holds when keys match by their exact text. The plan is declined
//! (`None`: the tables are then compared as text) when a key's rules trim,
//! ignore case or name null tokens; when a key column's type is one whose
//! text could be the same for different values (floats: every NaN is
//! `NaN`); and when a key or compared column has different types on the
//! two sides.

use super::partitioned::{compare_subset, Keep, Partitioned};
use super::{CompareConfig, Plan};
use crate::error::Result;
use crate::progress::Control;
use crate::table::{ArrowTable, Table};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{
    Array, ArrayRef, ArrowNativeTypeOp, ArrowPrimitiveType, BooleanArray, GenericStringArray,
    OffsetSizeTrait, PrimitiveArray, StringViewArray, UInt32Array,
};
use arrow_buffer::BooleanBuffer;
use arrow_buffer::NullBuffer;
use arrow_data::ByteView;
use arrow_ord::ord::make_comparator;
use arrow_schema::{DataType, SortOptions, TimeUnit};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// `$f!(T)` for the Arrow primitive type `T` of a key column of type `$t`
/// whose values are integers (also decimals, dates and timestamps), else
/// `$other`: the one list of the key types hashed from their native bytes
/// and paired by place (`dense`).
macro_rules! integer_keys {
    ($t:expr, $f:ident, $other:expr) => {
        match $t {
            DataType::Int8 => $f!(Int8Type),
            DataType::Int16 => $f!(Int16Type),
            DataType::Int32 => $f!(Int32Type),
            DataType::Int64 => $f!(Int64Type),
            DataType::UInt8 => $f!(UInt8Type),
            DataType::UInt16 => $f!(UInt16Type),
            DataType::UInt32 => $f!(UInt32Type),
            DataType::UInt64 => $f!(UInt64Type),
            DataType::Decimal32(..) => $f!(Decimal32Type),
            DataType::Decimal64(..) => $f!(Decimal64Type),
            DataType::Decimal128(..) => $f!(Decimal128Type),
            DataType::Date32 => $f!(Date32Type),
            DataType::Timestamp(TimeUnit::Second, _) => $f!(TimestampSecondType),
            DataType::Timestamp(TimeUnit::Millisecond, _) => $f!(TimestampMillisecondType),
            DataType::Timestamp(TimeUnit::Microsecond, _) => $f!(TimestampMicrosecondType),
            DataType::Timestamp(TimeUnit::Nanosecond, _) => $f!(TimestampNanosecondType),
            _ => $other,
        }
    };
}

mod dense;

/// Compares `left` with `right` by the key of `config` (complete: nothing
/// left to suggest), judging column types from `samples` (the rows the
/// whole tables' comparison samples, as `partitioned` takes them), or
/// `None` when the plan does not apply (see the module notes). The
/// differing rows are copied out, with `keep` saying where they go when
/// they outgrow memory.
pub fn compare(
    left: &ArrowTable,
    right: &ArrowTable,
    config: &CompareConfig,
    samples: (&Table, &Table),
    keep: Keep<'_>,
    ctl: Control<'_>,
) -> Result<Option<Partitioned>> {
    let shapes = (left.shape()?, right.shape()?);
    let plan = Plan::with_samples(&shapes.0, &shapes.1, config, samples)?;
    let exact_keys = plan
        .key_rules
        .iter()
        .all(|r| !r.normalizes_keys() && !r.nulls_beyond_empty());
    let keys: Vec<(usize, usize)> = plan
        .keys
        .iter()
        .map(|k| (k.left_index, k.right_index))
        .collect();
    let same_type =
        |&(l, r): &(usize, usize)| logical(left.data_type(l)) == logical(right.data_type(r));
    let key_types = keys
        .iter()
        .all(|k| same_type(k) && key_text_is_exact(logical(left.data_type(k.0))));
    let pairs: Vec<(usize, usize)> = plan
        .pairs
        .iter()
        .map(|p| (p.left_index, p.right_index))
        .collect();
    if keys.is_empty() || !exact_keys || !key_types || !pairs.iter().all(same_type) {
        return Ok(None);
    }
    let Some(split) = split(left, right, &keys, &pairs, ctl)? else {
        return Ok(None);
    };
    ctl.check()?;
    let (lt, rt) = rayon::join(|| left.rows(&split.left), || right.rows(&split.right));
    let (lt, rt) = (lt?, rt?);
    let done = compare_subset(
        (&lt, &rt),
        (&shapes.0, &shapes.1),
        plan,
        split.identical,
        keep,
        ctl,
    )?;
    Ok(Some(done))
}

/// Whether the typed plan may apply to a comparison by `config`, told
/// before the tables are read: a key is named, and its rules read keys as
/// written (rules the values show may still make the plan step aside).
pub fn may_apply(config: &CompareConfig) -> bool {
    !config.keys.is_empty()
        && config.keys.iter().all(|k| {
            let r = config.rules_for(&k.left, &k.right);
            !r.trim && !r.ignore_case && r.null_tokens.is_empty()
        })
}

/// The type of the values of a column of type `t`: a dictionary's values'
/// type (a column may keep its dictionary on one side and not the other).
fn logical(t: &DataType) -> &DataType {
    match t {
        DataType::Dictionary(_, values) => values,
        t => t,
    }
}

/// Whether a key column of type `t` has a different text for every value,
/// so that keys that are equal as text are equal as values: integers,
/// decimals, strings, dates, timestamps and booleans (not floats, whose
/// NaNs are all `NaN`, nor dates in milliseconds, which show only the day).
fn key_text_is_exact(t: &DataType) -> bool {
    use DataType::*;
    matches!(
        t,
        Int8 | Int16
            | Int32
            | Int64
            | UInt8
            | UInt16
            | UInt32
            | UInt64
            | Decimal32(..)
            | Decimal64(..)
            | Decimal128(..)
            | Utf8
            | LargeUtf8
            | Utf8View
            | Date32
            | Timestamp(..)
            | Boolean
    )
}

/// A column pair's pieces (a piece per batch) as [`same_values`] compares
/// them, with no dictionary left: two dictionaries of strings, small
/// beside the column, as each value's number among the distinct strings
/// of both ([`interned`]); any other dictionary as its values.
fn comparable(left: Vec<ArrayRef>, right: Vec<ArrayRef>) -> (Vec<ArrayRef>, Vec<ArrayRef>) {
    let dictionary = |a: &ArrayRef| matches!(a.data_type(), DataType::Dictionary(_, _));
    if !left.iter().chain(&right).any(dictionary) {
        return (left, right);
    }
    if let Some(numbers) = interned(&left, &right) {
        return numbers;
    }
    let plain = |pieces: Vec<ArrayRef>| -> Vec<ArrayRef> {
        pieces
            .into_iter()
            .map(|a| match a.as_any_dictionary_opt() {
                Some(d) => {
                    arrow_select::take::take(d.values().as_ref(), d.keys(), None).unwrap_or(a)
                }
                None => a,
            })
            .collect()
    };
    (plain(left), plain(right))
}

/// The keys of a dictionary column as indexes into its values (those of
/// null keys, any index; all 0 when there are no values, every key null).
fn dictionary_keys(array: &ArrayRef) -> Vec<usize> {
    let d = array.as_any_dictionary();
    match d.values().is_empty() {
        true => vec![0; array.len()],
        false => d.normalized_keys(),
    }
}

/// The number of a null in [`interned`] columns.
const NULL_NUMBER: u32 = u32::MAX;

/// Dictionaries of strings on both sides as numbers: the same number for
/// the same string on either side, in any piece, [`NULL_NUMBER`] for a
/// null. Each distinct string is hashed once, so it pays when the
/// dictionaries are small beside the column (`None` otherwise, or when a
/// piece is not such a dictionary).
fn interned(left: &[ArrayRef], right: &[ArrayRef]) -> Option<(Vec<ArrayRef>, Vec<ArrayRef>)> {
    let dictionaries = left
        .iter()
        .chain(right)
        .map(|a| a.as_any_dictionary_opt())
        .collect::<Option<Vec<_>>>()?;
    let values: usize = dictionaries.iter().map(|d| d.values().len()).sum();
    let rows: usize = dictionaries.iter().map(|d| d.keys().len()).sum();
    if values > rows / 8 {
        return None;
    }
    let mut numbers: std::collections::HashMap<&[u8], u32> = std::collections::HashMap::new();
    let mut each = Vec::with_capacity(dictionaries.len());
    for d in &dictionaries {
        let values = d.values();
        let strings: Vec<Option<&[u8]>> = match values.data_type() {
            DataType::Utf8 => values
                .as_string::<i32>()
                .iter()
                .map(|v| v.map(str::as_bytes))
                .collect(),
            DataType::LargeUtf8 => values
                .as_string::<i64>()
                .iter()
                .map(|v| v.map(str::as_bytes))
                .collect(),
            DataType::Utf8View => values
                .as_string_view()
                .iter()
                .map(|v| v.map(str::as_bytes))
                .collect(),
            _ => return None,
        };
        let codes: Vec<u32> = strings
            .into_iter()
            .map(|v| match v {
                None => NULL_NUMBER,
                Some(v) => {
                    let next = numbers.len() as u32;
                    *numbers.entry(v).or_insert(next)
                }
            })
            .collect();
        each.push(codes);
    }
    let numbered = |a: &ArrayRef, codes: &[u32]| -> ArrayRef {
        let nulls = a.logical_nulls();
        let keys = dictionary_keys(a);
        let values = (0..a.len()).map(|i| match nulls.as_ref().is_some_and(|n| n.is_null(i)) {
            true => NULL_NUMBER,
            false => codes.get(keys[i]).copied().unwrap_or(NULL_NUMBER),
        });
        Arc::new(UInt32Array::from_iter_values(values))
    };
    let mut codes = each.iter();
    let mut side = |pieces: &[ArrayRef]| -> Vec<ArrayRef> {
        pieces
            .iter()
            .map(|a| numbered(a, codes.next().expect("a code list per piece")))
            .collect()
    };
    let l = side(left);
    let r = side(right);
    Some((l, r))
}

/// Which of the pairs of a left batch's rows with their right partners
/// (`partners`: batch and row) hold the same value in the column pair
/// `left`, `right` (a piece per right batch), nulls equal to nulls. The
/// pairs are compared column by column, which reads each right column
/// alone at random, where reading whole rows at random would miss the
/// cache at every value. `None` when the columns cannot be compared.
fn same_values(
    left: &ArrayRef,
    right: &[ArrayRef],
    partners: &[(u32, u32)],
) -> Option<BooleanBuffer> {
    macro_rules! primitive {
        ($t:ty) => {
            same_by::<PrimitiveArray<$t>>(left, right, partners)
        };
    }
    Some(match left.data_type() {
        DataType::Int8 => primitive!(Int8Type),
        DataType::Int16 => primitive!(Int16Type),
        DataType::Int32 => primitive!(Int32Type),
        DataType::Int64 => primitive!(Int64Type),
        DataType::UInt8 => primitive!(UInt8Type),
        DataType::UInt16 => primitive!(UInt16Type),
        DataType::UInt32 => primitive!(UInt32Type),
        DataType::UInt64 => primitive!(UInt64Type),
        DataType::Float32 => primitive!(Float32Type),
        DataType::Float64 => primitive!(Float64Type),
        DataType::Date32 => primitive!(Date32Type),
        DataType::Decimal128(..) => primitive!(Decimal128Type),
        DataType::Timestamp(TimeUnit::Second, _) => primitive!(TimestampSecondType),
        DataType::Timestamp(TimeUnit::Millisecond, _) => primitive!(TimestampMillisecondType),
        DataType::Timestamp(TimeUnit::Microsecond, _) => primitive!(TimestampMicrosecondType),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => primitive!(TimestampNanosecondType),
        DataType::Utf8 => same_by::<GenericStringArray<i32>>(left, right, partners),
        DataType::LargeUtf8 => same_by::<GenericStringArray<i64>>(left, right, partners),
        DataType::Utf8View => same_by::<StringViewArray>(left, right, partners),
        _ => return same_gathered(left, right, partners),
    })
}

/// A column whose values [`same_by`] compares, read at random on the
/// right. It asks for a right value's memory before it reads it: its
/// [`Column::far`] memory (a string's offset) rows before its
/// [`Column::near`] memory (the string the offset points to), which
/// comes rows before the value is read. Asked for ahead, the loads of
/// rows read at random overlap instead of waiting one after the other.
trait Column: Array {
    /// Rows ahead that [`Column::near`] is asked for; [`Column::far`],
    /// twice as many. Measured on 1M shuffled rows, a column on one core:
    /// 8-byte values 11-12 ms at 16 or 24 rows, 16-21 ms at 8; strings
    /// (offset, then text) 30-36 ms at 12, 35-43 ms at 8 and 4, 50-56 ms
    /// at 16.
    const AHEAD: usize = 12;
    /// Asks for the memory that value `j` is found by.
    #[inline(always)]
    fn far(&self, j: usize) {
        let _ = j;
    }
    /// Asks for the memory that value `j` is read from.
    fn near(&self, j: usize);
    /// Whether value `i` (set) is the same as `other`'s value `j` (set):
    /// for floats, the same bits, as the same text needs.
    fn same(&self, i: usize, other: &Self, j: usize) -> bool;
}

impl<T: ArrowPrimitiveType> Column for PrimitiveArray<T> {
    const AHEAD: usize = 16;
    #[inline(always)]
    fn near(&self, j: usize) {
        prefetch(self.values().as_ptr().wrapping_add(j))
    }
    #[inline(always)]
    fn same(&self, i: usize, other: &Self, j: usize) -> bool {
        self.value(i).is_eq(other.value(j))
    }
}

impl<O: OffsetSizeTrait> Column for GenericStringArray<O> {
    #[inline(always)]
    fn far(&self, j: usize) {
        prefetch(self.value_offsets().as_ptr().wrapping_add(j))
    }
    #[inline(always)]
    fn near(&self, j: usize) {
        let at = self.value_offsets()[j].as_usize();
        prefetch(self.value_data().as_ptr().wrapping_add(at))
    }
    #[inline(always)]
    fn same(&self, i: usize, other: &Self, j: usize) -> bool {
        self.value(i) == other.value(j)
    }
}

/// String views (polars' strings): a view holds a string's length, then
/// the string itself when it has at most 12 bytes, else its first 4 bytes
/// and where the rest is. Most strings are told apart, or found the same,
/// by their views alone.
impl Column for StringViewArray {
    #[inline(always)]
    fn far(&self, j: usize) {
        prefetch(self.views().as_ptr().wrapping_add(j))
    }
    #[inline(always)]
    fn near(&self, j: usize) {
        let view = ByteView::from(self.views()[j]);
        if view.length > INLINE {
            let data = &self.data_buffers()[view.buffer_index as usize];
            prefetch(data.as_ptr().wrapping_add(view.offset as usize))
        }
    }
    #[inline(always)]
    fn same(&self, i: usize, other: &Self, j: usize) -> bool {
        let (a, b) = (self.views()[i], other.views()[j]);
        let len = a as u32;
        if len != b as u32 {
            return false;
        }
        if len <= INLINE {
            // The length and the string's bytes, not the padding after them.
            let mask = u128::MAX >> (8 * (INLINE - len));
            return a & mask == b & mask;
        }
        // The length and the first 4 bytes, then the rest.
        a as u64 == b as u64 && self.value(i) == other.value(j)
    }
}

/// The longest string a view holds in itself.
const INLINE: u32 = 12;

/// Asks the processor to bring the memory at `p` into the cache (nothing
/// on processors without the instruction).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// [`same_values`] for columns of type `A`.
fn same_by<A: Column + 'static>(
    left: &ArrayRef,
    right: &[ArrayRef],
    partners: &[(u32, u32)],
) -> BooleanBuffer {
    fn view<A: 'static>(a: &ArrayRef) -> &A {
        a.as_any()
            .downcast_ref::<A>()
            .expect("a column of its type")
    }
    let l = view::<A>(left);
    let rs: Vec<&A> = right.iter().map(view::<A>).collect();
    let nulls = l.null_count() > 0 || rs.iter().any(|r| r.null_count() > 0);
    BooleanBuffer::collect_bool(l.len(), |i| {
        if let Some(&(b, j)) = partners.get(i + 2 * A::AHEAD) {
            rs[b as usize].far(j as usize);
        }
        if let Some(&(b, j)) = partners.get(i + A::AHEAD) {
            rs[b as usize].near(j as usize);
        }
        let (b, j) = (partners[i].0 as usize, partners[i].1 as usize);
        let r = rs[b];
        if !nulls {
            return l.same(i, r, j);
        }
        match (l.is_valid(i), r.is_valid(j)) {
            (true, true) => l.same(i, r, j),
            (a, b) => a == b,
        }
    })
}

/// [`same_values`] for other types: the right values gathered in the left
/// rows' order, then compared by Arrow's kernels.
fn same_gathered(
    left: &ArrayRef,
    right: &[ArrayRef],
    partners: &[(u32, u32)],
) -> Option<BooleanBuffer> {
    let arrays: Vec<&dyn Array> = right.iter().map(|a| a.as_ref()).collect();
    let at: Vec<(usize, usize)> = partners
        .iter()
        .map(|&(b, j)| (b as usize, j as usize))
        .collect();
    let gathered = arrow_select::interleave::interleave(&arrays, &at).ok()?;
    if let Ok(same) = arrow_ord::cmp::not_distinct(left, &gathered) {
        return Some(same.values().clone());
    }
    // Nested values, which the kernel does not compare.
    let compare = make_comparator(left.as_ref(), gathered.as_ref(), SortOptions::default()).ok()?;
    Some(BooleanBuffer::collect_bool(left.len(), |i| {
        compare(i, i) == Ordering::Equal
    }))
}

/// The rows of both sides that must be compared as text, and how many
/// identical pairs of rows were left out.
struct Split {
    left: Vec<u32>,
    right: Vec<u32>,
    identical: u64,
}

/// The hash of a key with an empty part (a null, or an empty string),
/// which matches nothing; no key hashes to it.
const EMPTY: u64 = 0;

/// One key column's values as the bytes that are hashed: a value's
/// native bytes, or a string's.
enum KeyValues<'a> {
    Fixed {
        data: &'a [u8],
        width: usize,
        array: &'a dyn Array,
    },
    Utf8(&'a GenericStringArray<i32>),
    LargeUtf8(&'a GenericStringArray<i64>),
    Utf8View(&'a StringViewArray),
    Boolean(&'a BooleanArray),
    /// A dictionary's values, by each row's key (`nulls`: the rows whose
    /// key, or the value it refers to, is null).
    Dictionary {
        keys: Vec<usize>,
        nulls: Option<NullBuffer>,
        values: Box<KeyValues<'a>>,
    },
}

impl<'a> KeyValues<'a> {
    /// `None` for a type that [`key_text_is_exact`] does not let through.
    fn of(array: &'a ArrayRef) -> Option<KeyValues<'a>> {
        Some(match array.data_type() {
            DataType::Utf8 => KeyValues::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => KeyValues::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View => KeyValues::Utf8View(array.as_string_view()),
            DataType::Boolean => KeyValues::Boolean(array.as_boolean()),
            DataType::Dictionary(_, _) => {
                let d = array.as_any_dictionary();
                KeyValues::Dictionary {
                    keys: dictionary_keys(array),
                    nulls: array.logical_nulls(),
                    values: Box::new(KeyValues::of(d.values())?),
                }
            }
            t => {
                macro_rules! fixed {
                    ($t:ty) => {{
                        let values = array.as_primitive::<$t>().values();
                        KeyValues::Fixed {
                            data: values.inner().as_slice(),
                            width: std::mem::size_of::<<$t as ArrowPrimitiveType>::Native>(),
                            array: array.as_ref(),
                        }
                    }};
                }
                integer_keys!(t, fixed, return None)
            }
        })
    }

    /// Value `i`'s bytes; `None` when it is empty (null, or an empty string).
    #[inline]
    fn bytes(&self, i: usize) -> Option<&[u8]> {
        let value: &[u8] = match self {
            KeyValues::Fixed { data, width, array } => {
                return array.is_valid(i).then(|| &data[i * width..(i + 1) * width]);
            }
            KeyValues::Dictionary {
                keys,
                nulls,
                values,
            } => {
                return match nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    true => None,
                    false => values.bytes(keys[i]),
                };
            }
            KeyValues::Boolean(a) => {
                return a
                    .is_valid(i)
                    .then_some(if a.value(i) { &[1] } else { &[0] });
            }
            KeyValues::Utf8(a) => a.is_valid(i).then(|| a.value(i).as_bytes())?,
            KeyValues::LargeUtf8(a) => a.is_valid(i).then(|| a.value(i).as_bytes())?,
            KeyValues::Utf8View(a) => a.is_valid(i).then(|| a.value(i).as_bytes())?,
        };
        (!value.is_empty()).then_some(value)
    }
}

/// The hash of each row's key on one side: equal keys hash alike
/// ([`EMPTY`] for a key with an empty part).
struct Keys {
    hashes: Vec<u64>,
}

impl Keys {
    /// `None` when a key column's type is not one keys are hashed from.
    fn new(table: &ArrowTable, columns: &[usize]) -> Option<Keys> {
        let pieces: Vec<Vec<ArrayRef>> = columns.iter().map(|&c| table.column(c)).collect();
        let mut hashes = Vec::with_capacity(table.num_rows());
        for (b, rows) in table.batch_rows().enumerate() {
            let values = pieces
                .iter()
                .map(|p| KeyValues::of(&p[b]))
                .collect::<Option<Vec<_>>>()?;
            let hashed = (0..rows.len()).into_par_iter().with_min_len(4096).map(|i| {
                let mut h = 0;
                for v in &values {
                    match v.bytes(i) {
                        Some(bytes) => h = xxh3_64_with_seed(bytes, h),
                        None => return EMPTY,
                    }
                }
                h.max(1)
            });
            hashes.par_extend(hashed);
        }
        Some(Keys { hashes })
    }

    /// The row of every hash held by one row, [`MANY`] for a hash held by
    /// more (a repeated key, or two keys that hash alike).
    fn index(&self) -> Index {
        // Two maps, of the hashes with the top bit clear and set, are
        // filled at the same time.
        let part = |top: u64| {
            let mut map =
                HashMap::with_capacity_and_hasher(self.hashes.len() / 2, Default::default());
            for (r, &h) in self.hashes.iter().enumerate() {
                if h != EMPTY && h >> 63 == top {
                    map.entry(h).and_modify(|v| *v = MANY).or_insert(r as u32);
                }
            }
            map
        };
        let (low, high) = rayon::join(|| part(0), || part(1));
        Index([low, high])
    }
}

/// The rows of one side's key hashes (see [`Keys::index`]).
struct Index([HashMap; 2]);

impl Index {
    /// The row that holds hash `h` ([`MANY`] when more than one does).
    fn get(&self, h: u64) -> Option<u32> {
        self.0[(h >> 63) as usize].get(&h).copied()
    }
}

/// The row of a hash held by more than one row.
const MANY: u32 = u32::MAX;

/// Hashes are already well spread: the map takes them as they are.
#[derive(Default)]
struct Spread(u64);

impl Hasher for Spread {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 hashes are hashed")
    }
    fn write_u64(&mut self, h: u64) {
        self.0 = h;
    }
}

type HashMap = hashbrown::HashMap<u64, u32, BuildHasherDefault<Spread>>;

/// Per left row, the right row that holds its key's hash when no other
/// right row does, else [`MANY`]; `None` when a key column's type is not
/// one keys are hashed from.
fn hashed_partners(
    left: &ArrowTable,
    right: &ArrowTable,
    keys: &[(usize, usize)],
) -> Option<Vec<u32>> {
    let lcols: Vec<usize> = keys.iter().map(|k| k.0).collect();
    let rcols: Vec<usize> = keys.iter().map(|k| k.1).collect();
    let (lk, right_index) = rayon::join(
        || Keys::new(left, &lcols),
        || Keys::new(right, &rcols).map(|k| k.index()),
    );
    let (lk, rindex) = (lk?, right_index?);
    Some(
        lk.hashes
            .par_iter()
            .with_min_len(4096)
            .map(|&h| match h {
                EMPTY => MANY,
                h => rindex.get(h).unwrap_or(MANY),
            })
            .collect(),
    )
}

/// Pairs the rows whose key is held by one row on each side and finds the
/// pairs whose values are all the same in the column pairs `pairs`; every
/// other row is to be compared as text. `None` when the keys cannot be
/// made rows or the values cannot be compared.
fn split(
    left: &ArrowTable,
    right: &ArrowTable,
    keys: &[(usize, usize)],
    pairs: &[(usize, usize)],
    ctl: Control<'_>,
) -> Result<Option<Split>> {
    // Per left row, the right row that holds its key when no other right
    // row does: by the key's place when it is one column of integers
    // close together (equal places are equal keys), else by its hash.
    let placed = match keys {
        [key] => dense::partners(left, right, *key),
        _ => None,
    };
    let keys_hashed = placed.is_none();
    let Some(mut partners) = placed.or_else(|| hashed_partners(left, right, keys)) else {
        return Ok(None);
    };
    // Then none when another left row claims the same right row (the key
    // is repeated on the left), and once the values are compared, none
    // unless they are the same.
    let mut claims = vec![0u8; right.num_rows()];
    for &r in &partners {
        if r != MANY {
            claims[r as usize] = claims[r as usize].saturating_add(1);
        }
    }
    for r in partners.iter_mut() {
        if *r != MANY && claims[*r as usize] > 1 {
            *r = MANY;
        }
    }
    drop(claims);
    // Keys paired by hash are compared as the values are: two keys that
    // hash alike are told apart there.
    let compared: Vec<(usize, usize)> = match keys_hashed {
        true => keys.iter().chain(pairs).copied().collect(),
        false => pairs.to_vec(),
    };
    let batches: Vec<std::ops::Range<usize>> = left.batch_rows().collect();
    if right.num_rows() > 0 {
        // Per left batch, each row's partner by its right batch and row.
        let at: Vec<Vec<(u32, u32)>> = batches
            .par_iter()
            .map(|rows| {
                partners[rows.clone()]
                    .iter()
                    .map(|&r| match r {
                        MANY => (0, 0),
                        r => {
                            let (b, j) = right.batch_of(r as usize);
                            (b as u32, j as u32)
                        }
                    })
                    .collect()
            })
            .collect();
        // Per column pair, per left batch, which pairs hold the same value.
        let same = compared
            .par_iter()
            .map(|&(l, r)| {
                ctl.check()?;
                let (lp, rp) = comparable(left.column(l), right.column(r));
                Ok(lp
                    .iter()
                    .zip(&at)
                    .map(|(piece, at)| same_values(piece, &rp, at))
                    .collect::<Option<Vec<_>>>())
            })
            .collect::<Result<Vec<_>>>()?;
        let Some(same) = same.into_iter().collect::<Option<Vec<_>>>() else {
            return Ok(None);
        };
        for (b, rows) in batches.iter().enumerate() {
            let all = same
                .iter()
                .skip(1)
                .fold(same.first().map(|s| s[b].clone()), |all, s| {
                    all.map(|a| &a & &s[b])
                });
            if let Some(all) = all {
                for (k, p) in partners[rows.clone()].iter_mut().enumerate() {
                    if !all.value(k) {
                        *p = MANY;
                    }
                }
            }
        }
    }
    let mut paired = vec![false; right.num_rows()];
    let mut left_rows = Vec::new();
    for (l, &r) in partners.iter().enumerate() {
        if r == MANY {
            left_rows.push(l as u32);
        } else {
            paired[r as usize] = true;
        }
    }
    let identical = (left.num_rows() - left_rows.len()) as u64;
    let right_rows = (0..right.num_rows() as u32)
        .filter(|&r| !paired[r as usize])
        .collect();
    Ok(Some(Split {
        left: left_rows,
        right: right_rows,
        identical,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{DictionaryArray, Int8Array, StringArray, UInt16Array};

    fn numbers(a: &ArrayRef) -> Vec<u32> {
        a.as_primitive::<UInt32Type>().values().to_vec()
    }

    #[test]
    fn strings_are_numbered_alike_across_dictionaries() {
        // The same strings in another order, under other key types, with a
        // null key and a null value; a string found on one side only.
        let keys = [Some(0), Some(1), None, Some(1), Some(0)];
        let left: ArrayRef = Arc::new(DictionaryArray::new(
            Int8Array::from(keys.repeat(20)),
            Arc::new(StringArray::from(vec!["x", "y"])),
        ));
        let right: ArrayRef = Arc::new(DictionaryArray::new(
            UInt16Array::from(vec![1, 0, 2, 3, 0]),
            Arc::new(StringArray::from(vec![
                Some("y"),
                Some("x"),
                None,
                Some("z"),
            ])),
        ));
        let (l, r) = interned(std::slice::from_ref(&left), std::slice::from_ref(&right)).unwrap();
        let (l, r) = (numbers(&l[0]), numbers(&r[0]));
        assert_eq!(l[0], r[0], "x");
        assert_eq!(l[1], r[1], "y");
        assert_ne!(l[0], l[1]);
        assert_eq!((l[2], r[2]), (NULL_NUMBER, NULL_NUMBER));
        assert!(r[3] != NULL_NUMBER && !l.contains(&r[3]), "z");
        // Dictionaries large beside their columns are left to be compared
        // as values.
        let both = std::slice::from_ref(&right);
        assert!(interned(both, both).is_none());
    }
}
