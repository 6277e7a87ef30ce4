//! `powercut`: Concord's stores under power cuts.
//!
//! ```text
//! powercut run --cuts N [--work DIR] [--seed S] [--big-rows R]
//! ```
//!
//! mounts a file system that keeps what was not made durable in a
//! volatile layer ([`disk`]), runs a writer process that does what users
//! do ([`writer`]), kills it at a random moment, cuts the power (drops the
//! volatile layer, or keeps a torn part of it), remounts what survived and
//! checks it in a fresh process ([`check`]), N times. It needs root and
//! `/dev/fuse`. The other subcommands (`writer`, `check`) are the child
//! processes it starts.

mod check;
mod disk;
mod fs;
mod writer;

use disk::{Chance, CutReport, Disk};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A small deterministic random number generator (xorshift64*), so that a
/// run can be replayed from its seed.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

impl Chance for Rng {
    fn below(&mut self, n: u64) -> u64 {
        Rng::below(self, n)
    }
}

/// The value after `--name` in `args`.
fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn number(args: &[String], name: &str, default: u64) -> Result<u64, String> {
    flag(args, name).map_or(Ok(default), |v| {
        v.parse()
            .map_err(|_| format!("{name} takes a number, not '{v}'"))
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args),
        Some("writer") => writer_main(&args),
        Some("check") => check_main(&args),
        _ => Err("usage: powercut run --cuts N [--work DIR] [--seed S] [--big-rows R]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("powercut: {why}");
            ExitCode::FAILURE
        }
    }
}

fn writer_main(args: &[String]) -> Result<(), String> {
    let need = |name| flag(args, name).ok_or(format!("writer needs {name}"));
    let places = writer::Places {
        data: need("--data")?.into(),
        exports: need("--exports")?.into(),
        big: [need("--left")?.into(), need("--right")?.into()],
    };
    writer::run(&places, number(args, "--seed", 1)?)
}

fn check_main(args: &[String]) -> Result<(), String> {
    let data = flag(args, "--data").ok_or("check needs --data")?;
    let facts = flag(args, "--facts").ok_or("check needs --facts")?;
    let text = std::fs::read_to_string(&facts).unwrap_or_default();
    match check::check(Path::new(&data), &check::Facts::read(&text)) {
        Ok(c) => {
            println!(
                "checked {} {} {} {} {}",
                c.sessions, c.events, c.blobs, c.values, c.files
            );
            Ok(())
        }
        Err(problems) => Err(problems.join("\n")),
    }
}

/// Totals over a run, for its report.
#[derive(Default)]
struct Totals {
    cuts: u64,
    cut: CutReport,
    checked: [u64; 5],
    writer_ms: u64,
    acknowledged: BTreeMap<String, u64>,
}

fn run(args: &[String]) -> Result<(), String> {
    let cuts = number(args, "--cuts", 100)?;
    let seed = number(args, "--seed", 1)?;
    let big_rows = number(args, "--big-rows", 220_000)?;
    let named = flag(args, "--work").map(PathBuf::from);
    let work = named
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("powercut-{}", std::process::id())));
    let mnt = work.join("mnt");
    let _ = std::process::Command::new("umount").arg(&mnt).output();
    std::fs::create_dir_all(&mnt).map_err(|e| format!("{}: {e}", mnt.display()))?;
    let inputs = work.join("inputs");
    let big = big_pair(&inputs, big_rows)?;
    let facts_path = work.join("facts.log");
    let log_path = work.join("writer.log");
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let disk = Arc::new(Mutex::new(Disk::default()));
    let mut totals = Totals::default();
    println!(
        "powercut: {cuts} cuts, seed {seed}, work in {} (big pair {} MB)",
        work.display(),
        (std::fs::metadata(&big[0]).map_or(0, |m| m.len())
            + std::fs::metadata(&big[1]).map_or(0, |m| m.len()))
            >> 20
    );
    for cut in 0..=cuts {
        if cut % EPOCH == 0 && cut < cuts {
            // A new disk now and then, so that what Concord does once (make
            // its data directory, its log, its first blobs) is cut too.
            *disk.lock().unwrap() = Disk::default();
            fold_counts(&mut totals.acknowledged, &facts_path);
            std::fs::write(&facts_path, "").map_err(|e| e.to_string())?;
        }
        let session = mount(&disk, &mnt)?;
        let data = mnt.join("data");
        if cut > 0 {
            let checked = run_check(&data, &facts_path).map_err(|why| {
                keep_evidence(&mnt, &work, cut);
                format!("after cut {cut} (seed {seed}):\n{why}")
            })?;
            for (t, c) in totals.checked.iter_mut().zip(checked) {
                *t += c;
            }
        }
        if cut == cuts {
            unmount(session, &mnt)?;
            break;
        }
        let delay = match rng.below(10) {
            0..=3 => 20 + rng.below(300),
            4..=7 => 300 + rng.below(1200),
            _ => 1500 + rng.below(2500),
        };
        let t = Instant::now();
        run_writer(
            &mnt,
            &big,
            &facts_path,
            &log_path,
            rng.below(u64::MAX),
            delay,
        )
        .map_err(|why| format!("cut {cut}: {why}"))?;
        totals.writer_ms += t.elapsed().as_millis() as u64;
        unmount(session, &mnt)?;
        let mut d = disk.lock().unwrap();
        let (after, report) = d.cut(&mut rng);
        *d = after;
        add(&mut totals.cut, &report);
        totals.cuts += 1;
        if (cut + 1) % 50 == 0 {
            println!(
                "  {} cuts, {:.0} s, disk {} MB",
                cut + 1,
                started.elapsed().as_secs_f64(),
                d.bytes() >> 20
            );
        }
    }
    fold_counts(&mut totals.acknowledged, &facts_path);
    report(&totals, started.elapsed());
    if named.is_none() {
        // Kept when a check fails (the error above returned first).
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(())
}

