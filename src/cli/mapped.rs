//! The command line compares files mapped into memory
//! ([`concord::table::map_path`]) instead of copying them. If another program
//! cuts a mapped file short while Concord reads it, the kernel raises
//! `SIGBUS` on the lost pages, which would end the process with a bare "Bus
//! error". [`guard`] turns that into Concord's own message, naming the
//! files, and its exit code for errors. Exports are written to a temporary
//! file and renamed into place, so no half-written result is left behind.

use std::path::Path;
use std::sync::OnceLock;

/// The message the signal handler writes, made before it is installed:
/// a handler may not allocate.
static MESSAGE: OnceLock<Vec<u8>> = OnceLock::new();

/// Reports a `SIGBUS` while `files` are mapped as an error naming them.
pub(crate) fn guard(files: &[&Path]) {
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let text = format!(
        "concord: error: {} was cut short by another program while Concord was reading it; \
         no result was written\n",
        names.join(" or ")
    );
    if MESSAGE.set(text.into_bytes()).is_err() {
        return;
    }
    #[cfg(unix)]
    // SAFETY: the handler only reads a finished `OnceLock`, writes to
    // stderr and exits, all of which are safe in a signal handler.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}

#[cfg(unix)]
extern "C" fn on_sigbus(_signal: libc::c_int) {
    if let Some(message) = MESSAGE.get() {
        // SAFETY: `write` and `_exit` are async-signal-safe; the buffer
        // lives for the whole process.
        unsafe {
            libc::write(2, message.as_ptr().cast(), message.len());
        }
    }
    // SAFETY: as above; destructors must not run in a signal handler.
    unsafe { libc::_exit(super::TROUBLE) }
}

/// Maps `path`, cuts the file to nothing and reads the table's last cell,
/// for the test that a file cut short is reported as an error.
pub(crate) fn debug_cut_short(path: &Path) -> Result<i32, concord::Error> {
    guard(&[path]);
    let table = concord::table::map_path(path, &Default::default(), Default::default())?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|source| concord::Error::Read {
            path: path.display().to_string(),
            source,
        })?;
    let _ = file.set_len(0);
    let last = table.num_rows().saturating_sub(1);
    let cell = table.cell(last, table.num_columns() - 1).to_string();
    super::say!("read {cell} after the file was cut short");
    Ok(super::SAME)
}
