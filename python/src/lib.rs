//! `concord._concord`: the engine for Python, translation only. Arguments
//! become the library's [`CompareOptions`] and [`LoadOptions`] (read as
//! the command line reads its flags), inputs become tables (a path read by
//! Concord's own readers, or Arrow data through Arrow's C stream
//! interface), and the result stays in Rust: Python reads its head (the
//! JSON export's, without rows), its rows as CSV and its exports. The
//! package's Python side (`concord/__init__.py`) is the documented API.

use arrow_array::builder::StringBuilder;
use arrow_array::ffi_stream::ArrowArrayStreamReader;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchReader, UInt32Array, UInt64Array};
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, ToPyArrow};
use arrow_schema::{DataType, Field, Schema};
use concord::budget::MemoryBudget;
use concord::compare::options::{self, CompareOptions, PerColumn};
use concord::compare::spread;
use concord::compare::{Comparison, NumericMode};
use concord::export::{self, Format, Report};
use concord::plan::{compare_arrow, compare_files, Resources};
use concord::table::ArrowTable;
use concord::table::Encoding;
use concord::{CompareConfig, Control, LoadOptions, SideOptions, Table};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use std::path::PathBuf;
use std::sync::Arc;

/// An engine error as the package's `ConcordError` (its `code` and
/// `message` are the engine's, as the CLI and the server give them).
fn error(py: Python<'_>, e: concord::Error) -> PyErr {
    let raised = py
        .import("concord")
        .and_then(|m| m.getattr("ConcordError"))
        .and_then(|c| c.call1((e.code(), e.to_string())));
    match raised {
        Ok(obj) => PyErr::from_value(obj),
        Err(err) => err,
    }
}

/// A setting that does not read, as Python's `ValueError` naming it.
fn invalid(name: &str, why: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("{name}: {why}"))
}

/// `None`, a string, or a list of strings.
fn strings(name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    match value {
        None => Ok(Vec::new()),
        Some(v) if v.is_none() => Ok(Vec::new()),
        Some(v) if v.is_instance_of::<PyString>() => Ok(vec![v.extract()?]),
        Some(v) => v.extract::<Vec<String>>().map_err(|_| {
            PyTypeError::new_err(format!("{name}: expected a string or a list of strings"))
        }),
    }
}

/// A switch for every column (`True`) or for some (a name or a list).
fn switch(name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    match value {
        Some(v) if v.extract::<bool>().is_ok() && !v.is_instance_of::<PyString>() => {
            Ok(if v.extract::<bool>()? {
                vec![String::new()]
            } else {
                Vec::new()
            })
        }
        _ => strings(name, value),
    }
}

/// A value for every column, or a dict of values by column; a value may
/// itself be a list (`many`) where the setting repeats.
fn per_column<T>(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
    one: impl Fn(&Bound<'_, PyAny>) -> PyResult<Vec<T>>,
) -> PyResult<Vec<PerColumn<T>>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    if let Ok(d) = v.cast::<PyDict>() {
        for (column, value) in d.iter() {
            let column: String = column
                .extract()
                .map_err(|_| PyTypeError::new_err(format!("{name}: column names are strings")))?;
            for value in one(&value)? {
                out.push(PerColumn {
                    column: Some(column.clone()),
                    value,
                });
            }
        }
    } else {
        for value in one(v)? {
            out.push(PerColumn {
                column: None,
                value,
            });
        }
    }
    Ok(out)
}

fn number(name: &str, v: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    let n = v.extract::<f64>().ok();
    let shown = v.str().map(|s| s.to_string()).unwrap_or_default();
    Ok(vec![
        options::tolerance(n, &shown).map_err(|why| invalid(name, why))?
    ])
}

/// The keyword arguments of `compare`, read one by one; a name it does
/// not know is refused (the Python side lists them all, typed).
struct Settings<'py> {
    given: Option<Bound<'py, PyDict>>,
}

