//! Expanding command-line paths into sources: stdin, files, and directories walked
//! recursively in a deterministic order.
//!
//! Rules:
//! - no paths, or `-` (any number of times), is stdin, listed once;
//! - a directory is walked depth-first, entries sorted by name, except that rotated logs
//!   come oldest first, before their live file (`app.log.2.gz`, `app.log.1`, `app.log`;
//!   see `rotation`); files are named by joining
//!   the directory path as typed with the relative path (`logs` gives `logs/app.log`);
//!   hidden entries are kept, `.git` is skipped; only regular files are taken (a FIFO or a
//!   socket inside a tree would block or fail, so it is left out); symlinks are followed,
//!   but a directory already walked (a symlink loop, two paths to one tree) is not walked
//!   again;
//! - a file reachable twice (named twice, or named and found by a walk, or through a
//!   symlink) is listed once, under the first name;
//! - the systemd journal files a walk finds in one directory (known by their first bytes)
//!   are one source named after the directory, read merged by time; a lone journal file
//!   keeps its own name;
//! - a path that cannot be inspected becomes an [`InputError`]; the others still count.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::{journal, rotation, InputError, Location, SourceSpec};

/// Expands the command-line paths (`-` is stdin, directories are walked) into sources,
/// and collects an error for every path that could not be used.
pub fn collect_sources(paths: &[PathBuf]) -> (Vec<SourceSpec>, Vec<InputError>) {
    let mut walk = Walk::default();
    if paths.is_empty() {
        walk.add_stdin();
    }
    for path in paths {
        walk.add_argument(path);
    }
    (walk.specs, walk.errors)
}

/// The state of one expansion: what was found, what failed, what was already seen.
#[derive(Default)]
struct Walk {
    specs: Vec<SourceSpec>,
    errors: Vec<InputError>,
    stdin_added: bool,
    /// Canonical paths of files already listed.
    seen_files: HashSet<PathBuf>,
    /// Canonical paths of directories already walked.
    seen_dirs: HashSet<PathBuf>,
}

impl Walk {
    fn add_stdin(&mut self) {
        if !self.stdin_added {
            self.stdin_added = true;
            self.specs.push(SourceSpec {
                name: "-".into(),
                location: Location::Stdin,
                from_walk: false,
            });
        }
    }

