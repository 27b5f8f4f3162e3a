//! Hosts the user already has elsewhere: OpenSSH's `~/.ssh/config`, Docker contexts with
//! `ssh://` endpoints, and an `ssh://` DOCKER_HOST — offered to pre-fill the add-host form.
//!
//! The ssh config is read by a reader of our own, made to agree with OpenSSH's readconf.c
//! (`ssh -G`) on what a pasted config means. The `ssh2-config` crate (0.9.0) was tried against
//! OpenSSH's own test tables and does not: it has no `Match` (it fails, or applies a Match
//! block's lines to the block before it), no `%` tokens, no single quotes or `\ ` escapes, lets
//! the last value in a block win where ssh takes the first, cuts values at any `#`, and reads
//! `Port 0` as a port.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use specta::Type;

use crate::hosts::{JumpHost, SSH_PORT};

/// A host found elsewhere, not yet saved. Empty `user` means the source did not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HostCandidate {
    pub name: String,
    pub address: String,
    /// 0 when the source gives a port that is not one (`Port 0x16`): the form then asks for it,
    /// and a note says why.
    pub port: u16,
    pub user: String,
    pub key_path: Option<String>,
    /// Hosts to hop through in order, `[user@]host[:port]` separated by commas.
    pub proxy_jump: Option<String>,
    /// A `unix://` or `tcp://` engine address, for engines reached without SSH.
    pub docker_host: Option<String>,
    /// The engine's socket on the host, when the source names one (`ssh://host/path.sock`).
    pub socket: Option<String>,
    /// Where it was found, e.g. "~/.ssh/config" or "docker context prod".
    pub source: String,
    /// What Berth could not read or did not apply for this host, with where (a `Match exec`
    /// block it does not run, a bad `Port`, an `Include` it could not read …), for the form.
    pub notes: Vec<String>,
}

/// Every host the user already reaches from here: `~/.ssh/config`, the Docker contexts in
/// `docker_config`, and an `ssh://` `docker_host`. The files are read off the async threads.
pub async fn discover(
    home: std::path::PathBuf,
    docker_config: std::path::PathBuf,
    docker_host: Option<String>,
) -> Vec<HostCandidate> {
    let found = tokio::task::spawn_blocking(move || {
        let ssh_config = std::fs::read_to_string(home.join(".ssh/config")).unwrap_or_default();
        from_ssh_config(&ssh_config, &home)
            .into_iter()
            .chain(from_docker_contexts(&docker_config))
            .chain(docker_host.and_then(|url| from_ssh_url(&url, "DOCKER_HOST", "DOCKER_HOST")))
            .collect()
    })
    .await;
    found.unwrap_or_else(|err| {
        tracing::error!(%err, "looking for hosts to import failed");
        Vec::new()
    })
}

/// The concrete hosts (`Host` names without wildcards) of an OpenSSH client config, each with
/// its options as `ssh -G` would give them: first value wins, `Host` and `Match` blocks
/// (`all`, `host`, `originalhost`, `user`, `localuser`, `canonical`, `final`; `exec` and the
/// rest are not run, and the host's notes say so), `Include` (globs, `~`, relative to
/// `~/.ssh`), quotes and escapes, `#` comments, `%` tokens in HostName and IdentityFile, and a
/// ProxyJump of several hops, each hop's name resolved through the same config. Blocking: it
/// reads included files.
pub fn from_ssh_config(text: &str, home: &Path) -> Vec<HostCandidate> {
    read_ssh_config(text, home, &crate::hosts::local_user().unwrap_or_default())
}

fn read_ssh_config(text: &str, home: &Path, local_user: &str) -> Vec<HostCandidate> {
    let mut problems = Vec::new();
    let entries = parse_config(text, "~/.ssh/config", home, 0, &mut problems);
    let mut aliases: Vec<String> = Vec::new();
    collect_aliases(&entries, &mut aliases);
    let config = Config {
        entries,
        home: home.to_owned(),
        local_user: local_user.to_owned(),
    };
    aliases
        .iter()
        .map(|alias| {
            let mut candidate = config.candidate(alias);
            candidate.notes.splice(0..0, problems.iter().cloned());
            candidate
        })
        .collect()
}

/// Where a line is, for notes: "~/.ssh/config line 12".
type Place = String;

enum Entry {
    Host(Vec<String>),
    Match(Vec<Criterion>, Place),
    /// A lower-cased keyword, its arguments after quotes and escapes, and the raw rest of the
    /// line (ProxyJump reads that, as OpenSSH's parse_jump does).
    Option {
        key: String,
        args: Vec<String>,
        raw: String,
        place: Place,
    },
    /// The entries of the files an `Include` names, applied where the Include stands.
    Include(Vec<Entry>),
}

struct Criterion {
    negated: bool,
    kind: String,
    argument: Option<String>,
}

/// OpenSSH's limit on nested Includes (readconf.c READCONF_MAX_DEPTH).
const MAX_INCLUDE_DEPTH: usize = 16;

