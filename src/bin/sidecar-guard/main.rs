//! `sidecar-guard`: check Kubernetes manifests in CI pipelines and on laptops.
//!
//! Exit codes: 0 no deny findings; 1 deny findings; 2 bad input or usage (unreadable
//! file, syntax error, invalid object or settings). When both happen, 2 wins: a run that
//! could not read everything must not pass for a clean one.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod fixing;
mod inputs;
mod kustomize;
mod render;
mod sarif;

use clap::{Parser, Subcommand, ValueEnum};
use sidecar_guard::{rules, Settings, SettingsError};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sidecar-guard",
    version,
    about = "Checks Kubernetes multi-container pods against the sidecar pattern's best practices"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check manifests: files, directories (*.yaml, *.yml, *.json, recursively) or - for stdin.
    Check {
        /// Settings file (YAML or JSON); see policies/settings.schema.json.
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Colour in text output: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Text output: only objects with findings, and errors (the summary line stays).
        #[arg(long, short)]
        quiet: bool,
        /// Treat named files as a folder walk does: YAML that is no Kubernetes object (CI
        /// configs, Helm values), empty files and Helm chart templates are skipped with
        /// their reason instead of being errors. For hooks that pass every changed file.
        #[arg(long)]
        skip_non_manifests: bool,
        /// Apply the safe fixes to the files in place (stdin: the fixed text goes to
        /// stdout, the report to stderr), then report what remains.
        #[arg(long)]
        fix: bool,
        /// With --fix or --diff: apply the unsafe fixes too (they change behaviour: review them).
        #[arg(long)]
        unsafe_fixes: bool,
        /// Print what --fix would change as a unified diff (the report goes to stderr);
        /// write nothing.
        #[arg(long, conflicts_with = "fix")]
        diff: bool,
        /// Manifests to check.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<String>,
    },
    /// List the rules.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// Rule id, as listed by `sidecar-guard rules`.
        rule: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    // Under WASI (the npm package's `sidecar-guard` command runs this binary in Node) the
    // working directory is the host's, handed over as PWD: relative paths then read and
    // print as they do natively.
    #[cfg(target_os = "wasi")]
    if let Some(pwd) = std::env::var_os("PWD") {
        let _ = std::env::set_current_dir(pwd);
    }
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            settings,
            format,
            color,
            quiet,
            skip_non_manifests,
            fix,
            unsafe_fixes,
            diff,
            paths,
        } => {
            let output = Output {
                format,
                color,
                quiet,
            };
            let fixing = match (fix, diff) {
                (true, _) => Fixing::Write,
                (_, true) => Fixing::Diff,
                _ => Fixing::No,
            };
            let options = sidecar_guard::fix::FixOptions { unsafe_fixes };
            let run = Run {
                skip_non_manifests,
                fixing,
                options,
            };
            check(settings.as_ref(), output, run, &paths)
        }
        Command::Rules { format } => list_rules(format),
        Command::Explain { rule } => explain(&rule),
    }
}

fn load_settings(path: Option<&PathBuf>) -> Result<Settings, String> {
    let Some(path) = path else {
        return Ok(Settings::default());
    };
    let shown = path.display();
    let text = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read settings file {shown}: {}",
            inputs::io_message(&e)
        )
    })?;
    let text =
        String::from_utf8(text).map_err(|_| format!("settings file {shown} is not UTF-8 text"))?;
    let list = |errors: Vec<SettingsError>| {
        let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        format!("invalid settings in {shown}:\n{}", lines.join("\n"))
    };
    let document = sidecar_guard::settings::parse_settings_text(&text).map_err(list)?;
    #[cfg(not(target_arch = "wasm32"))]
    {
        let errors = sidecar_guard::settings::validate_with_jsonschema(&document);
        if !errors.is_empty() {
            return Err(list(errors));
        }
        Settings::deserialize_checked(&document).map_err(list)
    }
    // Built for WASI (the npm package's command): the built-in validator, same errors.
    #[cfg(target_arch = "wasm32")]
    Settings::from_value(&document).map_err(list)
}

/// Whether `check` fixes, and how it says so.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fixing {
    No,
    /// `--fix`: rewrite the files (stdin: print the fixed text).
    Write,
    /// `--diff`: print what would change.
    Diff,
}