    /// A path typed by the user: stdin, a directory to walk, or anything else to read.
    fn add_argument(&mut self, path: &Path) {
        if path.as_os_str() == "-" {
            self.add_stdin();
            return;
        }
        let name = path.display().to_string();
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => self.walk_dir(path, &name),
            // Named explicitly: FIFOs and devices are read too (`<(cmd)`, `/dev/stdin`).
            Ok(_) => self.add_file(path, name, false),
            Err(err) => self.errors.push(InputError::from_io(&name, err)),
        }
    }

    /// Walks a directory once, entries in name order (rotated logs oldest first).
    fn walk_dir(&mut self, dir: &Path, name: &str) {
        match fs::canonicalize(dir) {
            Ok(canonical) => {
                if !self.seen_dirs.insert(canonical) {
                    return;
                }
            }
            Err(err) => return self.errors.push(InputError::from_io(name, err)),
        }
        let entries = match sorted_entries(dir) {
            Ok(entries) => entries,
            Err(err) => return self.errors.push(unreadable_dir(name, err)),
        };
        let mut journals = Vec::new();
        for entry_name in entries {
            if entry_name == ".git" {
                continue;
            }
            let path = dir.join(&entry_name);
            let is_file = fs::metadata(&path).is_ok_and(|meta| meta.is_file());
            if is_file && journal::file_is_journal(&path) {
                journals.push(path);
                continue;
            }
            let name = path.display().to_string();
            self.add_walked_entry(&path, name);
        }
        self.add_journal_files(journals, name);
    }

    /// Lists the journal files of one directory: one alone as itself, several as one
    /// source named after the directory. Files already listed are left out.
    fn add_journal_files(&mut self, paths: Vec<PathBuf>, dir_name: &str) {
        let mut unseen = Vec::new();
        for path in paths {
            match fs::canonicalize(&path) {
                Ok(canonical) => {
                    if self.seen_files.insert(canonical) {
                        unseen.push(path);
                    }
                }
                Err(err) => {
                    let name = path.display().to_string();
                    self.errors.push(InputError::from_io(&name, err));
                }
            }
        }
        let (name, location) = match unseen.len() {
            0 => return,
            1 => {
                let path = unseen.remove(0);
                (path.display().to_string(), Location::File(path))
            }
            _ => (dir_name.to_owned(), Location::JournalFiles(unseen)),
        };
        self.specs.push(SourceSpec {
            name,
            location,
            from_walk: true,
        });
    }

    /// An entry found by a walk: a directory to descend into, a regular file to read,
    /// or something else to leave out.
    fn add_walked_entry(&mut self, path: &Path, name: String) {
        // `fs::metadata` follows symlinks: a link to a file is read, a link to a directory
        // is walked (once), a dangling link is reported.
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => self.walk_dir(path, &name),
            Ok(meta) if meta.is_file() => self.add_file(path, name, true),
            Ok(_) => {}
            Err(err) => self.errors.push(InputError::from_io(&name, err)),
        }
    }

    /// Lists a file unless the same file was listed already.
    fn add_file(&mut self, path: &Path, name: String, from_walk: bool) {
        match fs::canonicalize(path) {
            Ok(canonical) => {
                if !self.seen_files.insert(canonical) {
                    return;
                }
            }
            Err(err) => return self.errors.push(InputError::from_io(&name, err)),
        }
        self.specs.push(SourceSpec {
            name,
            location: Location::File(path.to_path_buf()),
            from_walk,
        });
    }
}

/// The names of a directory's entries, sorted (rotated logs oldest first).
fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::ffi::OsString>> {
    let mut names = fs::read_dir(dir)?
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect::<std::io::Result<Vec<_>>>()?;
    rotation::sort_oldest_first(&mut names);
    Ok(names)
}

