//! What a container's process does, read from `command`, `args` and `env` as the kubelet
//! and a POSIX shell would read them.
//!
//! The kubelet expands `$(VAR)` from the container's `env` (`$$` escapes a dollar) and
//! runs `command` + `args`; a shell (`sh -c SCRIPT`, `bash -ec SCRIPT`) then splits its
//! script into simple commands on `;`, `&&`, `||`, `|`, `&` and newlines, honouring quotes
//! and comments. The YAML reader has already joined folded (`>`) and literal (`|`)
//! scalars as YAML joins them, so a folded script is one line: `python job.py curl …`
//! there is one command whose arguments include `curl`, not two commands.
//!
//! From the simple commands this reads only what roles and rules need: whether the
//! process never exits by itself (`tail -f`, `sleep infinity`, an endless loop), whether
//! it is a pause (nothing but waiting), which files it follows, and which other
//! processes it stops (a stop endpoint called with curl, `kill`/`pkill` of a process).
//! A container whose `command` is left to the image is unknown: nothing is assumed.

use crate::model::Container;
use std::collections::BTreeMap;

/// One simple command of the process: its words, after expansion and quote removal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    pub words: Vec<String>,
    /// Run in the background (`cmd &`): the script does not wait for it.
    pub background: bool,
    /// Inside a loop's body or condition.
    pub in_loop: bool,
}

impl SimpleCommand {
    /// The program's base name (`/usr/bin/tail` → `tail`), after `exec`, `env` and
    /// `nohup` prefixes.
    pub fn program(&self) -> Option<&str> {
        self.program_index()
            .and_then(|i| self.words.get(i))
            .map(|w| w.rsplit('/').next().unwrap_or(w))
    }

    fn program_index(&self) -> Option<usize> {
        let mut i = 0;
        while let Some(word) = self.words.get(i) {
            match word.as_str() {
                "exec" | "nohup" | "command" | "time" => i += 1,
                // `env A=b prog`: skip the assignments too.
                "env" | "/usr/bin/env" => {
                    i += 1;
                    while self.words.get(i).is_some_and(|w| is_assignment(w)) {
                        i += 1;
                    }
                }
                w if is_assignment(w) => i += 1,
                _ => return Some(i),
            }
        }
        None
    }

    /// The words after the program.
    pub fn arguments(&self) -> &[String] {
        match self.program_index() {
            Some(i) => self.words.get(i + 1..).unwrap_or_default(),
            None => &[],
        }
    }

    /// The command as written, for messages.
    pub fn text(&self) -> String {
        self.words.join(" ")
    }

    /// `tail -f FILE`, `tail -F FILE`, `tail --follow=name FILE`: follows files forever
    /// (unless `--pid` ends it with another process).
    fn follows(&self) -> bool {
        self.program() == Some("tail")
            && self.arguments().iter().any(|a| {
                a == "--follow"
                    || a.starts_with("--follow=")
                    || (a.starts_with('-')
                        && !a.starts_with("--")
                        && a.chars().skip(1).any(|ch| ch == 'f' || ch == 'F'))
            })
            && !self.arguments().iter().any(|a| a.starts_with("--pid"))
    }

    /// The files a following `tail` reads.
    fn followed_files(&self) -> Vec<String> {
        if !self.follows() {
            return Vec::new();
        }
        let mut files = Vec::new();
        let mut args = self.arguments().iter();
        while let Some(a) = args.next() {
            if a == "-n" || a == "-c" || a == "-s" || a == "--lines" || a == "--bytes" {
                args.next();
            } else if !a.starts_with('-') && !a.starts_with('+') {
                files.push(a.clone());
            }
        }
        files
    }

    /// `sleep infinity` (GNU and busybox both accept `inf`/`infinity`), or a sleep of a
    /// year or more: waits for ever.
    fn sleeps_forever(&self) -> bool {
        self.program() == Some("sleep")
            && self.arguments().iter().any(|a| {
                let a = a.to_ascii_lowercase();
                a == "infinity"
                    || a == "inf"
                    || a.parse::<u64>().is_ok_and(|seconds| seconds >= 31_536_000)
            })
    }