/// The settings that make the configuration (the command line's names),
/// which `config` replaces.
const CONFIG_SETTINGS: &[&str] = &[
    "key",
    "map",
    "ignore",
    "ignore_extra_columns",
    "trim",
    "ignore_case",
    "decimal_comma",
    "decimal_comma_side",
    "null_tokens",
    "tolerance",
    "rel_tolerance",
    "date_format",
    "numeric",
    "suggest",
    "infer",
    "by_position",
];

/// The settings of how files are read and where the comparison works.
const OTHER_SETTINGS: &[&str] = &[
    "delimiter",
    "has_header",
    "encoding",
    "sheet",
    "left_sheet",
    "right_sheet",
    "skip_lines",
    "allow_ragged",
    "memory_limit",
    "config",
];

/// Every setting `compare` takes.
fn all_settings() -> impl Iterator<Item = &'static str> {
    CONFIG_SETTINGS.iter().chain(OTHER_SETTINGS).copied()
}

impl<'py> Settings<'py> {
    fn new(given: Option<&Bound<'py, PyDict>>) -> PyResult<Settings<'py>> {
        if let Some(d) = given {
            for name in d.keys() {
                let name: String = name.extract()?;
                if !all_settings().any(|known| known == name) {
                    return Err(PyTypeError::new_err(format!(
                        "compare() got an unexpected setting '{name}'"
                    )));
                }
            }
        }
        Ok(Settings {
            given: given.cloned(),
        })
    }

    /// The setting's value, `None` when absent or `None`.
    fn get(&self, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(d) = &self.given else {
            return Ok(None);
        };
        Ok(d.get_item(name)?.filter(|v| !v.is_none()))
    }

    /// A typed setting, or `default` when absent.
    fn value<T: for<'a> FromPyObject<'a, 'py>>(&self, name: &str, default: T) -> PyResult<T> {
        match self.get(name)? {
            None => Ok(default),
            Some(v) => v
                .extract()
                .map_err(|_| PyTypeError::new_err(format!("{name}: not the type it takes"))),
        }
    }

    /// The configuration to compare with: `config` (a whole configuration
    /// as JSON, such as [`complete_config`] returns), or the settings.
    fn config(&self) -> PyResult<CompareConfig> {
        let Some(json) = self.value::<Option<String>>("config", None)? else {
            return Ok(self.compare_options()?.config());
        };
        for name in CONFIG_SETTINGS {
            if self.get(name)?.is_some() {
                return Err(PyTypeError::new_err(format!(
                    "config: give a whole configuration or the settings ({name}), not both"
                )));
            }
        }
        config_json(&json)
    }

    /// The comparison's settings, read as the command line reads its flags.
    fn compare_options(&self) -> PyResult<CompareOptions> {
        let keys = strings("key", self.get("key")?.as_ref())?
            .iter()
            .map(|k| options::key(k).map_err(|why| invalid("key", why)))
            .collect::<PyResult<_>>()?;
        let map = self.get("map")?;
        let mappings = match map.as_ref().and_then(|m| m.cast::<PyDict>().ok()) {
            Some(d) => d
                .iter()
                .map(|(l, r)| {
                    let (l, r): (String, String) = (l.extract()?, r.extract()?);
                    Ok(concord::ColumnPair::new(&l, &r))
                })
                .collect::<PyResult<_>>()
                .map_err(|_: PyErr| PyTypeError::new_err("map: expected {left: right} names"))?,
            _ => strings("map", map.as_ref())?
                .iter()
                .map(|m| options::mapping(m).map_err(|why| invalid("map", why)))
                .collect::<PyResult<_>>()?,
        };
        let texts = |name: &'static str| move |v: &Bound<'_, PyAny>| strings(name, Some(v));
        let numeric: String = self.value("numeric", "auto".to_string())?;
        let side: Option<String> = self.value("decimal_comma_side", None)?;
        Ok(CompareOptions {
            keys,
            mappings,
            ignore: strings("ignore", self.get("ignore")?.as_ref())?,
            ignore_extra_columns: self.value("ignore_extra_columns", false)?,
            trim: switch("trim", self.get("trim")?.as_ref())?,
            ignore_case: switch("ignore_case", self.get("ignore_case")?.as_ref())?,
            decimal_comma: switch("decimal_comma", self.get("decimal_comma")?.as_ref())?,
            decimal_comma_side: side
                .map(|s| options::sides(&s).map_err(|why| invalid("decimal_comma_side", why)))
                .transpose()?,
            null_tokens: per_column(
                "null_tokens",
                self.get("null_tokens")?.as_ref(),
                texts("null_tokens"),
            )?,
            tolerances: per_column("tolerance", self.get("tolerance")?.as_ref(), |v| {
                number("tolerance", v)
            })?,
            rel_tolerances: per_column(
                "rel_tolerance",
                self.get("rel_tolerance")?.as_ref(),
                |v| number("rel_tolerance", v),
            )?,
            date_formats: per_column(
                "date_format",
                self.get("date_format")?.as_ref(),
                texts("date_format"),
            )?,
            numeric: NumericMode::from_name(&numeric).ok_or_else(|| {
                let names: Vec<&str> = NumericMode::ALL.iter().map(|m| m.name()).collect();
                invalid(
                    "numeric",
                    format!("expected {}, not '{numeric}'", names.join(", ")),
                )
            })?,
            suggest: self.value("suggest", true)?,
            infer: self.value("infer", true)?,
            by_position: self.value("by_position", false)?,
        })
    }