/// What `check` does besides judging.
struct Run {
    skip_non_manifests: bool,
    fixing: Fixing,
    options: sidecar_guard::fix::FixOptions,
}

/// How `check` prints its results.
struct Output {
    format: Format,
    color: ColorChoice,
    quiet: bool,
}

fn check(settings: Option<&PathBuf>, output: Output, run: Run, paths: &[String]) -> ExitCode {
    let settings = match load_settings(settings) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("sidecar-guard: {message}");
            return ExitCode::from(2);
        }
    };
    let named = if run.skip_non_manifests {
        inputs::Named::LikeFound
    } else {
        inputs::Named::AsGiven
    };
    let (mut inputs, mut results) = inputs::read_paths(paths, named);
    // What goes to stdout besides the report: the fixed stdin text, or the diff.
    let mut before_report = String::new();
    if run.fixing == Fixing::No {
        inputs::judge(&inputs, &settings, &mut results);
    } else {
        let (fixed, originals) = fixing::fix_inputs(&mut inputs, &results, &settings, run.options);
        results = fixed;
        for (input, original) in inputs.iter().zip(&originals) {
            if input.text == *original {
                continue;
            }
            match run.fixing {
                Fixing::Diff => {
                    before_report.push_str(&fixing::diff(&input.source, original, &input.text))
                }
                Fixing::Write if input.source == "-" => before_report.push_str(&input.text),
                Fixing::Write => {
                    if let Err(e) = std::fs::write(&input.source, &input.text) {
                        results.input_errors.push((
                            input.source.clone(),
                            format!("cannot write the fixes: {}", inputs::io_message(&e)),
                        ));
                    }
                }
                Fixing::No => {}
            }
        }
        // Stdin piped through --fix still prints itself when nothing changed.
        if run.fixing == Fixing::Write {
            if let Some(stdin) = inputs.iter().find(|i| i.source == "-") {
                if before_report.is_empty() {
                    before_report.push_str(&stdin.text);
                }
            }
        }
    }
    let report_to_stderr = !before_report.is_empty()
        || (run.fixing == Fixing::Diff)
        || (run.fixing == Fixing::Write && inputs.iter().any(|i| i.source == "-"));
    let Output {
        format,
        color,
        quiet,
    } = output;
    let use_color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !report_to_stderr
                && stdout_is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let output = match format {
        Format::Text => render::text(&results, use_color, quiet),
        Format::Json => render::json(&results),
        Format::Sarif => sarif::sarif(&results),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = stdout.write_all(before_report.as_bytes());
    if report_to_stderr {
        let _ = stdout.flush();
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(output.as_bytes());
    } else {
        let _ = stdout.write_all(output.as_bytes());
    }
    let _ = stdout.flush();
    ExitCode::from(results.exit_code())
}

/// Under WASI the host knows whether stdout is a terminal and says so (the npm package's
/// launcher sets SIDECAR_GUARD_STDOUT_IS_TERMINAL); natively the stream is asked.
fn stdout_is_terminal() -> bool {
    if cfg!(target_os = "wasi") {
        std::env::var_os("SIDECAR_GUARD_STDOUT_IS_TERMINAL").is_some_and(|v| v == "1")
    } else {
        std::io::stdout().is_terminal()
    }
}

fn list_rules(format: ListFormat) -> ExitCode {
    match format {
        ListFormat::Text => {
            let width = rules::ALL
                .iter()
                .map(|r| r.meta().id.len())
                .max()
                .unwrap_or(0);
            for rule in rules::ALL {
                let meta = rule.meta();
                println!(
                    "{:width$}  {:4}  {}",
                    meta.id,
                    meta.default_severity.as_str(),
                    meta.summary
                );
            }
        }
        ListFormat::Json => println!("{}", render::rules_json()),
    }
    ExitCode::SUCCESS
}

fn explain(id: &str) -> ExitCode {
    match rules::find(id) {
        Some(rule) => {
            let meta = rule.meta();
            println!(
                "# {} — {}\n\ndefault severity: {} · category: {} · since: {}\n",
                meta.id, meta.summary, meta.default_severity, meta.category, meta.since
            );
            println!("{}", meta.docs_markdown().trim_end());
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "sidecar-guard: unknown rule {id:?}; rules are: {}",
                sidecar_guard::rules::ids().join(", ")
            );
            ExitCode::from(2)
        }
    }
}