    /// `tail -f /dev/null`: the idiom for a process that does nothing and never ends.
    fn waits_on_nothing(&self) -> bool {
        self.follows() && self.followed_files().iter().all(|f| f == "/dev/null")
    }
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.as_bytes().first().is_some_and(u8::is_ascii_digit)
    })
}

/// How a container's process was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// `command` is left to the image: its entrypoint is unknown.
    ImageEntrypoint,
    /// `command` (and `args`) run directly.
    Direct,
    /// A shell runs a script.
    Script,
}

/// What a container's process does, as far as its manifest shows.
#[derive(Clone, Debug)]
pub struct Process {
    pub reading: Reading,
    /// The simple commands, in order (one for a direct command).
    pub commands: Vec<SimpleCommand>,
    /// A loop that never ends by itself (`while true`, `while :`, `until false`) without
    /// `break`, `exit` or `return` in it.
    pub endless_loop: bool,
    /// `args` handed to the image's own entrypoint (`Reading::ImageEntrypoint`).
    entrypoint_args: Vec<String>,
}

/// Shells whose `-c` takes a script.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// Programs that `args` alone run as the process whatever the image: images without an
/// entrypoint (busybox, alpine, debian) run `args` as the command line, and the official
/// images' entrypoint scripts (nginx, redis, postgres) exec a first argument that is not
/// an option of their own. No entrypoint takes these as a subcommand.
const STANDALONE_PROGRAMS: &[&str] = &["sleep", "tail"];

/// Programs that call a URL: a stop endpoint called with one of them stops its product.
const URL_CALLERS: &[&str] = &["curl", "wget", "http", "pilot-agent", "linkerd-await"];

/// Programs that signal other processes (through a shared process namespace).
const SIGNALLERS: &[&str] = &["kill", "pkill", "killall"];

impl Process {
    /// Reads the container's process. `args` alone are read as a command line only when
    /// they start with a shell, a program path or a standalone program (`sleep 1d`);
    /// otherwise they are arguments of an unknown entrypoint.
    pub fn read(container: &Container) -> Process {
        let env = env_values(container);
        let expand = |words: &Option<Vec<crate::model::Str>>| -> Vec<String> {
            words
                .iter()
                .flatten()
                .map(|w| expand_variables(w, &env))
                .collect()
        };
        let command = expand(&container.command);
        let args = expand(&container.args);
        let words: Vec<String> = if container.command.is_some() {
            command.into_iter().chain(args).collect()
        } else if args.first().is_some_and(|a| {
            a.starts_with('/')
                || SHELLS.contains(&base_name(a))
                || STANDALONE_PROGRAMS.contains(&a.as_str())
        }) {
            args
        } else {
            return Process {
                reading: Reading::ImageEntrypoint,
                commands: Vec::new(),
                endless_loop: false,
                entrypoint_args: args,
            };
        };
        match shell_script(&words) {
            Some(script) => {
                let parsed = parse_script(&script);
                let mut commands = Vec::with_capacity(parsed.commands.len());
                for command in parsed.commands {
                    // `trap 'curl …/quitquitquit' EXIT`: the handler's commands run when
                    // the script ends.
                    let handler = (command.program() == Some("trap"))
                        .then(|| command.arguments().first().cloned())
                        .flatten();
                    commands.push(command);
                    if let Some(handler) = handler {
                        commands.extend(parse_script(&handler).commands);
                    }
                }
                Process {
                    reading: Reading::Script,
                    commands,
                    endless_loop: parsed.endless_loop,
                    entrypoint_args: Vec::new(),
                }
            }
            None => Process {
                reading: Reading::Direct,
                commands: vec![SimpleCommand {
                    words,
                    background: false,
                    in_loop: false,
                }],
                endless_loop: false,
                entrypoint_args: Vec::new(),
            },
        }
    }

    /// The process never exits by itself: it follows files, sleeps for ever or loops
    /// without end (in the foreground, or waited for).
    pub fn never_exits(&self) -> bool {
        if self.endless_loop {
            return true;
        }
        let waits = self
            .commands
            .iter()
            .any(|c| c.program() == Some("wait") && !c.background);
        self.commands
            .iter()
            .any(|c| (c.follows() || c.sleeps_forever()) && !c.in_loop && (!c.background || waits))
    }