    /// How each file is read, as the command line's reading flags say it.
    fn read_options(&self) -> PyResult<SideOptions> {
        let delimiter: Option<String> = self.value("delimiter", None)?;
        let encoding: Option<String> = self.value("encoding", None)?;
        let both = LoadOptions {
            delimiter: delimiter
                .map(|d| {
                    concord::table::parse_delimiter(&d).map_err(|why| invalid("delimiter", why))
                })
                .transpose()?,
            has_header: self.value("has_header", None)?,
            encoding: encoding
                .map(|e| {
                    Encoding::from_name(&e)
                        .ok_or_else(|| invalid("encoding", format!("unknown encoding '{e}'")))
                })
                .transpose()?,
            allow_ragged: self.value("allow_ragged", false)?,
            skip_lines: self.value("skip_lines", 0)?,
            sheet: self.value("sheet", None)?,
            ..LoadOptions::default()
        };
        let mut sides = SideOptions::same(both);
        if let Some(sheet) = self.value("left_sheet", None)? {
            sides.left.sheet = Some(sheet);
        }
        if let Some(sheet) = self.value("right_sheet", None)? {
            sides.right.sheet = Some(sheet);
        }
        Ok(sides)
    }

    /// Where the comparison works: the memory limit, if one is given.
    fn resources(&self) -> PyResult<Resources> {
        let mut resources = Resources::default();
        if let Some(limit) = self.value::<Option<String>>("memory_limit", None)? {
            resources.budget =
                MemoryBudget::parse(&limit).map_err(|why| invalid("memory_limit", why))?;
        }
        Ok(resources)
    }
}

/// A whole configuration given as JSON (`config=`, or one
/// [`complete_config`] returned).
fn config_json(text: &str) -> PyResult<CompareConfig> {
    serde_json::from_str(text).map_err(|e| invalid("config", e))
}

/// The side named `left` or `right`.
fn side_named(py: Python<'_>, name: &str) -> PyResult<concord::Side> {
    concord::Side::from_name(name).map_err(|e| error(py, e))
}

/// One side of a comparison: a file, or Arrow data already in memory.
enum Input {
    Path(PathBuf),
    Arrow(ArrowArrayStreamReader),
}

fn input(side: &str, value: &Bound<'_, PyAny>) -> PyResult<Input> {
    if let Ok(path) = value.extract::<PathBuf>() {
        return Ok(Input::Path(path));
    }
    ArrowArrayStreamReader::from_pyarrow_bound(value)
        .map(Input::Arrow)
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "{side}: expected a path, or a table with Arrow data (pyarrow, pandas, polars)"
            ))
        })
}

