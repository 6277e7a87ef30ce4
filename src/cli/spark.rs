//! `concord compare --engine spark`: the comparison submitted to Apache
//! Spark with `spark-submit`, run by the Python package's `concord.spark`
//! (its engine is this library's). The command line only writes the job,
//! submits it, and says what it printed.

use super::say;
use concord::export::Format;
use concord::{CompareConfig, Error};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// The job it submits: the job folder's own (`python/spark-job/job.py`,
/// the package's `concord.spark.main`), so that the one users submit by
/// hand is the one the tests run.
const JOB: &str = include_str!("../../python/spark-job/job.py");

/// The line the job prints its result on (`concord.spark.RESULT_MARK`).
const RESULT_MARK: &str = "concord-spark-result ";

/// Where the comparison runs on Spark.
pub(crate) struct SparkRun<'a> {
    /// The master URL (`local[2]`, `yarn`, `spark://host:7077`, `k8s://...`).
    pub master: &'a str,
    /// The output directory (any path Spark writes: local, `hdfs://`, `s3a://`).
    pub output: &'a Path,
    /// Partitions both sides are split into (Spark's parallelism when `None`).
    pub partitions: Option<u32>,
}

/// The program that submits jobs: `CONCORD_SPARK_SUBMIT`, else
/// `spark-submit` on the path (pyspark's pip package installs one).
fn spark_submit() -> String {
    std::env::var("CONCORD_SPARK_SUBMIT").unwrap_or_else(|_| "spark-submit".to_string())
}

/// A local path as Spark should read it (absolute, since Spark may run
/// elsewhere than here); a URL (`s3a://`, `hdfs://`) as given.
fn for_spark(path: &Path) -> String {
    if path.exists() {
        if let Ok(p) = std::fs::canonicalize(path) {
            return p.display().to_string();
        }
    }
    path.display().to_string()
}

/// Compares `left` and `right` on Spark with `config` (completed there from
/// samples), prints the result in `format` (text or JSON), and returns the
/// exit status (0 same, 1 different).
pub(crate) fn compare(
    left: &Path,
    right: &Path,
    config: &CompareConfig,
    run: &SparkRun<'_>,
    format: Format,
) -> Result<i32, Error> {
    if !matches!(format, Format::Text | Format::Json) {
        return Err(Error::Invalid(format!(
            "with --engine spark the differing rows are written to --output as Parquet; --format takes text or json, not {}",
            format.name()
        )));
    }
    let job = tempfile::Builder::new()
        .prefix("concord-spark-job-")
        .suffix(".py")
        .tempfile()
        .map_err(|e| Error::Internal(format!("cannot write the Spark job: {e}")))?;
    job.as_file()
        .write_all(JOB.as_bytes())
        .map_err(|e| Error::Internal(format!("cannot write the Spark job: {e}")))?;
    let config = serde_json::to_string(config).map_err(|e| Error::Internal(e.to_string()))?;
    let submit = spark_submit();
    let mut cmd = Command::new(&submit);
    // Spark's own INFO lines would bury the result; WARN and worse still show.
    cmd.arg("--master")
        .arg(run.master)
        .args(["--conf", "spark.log.level=WARN"])
        .arg(job.path())
        .args(["--left", &for_spark(left), "--right", &for_spark(right)])
        .args(["--config", &config])
        .args(["--output", &for_spark(run.output)]);
    if let Some(n) = run.partitions {
        cmd.args(["--partitions", &n.to_string()]);
    }
    say!(
        "concord: submitting to Spark ({}) with {submit}",
        run.master
    );
    let mut child = cmd.stdout(Stdio::piped()).spawn().map_err(|e| {
        Error::Invalid(format!(
            "cannot run {submit}: {e}; install Spark (pip install pyspark) or name it in CONCORD_SPARK_SUBMIT"
        ))
    })?;
    let mut result = None;
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let Ok(line) = line else { break };
        match line.strip_prefix(RESULT_MARK) {
            Some(json) => result = Some(json.to_string()),
            None => println!("{line}"),
        }
    }
    let status = child
        .wait()
        .map_err(|e| Error::Internal(format!("{submit}: {e}")))?;
    let Some(result) = result else {
        return Err(Error::Invalid(format!(
            "the Spark job ended ({status}) without a result; its log is above (is the concord package installed where Spark runs Python?)"
        )));
    };
    let value: serde_json::Value = serde_json::from_str(&result)
        .map_err(|e| Error::Internal(format!("the Spark job's result: {e}")))?;
    if let Some(e) = value.get("error") {
        let message = e["message"].as_str().unwrap_or("the Spark job failed");
        return Err(Error::Invalid(format!(
            "{message} ({})",
            e["code"].as_str().unwrap_or("error")
        )));
    }
    print_result(&value, format);
    Ok(if value["differs"].as_bool().unwrap_or(true) {
        super::DIFFERENT
    } else {
        super::SAME
    })
}

/// The job's result as JSON, or as a few lines of text.
fn print_result(value: &serde_json::Value, format: Format) {
    if format == Format::Json {
        println!("{value}");
        return;
    }
    let s = &value["summary"];
    let n = |k: &str| s[k].as_u64().unwrap_or(0);
    println!(
        "{} rows left, {} right: {} matched ({} identical, {} changed), {} only left, {} only right",
        n("left_rows"),
        n("right_rows"),
        n("matched"),
        n("identical"),
        n("changed"),
        n("only_left"),
        n("only_right")
    );
    if let Some(out) = value["output"].as_str() {
        println!("differing rows and manifest.json in {out}");
        println!("to page, filter and export them: concord sessions import-result {out}");
    }
}
