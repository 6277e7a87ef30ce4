//! TypeScript declarations of the types the UI receives and sends,
//! generated from the Rust types (feature `ts`) so that the UI's copy
//! cannot drift: `ui/src/lib/transport/generated.ts` is [`declarations`]'
//! output, and a test fails when that file is stale (`scripts/types.sh`
//! writes it again).

use ts_rs::{Config, TS};

/// The file the declarations are kept in, from the repository root.
pub const GENERATED: &str = "ui/src/lib/transport/generated.ts";

macro_rules! each_type {
    ($apply:ident) => {
        $apply!(
            crate::error::Side,
            crate::values::ValueType,
            crate::table::Encoding,
            crate::table::TableInfo,
            crate::backend::gc::GcReport,
            crate::profile::ColumnProfile,
            crate::compare::Summary,
            crate::compare::Mode,
            crate::compare::RowStatus,
            crate::compare::ColumnPair,
            crate::compare::ResolvedPair,
            crate::compare::ColumnStats,
            crate::compare::MappingSuggestion,
            crate::compare::KeySuggestion,
            crate::compare::AppliedSuggestions,
            crate::compare::InferredRule,
            crate::compare::InferredKind,
            crate::compare::Pairing,
            crate::compare::PairedColumns,
            crate::compare::NumericMode,
            crate::compare::Rules,
            crate::compare::RuleOverrides,
            crate::compare::Sides,
            crate::compare::CompareConfig,
            crate::suggest::Suggestions,
            crate::progress::Phase,
            crate::progress::Progress,
            crate::plan::Strategy,
            crate::backend::jobs::JobEvent,
            crate::backend::models::Started,
            crate::backend::models::Loaded,
            crate::backend::models::Unavailable,
            crate::backend::models::FileInfo,
            crate::backend::models::SessionInfo,
            crate::backend::models::ResultOverview,
            crate::backend::models::Settings,
            crate::backend::models::SettingsChange,
            crate::backend::reconcile::Take,
            crate::backend::reconcile::Scope,
            crate::backend::reconcile::Choice,
            crate::backend::reconcile::Reconciliation,
            crate::backend::reconcile::Reconciled,
            crate::backend::models::CellChange,
            crate::backend::models::PageRow,
            crate::backend::models::Page
        )
    };
}

fn config() -> Config {
    // Counts and sizes arrive as JSON numbers, never as bigints.
    Config::new().with_large_int("number")
}

/// Every declaration, exported, in one file's text.
pub fn declarations() -> String {
    let cfg = config();
    let mut out = String::from(
        "// Generated from the Rust types by scripts/types.sh (src/typescript.rs): do not edit.\n\
         import type { ApiError } from './types';\n\n",
    );
    macro_rules! declare {
        ($($t:ty),*) => {
            $(
                out.push_str("export ");
                out.push_str(&<$t as TS>::decl(&cfg));
                out.push_str("\n\n");
            )*
        };
    }
    each_type!(declare);
    out.push_str("/** The input formats Concord reads (`InputFormat::all`). */\n");
    out.push_str("export const INPUT_FORMATS = ");
    out.push_str(
        &serde_json::to_string_pretty(&crate::table::InputFormat::all()).unwrap_or_default(),
    );
    out.push_str(" as const;\n\n");
    let compressions: Vec<serde_json::Value> = crate::table::Compression::ALL
        .iter()
        .map(|c| serde_json::json!({"name": c.name(), "extensions": c.extensions()}))
        .collect();
    out.push_str(
        "/** The compressions Concord reads, of any input format (`Compression::ALL`). */\n",
    );
    out.push_str("export const COMPRESSIONS = ");
    out.push_str(&serde_json::to_string_pretty(&compressions).unwrap_or_default());
    out.push_str(" as const;\n\n");
    let exports: Vec<serde_json::Value> = crate::export::Format::ALL
        .iter()
        .map(|f| serde_json::json!({"name": f.name(), "label": f.label(), "extension": f.extension()}))
        .collect();
    out.push_str(
        "/** The export formats, in the order they are offered (`export::Format::ALL`). */\n",
    );
    out.push_str("export const EXPORT_FORMATS = ");
    out.push_str(&serde_json::to_string_pretty(&exports).unwrap_or_default());
    out.push_str(" as const;\n\n");
    out.push_str("/** An export format's name. */\n");
    out.push_str("export type ExportFormat = (typeof EXPORT_FORMATS)[number]['name'];\n\n");
    let encodings: Vec<&str> = crate::table::Encoding::ALL
        .iter()
        .map(|e| e.name())
        .collect();
    out.push_str("/** The encodings Concord reads (`Encoding::ALL`). */\n");
    out.push_str("export const ENCODINGS = ");
    out.push_str(&serde_json::to_string(&encodings).unwrap_or_default());
    out.push_str(" as const;\n\n");
    // As the read options' `delimiter` parameter takes them.
    let delimiters: Vec<String> = crate::table::DELIMITERS
        .iter()
        .map(|&d| {
            if d == b'\t' {
                "tab".to_string()
            } else {
                (d as char).to_string()
            }
        })
        .collect();
    out.push_str("/** The delimiters Concord tells apart by itself (`table::DELIMITERS`). */\n");
    out.push_str("export const DELIMITERS = ");
    out.push_str(&serde_json::to_string(&delimiters).unwrap_or_default());
    out.push_str(" as const;\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names declared, and the names the declared types refer to.
    fn names() -> (Vec<String>, Vec<String>) {
        let cfg = config();
        let (mut declared, mut used) = (Vec::new(), Vec::new());
        macro_rules! collect {
            ($($t:ty),*) => {
                $(
                    declared.push(<$t as TS>::ident(&cfg));
                    used.extend(<$t as TS>::dependencies(&cfg).into_iter().map(|d| d.ts_name));
                )*
            };
        }
        each_type!(collect);
        (declared, used)
    }

    #[test]
    fn every_type_referred_to_is_declared() {
        let (declared, used) = names();
        for name in used {
            assert!(declared.contains(&name), "{name} is used but not declared");
        }
    }

    #[test]
    fn the_generated_file_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED);
        let now = declarations();
        if std::env::var_os("CONCORD_WRITE_TYPES").is_some() {
            std::fs::write(&path, &now).unwrap();
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            kept == now,
            "{GENERATED} is stale: run scripts/types.sh and commit the result"
        );
    }
}