/// Reads one side into a table.
fn table(side: &str, input: Input, opts: &LoadOptions) -> concord::Result<Table> {
    match input {
        Input::Path(p) => concord::load_path(&p, opts, Control::default()),
        Input::Arrow(stream) => {
            let schema = stream.schema();
            concord::table::table_from_arrow(side, schema, stream, Control::default())
        }
    }
}

/// Reads one side's Arrow stream as it is.
fn arrow_table(side: &str, stream: ArrowArrayStreamReader) -> concord::Result<ArrowTable> {
    let schema = stream.schema();
    ArrowTable::from_batches(side, schema, stream, Control::default())
}

/// Reads both sides at once, as the command line reads two files.
fn tables(left: Input, right: Input, read: &SideOptions) -> concord::Result<(Table, Table)> {
    let (l, r) = std::thread::scope(|s| {
        let r = s.spawn(|| table("right", right, &read.right));
        let l = table("left", left, &read.left);
        (l, r.join().expect("reading a table does not panic"))
    });
    Ok((l?, r?))
}

/// Compares two tables; see `concord.compare` for the settings.
#[pyfunction]
#[pyo3(signature = (left, right, **settings))]
fn compare(
    py: Python<'_>,
    left: &Bound<'_, PyAny>,
    right: &Bound<'_, PyAny>,
    settings: Option<&Bound<'_, PyDict>>,
) -> PyResult<Result> {
    let settings = Settings::new(settings)?;
    let config = settings.config()?;
    let read = settings.read_options()?;
    let resources = settings.resources()?;
    let (left, right) = (input("left", left)?, input("right", right)?);
    // The engine runs without the GIL: other Python threads go on.
    let compared = py.detach(move || match (left, right) {
        (Input::Path(l), Input::Path(r)) => compare_files(
            &l,
            &r,
            &read,
            &config,
            &resources,
            &|_, _| {},
            Control::default(),
        )
        .map(|(c, _)| c),
        (Input::Arrow(l), Input::Arrow(r)) => {
            // Frames are compared as Arrow columns where they can be, as
            // Parquet files are.
            let (l, r) = std::thread::scope(|s| {
                let r = s.spawn(|| arrow_table("right", r));
                let l = arrow_table("left", l);
                (l, r.join().expect("reading a table does not panic"))
            });
            compare_arrow(l?, r?, &config, &resources, Control::default())
        }
        (l, r) => {
            let (l, r) = tables(l, r, &read)?;
            let result = concord::compare(&l, &r, &config, Control::default())?;
            Ok(Comparison::new(l, r, result))
        }
    });
    compared
        .map(|c| Result { comparison: c })
        .map_err(|e| error(py, e))
}

/// The configuration the engine would compare `left` and `right` with:
/// the settings, completed from suggestions and from what the values show
/// (a key, mappings, null spellings, decimal commas, and whether each
/// column's numbers compare by value), as JSON, with nothing left to
/// suggest. A comparison given it as `config` then decides nothing
/// from its own rows, which is what lets Spark compare partitions alike.
#[pyfunction]
#[pyo3(signature = (left, right, **settings))]
fn complete_config(
    py: Python<'_>,
    left: &Bound<'_, PyAny>,
    right: &Bound<'_, PyAny>,
    settings: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let settings = Settings::new(settings)?;
    let config = settings.config()?;
    let read = settings.read_options()?;
    let (left, right) = (input("left", left)?, input("right", right)?);
    let completed = py.detach(move || {
        let (l, r) = tables(left, right, &read)?;
        let mut config =
            concord::suggest::complete_config(&l, &r, &config, Control::default())?.config;
        config.use_suggestions = false;
        config.infer_rules = false;
        spread::numeric_decided(&l, &r, &config)
    });
    let config = completed.map_err(|e| error(py, e))?;
    serde_json::to_string(&config).map_err(|e| invalid("config", e))
}