/// The longest a check may take (it opens every session).
const CHECK_TIMEOUT: Duration = Duration::from_secs(300);

/// Cuts between fresh disks.
const EPOCH: u64 = 10;

/// Adds the facts acknowledged in `facts` to `counts`.
fn fold_counts(counts: &mut BTreeMap<String, u64>, facts: &Path) {
    let text = std::fs::read_to_string(facts).unwrap_or_default();
    for (what, n) in check::Facts::read(&text).counts {
        *counts.entry(what).or_default() += n;
    }
}

fn add(total: &mut CutReport, r: &CutReport) {
    total.dirs_dropped += r.dirs_dropped;
    total.dirs_kept += r.dirs_kept;
    total.dirs_mixed += r.dirs_mixed;
    total.files_dropped += r.files_dropped;
    total.files_kept += r.files_kept;
    total.files_torn += r.files_torn;
}

fn report(totals: &Totals, took: Duration) {
    let [sessions, events, blobs, values, files] = totals.checked;
    let c = &totals.cut;
    println!(
        "powercut: {} cuts in {:.0} s (writers ran {:.0} s), every check passed",
        totals.cuts,
        took.as_secs_f64(),
        totals.writer_ms as f64 / 1000.0
    );
    println!("  acknowledged: {:?}", totals.acknowledged);
    println!(
        "  at the cuts: directories with unsynced entries dropped {}, kept {}, mixed {}; \
         files with unsynced writes dropped {}, kept {}, torn {}",
        c.dirs_dropped, c.dirs_kept, c.dirs_mixed, c.files_dropped, c.files_kept, c.files_torn
    );
    println!(
        "  checked: {sessions} sessions opened, {events} acknowledged events, {blobs} blobs, \
         {values} values, {files} exports"
    );
}

/// Mounts `disk` at `mnt`.
fn mount(disk: &Arc<Mutex<Disk>>, mnt: &Path) -> Result<fuser::BackgroundSession, String> {
    let mut config = fuser::Config::default();
    config.mount_options = vec![fuser::MountOption::FSName("powercut".into())];
    let fs = fs::PowerCutFs {
        disk: Arc::clone(disk),
    };
    fuser::spawn_mount(fs, mnt, &config).map_err(|e| {
        format!(
            "cannot mount the test file system at {}: {e} (powercut needs root and /dev/fuse)",
            mnt.display()
        )
    })
}

fn unmount(session: fuser::BackgroundSession, mnt: &Path) -> Result<(), String> {
    match session.umount_and_join() {
        Ok(()) => Ok(()),
        // The kernel may end the connection with requests still in flight
        // (a dead writer's pages written back as it unmounts): the session
        // then ends with ECONNABORTED, and every request it did answer is in
        // the disk. Only a mount still in place is a failure.
        Err(e) if !mounted(mnt) => {
            eprintln!("powercut: unmounted {} ({e})", mnt.display());
            Ok(())
        }
        Err(e) => Err(format!("cannot unmount {}: {e}", mnt.display())),
    }
}

/// Whether a file system is mounted at `mnt` (it is on another device
/// than its parent folder).
fn mounted(mnt: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let dev = |p: &Path| std::fs::metadata(p).map(|m| m.dev());
    match (dev(mnt), mnt.parent().map(dev)) {
        (Ok(a), Some(Ok(b))) => a != b,
        // A mount whose daemon is gone cannot even be looked at.
        _ => true,
    }
}

