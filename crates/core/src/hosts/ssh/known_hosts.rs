//! known_hosts files, read the way OpenSSH reads them. Each line is parsed by the `ssh-key`
//! crate (RustCrypto's parser: markers, hashed names, key types); which lines apply to a host is
//! decided here, as OpenSSH's `match_hostname` does: patterns with `*` and `?`, `!` negations
//! (see `patterns`), `[host]:port`, several names per line, and hashed names (`|1|salt|hash`).

use crate::hosts::SSH_PORT;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use russh::keys::ssh_key::known_hosts::{Entry, HostPatterns, Marker};
use russh::keys::PublicKey;
use sha1::Sha1;

/// A key on record for a host: where it is written, so that it can be shown and forgotten.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub key: PublicKey,
    pub file: PathBuf,
    /// 1-based, as editors and `ssh-keygen -R` count.
    pub line: u32,
}

/// What the known_hosts files say about one host.
#[derive(Debug, Clone, Default)]
pub(crate) struct OnRecord {
    /// Keys that may be trusted for the host.
    pub keys: Vec<Record>,
    /// Keys marked `@revoked`: never trusted, for any host (OpenSSH refuses them only for the
    /// hosts the line names; a revoked key is not one to trust anywhere).
    pub revoked: Vec<PublicKey>,
}

/// The name a host is recorded under: `host`, or `[host]:port` off the default port. Host
/// names are compared in lower case, as OpenSSH lowercases them before looking them up.
pub(crate) fn recorded_name(host: &str, port: u16) -> String {
    let host = host.to_ascii_lowercase();
    if port == SSH_PORT {
        host
    } else {
        format!("[{host}]:{port}")
    }
}

/// Reads what `files` hold for `name` (see [`recorded_name`]). A missing file holds nothing;
/// a line that cannot be parsed is skipped, as OpenSSH skips it. Blocking: call off the async
/// threads.
pub(crate) fn read(files: &[PathBuf], name: &str) -> std::io::Result<OnRecord> {
    let mut found = OnRecord::default();
    for file in files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        collect(&text, file, name, &mut found);
    }
    Ok(found)
}

fn collect(text: &str, file: &Path, name: &str, found: &mut OnRecord) {
    for (index, line) in text.lines().enumerate() {
        let Some(entry) = parse_line(line) else {
            continue;
        };
        match entry.marker() {
            Some(Marker::Revoked) => found.revoked.push(entry.public_key().clone()),
            // A certificate authority's key vouches for host certificates, which Berth does
            // not accept: such a line is no key of the host's, so it is skipped knowingly.
            Some(Marker::CertAuthority) => {}
            None if host_matches(entry.host_patterns(), name) => found.keys.push(Record {
                key: entry.public_key().clone(),
                file: file.to_owned(),
                line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            }),
            None => {}
        }
    }
}

/// One line as an entry; `None` for blank lines, comments and lines OpenSSH would skip.
fn parse_line(line: &str) -> Option<Entry> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    // OpenSSH separates fields by any run of spaces and tabs; the parser wants single spaces.
    let normalized = line.split_whitespace().collect::<Vec<_>>().join(" ");
    normalized.parse().ok()
}

/// Whether a line's host patterns name `name`: one pattern matches and no negated one does.
pub(crate) fn host_matches(patterns: &HostPatterns, name: &str) -> bool {
    match patterns {
        HostPatterns::HashedName { salt, hash } => Hmac::<Sha1>::new_from_slice(salt)
            .map(|mac| mac.chain_update(name.as_bytes()).verify_slice(hash).is_ok())
            .unwrap_or(false),
        HostPatterns::Patterns(patterns) => {
            super::patterns::matches_list(patterns.iter().map(String::as_str), name)
        }
    }
}

/// The line Berth writes for a key it learned: plain names, as `ssh` writes them with
/// `HashKnownHosts no`.
pub(crate) fn line_for(name: &str, key: &PublicKey) -> Option<String> {
    key.to_openssh().ok().map(|key| format!("{name} {key}"))
}

