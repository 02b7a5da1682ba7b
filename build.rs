//! Embeds every `rules/*.toml` file into the binary as `BUILTIN_RULE_FILES`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// `(file name, contents)` of every built-in rule file, sorted by name.\n\
         pub static BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        writeln!(
            out,
            "    (\"rules/{name}\", include_str!({:?})),",
            path.display()
        )
        .ok();
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR set by cargo"))
        .join("builtin_rules.rs");
    std::fs::write(target, out).expect("write builtin_rules.rs");
}
