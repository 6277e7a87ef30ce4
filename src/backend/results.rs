//! Stored results: writing a comparison result as a blob in the current
//! format, reading it back in its own layout or an older one (formats 0 and
//! 1), and the rows kept beside a result of referenced files.

use super::format::{newer, RESULT_FORMAT, RESULT_MAGIC, RESULT_SAME_LAYOUT, RESULT_V1_LAYOUT};
use super::session::SessionState;
use super::store::SessionStore;
use crate::compare::result_v1::CompareResultV1;
use crate::compare::{CompareResult, Comparison};
use crate::error::{Error, Result, Side};
use crate::plan::{compare_loaded, Resources};
use crate::progress::Control;
use crate::table::Table;
use std::sync::Arc;

/// Makes again, from the stored inputs and settings, a current result that
/// was stored in a format this build no longer reads; it is kept in memory
/// until the session is compared again. A result that is not current, or
/// whose inputs are gone, is simply not shown.
pub(super) fn recompute(
    state: &SessionState,
    left: Option<&Table>,
    right: Option<&Table>,
    resources: &Resources,
    ctl: Control<'_>,
) -> Result<Option<Arc<CompareResult>>> {
    let (Some(left), Some(right), Some(_)) = (left, right, state.current_result()) else {
        return Ok(None);
    };
    let mut result = compare_loaded(left, right, &state.config, resources, ctl)?.result;
    result.notes.push(
        "the stored result was written by an older version of Concord in a format this version no longer reads; it was computed again from the stored files".to_string(),
    );
    Ok(Some(Arc::new(result)))
}

impl SessionStore {
    /// The kept rows `blob` of `result`, with the result pointing into
    /// them. Rows that cannot be read (removed by an older release's `gc`,
    /// say) are as good as none: the session then opens as if none were
    /// kept, which is what it can show without them.
    pub(super) fn kept_copies(&self, blob: &str, result: &CompareResult) -> Option<Comparison> {
        let (left, right) = self.read_kept(blob).ok()?;
        let named = |side| super::kept::named(result, side).count();
        if left.num_rows() != named(Side::Left) || right.num_rows() != named(Side::Right) {
            return None;
        }
        let result = crate::compare::partitioned::in_copies(result, &self.dir).ok()?;
        Some(Comparison::new(left, right, result))
    }

    /// Stores a comparison result as a blob (in [`RESULT_FORMAT`]); returns its hash.
    pub fn write_result(&self, result: &CompareResult) -> Result<String> {
        // Encoded as it is written: a result on disk is never all in memory.
        self.blobs.put_writer(|w| {
            w.write_all(RESULT_MAGIC)?;
            w.write_all(&RESULT_FORMAT.to_le_bytes())?;
            postcard::to_io(result, w)
                .map(|_| ())
                .map_err(std::io::Error::other)
        })
    }

    /// Stores the rows of `left` and `right` that `result` names (see
    /// [`super::kept`]); returns their hash.
    pub fn write_kept(
        &self,
        left: &Table,
        right: &Table,
        result: &CompareResult,
    ) -> Result<String> {
        self.blobs
            .put_writer(|w| super::kept::write(w, left, right, result))
    }

    /// Reads kept rows back as two tables, which hold up to the result's
    /// share of the memory budget and go to disk past it, as a result does.
    pub fn read_kept(&self, blob: &str) -> Result<(Table, Table)> {
        let len = std::fs::metadata(self.blobs.path(blob))
            .map_err(|e| Error::storage_from(format!("cannot read the kept rows {blob}"), e))?
            .len();
        let room = self.memory_limit().limits().result_bytes;
        self.blobs.read_with(blob, |src| {
            super::kept::read(src, len, &self.dir, room, blob)
        })
    }

    /// Reads a stored result. `Ok(None)` means it was written in an older
    /// format this build cannot read, so the caller recomputes it; a newer
    /// format is refused.
    pub(super) fn read_result(&self, session: &str, blob: &str) -> Result<Option<CompareResult>> {
        // The result is decoded as it is read, so its stored bytes are
        // never all in memory. The decoder holds one string at a time in
        // `scratch`: as long as the whole blob, it holds any string, and
        // its pages that no string reaches are never touched, so they take
        // no memory.
        let len = std::fs::metadata(self.blobs.path(blob)).map_or(0, |m| m.len());
        let mut scratch = vec![0u8; len as usize];
        self.blobs.read_with(blob, |src| {
            use std::io::BufRead;
            let head = src
                .fill_buf()
                .map_err(|e| Error::storage_from(format!("cannot read result {blob}"), e))?;
            // The first format had no header: its first bytes are the result's.
            let mut format = 0;
            if let Some(v) = head.strip_prefix(RESULT_MAGIC.as_slice()) {
                if let Some(v) = v.get(..4) {
                    format = u32::from_le_bytes(v.try_into().expect("four bytes"));
                    src.consume(8);
                }
            }
            if format > RESULT_FORMAT {
                let what = format!("the stored result of session '{session}'");
                return Err(newer(what, u64::from(format), RESULT_FORMAT));
            }
            // An older format is decoded in the layout it was written in;
            // one this build no longer reads (or that fails to decode) is
            // made again.
            let same = RESULT_SAME_LAYOUT.contains(&format);
            if !same && !RESULT_V1_LAYOUT.contains(&format) {
                return Ok(None);
            }
            // Rows past the result's share of the budget are decoded into
            // unnamed files in the data directory, as a comparison puts them.
            let room = self.memory_limit().limits().result_bytes;
            let decoded = crate::array::decoding_within(&self.dir, room, || {
                if same {
                    postcard::from_io::<CompareResult, _>((src, &mut scratch))
                } else {
                    postcard::from_io::<CompareResultV1, _>((src, &mut scratch))
                        .map(|(r, rest)| (r.into(), rest))
                }
            })
            .map_err(|e| {
                let to = self.dir.display();
                Error::storage_from(format!("cannot write the rows of result {blob} to {to}"), e)
            })?;
            match decoded {
                Ok((result, _)) => Ok(Some(result)),
                Err(_) if format < RESULT_FORMAT => Ok(None),
                Err(e) => Err(Error::Corrupt {
                    session: session.to_string(),
                    event: 0,
                    detail: format!("its stored result {blob} cannot be decoded: {e}"),
                }),
            }
        })
    }
}