/// A directory that cannot be listed; permission problems keep their own, clearer message.
fn unreadable_dir(name: &str, err: std::io::Error) -> InputError {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => InputError::PermissionDenied { name: name.into() },
        _ => InputError::UnreadableDirectory {
            name: name.into(),
            err,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, contents: &str) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create dir");
        }
        fs::write(path, contents).expect("write file");
    }

    fn names(specs: &[SourceSpec]) -> Vec<&str> {
        specs.iter().map(|spec| spec.name.as_str()).collect()
    }

    /// Runs `collect_sources` from inside `dir`, so names are relative as typed.
    fn collect_in(dir: &Path, args: &[&str]) -> (Vec<SourceSpec>, Vec<InputError>) {
        let paths: Vec<PathBuf> = args.iter().map(|arg| dir.join(arg)).collect();
        let (mut specs, errors) = collect_sources(&paths);
        let prefix = format!("{}/", dir.display());
        for spec in &mut specs {
            spec.name = spec.name.trim_start_matches(&prefix).to_owned();
        }
        (specs, errors)
    }

    #[test]
    fn no_paths_is_stdin() {
        let (specs, errors) = collect_sources(&[]);
        assert!(errors.is_empty());
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].location, Location::Stdin);
        assert_eq!(specs[0].name, "-");
    }

    #[test]
    fn repeated_dash_is_stdin_once() {
        let (specs, errors) = collect_sources(&["-".into(), "-".into()]);
        assert!(errors.is_empty());
        assert_eq!(names(&specs), ["-"]);
    }

    #[test]
    fn directory_walk_is_sorted_recursive_and_named_as_typed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(&root.join("logs/b.log"), "b\n");
        write(&root.join("logs/a.log"), "a\n");
        write(&root.join("logs/sub/c.log"), "c\n");
        write(&root.join("logs/.hidden.log"), "h\n");
        write(&root.join("logs/.git/HEAD"), "ref\n");
        write(&root.join("logs/z/.git"), "gitdir: elsewhere\n");
        let (specs, errors) = collect_in(root, &["logs"]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            names(&specs),
            [
                "logs/.hidden.log",
                "logs/a.log",
                "logs/b.log",
                "logs/sub/c.log"
            ]
        );
        assert!(specs.iter().all(|spec| spec.from_walk));
    }

    #[test]
    fn rotated_logs_are_walked_oldest_first() {
        let tmp = tempfile::tempdir().expect("tempdir");
        for name in ["app.log", "app.log.1", "app.log.2.gz", "other.log"] {
            write(&tmp.path().join("logs").join(name), "x\n");
        }
        let (specs, errors) = collect_in(tmp.path(), &["logs"]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            names(&specs),
            [
                "logs/app.log.2.gz",
                "logs/app.log.1",
                "logs/app.log",
                "logs/other.log"
            ]
        );
    }

    #[test]
    fn trailing_slash_does_not_double() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(&tmp.path().join("logs/a.log"), "a\n");
        let typed = format!("{}/logs/", tmp.path().display());
        let (specs, _) = collect_sources(&[PathBuf::from(&typed)]);
        assert_eq!(names(&specs), [format!("{typed}a.log").as_str()]);
    }

    #[test]
    fn missing_paths_are_errors_and_the_rest_continue() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(&tmp.path().join("ok.log"), "ok\n");
        let (specs, errors) = collect_in(tmp.path(), &["missing.log", "ok.log", "gone/"]);
        assert_eq!(names(&specs), ["ok.log"]);
        assert!(!specs[0].from_walk);
        assert_eq!(errors.len(), 2);
        let first = errors[0].to_string();
        assert!(first.ends_with("missing.log: no such file or directory (check the path)"));
        assert!(matches!(errors[1], InputError::NotFound { .. }));
    }

    #[test]
    fn the_same_file_is_listed_once() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(&tmp.path().join("logs/a.log"), "a\n");
        let (specs, errors) = collect_in(tmp.path(), &["logs/a.log", "logs", "logs/./a.log"]);
        assert!(errors.is_empty());
        assert_eq!(names(&specs), ["logs/a.log"]);
        assert!(!specs[0].from_walk);
    }

    #[test]
    fn unlistable_directories_say_why() {
        let denied = unreadable_dir("logs", std::io::ErrorKind::PermissionDenied.into());
        assert!(denied.to_string().starts_with("logs: permission denied"));
        let broken = unreadable_dir("logs", std::io::Error::other("stale file handle"));
        assert_eq!(
            broken.to_string(),
            "logs: cannot read directory (stale file handle)"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_walked_once() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(&root.join("logs/a.log"), "a\n");
        std::os::unix::fs::symlink(root.join("logs"), root.join("logs/loop")).expect("symlink");
        std::os::unix::fs::symlink(root.join("logs/a.log"), root.join("logs/b.log"))
            .expect("symlink");
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("logs/dangling"))
            .expect("symlink");
        let (specs, errors) = collect_in(root, &["logs"]);
        assert_eq!(names(&specs), ["logs/a.log"]);
        assert_eq!(errors.len(), 1);
        assert!(errors[0]
            .to_string()
            .contains("logs/dangling: no such file"));
    }

    #[cfg(unix)]
    #[test]
    fn fifos_are_skipped_in_walks() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(&tmp.path().join("logs/a.log"), "a\n");
        let fifo = tmp.path().join("logs/pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !matches!(made, Ok(status) if status.success()) {
            return; // no mkfifo on this system
        }
        let (specs, errors) = collect_in(tmp.path(), &["logs"]);
        assert!(errors.is_empty());
        assert_eq!(names(&specs), ["logs/a.log"]);
    }
}