    /// The whole process is waiting (`sleep infinity`, `sleep 3600`, `tail -f /dev/null`):
    /// there is nothing to probe. A sleep of any length counts: the container does nothing
    /// but wait until it ends (and is restarted, or ends its Job).
    pub fn is_pause(&self) -> bool {
        // Not a script that starts something and then waits (`nginx; sleep infinity`):
        // a daemon may serve behind the wait, and that needs its probes.
        self.only_waits()
    }

    fn only_waits(&self) -> bool {
        let waits = |c: &SimpleCommand| c.program() == Some("sleep") || c.waits_on_nothing();
        !self.endless_loop
            && !self.commands.is_empty()
            && self.commands.iter().all(|c| {
                waits(c)
                    || matches!(
                        c.program(),
                        Some("echo" | "true" | ":" | "trap" | "set" | "wait")
                    )
            })
            && self.commands.iter().any(waits)
    }

    /// The files it follows, when following files (and waiting) is all it does: a
    /// streaming reader (`tail -n+1 -F /var/log/1.log`).
    pub fn only_follows_files(&self) -> Option<Vec<String>> {
        if self.commands.is_empty() {
            return None;
        }
        let mut files = Vec::new();
        for c in &self.commands {
            if c.follows() {
                files.extend(c.followed_files().into_iter().filter(|f| f != "/dev/null"));
            } else if !matches!(
                c.program(),
                Some("echo" | "true" | ":" | "sleep" | "set" | "cat" | "ls" | "mkdir" | "touch")
            ) {
                return None;
            }
        }
        (!files.is_empty()).then_some(files)
    }

    /// A command (not an argument of another command) that calls a URL containing one
    /// of `markers` (`quitquitquit`, `4191/shutdown`) or runs `linkerd-await --shutdown`.
    pub fn calls_stop(&self, markers: &[&str]) -> Option<&SimpleCommand> {
        self.commands.iter().find(|c| {
            c.program().is_some_and(|p| URL_CALLERS.contains(&p)) && {
                let text = c.text();
                markers.iter().any(|m| text.contains(m))
            }
        })
    }

    /// A `kill`/`pkill`/`killall` command that names one of `processes`.
    pub fn signals(&self, processes: &[&str]) -> Option<&SimpleCommand> {
        self.commands.iter().find(|c| {
            c.program().is_some_and(|p| SIGNALLERS.contains(&p))
                && c.arguments()
                    .iter()
                    .any(|a| processes.iter().any(|p| !p.is_empty() && a.contains(p)))
        })
    }

    /// A command that stops one of `processes` through a shared process namespace: a
    /// `kill`/`pkill`/`killall` naming it, or a script file (`. /scripts/wait.sh job
    /// cloud_sql_proxy`) handed its name; the script itself is not in the manifest, and
    /// a process name among its arguments is what says it will signal that process.
    pub fn stops_process(&self, processes: &[&str]) -> Option<&SimpleCommand> {
        self.signals(processes).or_else(|| {
            self.commands.iter().find(|c| {
                let runs_script = match c.program() {
                    Some(".") | Some("source") => true,
                    Some(p) => p.ends_with(".sh"),
                    None => false,
                };
                runs_script
                    && c.arguments()
                        .iter()
                        .any(|a| processes.iter().any(|p| !p.is_empty() && a == p))
            })
        })
    }

    /// The subcommand: the first argument that is not a flag (`vault agent -config=…`
    /// → `agent`), of the command running `program` (or of the first command).
    pub fn subcommand_of(&self, program: Option<&str>) -> Option<&str> {
        self.subcommands_of(program).into_iter().next()
    }

    /// The first two arguments that are not flags (`pilot-agent proxy router` → `proxy`,
    /// `router`): of the command running `program`, else of the first command, else of
    /// the image entrypoint's `args`.
    pub fn subcommands_of(&self, program: Option<&str>) -> Vec<&str> {
        let command = match program {
            Some(p) => self.commands.iter().find(|c| c.program() == Some(p)),
            None => self.commands.first(),
        };
        let arguments: &[String] = match command {
            Some(c) => c.arguments(),
            None if self.reading == Reading::ImageEntrypoint => &self.entrypoint_args,
            None => &[],
        };
        arguments
            .iter()
            .filter(|a| !a.starts_with('-'))
            .take(2)
            .map(String::as_str)
            .collect()
    }

