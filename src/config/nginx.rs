//! nginx's config (`nginx -c FILE`, by default `/etc/nginx/nginx.conf`): directives and
//! blocks, quoted arguments, `#` comments, and `include` (relative to the main file's
//! directory, `*` patterns) of files the container's ConfigMaps provide. When the main
//! file is not mounted, the official image's own `nginx.conf` applies, whose `http` block
//! includes `/etc/nginx/conf.d/*.conf` (the usual place for a mounted `default.conf`).
//! It reports each `server`'s `listen` addresses (no `listen`: `*:80`) and each
//! `proxy_pass` / `grpc_pass` / `fastcgi_pass` / `uwsgi_pass` target as an upstream (an
//! `upstream` block's `server`s when the target names one), authenticated when
//! `auth_basic` (not `off`) or `auth_request` (not `off`) is in effect there — set in the
//! location or inherited from its server or `http`, as nginx inherits them. Ignored:
//! variables in targets, `map`, `if` conditions (an `if` block's `proxy_pass` counts), the
//! `stream` module's `listen`s.
//!
//! Sources: <https://nginx.org/en/docs/beginners_guide.html> (syntax, `include`),
//! <https://nginx.org/en/docs/http/ngx_http_core_module.html#listen> (default `*:80`),
//! <https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html>,
//! <https://nginx.org/en/docs/http/ngx_http_auth_request_module.html>,
//! <https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass>,
//! <https://github.com/nginxinc/docker-nginx/blob/master/stable/debian/Dockerfile> (the
//! image's config: `/etc/nginx/nginx.conf` including `conf.d/*.conf`).

use super::{matching, relative_to, Config, Listening, Place, Upstream, MAX_INCLUDE_DEPTH};
use crate::input::context::ConfigFile;

/// The official image's main config, as far as this reader needs it.
const IMAGE_DEFAULT_PATH: &str = "/etc/nginx/nginx.conf";

/// One directive, with its block when it has one.
struct Directive {
    name: String,
    args: Vec<String>,
    line: usize,
    /// Index into the files read.
    file: usize,
    block: Option<Vec<Directive>>,
}

/// What `auth_*` directives leave in effect at a level.
#[derive(Clone, Copy, Default)]
struct Auth {
    basic: bool,
    request: bool,
}

impl Auth {
    fn at(self, directives: &[Directive]) -> Auth {
        let mut auth = self;
        for d in directives {
            let on = d.args.first().is_some_and(|a| a != "off");
            match d.name.as_str() {
                "auth_basic" => auth.basic = on,
                "auth_request" => auth.request = on,
                _ => {}
            }
        }
        auth
    }

    fn any(self) -> bool {
        self.basic || self.request
    }
}