fn parse_config(
    text: &str,
    file: &str,
    home: &Path,
    depth: usize,
    problems: &mut Vec<String>,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let place = format!("{file} line {}", number + 1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The keyword ends at whitespace or one `=` (OpenSSH's strdelim).
        let end = line
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(line.len());
        let key = line[..end].to_ascii_lowercase();
        let rest = line[end..].trim_start();
        let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
        let args = match split_args(rest) {
            Ok(args) => args,
            Err(why) => {
                problems.push(format!("{place}: {why}; the line was skipped"));
                continue;
            }
        };
        match key.as_str() {
            "host" if args.is_empty() => {
                problems.push(format!("{place}: Host needs at least one pattern"));
                entries.push(Entry::Host(Vec::new()));
            }
            "host" => entries.push(Entry::Host(args)),
            "match" => match parse_match(&args) {
                Ok(criteria) => entries.push(Entry::Match(criteria, place)),
                Err(why) => {
                    problems.push(format!(
                        "{place}: {why}; the block was not applied to any host"
                    ));
                    entries.push(Entry::Host(Vec::new()));
                }
            },
            "include" => {
                if depth >= MAX_INCLUDE_DEPTH {
                    problems.push(format!(
                        "{place}: Includes nest more than {MAX_INCLUDE_DEPTH} deep (a file that includes itself?); not followed further"
                    ));
                    continue;
                }
                let mut included = Vec::new();
                for pattern in &args {
                    for path in include_paths(pattern, home, &place, problems) {
                        match read_small(&path) {
                            Ok(text) => included.extend(parse_config(
                                &text,
                                &shorten(&path, home),
                                home,
                                depth + 1,
                                problems,
                            )),
                            Err(err) => problems.push(format!(
                                "{place}: the included {} could not be read: {err}",
                                shorten(&path, home)
                            )),
                        }
                    }
                }
                entries.push(Entry::Include(included));
            }
            _ => entries.push(Entry::Option {
                key,
                args,
                raw: rest.to_owned(),
                place,
            }),
        }
    }
    entries
}

/// The files an Include argument names: `~` is the home folder, a relative path is under
/// `~/.ssh`, and a glob matches files in name order (no match is not an error, as in ssh).
fn include_paths(
    pattern: &str,
    home: &Path,
    place: &str,
    problems: &mut Vec<String>,
) -> Vec<PathBuf> {
    let path = match pattern.strip_prefix("~/") {
        Some(rest) => home.join(rest),
        None if pattern.starts_with('/') => PathBuf::from(pattern),
        None => home.join(".ssh").join(pattern),
    };
    let Some(text) = path.to_str() else {
        return Vec::new();
    };
    // glob(3), which ssh uses, has no `**`: two stars are one, within one folder (the glob
    // crate would walk every folder below).
    let mut text = text.to_owned();
    while text.contains("**") {
        text = text.replace("**", "*");
    }
    match glob::glob(&text) {
        Ok(paths) => paths.flatten().filter(|p| p.is_file()).collect(),
        Err(err) => {
            problems.push(format!(
                "{place}: Include {pattern:?} is not a valid pattern: {err}"
            ));
            Vec::new()
        }
    }
}

/// The largest file read as an ssh config: far more than any real one, and a bound on what
/// an Include of the wrong file (`/proc/kcore`) costs.
const MAX_CONFIG_FILE: u64 = 1 << 20;

fn read_small(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_CONFIG_FILE + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG_FILE {
        return Err(std::io::Error::other(
            "it is larger than 1 MiB, too large for an ssh config",
        ));
    }
    Ok(text)
}

fn shorten(path: &Path, home: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => path.display().to_string(),
    }
}

/// A line's arguments as OpenSSH's `argv_split` makes them (regress/unittests/misc/test_argv.c):
/// whitespace separates; `'` and `"` quote, also mid-word; `\` escapes a quote, a backslash, and
/// outside quotes a space; any other `\x` stays as written; a `#` at the start of a word ends
/// the line.
fn split_args(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.peek() {
            None | Some('#') => return Ok(args),
            Some(_) => {}
        }
        let mut arg = String::new();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            match (c, quote) {
                ('\\', _) => match chars.peek() {
                    Some(&next @ ('\'' | '"' | '\\')) => {
                        arg.push(next);
                        chars.next();
                    }
                    Some(&' ') if quote.is_none() => {
                        arg.push(' ');
                        chars.next();
                    }
                    _ => arg.push('\\'),
                },
                (c, Some(q)) if c == q => quote = None,
                (_, Some(_)) => arg.push(c),
                ('\'' | '"', None) => quote = Some(c),
                (c, None) if c.is_whitespace() => break,
                (c, None) => arg.push(c),
            }
        }
        if quote.is_some() {
            return Err("a quote is not closed".to_owned());
        }
        args.push(arg);
    }
}

/// A `Match` line's criteria, checked as readconf.c's match_cfg_line checks them.
fn parse_match(args: &[String]) -> std::result::Result<Vec<Criterion>, String> {
    let mut criteria = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let (negated, kind) = match word.strip_prefix('!') {
            Some(kind) => (true, kind.to_ascii_lowercase()),
            None => (false, word.to_ascii_lowercase()),
        };
        let argument = match kind.as_str() {
            "all" => {
                let alone_or_after = criteria
                    .iter()
                    .all(|c: &Criterion| matches!(c.kind.as_str(), "canonical" | "final"));
                if !alone_or_after || words.len() > 0 {
                    return Err("Match all cannot be combined with other Match attributes".into());
                }
                None
            }
            "canonical" | "final" => None,
            "exec" | "host" | "originalhost" | "user" | "localuser" | "localnetwork" | "tagged"
            | "command" | "version" | "sessiontype" => match words.next() {
                Some(argument) => Some(argument.clone()),
                None => return Err(format!("Match {kind} needs an argument")),
            },
            _ => {
                return Err(format!(
                    "Match has an attribute ssh does not know: {kind:?}"
                ))
            }
        };
        criteria.push(Criterion {
            negated,
            kind,
            argument,
        });
    }
    if criteria.is_empty() {
        return Err("Match needs one or more attributes".into());
    }
    Ok(criteria)
}

fn collect_aliases(entries: &[Entry], aliases: &mut Vec<String>) {
    for entry in entries {
        match entry {
            Entry::Host(patterns) => {
                for pattern in patterns {
                    if !pattern.contains(['*', '?', '!']) && !aliases.contains(pattern) {
                        aliases.push(pattern.clone());
                    }
                }
            }
            Entry::Include(included) => collect_aliases(included, aliases),
            _ => {}
        }
    }
}

struct Config {
    entries: Vec<Entry>,
    home: PathBuf,
    local_user: String,
}

/// One option's first value for a host and where it was set.
struct Value {
    args: Vec<String>,
    raw: String,
    place: Place,
}

/// What one pass over the config found for a host.
struct Evaluation<'a> {
    alias: &'a str,
    local_user: &'a str,
    final_pass: bool,
    options: HashMap<String, Value>,
    notes: Vec<String>,
    uses_final: bool,
}

