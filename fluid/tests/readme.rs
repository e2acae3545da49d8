//! The README shows `examples/fluid/echo_server.fluid`: the block must be the file as shipped
//! (less its opening comment, which says how to run it), so the README cannot drift from the
//! example the tests and the benchmark run.

use std::path::Path;

#[test]
fn the_readme_shows_the_echo_example_as_it_ships() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let chapter = &readme[readme
        .find("## Running Fluid scripts")
        .expect("the chapter")..];
    let start = chapter.find("```lua\n").expect("a lua block") + "```lua\n".len();
    let block = &chapter[start..start + chapter[start..].find("```").unwrap()];
    let example = std::fs::read_to_string(root.join("examples/fluid/echo_server.fluid")).unwrap();
    // The file's opening comment and the blank line after it.
    let body: String = example
        .lines()
        .skip_while(|l| l.starts_with("--"))
        .skip_while(|l| l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(block, body);
}