/// Reads one file as Concord reads it: a pyarrow table of its columns,
/// every cell as the text Concord compares, and, in `line_column` when it
/// is named, the line each row starts on. `source` is a path, or the
/// file's bytes with `name` the file's name (which can tell its format).
///
/// With `partitions` (`(column, config, other_columns, n)`), a last column
/// of that name holds each row's partition, as [`key_partitions`] gives it
/// (for Spark, which then needs no second pass over the rows).
#[pyfunction]
#[pyo3(signature = (source, name=None, side="left", line_column=None, partitions=None, **settings))]
fn read<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    name: Option<String>,
    side: &str,
    line_column: Option<String>,
    partitions: Option<(String, String, Vec<String>, u32)>,
    settings: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let read = Settings::new(settings)?.read_options()?;
    let side = side_named(py, side)?;
    let opts = match side {
        concord::Side::Left => read.left,
        concord::Side::Right => read.right,
    };
    let loaded = if let Ok(bytes) = source.cast::<PyBytes>() {
        let bytes = bytes.as_bytes().to_vec();
        let name = name.unwrap_or_else(|| "bytes".to_string());
        py.detach(move || concord::load_bytes(&name, bytes, &opts))
    } else {
        let path: PathBuf = source
            .extract()
            .map_err(|_| PyTypeError::new_err("source: expected a path or bytes"))?;
        py.detach(move || concord::load_path(&path, &opts, Control::default()))
    };
    let table = loaded.map_err(|e| error(py, e))?;
    let parts = match partitions {
        None => None,
        Some((column, config, other, n)) => {
            let config = config_json(&config)?;
            let parts = py
                .detach(|| partitions_of(&table, side, &config, &other, n))
                .map_err(|e| error(py, e))?;
            Some((column, parts))
        }
    };
    let (batches, schema) = py
        .detach(|| text_batches(&table, line_column.as_deref(), parts.as_ref()))
        .map_err(|e| invalid("read", e))?;
    arrow_pyarrow::Table::try_new(batches, schema)
        .map_err(|e| invalid("read", e))?
        .into_pyarrow(py)
}

/// A table's cells as Arrow text columns, in batches of at most 64K rows,
/// with its rows' lines in a column when `lines` names one, then their
/// partitions when there are some.
fn text_batches(
    table: &Table,
    lines: Option<&str>,
    parts: Option<&(String, Vec<u32>)>,
) -> std::result::Result<(Vec<RecordBatch>, Arc<Schema>), arrow_schema::ArrowError> {
    let mut fields: Vec<Field> = table
        .columns()
        .iter()
        .map(|c| Field::new(c, DataType::Utf8, false))
        .collect();
    if let Some(name) = lines {
        fields.push(Field::new(name, DataType::UInt64, false));
    }
    if let Some((name, _)) = parts {
        fields.push(Field::new(name, DataType::UInt32, false));
    }
    let schema = Arc::new(Schema::new(fields));
    let mut batches = Vec::new();
    let rows = table.num_rows();
    for start in (0..rows).step_by(1 << 16) {
        let end = (start + (1 << 16)).min(rows);
        let mut columns: Vec<ArrayRef> = (0..table.num_columns())
            .map(|c| {
                let mut b = StringBuilder::new();
                for r in start..end {
                    b.append_value(table.cell(r, c));
                }
                Arc::new(b.finish()) as ArrayRef
            })
            .collect();
        if lines.is_some() {
            let at: UInt64Array = (start..end).map(|r| table.line_of(r)).collect();
            columns.push(Arc::new(at));
        }
        if let Some((_, parts)) = parts {
            columns.push(Arc::new(UInt32Array::from(parts[start..end].to_vec())));
        }
        batches.push(RecordBatch::try_new(schema.clone(), columns)?);
    }
    Ok((batches, schema))
}