impl Evaluation<'_> {
    /// The name `Host` and `Match host` compare with: HostName once set (%h expanded), else
    /// the name as typed.
    fn host(&self) -> String {
        match self.options.get("hostname").and_then(|v| v.args.first()) {
            Some(name) => expand_hostname(name, self.alias).to_ascii_lowercase(),
            None => self.alias.to_owned(),
        }
    }

    fn apply(&mut self, entries: &[Entry], parent_active: bool) {
        let mut active = parent_active;
        for entry in entries {
            match entry {
                Entry::Host(patterns) => {
                    let name = if self.final_pass {
                        self.host()
                    } else {
                        self.alias.to_owned()
                    };
                    active = crate::hosts::ssh::patterns::matches_list(
                        patterns.iter().map(String::as_str),
                        &name,
                    );
                }
                Entry::Match(criteria, place) => active = self.matches(criteria, place),
                Entry::Option {
                    key,
                    args,
                    raw,
                    place,
                } if active => {
                    // ProxyJump and ProxyCommand exclude each other: the first one set wins.
                    let taken = match key.as_str() {
                        "proxyjump" | "proxycommand" => {
                            self.options.contains_key("proxyjump")
                                || self.options.contains_key("proxycommand")
                        }
                        _ => self.options.contains_key(key),
                    };
                    if !taken {
                        self.options.insert(
                            key.clone(),
                            Value {
                                args: args.clone(),
                                raw: raw.clone(),
                                place: place.clone(),
                            },
                        );
                    }
                }
                Entry::Option { .. } => {}
                Entry::Include(included) if active => self.apply(included, true),
                Entry::Include(_) => {}
            }
        }
    }

    /// Whether every criterion holds. Criteria Berth does not evaluate (`exec` runs a command)
    /// count as not holding; when the others held, the host's notes say the block was skipped.
    fn matches(&mut self, criteria: &[Criterion], place: &str) -> bool {
        let mut skipped = Vec::new();
        let mut all = true;
        for criterion in criteria {
            let list = criterion.argument.as_deref().unwrap_or_default();
            let in_list = |name: &str| {
                crate::hosts::ssh::patterns::matches_list(
                    list.split(','),
                    &name.to_ascii_lowercase(),
                )
            };
            let holds = match criterion.kind.as_str() {
                "all" => true,
                // readconf.c: both hold only in ssh's second pass, which `Match final` asks for
                // (canonicalization, the other way to get one, Berth does not do).
                "canonical" => self.final_pass,
                "final" => {
                    self.uses_final = true;
                    self.final_pass
                }
                "host" => in_list(&self.host()),
                "originalhost" => in_list(self.alias),
                "user" => {
                    let user = self
                        .options
                        .get("user")
                        .and_then(|v| v.args.first())
                        .map_or(self.local_user, String::as_str);
                    in_list(user)
                }
                "localuser" => in_list(self.local_user),
                _ => {
                    skipped.push(format!(
                        "Match {} {}",
                        criterion.kind,
                        criterion.argument.as_deref().unwrap_or_default()
                    ));
                    all = false;
                    continue;
                }
            };
            if holds == criterion.negated {
                return false;
            }
        }
        if !skipped.is_empty() && !self.final_pass {
            self.notes.push(format!(
                "{place}: {} was not evaluated (Berth runs no commands and has no session to test), so the block was not applied",
                skipped.join(", ")
            ));
        }
        all
    }
}

impl Config {
    fn evaluate(&self, alias: &str) -> (HashMap<String, Value>, Vec<String>) {
        let mut evaluation = Evaluation {
            alias,
            local_user: &self.local_user,
            final_pass: false,
            options: HashMap::new(),
            notes: Vec::new(),
            uses_final: false,
        };
        evaluation.apply(&self.entries, true);
        // ssh reads the config again when a `Match final` asks for it, keeping what it found.
        if evaluation.uses_final {
            evaluation.final_pass = true;
            evaluation.apply(&self.entries, true);
        }
        (evaluation.options, evaluation.notes)
    }

    fn candidate(&self, alias: &str) -> HostCandidate {
        let (options, mut notes) = self.evaluate(alias);
        let first = |key: &str| options.get(key).and_then(|v| v.args.first());
        let address = match first("hostname") {
            Some(name) => expand_hostname(name, alias).to_ascii_lowercase(),
            None => alias.to_owned(),
        };
        let port = match options.get("port") {
            None => SSH_PORT,
            Some(value) => match value.args.as_slice() {
                [port] => match parse_port(port) {
                    Some(port) => port,
                    None => {
                        notes.push(format!(
                            "{}: Port {port:?} is not a port from 1 to 65535 (ssh refuses it too); enter the port here",
                            value.place
                        ));
                        0
                    }
                },
                _ => {
                    notes.push(format!(
                        "{}: Port takes one value; enter the port here",
                        value.place
                    ));
                    0
                }
            },
        };
        let user = first("user").cloned().unwrap_or_default();
        let remote_user = if user.is_empty() {
            self.local_user.clone()
        } else {
            user.clone()
        };
        let key_path = first("identityfile").and_then(|path| {
            let tokens = Tokens {
                home: &self.home,
                host: &address,
                original: alias,
                port,
                remote_user: &remote_user,
                local_user: &self.local_user,
            };
            match tokens.expand(path) {
                Ok(path) => Some(path),
                Err(why) => {
                    notes.push(format!(
                        "{}: IdentityFile {path:?} {why}; pick the key here",
                        options["identityfile"].place
                    ));
                    None
                }
            }
        });
        let proxy_jump = match (options.get("proxyjump"), options.get("proxycommand")) {
            (Some(value), _) => self.jump(value, &mut notes),
            (None, Some(value)) => {
                notes.push(format!(
                    "{}: ProxyCommand is not run by Berth; if it hops through another host, write that host as the jump host",
                    value.place
                ));
                None
            }
            (None, None) => None,
        };
        HostCandidate {
            name: alias.to_owned(),
            address,
            port,
            user,
            key_path,
            proxy_jump,
            docker_host: None,
            socket: None,
            source: "~/.ssh/config".to_owned(),
            notes,
        }
    }