    /// The value of a flag (`--type=liveness` or `--type liveness`) anywhere in the
    /// process's words or the entrypoint's `args`.
    pub fn flag_value(&self, flag: &str) -> Option<String> {
        let words: Vec<&str> = self
            .commands
            .iter()
            .flat_map(|c| c.words.iter().map(String::as_str))
            .chain(self.entrypoint_args())
            .collect();
        let mut rest = words.iter();
        while let Some(word) = rest.next() {
            if let Some(value) = word.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                return Some(value.to_string());
            }
            if *word == flag {
                return rest.next().map(|v| v.to_string());
            }
        }
        None
    }

    /// The arguments handed to the image's entrypoint, when `command` is left to it.
    pub fn entrypoint_args(&self) -> impl Iterator<Item = &str> {
        self.entrypoint_args.iter().map(String::as_str)
    }

    /// Neither `command` nor `args` is written: the image runs its defaults.
    pub fn is_unset(&self) -> bool {
        self.reading == Reading::ImageEntrypoint && self.entrypoint_args.is_empty()
    }
}

/// Plain `env` values by name (valueFrom is unknown here).
fn env_values<'c>(container: &'c Container) -> BTreeMap<&'c str, &'c str> {
    container
        .env
        .iter()
        .flatten()
        .filter_map(|e| e.value.as_deref().map(|v| (e.name.as_str(), v)))
        .collect()
}

fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// The kubelet's `$(VAR)` expansion: defined variables are replaced, undefined ones are
/// left as written, `$$` is a literal `$`.
pub fn expand_variables(word: &str, env: &BTreeMap<&str, &str>) -> String {
    if !word.contains('$') {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 1..).unwrap_or_default();
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('(') {
            match inner.find(')') {
                Some(close) => {
                    let name = inner.get(..close).unwrap_or_default();
                    match env.get(name) {
                        Some(value) => out.push_str(value),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = inner.get(close + 1..).unwrap_or_default();
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The script of `sh -c SCRIPT` (flags such as `-e`, `-x`, `-ec` before or joined with
/// `-c`), when the command is a shell.
fn shell_script(words: &[String]) -> Option<String> {
    let mut rest = words.iter();
    let first = rest.next()?;
    let shell = base_name(first);
    let shell = if shell == "busybox" {
        base_name(rest.next()?)
    } else {
        shell
    };
    if !SHELLS.contains(&shell) {
        return None;
    }
    let mut takes_script = false;
    for word in rest {
        if takes_script {
            return Some(word.clone());
        }
        if word.starts_with('-') && !word.starts_with("--") {
            takes_script = word.contains('c');
        } else if word == "--" {
            continue;
        } else {
            // `sh script.sh`: a script file we cannot read.
            return None;
        }
    }
    None
}

/// A script's simple commands, and whether one of its loops never ends.
struct Script {
    commands: Vec<SimpleCommand>,
    endless_loop: bool,
}

/// A token of a script: a word, or an operator that ends a command.
#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    /// `;`, newline, `&&`, `||`, `|`, `(`, `)`, `{`, `}`.
    Separator,
    Background,
}

/// Splits a script into words and separators as a POSIX shell does: quotes and
/// backslashes are removed, `$(…)`, `` `…` `` and `${…}` stay inside their word, `#` at a
/// word's start comments out the rest of the line.
fn tokenize(script: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let end_word = |tokens: &mut Vec<Token>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            tokens.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(&next) = chars.peek() {
                                if matches!(next, '"' | '\\' | '$' | '`') {
                                    word.push(next);
                                    chars.next();
                                } else if next == '\n' {
                                    chars.next();
                                } else {
                                    word.push('\\');
                                }
                            }
                        }
                        _ => word.push(c),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(c) => {
                    in_word = true;
                    word.push(c);
                }
            },
            '$' if chars.peek().is_some_and(|c| *c == '(' || *c == '{') => {
                in_word = true;
                word.push('$');
                let (open, close) = match chars.next() {
                    Some('{') => ('{', '}'),
                    _ => ('(', ')'),
                };
                word.push(open);
                let mut depth = 1;
                for c in chars.by_ref() {
                    word.push(c);
                    if c == open {
                        depth += 1;
                    } else if c == close {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                }
            }
            '`' => {
                in_word = true;
                word.push('`');
                for c in chars.by_ref() {
                    word.push(c);
                    if c == '`' {
                        break;
                    }
                }
            }
            '#' if !in_word => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                end_word(&mut tokens, &mut word, &mut in_word);
                tokens.push(Token::Separator);
            }
            ' ' | '\t' | '\r' => end_word(&mut tokens, &mut word, &mut in_word),
            '\n' | ';' | '|' | '(' | ')' => {
                end_word(&mut tokens, &mut word, &mut in_word);
                if ch == '|' && chars.peek() == Some(&'|') {
                    chars.next();
                }
                if ch == ';' && chars.peek() == Some(&';') {
                    chars.next();
                }
                tokens.push(Token::Separator);
            }
            '&' => {
                end_word(&mut tokens, &mut word, &mut in_word);
                if chars.peek() == Some(&'&') {
                    chars.next();
                    tokens.push(Token::Separator);
                } else if chars.peek() == Some(&'>') {
                    // `&>file`: a redirection, not a background job.
                    word.push('&');
                    in_word = true;
                } else {
                    tokens.push(Token::Background);
                }
            }
            '{' | '}' if !in_word && chars.peek().is_none_or(|c| c.is_whitespace()) => {
                end_word(&mut tokens, &mut word, &mut in_word);
                tokens.push(Token::Separator);
            }
            _ => {
                in_word = true;
                word.push(ch);
            }
        }
    }
    end_word(&mut tokens, &mut word, &mut in_word);
    tokens
}

/// Words that open or close a compound command, or prefix one: not programs.
const RESERVED: &[&str] = &[
    "do", "done", "then", "fi", "else", "elif", "esac", "!", "if", "while", "until", "for", "case",
    "in",
];

/// Reads a script's simple commands and its loops. Loops nest; a `while`/`until` whose
/// condition is always true (`true`, `:`, `[ 1 ]`, `until false`) and whose body has no
/// `break`, `exit` or `return` never ends.
fn parse_script(script: &str) -> Script {
    let mut commands = Vec::new();
    let mut current: Vec<String> = Vec::new();
    // One entry per open loop: (endless condition so far, seen an exit in it).
    struct Loop {
        endless: bool,
        exits: bool,
        in_condition: bool,
    }
    let mut loops: Vec<Loop> = Vec::new();
    let mut endless_loop = false;
    let mut tokens = tokenize(script).into_iter().peekable();
    loop {
        let token = tokens.next();
        let finished = match &token {
            Some(Token::Word(w)) => {
                if current.is_empty() && RESERVED.contains(&w.as_str()) {
                    match w.as_str() {
                        "while" | "until" => {
                            let until = w == "until";
                            // The condition is the next simple command.
                            let condition: Vec<String> =
                                std::iter::from_fn(|| match tokens.peek() {
                                    Some(Token::Word(word)) if word != "do" => {
                                        if let Some(Token::Word(word)) = tokens.next() {
                                            Some(word)
                                        } else {
                                            None
                                        }
                                    }
                                    _ => None,
                                })
                                .collect();
                            let always = if until {
                                matches!(condition.as_slice(), [w] if w == "false")
                            } else {
                                matches!(condition.as_slice(), [w] if w == "true" || w == ":")
                                    || matches!(condition.as_slice(), [a, b, c] if a == "[" && b == "1" && c == "]")
                            };
                            if !condition.is_empty() {
                                commands.push(SimpleCommand {
                                    words: condition,
                                    background: false,
                                    in_loop: true,
                                });
                            }
                            loops.push(Loop {
                                endless: always,
                                exits: false,
                                in_condition: true,
                            });
                        }
                        "for" => loops.push(Loop {
                            endless: false,
                            exits: false,
                            in_condition: true,
                        }),
                        "do" => {
                            if let Some(l) = loops.last_mut() {
                                l.in_condition = false;
                            }
                        }
                        "done" => {
                            if let Some(l) = loops.pop() {
                                if l.endless && !l.exits {
                                    endless_loop = true;
                                }
                                // An exit inside a nested loop may end the outer one too.
                                if l.exits {
                                    if let Some(outer) = loops.last_mut() {
                                        outer.exits = true;
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                    // A `for` header's words are not a command.
                    if loops.last().is_some_and(|l| l.in_condition && !l.endless) && w == "for" {
                        while let Some(Token::Word(word)) = tokens.peek() {
                            if word == "do" {
                                break;
                            }
                            tokens.next();
                        }
                    }
                    false
                } else {
                    current.push(w.clone());
                    false
                }
            }
            Some(Token::Separator) | Some(Token::Background) | None => true,
        };
        if finished && !current.is_empty() {
            let words = std::mem::take(&mut current);
            let program = words
                .iter()
                .find(|w| !is_assignment(w))
                .map(|w| base_name(w));
            if matches!(program, Some("break" | "exit" | "return")) {
                if let Some(l) = loops.last_mut() {
                    l.exits = true;
                }
            }
            commands.push(SimpleCommand {
                words,
                background: token == Some(Token::Background),
                in_loop: !loops.is_empty(),
            });
        }
        if token.is_none() {
            break;
        }
    }
    // A loop left open (a script cut short) counts as written so far.
    endless_loop |= loops.iter().any(|l| l.endless && !l.exits);
    Script {
        commands,
        endless_loop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Container, EnvVar, Str};

    fn container(command: &[&str], args: &[&str]) -> Container<'static> {
        let list = |words: &[&str]| -> Option<Vec<Str<'static>>> {
            (!words.is_empty()).then(|| words.iter().map(|w| Str::from(w.to_string())).collect())
        };
        Container {
            name: Str::from("c".to_string()),
            image: Some(Str::from("busybox".to_string())),
            command: list(command),
            args: list(args),
            ..Container::default()
        }
    }

    fn read(command: &[&str], args: &[&str]) -> Process {
        Process::read(&container(command, args))
    }

    #[test]
    fn a_streaming_reader_follows_its_files() {
        let p = read(&["/bin/sh", "-c", "tail -n+1 -F /var/log/1.log"], &[]);
        assert_eq!(p.reading, Reading::Script);
        assert!(p.never_exits());
        assert!(!p.is_pause());
        assert_eq!(
            p.only_follows_files(),
            Some(vec!["/var/log/1.log".to_string()])
        );
        // args alone starting with a shell run as busybox runs them.
        let p = read(&[], &["/bin/sh", "-c", "tail -F /var/log/app.log"]);
        assert!(p.never_exits());
        let direct = read(&["tail", "-f", "/var/log/a.log", "/var/log/b.log"], &[]);
        assert_eq!(direct.reading, Reading::Direct);
        assert_eq!(direct.only_follows_files().map(|f| f.len()), Some(2));
    }

    #[test]
    fn pauses_and_endless_loops() {
        assert!(read(&["sleep", "infinity"], &[]).is_pause());
        assert!(read(&["sh", "-c", "trap : TERM INT; sleep infinity & wait"], &[]).is_pause());
        assert!(read(&["tail", "-f", "/dev/null"], &[]).is_pause());
        assert!(!read(&["sleep", "3600"], &[]).never_exits());
        assert!(read(&["/bin/sleep", "10000"], &[]).is_pause());
        // `args` alone: busybox has no entrypoint, nginx's entrypoint execs them.
        assert!(read(&[], &["sleep", "1d"]).is_pause());
        assert!(read(&[], &["tail", "-f", "/dev/null"]).is_pause());
        assert!(!read(&[], &["serve", "--sleep", "1d"]).is_pause());
        assert!(!read(&[], &["--sleep=1d"]).is_pause());
        assert!(!read(&["sh", "-c", "sleep 5; ./serve"], &[]).is_pause());
        assert!(!read(&["sh", "-c", "nginx; sleep infinity"], &[]).is_pause());
        assert!(!read(&["sh", "-c", "./serve & sleep infinity"], &[]).is_pause());
        let endless = read(
            &[
                "sh",
                "-c",
                "while true; do date >> /html/index.html; sleep 1; done",
            ],
            &[],
        );
        assert!(endless.never_exits());
        assert!(!endless.is_pause());
        assert!(read(
            &[
                "/bin/bash",
                "-ec",
                "while :\ndo\n  sync.sh\n  sleep 60\ndone"
            ],
            &[]
        )
        .never_exits());
        // A loop that breaks out, or one with a real condition, ends.
        assert!(!read(
            &[
                "sh",
                "-c",
                "while true; do [ -f /done ] && break; sleep 1; done"
            ],
            &[]
        )
        .never_exits());
        assert!(!read(
            &[
                "sh",
                "-c",
                "while pgrep -f batch; do sleep 1; done; pkill envoy"
            ],
            &[]
        )
        .never_exits());
        // A background follower that nobody waits for does not hold the script.
        assert!(!read(&["sh", "-c", "tail -f /x & ./job"], &[]).never_exits());
        assert!(read(&["sh", "-c", "tail -f /x & ./job; wait"], &[]).never_exits());
        // The image's own entrypoint is unknown.
        assert_eq!(
            read(&[], &["--config", "/etc/x"]).reading,
            Reading::ImageEntrypoint
        );
        assert!(!read(&[], &["--config", "/etc/x"]).never_exits());
    }

    #[test]
    fn stop_calls_are_commands_not_arguments() {
        let stops = read(
            &["sh", "-c"],
            &["python job.py && curl -fsS -X POST http://127.0.0.1:15020/quitquitquit"],
        );
        assert!(stops.calls_stop(&["quitquitquit"]).is_some());
        // A folded scalar joined the two lines: curl is an argument of python.
        let folded = read(
            &["sh", "-c"],
            &["python job.py curl -X POST http://127.0.0.1:15020/quitquitquit\n"],
        );
        assert!(folded.calls_stop(&["quitquitquit"]).is_none());
        // Without a shell, `&&` is only a word.
        let direct = read(
            &[
                "python",
                "job.py",
                "&&",
                "curl",
                "localhost:15000/quitquitquit",
            ],
            &[],
        );
        assert!(direct.calls_stop(&["quitquitquit"]).is_none());
        let trap = read(
            &[
                "sh",
                "-c",
                "trap 'curl -X POST localhost:15020/quitquitquit' EXIT; ./run",
            ],
            &[],
        );
        assert!(trap.calls_stop(&["quitquitquit"]).is_some());
        let linkerd = read(&["linkerd-await", "--shutdown", "--", "./job"], &[]);
        assert!(linkerd.calls_stop(&["linkerd-await --shutdown"]).is_some());
    }

    #[test]
    fn watchers_signal_processes() {
        let watcher = read(
            &[
                "sh",
                "-c",
                "while pgrep -f job.py > /dev/null; do sleep 2; done; pkill -INT pilot-agent",
            ],
            &[],
        );
        assert!(watcher.signals(&["pilot-agent", "envoy"]).is_some());
        assert!(watcher.signals(&["fluent-bit"]).is_none());
        assert!(!watcher.never_exits());
        let script = read(
            &[
                "bash",
                "-c",
                ". /scripts/wait-to-complete.sh \"job.sh\" \"cloud_sql_proxy\"",
            ],
            &[],
        );
        assert!(script.stops_process(&["cloud_sql_proxy"]).is_some());
        assert!(script.stops_process(&["envoy"]).is_none());
        assert!(script.signals(&["cloud_sql_proxy"]).is_none());
    }

    #[test]
    fn quoting_comments_and_expansion() {
        let mut c = container(
            &["sh", "-c", "$(MODE) \"a b\" 'c;d' # tail -f x\nsleep 1"],
            &[],
        );
        c.env = Some(vec![EnvVar {
            name: Str::from("MODE".to_string()),
            value: Some(Str::from("vault agent".to_string())),
        }]);
        let p = Process::read(&c);
        let words: Vec<Vec<String>> = p.commands.iter().map(|c| c.words.clone()).collect();
        assert_eq!(
            words,
            vec![
                vec![
                    "vault".to_string(),
                    "agent".into(),
                    "a b".into(),
                    "c;d".into()
                ],
                vec!["sleep".to_string(), "1".into()],
            ]
        );
        assert_eq!(p.subcommand_of(Some("vault")), Some("agent"));
        let env = BTreeMap::from([("A", "1")]);
        assert_eq!(expand_variables("$(A)-$(B)-$$(A)", &env), "1-$(B)-$(A)");
        let exec = read(
            &["/bin/sh", "-c", "exec vault server -config=/vault/config"],
            &[],
        );
        assert_eq!(exec.subcommand_of(Some("vault")), Some("server"));
    }
}
