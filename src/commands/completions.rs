//! `dsinstall completions SHELL` and `dsinstall man --out DIR`.
//!
//! Both are generated at run time from the clap `Command` that `--help` prints, so the shell
//! completions and the manual pages can never describe another command line than the binary
//! they come from. The packages are built from that same binary: `.ci/package` runs it to
//! write the files they install.

use crate::commands::EXIT_PROBLEMS;
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The shells whose completion scripts dsinstall prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Print the completion script for `shell` to stdout.
pub fn run(shell: Shell, cmd: clap::Command) -> ExitCode {
    let script = script(shell, cmd);
    use std::io::Write;
    match std::io::stdout().lock().write_all(&script) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dsinstall: completions: writing to stdout: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The completion script for `shell`, as bytes.
pub fn script(shell: Shell, mut cmd: clap::Command) -> Vec<u8> {
    let name = cmd.get_name().to_owned();
    let mut out = Vec::new();
    match shell {
        Shell::Bash => {
            clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, name, &mut out)
        }
        Shell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, name, &mut out),
        Shell::Fish => {
            clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, name, &mut out)
        }
    }
    out
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The date of this version's entry in CHANGELOG.md (`## [0.1.0] - 2026-12-01`), which the
/// pages carry as the date of their last change. A test requires the entry.
fn release_date() -> Option<&'static str> {
    const CHANGELOG: &str = include_str!("../../CHANGELOG.md");
    CHANGELOG.lines().find_map(|line| {
        let rest = line.strip_prefix("## [")?.strip_prefix(VERSION)?;
        rest.strip_prefix("] - ").map(str::trim)
    })
}

/// Write `dsinstall.1` and one `dsinstall-SUB.1` per visible subcommand into `out`, and print
/// each path. `out` must exist: this is a build step, not something to guess at.
pub fn man(cmd: clap::Command, out: &Path) -> ExitCode {
    if !out.is_dir() {
        eprintln!("dsinstall: man: --out {} is not a directory", out.display());
        return ExitCode::from(EXIT_PROBLEMS);
    }
    let pages = match pages(cmd) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("dsinstall: man: rendering the pages: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (name, roff) in pages {
        let path: PathBuf = out.join(&name);
        if let Err(e) = dsinstall::io::write::write_file(&path, &roff, dsinstall::io::write::PUBLIC)
        {
            eprintln!("dsinstall: man: writing {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{}", path.display());
    }
    ExitCode::SUCCESS
}

/// Every manual page as (file name, roff text): the top-level page first, then one page per
/// visible subcommand, the way git names its pages (`dsinstall-plan.1`), which is also how
/// clap_mangen's SUBCOMMANDS section refers to them.
pub fn pages(cmd: clap::Command) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    // The `help` subcommand clap adds is the same text as `--help`; it gets no page.
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, &mut pages)?;
    Ok(pages)
}