pub(super) fn read(main: &str, files: &[ConfigFile<'_>], config: &mut Config) -> Option<()> {
    let mut read: Vec<&ConfigFile> = Vec::new();
    let top = match files.iter().find(|f| f.path == main) {
        Some(file) => parse_file(file, files, &mut read, config, 0),
        None if main == IMAGE_DEFAULT_PATH => {
            let included = matching(files, "/etc/nginx/conf.d/*.conf");
            if included.is_empty() {
                return None;
            }
            let mut http = Vec::new();
            for file in included {
                http.extend(parse_file(file, files, &mut read, config, 1));
            }
            vec![Directive {
                name: "http".to_string(),
                args: Vec::new(),
                line: 0,
                file: 0,
                block: Some(http),
            }]
        }
        None => return None,
    };
    let place = |file: usize, line: usize| {
        read.get(file)
            .map(|f| Place::of(f, Some(line).filter(|l| *l > 0)))
    };
    for http in top.iter().filter(|d| d.name == "http") {
        let Some(block) = &http.block else { continue };
        let auth = Auth::default().at(block);
        let upstreams = named_upstreams(block);
        for server in block.iter().filter(|d| d.name == "server") {
            let Some(body) = &server.block else { continue };
            let mut listens = body.iter().filter(|d| d.name == "listen").peekable();
            if listens.peek().is_none() {
                if let Some(at) = place(server.file, server.line) {
                    config.listeners.push(listening("*:80".to_string(), at));
                }
            }
            for listen in listens {
                let address = listen.args.first().map(|a| listen_address(a));
                if let (Some(address), Some(at)) = (address, place(listen.file, listen.line)) {
                    config.listeners.push(listening(address, at));
                }
            }
            let mut targets = Vec::new();
            proxies(body, auth.at(body), &mut targets);
            for (directive, authenticated) in targets {
                let Some(target) = directive.args.first() else {
                    continue;
                };
                let Some(at) = place(directive.file, directive.line) else {
                    continue;
                };
                for address in resolve(target, &upstreams) {
                    config.upstreams.push(Upstream {
                        address,
                        authenticated,
                        setting: "proxy_pass",
                        at: at.clone(),
                    });
                }
            }
        }
    }
    Some(())
}

fn listening(address: String, at: Place) -> Listening {
    Listening {
        id: "server".to_string(),
        address: Some(address),
        exposure: None,
        note: "",
        setting: "listen",
        at,
    }
}

/// `listen 80` means `*:80`; `listen 127.0.0.1` means port 80.
fn listen_address(arg: &str) -> String {
    if arg.bytes().all(|b| b.is_ascii_digit()) {
        format!("*:{arg}")
    } else if arg.starts_with("unix:") || arg.contains(':') {
        arg.to_string()
    } else {
        format!("{arg}:80")
    }
}

/// Every `*_pass` directive under these directives (locations nest), with whether
/// authentication is in effect there.
fn proxies<'d>(directives: &'d [Directive], auth: Auth, out: &mut Vec<(&'d Directive, bool)>) {
    for d in directives {
        match (d.name.as_str(), &d.block) {
            ("proxy_pass" | "grpc_pass" | "fastcgi_pass" | "uwsgi_pass", None) => {
                out.push((d, auth.any()));
            }
            ("location" | "if" | "limit_except", Some(block)) => {
                proxies(block, auth.at(block), out);
            }
            _ => {}
        }
    }
}

/// `upstream NAME { server host:port; … }` blocks of `http`.
fn named_upstreams(http: &[Directive]) -> Vec<(String, Vec<String>)> {
    http.iter()
        .filter(|d| d.name == "upstream")
        .filter_map(|d| {
            let name = d.args.first()?.clone();
            let servers = d
                .block
                .iter()
                .flatten()
                .filter(|s| s.name == "server")
                .filter_map(|s| s.args.first().cloned())
                .collect();
            Some((name, servers))
        })
        .collect()
}

/// A target's addresses: an upstream block's servers when the host names one.
fn resolve(target: &str, upstreams: &[(String, Vec<String>)]) -> Vec<String> {
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    match upstreams.iter().find(|(name, _)| name == host) {
        Some((_, servers)) => servers.clone(),
        None => vec![target.to_string()],
    }
}

/// Parses one file, following its includes; problems go to `config`.
fn parse_file<'f, 'c>(
    file: &'f ConfigFile<'c>,
    files: &'f [ConfigFile<'c>],
    read: &mut Vec<&'f ConfigFile<'c>>,
    config: &mut Config,
    depth: usize,
) -> Vec<Directive> {
    read.push(file);
    let index = read.len() - 1;
    let tokens = match tokenize(file.text) {
        Ok(tokens) => tokens,
        Err((line, message)) => {
            config.problem(file, Some(line), message);
            return Vec::new();
        }
    };
    let mut position = 0;
    match block(&tokens, &mut position, index, 0) {
        Ok(directives) => expand(directives, file, files, read, config, depth),
        Err((line, message)) => {
            config.problem(file, Some(line), message);
            Vec::new()
        }
    }
}