/// `text` without the lines that record a key for `name` (markers and other hosts' lines are
/// kept), and how many went.
pub(crate) fn without(text: &str, name: &str) -> (String, u32) {
    let mut kept = String::with_capacity(text.len());
    let mut removed = 0;
    for line in text.lines() {
        let ours = parse_line(line)
            .is_some_and(|e| e.marker().is_none() && host_matches(e.host_patterns(), name));
        if ours {
            removed += 1;
        } else {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    (kept, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two ed25519 keys made by ssh-keygen.
    const ED25519: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    const OTHER: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHzRBRsdZ10nRzeuGp8GFA5mH0SHs6xWDF/jZ/QU2eTC";

    fn on_record(text: &str, name: &str) -> OnRecord {
        let mut found = OnRecord::default();
        collect(text, Path::new("known_hosts"), name, &mut found);
        found
    }

    fn matches(line: &str, name: &str) -> bool {
        !on_record(line, name).keys.is_empty()
    }

    /// Cases from OpenSSH's own tests of `match_pattern` and `match_hostname`
    /// (regress/unittests/match/tests.c) and from sshd(8)'s SSH_KNOWN_HOSTS FILE FORMAT.
    #[test]
    fn patterns_match_as_openssh_matches_them() {
        let cases: &[(&str, &str, bool)] = &[
            // (patterns, name, matches)
            ("example.com", "example.com", true),
            ("example.com", "EXAMPLE.com", true),
            ("Example.COM", "example.com", true),
            ("example.com", "example.org", false),
            ("*.example.com", "a.example.com", true),
            ("*.example.com", "example.com", false),
            ("*", "anything", true),
            ("?", "a", true),
            ("?", "ab", false),
            ("a?c", "abc", true),
            ("a*c*e", "abcde", true),
            ("a*c*e", "abcdf", false),
            ("**", "", true),
            ("a,b,example.com", "example.com", true),
            ("a,b", "c", false),
            ("*.example.com,!bad.example.com", "bad.example.com", false),
            ("*.example.com,!bad.example.com", "good.example.com", true),
            ("!bad.example.com", "good.example.com", false),
            ("[example.com]:2222", "[example.com]:2222", true),
            ("[example.com]:2222", "example.com", false),
            ("example.com", "[example.com]:2222", false),
            ("[*.example.com]:2222", "[a.example.com]:2222", true),
            ("[10.0.0.?]:22?2", "[10.0.0.7]:2222", true),
        ];
        for (patterns, name, expected) in cases {
            let line = format!("{patterns} {ED25519}");
            assert_eq!(matches(&line, name), *expected, "{patterns} vs {name}");
        }
    }

    #[test]
    fn hashed_names_match_only_their_host_and_port() {
        // `ssh-keygen -H` of "example.com" and of "[example.com]:2222", salts chosen by it.
        let plain =
            format!("|1|dOWJxlzuyNG7NX/heLZ3pCb7BV4=|WG4Rm1fCXnzp4MPP075C1ZDOExA= {ED25519}");
        let with_port =
            format!("|1|bJ1RUwUccnSGBonR9FpH+1gSvS8=|kk9ptqFUtF83AvQhkErgFdaIc2k= {ED25519}");
        assert!(matches(&plain, "example.com"));
        assert!(!matches(&plain, "example.org"));
        assert!(!matches(&plain, "[example.com]:2222"));
        assert!(matches(&with_port, "[example.com]:2222"));
        assert!(!matches(&with_port, "example.com"));
    }

    #[test]
    fn any_whitespace_separates_fields_and_comments_are_skipped() {
        let text = format!(
            "# a comment\n\n  example.com\t{}   a key comment\n{}",
            ED25519.replace(' ', "\t "),
            "not a valid line at all\n"
        );
        let found = on_record(&text, "example.com");
        assert_eq!(found.keys.len(), 1);
        assert_eq!(
            found.keys[0].line, 3,
            "lines are counted from 1, comments included"
        );
    }

    #[test]
    fn revoked_keys_are_collected_for_any_host_and_ca_lines_are_not_host_keys() {
        let text = format!(
            "@revoked other.example {OTHER}\n@cert-authority *.example.com {ED25519}\nexample.com {ED25519}\n"
        );
        let found = on_record(&text, "example.com");
        assert_eq!(found.revoked.len(), 1);
        assert_eq!(found.keys.len(), 1, "the CA line is no key of the host");
        assert_eq!(found.keys[0].line, 3);
    }

    #[test]
    fn forgetting_removes_only_that_hosts_plain_lines() {
        let text = format!(
            "example.com {ED25519}\n[example.com]:2222 {OTHER}\n@revoked example.com {OTHER}\nother {ED25519}\n"
        );
        let (kept, removed) = without(&text, "example.com");
        assert_eq!(removed, 1);
        assert!(!kept.contains(&format!("example.com {ED25519}\n[")));
        assert!(kept.contains("[example.com]:2222"));
        assert!(kept.contains("@revoked example.com"));
        assert!(kept.contains("other ssh-ed25519"));
    }

    #[test]
    fn names_are_written_as_openssh_writes_them() {
        assert_eq!(recorded_name("Example.COM", 22), "example.com");
        assert_eq!(recorded_name("10.0.0.1", 2222), "[10.0.0.1]:2222");
    }
}