fn collect(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    // Every page's footer names the release and its date. The date is required: clap_mangen
    // writes an empty one as nothing, which shifts the source into the date's place.
    let man = clap_mangen::Man::new(cmd.clone())
        .date(release_date().unwrap_or(VERSION))
        .source(format!("dsinstall {VERSION}"))
        .manual("dsinstall manual");
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    pages.push((man.get_filename(), roff));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, pages)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::process::{Command, Stdio};

    fn cli() -> clap::Command {
        let mut cmd = crate::Cli::command();
        cmd.build();
        cmd
    }

    /// Every command of the tree with its path below `dsinstall` (the root's is empty).
    fn commands(
        cmd: &clap::Command,
        path: Vec<String>,
        out: &mut Vec<(Vec<String>, clap::Command)>,
    ) {
        out.push((path.clone(), cmd.clone()));
        for sub in cmd.get_subcommands() {
            let mut p = path.clone();
            p.push(sub.get_name().to_owned());
            commands(sub, p, out);
        }
    }

    /// What the command offers after its path: subcommands, `--long` and `-s` flags, and
    /// the values of a positional argument with a fixed set.
    fn offers(cmd: &clap::Command) -> Vec<String> {
        let mut words: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_owned())
            .collect();
        for arg in cmd.get_arguments() {
            words.extend(arg.get_long().map(|l| format!("--{l}")));
            words.extend(arg.get_short().map(|s| format!("-{s}")));
            if arg.is_positional() {
                words.extend(
                    arg.get_possible_values()
                        .iter()
                        .map(|v| v.get_name().to_owned()),
                );
            }
        }
        words
    }

    /// Complete `dsinstall PATH... CUR` the way bash does: COMP_WORDS and COMP_CWORD set,
    /// then the function that `complete -p dsinstall` names, called with the command, the
    /// current word and the previous one.
    fn bash_complete(script: &str, path: &[String], cur: &str) -> Vec<String> {
        let mut words = vec!["dsinstall".to_owned()];
        words.extend(path.iter().cloned());
        let prev = words.last().cloned().unwrap_or_default();
        words.push(cur.to_owned());
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let driver = format!(
            "{script}\n\
             func=$(complete -p dsinstall | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')\n\
             COMP_WORDS=({words})\n\
             COMP_CWORD={cword}\n\
             COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
             COMP_POINT=${{#COMP_LINE}}\n\
             \"$func\" dsinstall '{cur}' '{prev}'\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            words = quoted.join(" "),
            cword = words.len() - 1,
        );
        let out = Command::new("bash")
            .arg("--norc")
            .arg("-c")
            .arg(driver)
            .stdin(Stdio::null())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "bash: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // printf prints one empty line for an empty COMPREPLY.
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn bash_offers_every_subcommand_flag_and_value() {
        let script = String::from_utf8(script(Shell::Bash, crate::Cli::command())).unwrap();
        let mut all = Vec::new();
        commands(&cli(), Vec::new(), &mut all);
        // The tree is the real one: the root, its commands, and clap's `help` below them.
        assert!(all.len() > 10, "{} commands", all.len());
        for (path, cmd) in &all {
            let mut offered = bash_complete(&script, path, "");
            offered.extend(bash_complete(&script, path, "-"));
            for word in offers(cmd) {
                assert!(
                    offered.contains(&word),
                    "bash does not offer {word} after `dsinstall {}`; it offers {offered:?}",
                    path.join(" ")
                );
            }
        }
    }

    #[test]
    fn bash_completes_a_prefix_to_the_one_command() {
        let script = String::from_utf8(script(Shell::Bash, crate::Cli::command())).unwrap();
        assert_eq!(bash_complete(&script, &[], "ren"), ["render"]);
        assert_eq!(
            bash_complete(&script, &["completions".into()], "z"),
            ["zsh"]
        );
        // Each command offers its own flags only: plan has --answers and no --out.
        assert_eq!(
            bash_complete(&script, &["plan".into()], "--a"),
            ["--answers"]
        );
        assert!(bash_complete(&script, &["plan".into()], "--o").is_empty());
    }

    #[test]
    fn zsh_and_fish_scripts_name_every_subcommand_and_flag() {
        let mut all = Vec::new();
        commands(&cli(), Vec::new(), &mut all);
        let zsh = String::from_utf8(script(Shell::Zsh, crate::Cli::command())).unwrap();
        let fish = String::from_utf8(script(Shell::Fish, crate::Cli::command())).unwrap();
        for (path, cmd) in &all {
            let at = format!("`dsinstall {}`", path.join(" "));
            for sub in cmd.get_subcommands().map(|s| s.get_name()) {
                assert!(zsh.contains(&format!("({sub})")), "zsh lacks {sub} of {at}");
                assert!(
                    fish.contains(&format!("-a \"{sub}\"")),
                    "fish lacks {sub} of {at}"
                );
            }
            for arg in cmd.get_arguments() {
                if let Some(l) = arg.get_long() {
                    // Written `'--name`, `'*--name` when repeatable, `'(--other)--name` when it
                    // conflicts with another option.
                    assert!(
                        ["'", "'*", ")"]
                            .iter()
                            .any(|before| zsh.contains(&format!("{before}--{l}"))),
                        "zsh lacks --{l} of {at}"
                    );
                    assert!(
                        fish.contains(&format!("-l {l}")),
                        "fish lacks --{l} of {at}"
                    );
                }
                if let Some(s) = arg.get_short() {
                    assert!(zsh.contains(&format!("'-{s}[")), "zsh lacks -{s} of {at}");
                    assert!(fish.contains(&format!("-s {s}")), "fish lacks -{s} of {at}");
                }
            }
        }
    }

    #[test]
    fn one_page_per_visible_command_naming_each_of_its_flags() {
        let pages = pages(crate::Cli::command()).unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        let mut want = vec!["dsinstall.1".to_owned()];
        want.extend(
            cli()
                .get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name() != "help")
                .map(|s| format!("dsinstall-{}.1", s.get_name())),
        );
        assert_eq!(names, want);
        let root = cli();
        for (name, roff) in &pages {
            let text = String::from_utf8(roff.clone()).unwrap();
            let cmd = match name
                .strip_prefix("dsinstall-")
                .and_then(|n| n.strip_suffix(".1"))
            {
                Some(sub) => root.find_subcommand(sub).unwrap().clone(),
                None => root.clone(),
            };
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                if let Some(long) = arg.get_long() {
                    // roff escapes every dash.
                    let escaped = format!("\\-\\-{}", long.replace('-', "\\-"));
                    assert!(text.contains(&escaped), "{name} does not name --{long}");
                }
            }
            assert!(
                text.contains(&format!("\"dsinstall {VERSION}\"")),
                "{name}: no version"
            );
        }
    }

    #[test]
    fn changelog_dates_this_version() {
        let date = release_date()
            .expect("CHANGELOG.md has a `## [VERSION] - DATE` entry for this version");
        let parts: Vec<&str> = date.split('-').collect();
        assert!(
            parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok()),
            "{date} is not YYYY-MM-DD"
        );
    }

    /// groff with every warning on, output discarded: any diagnostic is a defect in a page.
    #[test]
    fn every_page_renders_without_groff_warnings() {
        let groff = Command::new("groff")
            .arg("-v")
            .stdout(Stdio::null())
            .status();
        if !groff.is_ok_and(|s| s.success()) {
            if std::env::var("DSINSTALL_REQUIRE_GROFF").as_deref() == Ok("1") {
                panic!(
                    "groff is required (DSINSTALL_REQUIRE_GROFF=1) but does not run; apt install groff-base"
                );
            }
            eprintln!("skipped: groff not found (apt install groff-base)");
            return;
        }
        for (name, roff) in pages(crate::Cli::command()).unwrap() {
            let mut child = Command::new("groff")
                .args(["-man", "-Tutf8", "-ww", "-z"])
                .stdin(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child.stdin.take().unwrap().write_all(&roff).unwrap();
            let out = child.wait_with_output().unwrap();
            let warnings = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && warnings.is_empty(),
                "{name}: {warnings}"
            );
        }
    }
}