    /// A ProxyJump's hops, each `[ssh://][user@]name[:port]` with `name`'s HostName, User and
    /// Port from this config filled in where the hop does not say.
    fn jump(&self, value: &Value, notes: &mut Vec<String>) -> Option<String> {
        // OpenSSH's parse_jump takes the raw rest of the line up to a `#`.
        let text = value.raw.split('#').next().unwrap_or_default().trim_end();
        if text.eq_ignore_ascii_case("none") {
            return None;
        }
        let resolved: Vec<String> = text
            .split(',')
            .map(|hop| {
                let bare = hop.strip_prefix("ssh://").unwrap_or(hop);
                let (user, rest) = match bare.rsplit_once('@') {
                    Some((user, rest)) => (Some(user.to_owned()), rest),
                    None => (None, bare),
                };
                let (name, port) = match rest.rsplit_once(':') {
                    Some((name, port)) if !name.contains(':') || name.ends_with(']') => {
                        (name, Some(port.to_owned()))
                    }
                    _ => (rest, None),
                };
                if name.is_empty() || name.contains(['/', ' ', '[']) {
                    return hop.to_owned();
                }
                let (options, _) = self.evaluate(name);
                let first = |key: &str| options.get(key).and_then(|v| v.args.first()).cloned();
                let user = user.or_else(|| first("user"));
                let port = port.or_else(|| first("port")).filter(|p| p != "22");
                let address = first("hostname")
                    .map_or_else(|| name.to_owned(), |h| expand_hostname(&h, name));
                format!(
                    "{}{address}{}",
                    user.map(|u| format!("{u}@")).unwrap_or_default(),
                    port.map(|p| format!(":{p}")).unwrap_or_default()
                )
            })
            .collect();
        let joined = resolved.join(",");
        if let Err(err) = JumpHost::parse_chain(&joined, "user") {
            notes.push(format!(
                "{}: ProxyJump {text:?} cannot be used: {err}",
                value.place
            ));
            return Some(text.to_owned());
        }
        Some(joined)
    }
}

/// A port as OpenSSH's a2port reads it: 1 to 65535 in decimal, or the service name `ssh`.
fn parse_port(text: &str) -> Option<u16> {
    if text == "ssh" {
        return Some(SSH_PORT);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u16>().ok().filter(|port| *port > 0)
}

/// HostName takes `%h` (the name as typed) and `%%` (ssh_config(5) TOKENS).
fn expand_hostname(name: &str, alias: &str) -> String {
    let mut out = String::new();
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('%', Some('h')) => {
                out.push_str(alias);
                chars.next();
            }
            ('%', Some('%')) => {
                out.push('%');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// The tokens IdentityFile takes that Berth knows (ssh_config(5) TOKENS).
struct Tokens<'a> {
    home: &'a Path,
    host: &'a str,
    original: &'a str,
    port: u16,
    remote_user: &'a str,
    local_user: &'a str,
}

impl Tokens<'_> {
    fn expand(&self, path: &str) -> std::result::Result<String, String> {
        let home = self.home.display().to_string();
        let path = match path.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("{home}{rest}"),
            Some(_) => return Err("names another user's home (~user)".to_owned()),
            None => path.to_owned(),
        };
        let mut out = String::new();
        let mut chars = path.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some('d') => out.push_str(&home),
                Some('h') => out.push_str(self.host),
                Some('n') => out.push_str(self.original),
                Some('p') => out.push_str(&self.port.to_string()),
                Some('r') => out.push_str(self.remote_user),
                Some('u') => out.push_str(self.local_user),
                Some(other) => {
                    return Err(format!(
                        "has the token %{other}, which Berth does not fill in"
                    ))
                }
                None => return Err("ends in a lone %".to_owned()),
            }
        }
        if !out.starts_with('/') {
            // ssh reads it relative to its working directory; Berth saves absolute paths.
            return Ok(format!("{home}/{out}"));
        }
        Ok(out)
    }
}

/// An `ssh://` address as docker/cli's connhelper/ssh `ParseURL` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshUrl {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// The engine's socket on the host: the path after the host, when it is more than `/`.
    pub socket: Option<String>,
}

