//! Concord as git's diff and merge driver, with real `git` in a temporary
//! repository (and a temporary home, so that no user's configuration
//! takes part).

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let repo = Repo {
            _dir: dir,
            root,
            home,
        };
        repo.git_ok(&["init", "-q", "-b", "main"]);
        repo
    }

    fn command(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(&self.root)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ann")
            .env("GIT_AUTHOR_EMAIL", "ann@example.com")
            .env("GIT_COMMITTER_NAME", "Ann")
            .env("GIT_COMMITTER_EMAIL", "ann@example.com")
            .output()
            .unwrap()
    }

    fn git(&self, args: &[&str]) -> Output {
        self.command("git", args)
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let out = self.git(args);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn concord(&self, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_concord"), args)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.root.join(name), text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.root.join(name)).unwrap()
    }

    fn commit(&self, name: &str, text: &str, message: &str) {
        self.write(name, text);
        self.git_ok(&["add", "-A"]);
        self.git_ok(&["commit", "-q", "-m", message]);
    }
}

const BASE: &str = "id,name,amount,city\n1,Ann,10,Oslo\n2,Bob,20,Rome\n3,Cy,30,Lima\n";

/// A repository with Concord installed and data.csv committed on main.
fn installed() -> Repo {
    let r = Repo::new();
    let out = r.concord(&["git", "install"]);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    r.commit("data.csv", BASE, "base");
    r
}

#[test]
fn install_names_the_drivers_and_uninstall_takes_them_away() {
    let r = Repo::new();
    r.write(".gitattributes", "*.bin binary\n");
    assert!(r.concord(&["git", "install"]).status.success());
    let attributes = r.read(".gitattributes");
    assert!(attributes.starts_with("*.bin binary\n"), "{attributes}");
    assert!(
        attributes.contains("*.csv diff=concord merge=concord\n"),
        "{attributes}"
    );
    assert!(attributes.contains("*.xlsx diff=concord\n"), "{attributes}");
    assert!(!attributes.contains("*.txt"), "{attributes}");
    let config = r.git_ok(&["config", "--local", "--list"]);
    assert!(config.contains("merge.concord.driver="), "{config}");
    assert!(config.contains(" git merge %O %A %B %P"), "{config}");
    // Installing twice writes one block.
    assert!(r.concord(&["git", "install"]).status.success());
    assert_eq!(
        r.read(".gitattributes").matches("# concord: begin").count(),
        1
    );

    assert!(r.concord(&["git", "uninstall"]).status.success());
    assert_eq!(r.read(".gitattributes"), "*.bin binary\n");
    assert!(!r
        .git_ok(&["config", "--local", "--list"])
        .contains("concord"));

    // --global: the user's configuration and attributes file.
    assert!(r.concord(&["git", "install", "--global"]).status.success());
    let global = std::fs::read_to_string(r.home.join(".config/git/attributes")).unwrap();
    assert!(
        global.contains("*.csv diff=concord merge=concord"),
        "{global}"
    );
    assert!(r
        .git_ok(&["config", "--global", "--list"])
        .contains("diff.concord.command="));
    assert!(r
        .concord(&["git", "uninstall", "--global"])
        .status
        .success());
    assert!(!r
        .git_ok(&["config", "--global", "--list"])
        .contains("concord"));
}

