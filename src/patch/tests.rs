use super::apply::raw_fields;
use super::{Action, Patch};
use crate::error::Error;
use crate::table::{load_bytes, LoadOptions};

#[test]
fn fields_are_split_as_the_parser_reads_them() {
    let split = |s: &str| -> Vec<String> {
        raw_fields(s.as_bytes(), b',')
            .into_iter()
            .map(|f| String::from_utf8(f.to_vec()).unwrap())
            .collect()
    };
    assert_eq!(split("a,b,c"), ["a", "b", "c"]);
    assert_eq!(
        split(r#""x, y","say ""hi""",z"#),
        [r#""x, y""#, r#""say ""hi""""#, "z"]
    );
    assert_eq!(split(",,"), ["", "", ""]);
    assert_eq!(split(r#"a"b,"c"d,"#), [r#"a"b"#, r#""c"d"#, ""]);
    assert_eq!(split(r#""open,end"#), [r#""open,end"#]);
    assert_eq!(split("\"line\nbreak\",2"), ["\"line\nbreak\"", "2"]);
}

#[test]
fn actions_are_named_as_the_patch_writes_them() {
    for a in [Action::Change, Action::Remove, Action::Add] {
        assert_eq!(Action::from_name(a.name()), Some(a));
    }
    assert_eq!(Action::from_name("delete"), None);
}

fn read(text: &str) -> crate::Result<Patch> {
    let opts = LoadOptions {
        has_header: Some(true),
        ..LoadOptions::default()
    };
    let t = load_bytes("p.csv", text.as_bytes().to_vec(), &opts)?;
    Patch::from_table(&t, "p.csv")
}

#[test]
fn a_patch_is_read_with_its_keys_columns_and_lines() {
    let p = read(
        "action,right_row,key:id,changed_columns,before:a,after:a,before:b,after:b\n\
         change,,1,a,x,y,,\nadd,7,2,,,1,,2\n",
    )
    .unwrap();
    assert_eq!(p.keys, ["id"]);
    assert_eq!(p.columns, ["a", "b"]);
    assert_eq!(p.lines.len(), 2);
    assert_eq!(
        (p.lines[0].action, &p.lines[0].before[0][..]),
        (Action::Change, "x")
    );
    assert_eq!((p.lines[1].right_row, p.lines[1].line), (7, 3));
}

#[test]
fn what_is_not_a_patch_is_refused_naming_the_line() {
    let message = |text: &str| match read(text) {
        Err(e @ Error::InvalidFile { .. }) => e.to_string(),
        other => panic!("expected an invalid file, got {other:?}"),
    };
    assert!(message("id,name\n1,a\n").contains("is not a Concord patch"));
    assert!(
        message("action,right_row,key:id,before:a,after:a\nadd,1,1,,x\n")
            .contains("no 'changed_columns' column")
    );
    assert!(
        message("action,right_row,changed_columns,before:a,after:b\n")
            .contains("'before:NAME,after:NAME' pairs")
    );
    let m = message("action,right_row,changed_columns,before:a,after:a\nmove,,,x,y\n");
    assert!(
        m.contains("line 2") && m.contains("'move' is not an action"),
        "{m}"
    );
    let m = message("action,right_row,changed_columns,before:a,after:a\nadd,,,,y\n");
    assert!(
        m.contains("line 2") && m.contains("needs its row number"),
        "{m}"
    );
}