/// Replaces `include` directives by the directives of the files they name.
fn expand<'f, 'c>(
    directives: Vec<Directive>,
    file: &'f ConfigFile<'c>,
    files: &'f [ConfigFile<'c>],
    read: &mut Vec<&'f ConfigFile<'c>>,
    config: &mut Config,
    depth: usize,
) -> Vec<Directive> {
    let mut out = Vec::new();
    for mut d in directives {
        if d.name == "include" && d.block.is_none() {
            if depth < MAX_INCLUDE_DEPTH {
                if let Some(target) = d.args.first() {
                    let pattern = relative_to(&file.path, target);
                    for included in matching(files, &pattern) {
                        out.extend(parse_file(included, files, read, config, depth + 1));
                    }
                }
            }
            continue;
        }
        if let Some(block) = d.block.take() {
            d.block = Some(expand(block, file, files, read, config, depth));
        }
        out.push(d);
    }
    out
}

#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    Open,
    Close,
    End,
}

/// Words, `{`, `}` and `;` with their lines.
fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, (usize, String)> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            '{' => tokens.push((Token::Open, line)),
            '}' => tokens.push((Token::Close, line)),
            ';' => tokens.push((Token::End, line)),
            '"' | '\'' => {
                let start = line;
                let mut word = String::new();
                loop {
                    match chars.next() {
                        None => return Err((start, "a quoted string is never closed".into())),
                        Some('\\') => word.extend(chars.next()),
                        Some(q) if q == c => break,
                        Some(ch) => {
                            if ch == '\n' {
                                line += 1;
                            }
                            word.push(ch);
                        }
                    }
                }
                tokens.push((Token::Word(word), start));
            }
            c => {
                let mut word = String::from(c);
                while let Some(&next) = chars.peek() {
                    if next.is_whitespace() || matches!(next, '{' | '}' | ';') {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                tokens.push((Token::Word(word), line));
            }
        }
    }
    Ok(tokens)
}

/// The directives up to the closing `}` (or the end, at depth 0).
fn block(
    tokens: &[(Token, usize)],
    position: &mut usize,
    file: usize,
    depth: usize,
) -> Result<Vec<Directive>, (usize, String)> {
    let mut directives = Vec::new();
    let mut words: Vec<(String, usize)> = Vec::new();
    while let Some((token, line)) = tokens.get(*position) {
        *position += 1;
        match token {
            Token::Word(w) => words.push((w.clone(), *line)),
            Token::End | Token::Open => {
                let Some(((name, first), args)) = words.split_first() else {
                    return Err((
                        *line,
                        format!(
                            "unexpected {:?}",
                            if *token == Token::End { ';' } else { '{' }
                        ),
                    ));
                };
                let inner = if *token == Token::Open {
                    if depth > 32 {
                        return Err((*line, "blocks nested too deeply".into()));
                    }
                    Some(block(tokens, position, file, depth + 1)?)
                } else {
                    None
                };
                directives.push(Directive {
                    name: name.clone(),
                    args: args.iter().map(|(a, _)| a.clone()).collect(),
                    line: *first,
                    file,
                    block: inner,
                });
                words.clear();
            }
            Token::Close if depth > 0 && words.is_empty() => return Ok(directives),
            Token::Close => return Err((*line, "unexpected '}'".into())),
        }
    }
    if let Some((name, line)) = words.first() {
        return Err((*line, format!("directive {name:?} has no ending ';'")));
    }
    if depth > 0 {
        let line = tokens.last().map_or(1, |(_, l)| *l);
        return Err((line, "a block is never closed with '}'".into()));
    }
    Ok(directives)
}

#[cfg(test)]
mod tests {
    use super::super::{read as read_config, testing::with_files};
    use crate::sidecars::catalogue::ConfigReader;