#[test]
fn git_diff_prints_concords_report_of_the_table() {
    let r = installed();
    r.write("data.csv", &BASE.replace("1,Ann,10", "1,Ann,11"));
    let diff = r.git_ok(&["diff"]);
    assert!(
        diff.starts_with("concord diff a/data.csv b/data.csv\n"),
        "{diff}"
    );
    assert!(
        diff.contains("key:   id") && diff.contains("amount: 10 → 11"),
        "{diff}"
    );
    r.git_ok(&["commit", "-q", "-am", "amount"]);
    // git log -p and git show run the driver with --ext-diff, and without
    // it diff the rows as CSV lines.
    let log = r.git_ok(&["log", "-p", "-1", "--ext-diff"]);
    assert!(log.contains("amount: 10 → 11"), "{log}");
    let show = r.git_ok(&["show"]);
    assert!(show.contains("-1,Ann,10,Oslo\n+1,Ann,11,Oslo"), "{show}");
    // A file Concord cannot read as a table gets git's line diff.
    r.commit("notes.csv", "a,b\n1,2\n", "notes");
    r.write("notes.csv", "a,b\n1,2,3,4\n\"open");
    let diff = r.git_ok(&["diff"]);
    assert!(
        diff.contains("cannot compare it as a table") && diff.contains("+\"open"),
        "{diff}"
    );
}

#[test]
fn edits_to_different_cells_of_one_row_merge_where_lines_conflict() {
    let r = installed();
    r.git_ok(&["checkout", "-q", "-b", "feature"]);
    let theirs = BASE.replace("1,Ann,10,Oslo", "1,Ann,10,Bergen") + "4,Di,40,Kyiv\n";
    r.commit("data.csv", &theirs, "city");
    r.git_ok(&["checkout", "-q", "main"]);
    let ours = BASE
        .replace("1,Ann,10,Oslo", "1,Ann,11,Oslo")
        .replace("3,Cy,30,Lima\n", "");
    r.commit("data.csv", &ours, "amount");

    // git's own line merge conflicts on row 1.
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let (o, b, t) = (file("o", &ours), file("b", BASE), file("t", &theirs));
    assert!(!r.git(&["merge-file", "-p", &o, &b, &t]).status.success());

    let out = r.git(&["merge", "feature", "-m", "merge"]);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    assert_eq!(
        r.read("data.csv"),
        "id,name,amount,city\n1,Ann,11,Bergen\n2,Bob,20,Rome\n4,Di,40,Kyiv\n"
    );
}

#[test]
fn one_cell_changed_differently_on_both_sides_is_a_conflict_a_person_can_resolve() {
    let r = installed();
    r.git_ok(&["checkout", "-q", "-b", "feature"]);
    r.commit(
        "data.csv",
        &BASE.replace("1,Ann,10,Oslo", "1,Ann,13,Oslo"),
        "13",
    );
    r.git_ok(&["checkout", "-q", "main"]);
    r.commit(
        "data.csv",
        &BASE.replace("1,Ann,10,Oslo", "1,Ann,14,Lund"),
        "14",
    );
    let out = r.git(&["merge", "feature", "-m", "merge"]);
    assert!(!out.status.success());
    let err = common::text(&out.stderr);
    assert!(
        err.contains(
            "CONFLICT in data.csv: the row of key 1: both sides changed 'amount' differently"
        ),
        "{err}"
    );
    assert_eq!(
        r.read("data.csv"),
        "id,name,amount,city\n<<<<<<< ours\n1,Ann,14,Lund\n=======\n1,Ann,13,Lund\n>>>>>>> theirs\n2,Bob,20,Rome\n3,Cy,30,Lima\n"
    );
    assert!(r.git_ok(&["status", "--short"]).contains("UU data.csv"));
}

#[test]
fn without_a_key_the_merge_is_gits_line_merge() {
    let r = installed();
    let base = "a,b\nx,1\nx,1\n";
    r.commit("dup.csv", base, "dups");
    r.git_ok(&["checkout", "-q", "-b", "feature"]);
    r.commit("dup.csv", "a,b\nx,1\nx,1\ny,2\n", "add");
    r.git_ok(&["checkout", "-q", "main"]);
    r.commit("dup.csv", "a,b\nz,0\nx,1\nx,1\n", "insert");
    let out = r.git(&["merge", "feature", "-m", "merge"]);
    let err = common::text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("merged line by line"), "{err}");
    assert_eq!(r.read("dup.csv"), "a,b\nz,0\nx,1\nx,1\ny,2\n");
}