/// Reads `ssh://[user@]host[:port][/path/to/docker.sock]` as the Docker CLI does, refusing
/// what it refuses, with its reasons: no scheme or another one, a password, an empty host, a
/// query, a fragment, control characters, a bad escape.
pub fn parse_ssh_url(url: &str) -> std::result::Result<SshUrl, String> {
    let refuse = |why: String| {
        Err(format!(
            "invalid SSH URL: {why}; write ssh://[user@]host[:port][/path/to/docker.sock]"
        ))
    };
    if url.chars().any(|c| c.is_control()) {
        return refuse("it has a control character".to_owned());
    }
    let bytes = url.as_bytes();
    let bad_escape = url.match_indices('%').find(|(i, _)| {
        !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if let Some((i, _)) = bad_escape {
        let escape: String = url[i..].chars().take(3).collect();
        return refuse(format!("invalid URL escape {escape:?}"));
    }
    let scheme_end = url.find(':').filter(|&i| {
        i > 0
            && url[..i].starts_with(|c: char| c.is_ascii_alphabetic())
            && url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let Some(scheme_end) = scheme_end else {
        return refuse("no scheme provided".to_owned());
    };
    let scheme = url[..scheme_end].to_ascii_lowercase();
    if scheme != "ssh" {
        return refuse(format!("incorrect scheme: {scheme}"));
    }
    let rest = &url[scheme_end + 1..];
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let Some(rest) = rest.strip_prefix("//") else {
        return refuse("hostname is empty".to_owned());
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    if userinfo.is_some_and(|u| u.contains(':')) {
        return refuse("plain-text password is not supported".to_owned());
    }
    let (host, port) = match hostport.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((host, "")) => (host, None),
            Some((host, port)) if port.starts_with(':') => (host, Some(&port[1..])),
            _ => return refuse(format!("the IPv6 host in {hostport:?} is malformed")),
        },
        None => match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        },
    };
    if host.is_empty() {
        return refuse("hostname is empty".to_owned());
    }
    if !query.is_empty() {
        return refuse(format!("query parameters are not allowed: {query:?}"));
    }
    if !fragment.is_empty() {
        return refuse(format!("fragments are not allowed: {fragment:?}"));
    }
    let port = match port {
        None | Some("") => None,
        Some(port) => match port.parse::<u16>() {
            Ok(port) if port > 0 => Some(port),
            _ => return refuse(format!("invalid port {port:?} after host (1 to 65535)")),
        },
    };
    // docker uses the path only when it is more than slashes (TestCommand).
    let socket = (!path.trim_matches('/').is_empty()).then(|| path.to_owned());
    Ok(SshUrl {
        user: userinfo.filter(|u| !u.is_empty()).map(str::to_owned),
        host: host.to_owned(),
        port,
        socket,
    })
}

/// A host from an `ssh://[user@]host[:port][/socket]` address (a Docker context or
/// DOCKER_HOST); None for an address the Docker CLI would refuse too.
pub fn from_ssh_url(url: &str, name: &str, source: &str) -> Option<HostCandidate> {
    let parsed = match parse_ssh_url(url) {
        Ok(parsed) => parsed,
        Err(why) => {
            if url.starts_with("ssh:") {
                tracing::warn!(%source, %why, "an ssh:// address was left out");
            }
            return None;
        }
    };
    Some(HostCandidate {
        name: name.to_owned(),
        address: parsed.host,
        port: parsed.port.unwrap_or(SSH_PORT),
        user: parsed.user.unwrap_or_default(),
        key_path: None,
        proxy_jump: None,
        docker_host: None,
        socket: parsed.socket,
        source: source.to_owned(),
        notes: Vec::new(),
    })
}

/// The Docker CLI's contexts under `docker_config` (~/.docker): `ssh://` endpoints as SSH hosts,
/// `unix://` and `tcp://` ones as engines reached directly.
pub fn from_docker_contexts(docker_config: &Path) -> Vec<HostCandidate> {
    crate::hosts::discovery::list_contexts(docker_config)
        .into_iter()
        .filter_map(|context| {
            let name = context.name.as_str();
            let url = context.host.as_deref().filter(|h| !h.is_empty())?;
            let source = format!("docker context {name}");
            if url.starts_with("ssh://") {
                return from_ssh_url(url, name, &source);
            }
            // A named pipe is an engine only on Windows.
            match crate::hosts::Endpoint::parse(url).ok()? {
                crate::hosts::Endpoint::NamedPipe(_) if !cfg!(windows) => return None,
                _ => {}
            }
            Some(HostCandidate {
                name: name.to_owned(),
                address: String::new(),
                port: SSH_PORT,
                user: String::new(),
                key_path: None,
                proxy_jump: None,
                docker_host: Some(url.to_owned()),
                socket: None,
                source,
                notes: Vec::new(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "
# work machines
Host build build-2
    HostName build.example.com
    User deploy
    IdentityFile ~/.ssh/id_build

Host db
  HostName=10.0.0.7
  Port 2222

Host behind
  ProxyJump bastion

Host bastion
  HostName bastion.example.com
  Port 2200

Host far
  ProxyJump a,bastion

Host *.internal !skip.internal
  User ops

Match originalhost db exec \"true\"
  User nobody

Host *
  User me
  IdentityFile ~/.ssh/id_ed25519
";

    fn read(text: &str) -> Vec<HostCandidate> {
        read_ssh_config(text, Path::new("/home/me"), "local")
    }

    fn one(text: &str, alias: &str) -> HostCandidate {
        read(text)
            .into_iter()
            .find(|c| c.name == alias)
            .unwrap_or_else(|| panic!("{alias} in {text:?}"))
    }

    #[test]
    fn concrete_hosts_take_the_first_value_from_every_matching_block() {
        let found = read(CONFIG);
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["build", "build-2", "db", "behind", "bastion", "far"],
            "wildcards are left out"
        );
        assert_eq!(
            found[0],
            HostCandidate {
                name: "build".into(),
                address: "build.example.com".into(),
                port: 22,
                user: "deploy".into(),
                key_path: Some("/home/me/.ssh/id_build".into()),
                proxy_jump: None,
                docker_host: None,
                socket: None,
                source: "~/.ssh/config".into(),
                notes: Vec::new(),
            }
        );
        let db = &found[2];
        assert_eq!((db.address.as_str(), db.port), ("10.0.0.7", 2222));
        assert_eq!(db.user, "me", "from Host *, not from the Match exec block");
        assert_eq!(db.key_path.as_deref(), Some("/home/me/.ssh/id_ed25519"));
        assert!(
            db.notes[0].contains("line 25: Match exec true was not evaluated"),
            "{:?}",
            db.notes
        );
        assert!(
            found[0].notes.is_empty(),
            "the Match does not concern build"
        );
        assert_eq!(
            found[3].proxy_jump.as_deref(),
            Some("me@bastion.example.com:2200"),
            "the jump's alias resolved through its own Host block"
        );
        assert_eq!(
            found[5].proxy_jump.as_deref(),
            Some("me@a,me@bastion.example.com:2200"),
            "each hop resolved"
        );
    }

    #[test]
    fn openssh_cfginclude_table() {
        // openssh-portable regress/cfginclude.sh: ssh_config.i and its includes, and each
        // host's expected hostname (`ssh -G`), reproduced with OpenSSH 9.2p1.
        let home = std::env::temp_dir().join(format!("berth-include-{}", std::process::id()));
        let ssh = home.join(".ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        let main = "
Match host a
	Hostname aa
Match host b
	Hostname bb
	Include ssh_config.i.*
Match host c
	Include ssh_config.i.*
	Hostname cc
Match host m
	Include ssh_config.i.*
Host d
	Hostname dd
Host e
	Hostname ee
	Include ssh_config.i.*
Host f
	Include ssh_config.i.*
	Hostname ff
Host n
	Include ssh_config.i.*
Host x
";
        std::fs::write(ssh.join("ssh_config.i.0"), "Match host xxxxxx\n").unwrap();
        let one_file = |suffix: &str| {
            ["a", "b", "c", "d", "e", "f"]
                .iter()
                .map(|h| {
                    let keyword = if "abc".contains(h) {
                        "Match host"
                    } else {
                        "Host"
                    };
                    format!("{keyword} {h}\n\tHostname {}\n", h.repeat(suffix.len()))
                })
                .collect::<String>()
        };
        std::fs::write(ssh.join("ssh_config.i.1"), one_file("xxx")).unwrap();
        let two = format!("{}Match all\n\tHostname xxxx\n", one_file("xxxx"));
        std::fs::write(ssh.join("ssh_config.i.2"), two).unwrap();
        // Hosts a, b, c, m come from Match blocks: listed here through `Host x` and the names
        // ssh would be asked for.
        let config = Config {
            entries: parse_config(main, "~/.ssh/config", &home, 0, &mut Vec::new()),
            home: home.clone(),
            local_user: "me".into(),
        };
        let hostname = |alias: &str| config.candidate(alias).address;
        for (host, expected) in [
            ("a", "aa"),
            ("b", "bb"),
            ("c", "ccc"),
            ("d", "dd"),
            ("e", "ee"),
            ("f", "fff"),
            ("m", "xxxx"),
            ("n", "xxxx"),
            ("x", "x"),
        ] {
            assert_eq!(hostname(host), expected, "host {host}");
        }
        // `~` and a Host block's Include, a pattern that matches nothing, a file that
        // includes itself (readconf.c: "Too many recursive configuration includes").
        let sub = ssh.join("conf.d");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("0.conf"), "Host c\n  HostName ccc # from 0.conf\n").unwrap();
        std::fs::write(ssh.join("self.conf"), "Include self.conf\n").unwrap();
        let read_in = |text: &str| read_ssh_config(text, &home, "me");
        let found = read_in("Include ~/.ssh/conf.d/0.conf\nInclude conf.d/nomatch*\nHost zz\n");
        assert_eq!(found[0].address, "ccc", "{found:?}");
        let found = read_in("Host c\n  HostName cc\n  Include conf.d/0.conf\n");
        assert_eq!(found[0].address, "cc");
        let found = read_in("Host c\n  Include conf.d/*.conf\n  HostName cc\n");
        assert_eq!(found[0].address, "ccc");
        let found = read_in("Host e\n  Include conf.d/0.conf\n");
        let c = found.iter().find(|c| c.name == "c").unwrap();
        assert_eq!(
            c.address, "c",
            "an Include under another Host is never applied"
        );
        let found = read_in("Include self.conf\nHost h\n");
        assert!(found[0].notes[0].contains("nest more than 16"), "{found:?}");
        // readconf.c READCONF_MAX_DEPTH: 16 nested Includes are read, a 17th is not.
        for depth in 1..=17 {
            let text = match depth {
                16 => "Host deep\nInclude chain17\n".to_owned(),
                17 => "Host deeper\n".to_owned(),
                _ => format!("Include chain{}\n", depth + 1),
            };
            std::fs::write(ssh.join(format!("chain{depth}")), text).unwrap();
        }
        let found = read_in("Include chain1\n");
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["deep"], "{found:?}");
        // `**` is `*` as in glob(3); a file too large to be a config is left out, saying so.
        std::fs::write(sub.join("big.conf"), "#".repeat(2 << 20)).unwrap();
        let found = read_in("Include con**/*.conf\nHost c\n");
        assert_eq!(found[0].address, "ccc", "{found:?}");
        assert!(found[0].notes[0].contains("larger than 1 MiB"), "{found:?}");
        std::fs::remove_dir_all(&home).unwrap();
    }

    #[test]
    fn arguments_split_as_openssh_argv_split() {
        // openssh-portable regress/unittests/misc/test_argv.c (terminate_on_comment = 1 for
        // the comment cases, as readconf uses it).
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("    ", &[]),
            ("leamas", &["leamas"]),
            ("smiley leamas", &["smiley", "leamas"]),
            ("\"smiley\"", &["smiley"]),
            ("leamas \" smiley \"", &["leamas", " smiley "]),
            ("\"smiley leamas\"", &["smiley leamas"]),
            ("smiley\" leamas\" liz", &["smiley leamas", "liz"]),
            ("\\\"smiley\\'", &["\"smiley'"]),
            ("'\\'smiley\\\"'", &["'smiley\""]),
            ("smiley\\'s leamas\\'", &["smiley's", "leamas'"]),
            ("leamas\\\\smiley", &["leamas\\smiley"]),
            ("leamas\\\\ \\\\smiley", &["leamas\\", "\\smiley"]),
            ("smiley\\ leamas", &["smiley leamas"]),
            ("'smiley\\ leamas'", &["smiley\\ leamas"]),
            ("\"smiley\\ leamas\"", &["smiley\\ leamas"]),
            ("# gold", &[]),
            ("leamas#gold", &["leamas#gold"]),
            ("\"leamas # gold\"", &["leamas # gold"]),
            ("\"leamas\"#gold", &["leamas#gold"]),
            ("a\\qb", &["a\\qb"]),
        ];
        for (text, expected) in cases {
            assert_eq!(split_args(text).unwrap(), *expected, "{text:?}");
        }
        assert!(split_args("\"smiley").is_err());
    }

    #[test]
    fn options_read_as_ssh_g_reads_them() {
        // OpenSSH 9.2p1 `ssh -G` on each config (observed; the research's table 7.5), with
        // what ssh2-config 0.9.0 got wrong among them.
        let user = |text: &str| one(&format!("Host a\n{text}"), "a").user;
        assert_eq!(user(" User leamas#gold"), "leamas#gold");
        assert_eq!(user(" User \"leamas # gold\""), "leamas # gold");
        assert_eq!(user(" User \"leamas\"#gold"), "leamas#gold");
        assert_eq!(user(" User 'smiley leamas'"), "smiley leamas");
        assert_eq!(user(" User smiley\\ leamas"), "smiley leamas");
        assert_eq!(user(" User \"sm\\\"iley\""), "sm\"iley");
        assert_eq!(user(" User 'it\\'s'"), "it's");
        assert_eq!(
            user(" User first\n User second"),
            "first",
            "first wins in a block"
        );
        let a = one("Host a # comment\n HostName aa # c2\n Port 2222 # c3", "a");
        assert_eq!((a.address.as_str(), a.port), ("aa", 2222));
        assert_eq!(one("Host a\n Port 1\nHost *\n Port 2", "a").port, 1);
        assert_eq!(one("Host=a\nPort=2200", "a").port, 2200);
        assert_eq!(one("HOST a\n hostname aa", "a").address, "aa");
        assert_eq!(one("Host a\n Port ssh", "a").port, 22);
        let b = read("Host * !a\n User x\nHost a b");
        assert_eq!((b[0].user.as_str(), b[1].user.as_str()), ("", "x"));
        // A bad Port is refused (ssh: "Bad port"), never read as 22.
        for bad in ["0", "65536", "0x16", "22 23", "-1"] {
            let a = one(&format!("Host a\n Port {bad}"), "a");
            assert_eq!(a.port, 0, "{bad}");
            assert!(a.notes[0].contains("line 2: Port"), "{bad}: {:?}", a.notes);
            assert!(a.notes[0].contains("enter the port here"), "{:?}", a.notes);
        }
        // Unbalanced quotes: the line is skipped and every host says so.
        let a = one("Host a\n User \"smiley", "a");
        assert!(
            a.notes[0].contains("line 2: a quote is not closed"),
            "{a:?}"
        );
    }

    #[test]
    fn match_blocks_are_evaluated_as_ssh_evaluates_them() {
        // ssh -G (9.2p1, observed) and readconf.c's match_cfg_line.
        let b = one("Host b\n User bob\nMatch host a\n HostName aa", "b");
        assert_eq!(
            b.address, "b",
            "a Match host a block does not leak into Host b"
        );
        assert_eq!(
            one("Host zzz\nMatch all\n HostName xx", "zzz").address,
            "xx"
        );
        let a = one("Host a\nMatch exec \"false\"\n HostName viaexec", "a");
        assert_eq!(a.address, "a");
        assert!(
            a.notes[0].contains("Match exec false was not evaluated"),
            "{a:?}"
        );
        assert_eq!(
            one("Host b\nMatch !host a\n HostName notA", "b").address,
            "nota"
        );
        let all = one("Host a\nMatch all host a\n HostName x", "a");
        assert_eq!(all.address, "a");
        assert!(all.notes[0].contains("cannot be combined"), "{all:?}");
        // host compares with HostName once set; originalhost with the name as typed.
        let text = "Host a\n HostName real.example\nMatch host real.example\n User byhost\n";
        assert_eq!(one(text, "a").user, "byhost");
        let text = "Host a\n HostName real.example\nMatch originalhost a\n Port 2022\n";
        assert_eq!(one(text, "a").port, 2022);
        let text = "Host a\n User ops\nMatch user ops,root\n Port 2023\n";
        assert_eq!(one(text, "a").port, 2023);
        let text = "Host a\nMatch user ops\n Port 2023\n";
        assert_eq!(one(text, "a").port, 22, "the local user is not ops");
        let text = "Host a\nMatch localuser local\n Port 2024\n";
        assert_eq!(one(text, "a").port, 2024);
        // ssh -G 9.2p1 (observed): canonical and final both hold in the second pass.
        let text = "Host a\nMatch canonical\n Port 2025\nMatch final host a\n Port 2026\n";
        assert_eq!(one(text, "a").port, 2025, "the second pass");
        let text = "Host a\nMatch canonical\n Port 2025\n";
        assert_eq!(
            one(text, "a").port,
            22,
            "no second pass without Match final"
        );
        let text = "Host a\nMatch final host a\n Port 2026\n";
        assert_eq!(one(text, "a").port, 2026);
        for bad in ["Match", "Match host", "Match bogus x"] {
            let a = one(&format!("Host a\n{bad}\n Port 1"), "a");
            assert_eq!(a.port, 22, "{bad}");
            assert!(a.notes[0].contains("line 2: Match"), "{bad}: {:?}", a.notes);
        }
    }

    #[test]
    fn tokens_are_filled_in_hostname_and_identityfile() {
        // ssh_config(5) TOKENS: HostName takes %h and %%; IdentityFile %d %h %n %p %r %u %%
        // and ~ (regress/unittests/misc/test_expand.c for percent_expand itself).
        let text = "Host a\n HostName %h.example.com\n User deploy\n Port 2200\n IdentityFile ~/.ssh/%r@%h-%p_%u_%n_%%\n";
        let a = one(text, "a");
        assert_eq!(a.address, "a.example.com");
        assert_eq!(
            a.key_path.as_deref(),
            Some("/home/me/.ssh/deploy@a.example.com-2200_local_a_%")
        );
        let a = one("Host a\n IdentityFile %d/keys/id\n", "a");
        assert_eq!(a.key_path.as_deref(), Some("/home/me/keys/id"));
        let a = one("Host a\n IdentityFile \"~/my keys/id_x\"\n", "a");
        assert_eq!(a.key_path.as_deref(), Some("/home/me/my keys/id_x"));
        let a = one("Host a\n IdentityFile ~/.ssh/%C\n", "a");
        assert_eq!(a.key_path, None);
        assert!(a.notes[0].contains("%C"), "{a:?}");
        assert_eq!(one("Host a\n HostName 100%%\n", "a").address, "100%");
    }

    #[test]
    fn proxy_jumps_of_several_hops() {
        // ssh -G 9.2p1 (observed): several hops, a comment, none, ProxyCommand first, and the
        // hops ssh refuses ("Invalid ProxyJump").
        let jump = |text: &str| one(&format!("Host a\n{text}"), "a");
        let a = jump(" ProxyJump u1@j1:2222,ssh://u2@j2:22,j3");
        assert_eq!(a.proxy_jump.as_deref(), Some("u1@j1:2222,u2@j2,j3"));
        assert!(a.notes.is_empty(), "{a:?}");
        assert_eq!(
            jump(" ProxyJump j1,j2 # via bastion").proxy_jump.as_deref(),
            Some("j1,j2")
        );
        assert_eq!(jump(" ProxyJump none").proxy_jump, None);
        let a = jump(" ProxyCommand nc %h %p\n ProxyJump j1");
        assert_eq!(a.proxy_jump, None);
        assert!(a.notes[0].contains("ProxyCommand is not run"), "{a:?}");
        assert_eq!(
            jump(" ProxyJump u@[::1]:2222").proxy_jump.as_deref(),
            Some("u@[::1]:2222")
        );
        for bad in ["ssh://j1/path", "j1, j2", "j1,,j2", "u@h:99999", "u@h:0"] {
            let a = jump(&format!(" ProxyJump {bad}"));
            assert_eq!(
                a.proxy_jump.as_deref(),
                Some(bad),
                "kept for the form to refuse"
            );
            assert!(a.notes[0].contains("cannot be used"), "{bad}: {a:?}");
        }
    }

    #[test]
    fn ssh_urls_read_as_the_docker_cli_reads_them() {
        // docker/cli cli/connhelper/ssh/ssh_test.go TestParseURL.
        let url = |user: Option<&str>, host: &str, port: Option<u16>, socket: Option<&str>| {
            Ok(SshUrl {
                user: user.map(str::to_owned),
                host: host.to_owned(),
                port,
                socket: socket.map(str::to_owned),
            })
        };
        let cases = [
            ("ssh://example.com", url(None, "example.com", None, None)),
            ("ssh://example.com/", url(None, "example.com", None, None)),
            ("ssh://example.com//", url(None, "example.com", None, None)),
            (
                "ssh://example.com/var/run/docker.sock",
                url(None, "example.com", None, Some("/var/run/docker.sock")),
            ),
            (
                "ssh://me@example.com:10022",
                url(Some("me"), "example.com", Some(10022), None),
            ),
            (
                "ssh://me@example.com:10022/var/run/docker.sock",
                url(
                    Some("me"),
                    "example.com",
                    Some(10022),
                    Some("/var/run/docker.sock"),
                ),
            ),
            (
                "ssh://[fd00::1]:2200",
                url(None, "fd00::1", Some(2200), None),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_ssh_url(input), expected, "{input}");
        }
        let refused = [
            ("malformed %%url", "invalid URL escape \"%%u\""),
            ("no-scheme.example.com", "no scheme provided"),
            (
                "ssh://me:passw0rd@example.com",
                "plain-text password is not supported",
            ),
            (
                "ssh://example.com?foo=bar&bar=baz",
                "query parameters are not allowed: \"foo=bar&bar=baz\"",
            ),
            (
                "ssh://example.com#bar",
                "fragments are not allowed: \"bar\"",
            ),
            ("ssh://", "hostname is empty"),
            ("ssh:///no-hostname", "hostname is empty"),
            ("https://example.com", "incorrect scheme: https"),
            (
                "ssh://example.com/var/run/\x00docker.sock",
                "control character",
            ),
            (
                "ssh://example.com/var/run/docker.sock\n",
                "control character",
            ),
            (
                "ssh://example.com/var/run/\x1bdocker.sock",
                "control character",
            ),
            // Berth's own: a port must be one.
            ("ssh://me@box:notaport", "invalid port"),
            ("ssh://me@box:0", "invalid port"),
        ];
        for (input, says) in refused {
            let err = parse_ssh_url(input).expect_err(input);
            assert!(
                err.starts_with("invalid SSH URL: ") && err.contains(says),
                "{input:?}: {err}"
            );
            assert!(err.contains("write ssh://"), "{err}");
        }
        let c = from_ssh_url(
            "ssh://deploy@10.0.0.5:2200/run/user/1000/docker.sock",
            "prod",
            "x",
        )
        .unwrap();
        assert_eq!(
            (
                c.user.as_str(),
                c.address.as_str(),
                c.port,
                c.socket.as_deref()
            ),
            (
                "deploy",
                "10.0.0.5",
                2200,
                Some("/run/user/1000/docker.sock")
            )
        );
        assert_eq!(from_ssh_url("tcp://box:2375", "x", "y"), None);
    }

    #[test]
    fn docker_contexts_are_found_with_their_endpoints() {
        let dir = std::env::temp_dir().join(format!("berth-contexts-{}", std::process::id()));
        for (hash, name, host) in [
            ("a1", "prod", "ssh://ops@prod.example.com"),
            ("b2", "rootless", "unix:///run/user/1000/docker.sock"),
            ("c3", "broken", "npipe:////./pipe/docker_engine"),
            ("d4", "secret", "ssh://ops:pw@prod.example.com"),
        ] {
            let meta = dir.join("contexts/meta").join(hash);
            std::fs::create_dir_all(&meta).unwrap();
            let json = serde_json::json!({"Name": name, "Endpoints": {"docker": {"Host": host}}});
            std::fs::write(meta.join("meta.json"), json.to_string()).unwrap();
        }
        let found = from_docker_contexts(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        let mut found: Vec<_> = found
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.user.as_str(),
                    c.docker_host.as_deref(),
                    c.source.as_str(),
                )
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("prod", "ops", None, "docker context prod"),
                (
                    "rootless",
                    "",
                    Some("unix:///run/user/1000/docker.sock"),
                    "docker context rootless"
                ),
            ],
            "an endpoint Berth cannot use (a pipe off Windows, a password) is left out"
        );
    }
}