/// Copies what a failed check saw, for a person to look at.
fn keep_evidence(mnt: &Path, work: &Path, cut: u64) {
    let to = work.join(format!("failed-at-cut-{cut}"));
    let _ = Command::new("cp").arg("-a").arg(mnt).arg(&to).status();
    eprintln!(
        "powercut: the disk after the cut is copied to {}",
        to.display()
    );
}

fn run_check(data: &Path, facts: &Path) -> Result<[u64; 5], String> {
    let mut child = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .arg("check")
        .arg("--data")
        .arg(data)
        .arg("--facts")
        .arg(facts)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the check: {e}"))?;
    // A store that hangs after a cut is a failure too, not a stuck test.
    let deadline = Instant::now() + CHECK_TIMEOUT;
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "the check did not finish in {} s",
                CHECK_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{}{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let numbers: Vec<u64> = stdout
        .trim()
        .strip_prefix("checked ")
        .unwrap_or("")
        .split(' ')
        .filter_map(|n| n.parse().ok())
        .collect();
    numbers
        .try_into()
        .map_err(|_| format!("the check said '{stdout}'"))
}

/// Runs a writer for `delay` ms, then kills it with SIGKILL; its facts go
/// to `facts` as they are said.
fn run_writer(
    mnt: &Path,
    big: &[PathBuf; 2],
    facts: &Path,
    log: &Path,
    seed: u64,
    delay: u64,
) -> Result<(), String> {
    let stderr = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| e.to_string())?;
    let mut child = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .arg("writer")
        .arg("--data")
        .arg(mnt.join("data"))
        .arg("--exports")
        .arg(mnt.join("exports"))
        .arg("--left")
        .arg(&big[0])
        .arg("--right")
        .arg(&big[1])
        .arg("--seed")
        .arg(seed.to_string())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot start the writer: {e}"))?;
    let stdout = child.stdout.take().unwrap();
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(facts)
        .map_err(|e| e.to_string())?;
    let copier = std::thread::spawn(move || {
        // Only whole lines count: a fact cut off by the kill was not said.
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(out, "{line}");
        }
    });
    let deadline = Instant::now() + Duration::from_millis(delay);
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            let _ = copier.join();
            return Err(format!(
                "the writer stopped by itself ({status}); see {}",
                log.display()
            ));
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child
        .kill()
        .map_err(|e| format!("cannot kill the writer: {e}"))?;
    child.wait().map_err(|e| e.to_string())?;
    copier.join().map_err(|_| "the fact copier panicked")?;
    Ok(())
}

/// The big pair the writer compares, made once: `rows` rows a side, about
/// 100 bytes each, the right side with a row in 50 changed, a row in 200
/// removed and some added.
fn big_pair(dir: &Path, rows: u64) -> Result<[PathBuf; 2], String> {
    let paths = [dir.join("left.csv"), dir.join("right.csv")];
    let stamp = dir.join(format!("rows-{rows}"));
    if stamp.exists() {
        return Ok(paths);
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let header = "id,name,city,amount,date,quantity,status,note\n";
    let cities = ["Oslo", "Bergen", "Lyon", "Porto", "Turin", "Gdansk"];
    let mut left = String::from(header);
    let mut right = String::from(header);
    let mut rng = Rng::new(7);
    for i in 0..rows {
        let amount = rng.below(10_000_000);
        let line = |amount: u64| {
            format!(
                "{i},customer {i:08},{},{}.{:02},2026-{:02}-{:02},{},{},\"note, {}\"\n",
                cities[(i % 6) as usize],
                amount / 100,
                amount % 100,
                1 + i % 12,
                1 + i % 28,
                i % 97,
                if i % 3 == 0 { "open" } else { "closed" },
                i * 7919 % 100_003
            )
        };
        left.push_str(&line(amount));
        match rng.below(200) {
            0 => {}
            1..=4 => right.push_str(&line(amount + 1)),
            _ => right.push_str(&line(amount)),
        }
    }
    for i in rows..rows + rows / 500 {
        right.push_str(&format!(
            "{i},customer {i:08},Oslo,1.00,2026-01-01,1,open,new\n"
        ));
    }
    std::fs::write(&paths[0], left).map_err(|e| e.to_string())?;
    std::fs::write(&paths[1], right).map_err(|e| e.to_string())?;
    std::fs::write(&stamp, "").map_err(|e| e.to_string())?;
    Ok(paths)
}
