//! Lists the built web UI (`ui/dist`) for the server to embed, or nothing
//! when the UI has not been built, so that `cargo build` works either way.

use std::path::{Path, PathBuf};

fn files(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, root, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push((rel.to_string_lossy().replace('\\', "/"), p));
        }
    }
}

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui")
        .join("dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut list = Vec::new();
    files(&dist, &dist, &mut list);
    list.sort();
    let mut code = String::from(
        "/// The built UI's files: (path, bytes).\npub static ASSETS: &[(&str, &[u8])] = &[\n",
    );
    for (rel, path) in &list {
        println!("cargo:rerun-if-changed={}", path.display());
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("ui_assets.rs"), code).expect("OUT_DIR is writable");
}