    // Written for this test in the shape of an ambassador's server block: basic auth for
    // the app, a health location that turns it off, a named upstream.
    const CONF_D: &str = "upstream app {\n    server 127.0.0.1:8080;\n}\nserver {\n    listen 80;\n    auth_basic \"Restricted\";\n    auth_basic_user_file /etc/nginx/.htpasswd;\n    location / {\n        proxy_pass http://localhost:8080;\n    }\n    location /health {\n        auth_basic off;\n        proxy_pass http://localhost:8080/health;\n    }\n    location /api { proxy_pass http://app; }\n}\n";

    fn read_at(dir: &str, main: &str, keys: &[(&str, &str)]) -> Option<super::Config> {
        with_files(dir, keys, |files| {
            read_config(ConfigReader::Nginx, main, files)
        })
    }

    #[test]
    fn conf_d_under_the_image_default() {
        // `upstream` blocks sit in `http`: a conf.d file is included there.
        let config = read_at(
            "/etc/nginx/conf.d",
            "/etc/nginx/nginx.conf",
            &[("default.conf", CONF_D)],
        )
        .expect("conf.d mounted");
        let listen = config.listener("server").expect("listen");
        assert_eq!(listen.address.as_deref(), Some("*:80"));
        assert_eq!(listen.at.line, Some(5));
        let upstreams: Vec<_> = config
            .upstreams
            .iter()
            .map(|u| (u.address.as_str(), u.authenticated, u.at.line))
            .collect();
        assert_eq!(
            upstreams,
            [
                ("http://localhost:8080", true, Some(9)),
                ("http://localhost:8080/health", false, Some(13)),
                ("127.0.0.1:8080", true, Some(15)),
            ]
        );
        assert!(config.problems.is_empty());
    }

    #[test]
    fn a_main_file_with_includes_and_auth_request() {
        let main = "events {}\nhttp {\n    auth_request /auth;\n    include conf.d/*.conf;\n}\n";
        let server = "server {\n    listen 127.0.0.1:8443 ssl;\n    location / { proxy_pass http://127.0.0.1:9000; }\n    location = /auth { auth_request off; proxy_pass http://oauth:4180; }\n}\n";
        let files = [("nginx.conf", main), ("app.conf", server)];
        // A ConfigMap mounted at /etc/nginx; conf.d/ is not under it: the include finds nothing.
        let config = read_at("/etc/nginx", "/etc/nginx/nginx.conf", &files).expect("main");
        assert!(config.upstreams.is_empty());
        let main = main.replace("conf.d/*.conf", "app.conf");
        let files = [("nginx.conf", main.as_str()), ("app.conf", server)];
        let config = read_at("/etc/nginx", "/etc/nginx/nginx.conf", &files).expect("main");
        let auth: Vec<_> = config.upstreams.iter().map(|u| u.authenticated).collect();
        assert_eq!(auth, [true, false]);
        assert_eq!(config.upstreams[0].at.key, "app.conf");
        assert_eq!(
            config
                .listener("server")
                .and_then(|l| l.address.clone())
                .as_deref(),
            Some("127.0.0.1:8443")
        );
    }

    #[test]
    fn nothing_mounted_is_unknown_and_broken_files_are_problems() {
        assert!(read_at("/srv", "/etc/nginx/nginx.conf", &[("x.conf", "")]).is_none());
        let broken = read_at(
            "/etc/nginx/conf.d",
            "/etc/nginx/nginx.conf",
            &[("default.conf", "server {\n    listen 80;\n")],
        )
        .expect("mounted");
        assert_eq!(broken.problems.len(), 1);
        let broken = read_at(
            "/etc/nginx/conf.d",
            "/etc/nginx/nginx.conf",
            &[("default.conf", "server {\n    listen 80\n}\n")],
        )
        .expect("mounted");
        assert_eq!(broken.problems[0].at.line, Some(3), "{:?}", broken.problems);
        let quote = read_at(
            "/etc/nginx/conf.d",
            "/etc/nginx/nginx.conf",
            &[("default.conf", "server {\n  return 200 \"open;\n}\n")],
        )
        .expect("mounted");
        assert_eq!(quote.problems[0].at.line, Some(2));
    }
}