/// Which of `n` partitions each row of `table` goes to when it is the
/// `side` of a comparison by `config` (JSON) whose other side has the
/// columns `other_columns`: rows with matching keys on either side get the
/// same partition, by the engine's own key rules. A pyarrow UInt32 array.
#[pyfunction]
fn key_partitions<'py>(
    py: Python<'py>,
    table: &Bound<'py, PyAny>,
    other_columns: Vec<String>,
    side: &str,
    config: &str,
    n: u32,
) -> PyResult<Bound<'py, PyAny>> {
    let config = config_json(config)?;
    let side = side_named(py, side)?;
    let name = match side {
        concord::Side::Left => "left",
        concord::Side::Right => "right",
    };
    let stream = input(name, table)?;
    let parts = py.detach(move || -> concord::Result<Vec<u32>> {
        let this = self::table(name, stream, &LoadOptions::default())?;
        partitions_of(&this, side, &config, &other_columns, n)
    });
    let parts = parts.map_err(|e| error(py, e))?;
    UInt32Array::from(parts).to_data().to_pyarrow(py)
}

/// [`spread::key_partitions`] for `table` as `side`, the other side
/// having the columns `other_columns` (and no rows).
fn partitions_of(
    table: &Table,
    side: concord::Side,
    config: &CompareConfig,
    other_columns: &[String],
    n: u32,
) -> concord::Result<Vec<u32>> {
    let fields: Vec<Field> = other_columns
        .iter()
        .map(|c| Field::new(c, DataType::Utf8, true))
        .collect();
    let empty = std::iter::empty::<std::result::Result<RecordBatch, arrow_schema::ArrowError>>();
    let other = concord::table::table_from_arrow(
        "other",
        Arc::new(Schema::new(fields)),
        empty,
        Control::default(),
    )?;
    match side {
        concord::Side::Left => spread::key_partitions(table, &other, config, side, n),
        concord::Side::Right => spread::key_partitions(&other, table, config, side, n),
    }
}

/// What a comparison found, kept in Rust; the Python side reads it.
#[pyclass(frozen, module = "concord._concord")]
struct Result {
    comparison: Comparison,
}

fn format_named(name: &str) -> PyResult<Format> {
    Format::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        invalid(
            "format",
            format!("expected {}, not '{name}'", names.join(", ")),
        )
    })
}

#[pymethods]
impl Result {
    /// The JSON export's object without its rows.
    fn head_json(&self) -> String {
        export::json_head(&Report::of(&self.comparison)).to_string()
    }

    /// Where each differing row stands in the order of results, as
    /// [`spread::result_places`] says (for a keyed comparison by `config`,
    /// JSON): a pyarrow UInt64 array, one per row of the rows.
    fn places<'py>(&self, py: Python<'py>, config: &str) -> PyResult<Bound<'py, PyAny>> {
        let config = config_json(config)?;
        let c = &self.comparison;
        let places = py
            .detach(|| spread::result_places(&c.left, &c.right, &config, &c.result))
            .map_err(|e| error(py, e))?;
        UInt64Array::from(places).to_data().to_pyarrow(py)
    }

    /// Whether the tables differ (as the CLI's exit status says).
    fn differs(&self) -> bool {
        self.comparison.result.summary.has_differences()
    }

    /// The export in `format` (a name of the CLI's `--format`), as bytes.
    fn export_bytes<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyBytes>> {
        let format = format_named(format)?;
        let mut out = Vec::new();
        let c = &self.comparison;
        py.detach(|| export::write(Report::of(c), format, &mut out, Control::default()))
            .map_err(|e| error(py, e))?;
        Ok(PyBytes::new(py, &out))
    }

    /// Writes the export to `path` (atomically), in `format` or the one its
    /// extension names.
    #[pyo3(signature = (path, format=None))]
    fn export(&self, py: Python<'_>, path: PathBuf, format: Option<&str>) -> PyResult<()> {
        let format = match format {
            Some(f) => format_named(f)?,
            None => Format::of_path(&path).map_err(|why| invalid("format", why))?,
        };
        let c = &self.comparison;
        py.detach(|| export::write_file(Report::of(c), format, &path, Control::default()))
            .map_err(|e| error(py, e))
    }
}

/// The module.
#[pymodule]
fn _concord(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(complete_config, m)?)?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(key_partitions, m)?)?;
    m.add_class::<Result>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The one list of export formats, so the package cannot drift from it.
    let formats: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    m.add("FORMATS", formats)?;
    m.add("SETTINGS", all_settings().collect::<Vec<_>>())?;
    Ok(())
}
