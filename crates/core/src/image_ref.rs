//! Image references (`[registry/]path[:tag][@digest]`), checked with Docker's grammar before
//! anything reaches an engine, so a typo gets a message naming what is wrong.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::{Error, Result};

/// A registry host: DNS labels and/or an IPv4 address, optionally with a port, or `[IPv6]`.
static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$")
        .expect("the domain pattern compiles")
});
/// One path component: lower-case alphanumerics joined by `.`, `_`, `__` or runs of `-`.
static COMPONENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$").expect("the path pattern compiles")
});
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\w][\w.-]{0,127}$").expect("the tag pattern compiles"));
static DIGEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")
        .expect("the digest pattern compiles")
});

/// Docker's limit on the length of a repository name.
const MAX_NAME_LENGTH: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The repository, with its registry when one was given: `127.0.0.1:5000/team/app`.
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(input: &str) -> Result<Self> {
        let invalid = |why: String| {
            Err(Error::InvalidInput(format!(
                "{input:?} is not a valid image reference: {why}"
            )))
        };
        let text = input.trim();
        if text.is_empty() {
            return Err(Error::InvalidInput(
                "Enter an image, e.g. nginx:1.27.".to_owned(),
            ));
        }
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (text, None),
        };
        // A colon after the last slash starts the tag; one before it belongs to a registry port.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if name.len() > MAX_NAME_LENGTH {
            return invalid(format!(
                "the name is longer than {MAX_NAME_LENGTH} characters"
            ));
        }
        let mut parts: Vec<&str> = name.split('/').collect();
        let first = parts[0];
        let has_domain = parts.len() > 1
            && (first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()));
        if has_domain {
            if !DOMAIN.is_match(first) {
                return invalid(format!("{first:?} is not a registry host[:port]"));
            }
            parts.remove(0);
        }
        if let Some(bad) = parts.iter().find(|part| !COMPONENT.is_match(part)) {
            let why = if bad.is_empty() {
                "the name has an empty part".to_owned()
            } else if bad.chars().any(|c| c.is_ascii_uppercase()) {
                format!("{bad:?} has upper-case letters; repository names are lower-case")
            } else {
                format!("{bad:?} may only hold lower-case letters, digits and . _ - between them")
            };
            return invalid(why);
        }
        if let Some(tag) = tag.filter(|tag| !TAG.is_match(tag)) {
            return invalid(format!(
                "the tag {tag:?} must be 1 to 128 letters, digits, _ . or -, not starting with . or -"
            ));
        }
        if let Some(digest) = digest.filter(|digest| !DIGEST.is_match(digest)) {
            return invalid(format!(
                "the digest {digest:?} is not algorithm:hex, e.g. sha256:…"
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// What to ask the engine for besides the name: the digest, else the tag, else `latest`
    /// (an empty tag would pull every tag of the repository).
    pub fn tag_or_digest(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        match (&self.digest, &self.tag) {
            (Some(digest), _) => write!(f, "@{digest}"),
            (None, Some(tag)) => write!(f, ":{tag}"),
            (None, None) => f.write_str(":latest"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_references_parse() {
        let cases = [
            ("nginx", "nginx", None, None),
            ("nginx:1.27-alpine", "nginx", Some("1.27-alpine"), None),
            ("library/redis", "library/redis", None, None),
            (
                "127.0.0.1:5000/berth-test/layered:latest",
                "127.0.0.1:5000/berth-test/layered",
                Some("latest"),
                None,
            ),
            ("localhost/app", "localhost/app", None, None),
            (
                "ghcr.io/owner/some_app__x.y-z:v2",
                "ghcr.io/owner/some_app__x.y-z",
                Some("v2"),
                None,
            ),
            ("[fd00::1]:5000/app", "[fd00::1]:5000/app", None, None),
        ];
        for (input, name, tag, digest) in cases {
            let parsed = ImageRef::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (
                    parsed.name.as_str(),
                    parsed.tag.as_deref(),
                    parsed.digest.as_deref()
                ),
                (name, tag, digest),
                "{input}"
            );
        }
        let pinned = ImageRef::parse(&format!("alpine:3@sha256:{}", "a".repeat(64))).unwrap();
        assert_eq!(pinned.tag_or_digest(), format!("sha256:{}", "a".repeat(64)));
        assert_eq!(ImageRef::parse("nginx").unwrap().tag_or_digest(), "latest");
        assert_eq!(
            ImageRef::parse(" nginx ").unwrap().to_string(),
            "nginx:latest"
        );
    }

    #[test]
    fn bad_references_say_what_is_wrong() {
        let cases = [
            ("", "Enter an image"),
            ("Nginx", "upper-case"),
            ("nginx:", "tag"),
            ("nginx:-x", "tag"),
            ("nginx:a b", "tag"),
            ("my app", "may only hold"),
            ("app//x", "empty part"),
            ("-app", "may only hold"),
            ("app_", "may only hold"),
            ("bad_host:5000/app", "registry host"),
            ("nginx@sha256:xyz", "digest"),
            (&"a".repeat(256), "longer than 255"),
        ];
        for (input, says) in cases {
            let err = ImageRef::parse(input).expect_err(input);
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
            assert!(err.to_string().contains(says), "{input:?}: {err}");
        }
    }
}
