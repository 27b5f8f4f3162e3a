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
/// The digest algorithms Docker accepts (go-digest's registered ones, as distribution/reference
/// registers them) and the length of each one's lower-case hex.
const DIGEST_ALGORITHMS: [(&str, usize); 3] = [("sha256", 64), ("sha384", 96), ("sha512", 128)];

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
        if let Some(digest) = digest {
            if let Err(why) = check_digest(digest) {
                return invalid(why);
            }
        }
        // distribution/reference refuses a bare 64-hex name: it is how Docker writes an image id.
        if !has_domain && tag.is_none() && digest.is_none() && is_image_id(name) {
            return invalid(format!(
                "{name:?} is an image id (64 hex digits), not a repository name; choose the image by name:tag, or write docker.io/{name} for a repository of that name"
            ));
        }
        if !has_domain && parts == ["sha256"] && tag.is_some_and(is_image_id) {
            return invalid(
                "sha256:… is an image id, not a repository name; choose the image by name:tag, or pin one with name@sha256:…".to_owned(),
            );
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

fn is_image_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `algorithm:hex` as go-digest's `Digest.Validate` checks it: a known algorithm and exactly its
/// length of lower-case hex.
fn check_digest(digest: &str) -> std::result::Result<(), String> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(format!(
            "the digest {digest:?} is not algorithm:hex, e.g. sha256: and 64 hex digits"
        ));
    };
    let Some((_, length)) = DIGEST_ALGORITHMS.iter().find(|(a, _)| *a == algorithm) else {
        return Err(format!(
            "the digest algorithm {algorithm:?} is not one Docker accepts; write sha256:, sha384: or sha512: and the hex"
        ));
    };
    if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(format!(
            "the {algorithm} digest must be lower-case hex digits (0-9, a-f)"
        ));
    }
    if hex.len() != *length {
        return Err(format!(
            "the {algorithm} digest has {} hex digits where it needs exactly {length}",
            hex.len()
        ));
    }
    Ok(())
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

    const F64: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    const H: &str = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

    #[test]
    fn distribution_reference_parse_table() {
        // distribution/reference reference_test.go TestReferenceParse: input, then name, tag
        // and digest (None: refused).
        let f128 = "f".repeat(128);
        let long_ok = format!("{}a:tag-puts-this-over-max", "a/".repeat(127));
        let long_name = format!("{}a", "a/".repeat(127));
        type Expected<'a> = Option<(&'a str, Option<&'a str>, Option<String>)>;
        let cases: Vec<(String, Expected)> = vec![
            ("test_com".into(), Some(("test_com", None, None))),
            ("test.com:tag".into(), Some(("test.com", Some("tag"), None))),
            (
                "test.com:5000".into(),
                Some(("test.com", Some("5000"), None)),
            ),
            (
                "test.com/repo:tag".into(),
                Some(("test.com/repo", Some("tag"), None)),
            ),
            (
                "test:5000/repo".into(),
                Some(("test:5000/repo", None, None)),
            ),
            (
                "test:5000/repo:tag".into(),
                Some(("test:5000/repo", Some("tag"), None)),
            ),
            (
                format!("test:5000/repo@sha256:{F64}"),
                Some(("test:5000/repo", None, Some(format!("sha256:{F64}")))),
            ),
            (
                format!("test:5000/repo:tag@sha256:{F64}"),
                Some(("test:5000/repo", Some("tag"), Some(format!("sha256:{F64}")))),
            ),
            ("".into(), None),
            (":justtag".into(), None),
            (format!("@sha256:{F64}"), None),
            (format!("repo@sha256:{}", "f".repeat(34)), None),
            (format!("validname@invaliddigest:{F64}"), None),
            ("Uppercase:tag".into(), None),
            ("test:5000/Uppercase/lowercase:tag".into(), None),
            (
                "lowercase:Uppercase".into(),
                Some(("lowercase", Some("Uppercase"), None)),
            ),
            (format!("{}a:tag", "a/".repeat(128)), None),
            (
                long_ok,
                Some((long_name.as_str(), Some("tag-puts-this-over-max"), None)),
            ),
            ("aa/asdf$$^/aa".into(), None),
            (
                "sub-dom1.foo.com/bar/baz/quux:some-long-tag".into(),
                Some(("sub-dom1.foo.com/bar/baz/quux", Some("some-long-tag"), None)),
            ),
            (
                "b.gcr.io/test.example.com/my-app:test.example.com".into(),
                Some((
                    "b.gcr.io/test.example.com/my-app",
                    Some("test.example.com"),
                    None,
                )),
            ),
            (
                "xn--n3h.com/myimage:xn--n3h.com".into(),
                Some(("xn--n3h.com/myimage", Some("xn--n3h.com"), None)),
            ),
            (
                format!("xn--7o8h.com/myimage:xn--7o8h.com@sha512:{f128}"),
                Some((
                    "xn--7o8h.com/myimage",
                    Some("xn--7o8h.com"),
                    Some(format!("sha512:{f128}")),
                )),
            ),
            (
                "foo_bar.com:8080".into(),
                Some(("foo_bar.com", Some("8080"), None)),
            ),
            (
                "foo/foo_bar.com:8080".into(),
                Some(("foo/foo_bar.com", Some("8080"), None)),
            ),
            ("192.168.1.1".into(), Some(("192.168.1.1", None, None))),
            (
                "192.168.1.1:5000/repo:5050".into(),
                Some(("192.168.1.1:5000/repo", Some("5050"), None)),
            ),
            ("[2001:db8::1]".into(), None),
            ("[2001:db8::1]:5000".into(), None),
            ("[2001:db8::1]:tag".into(), None),
            (
                "[2001:db8::1]/repo".into(),
                Some(("[2001:db8::1]/repo", None, None)),
            ),
            (
                "[2001:db8:1:2:3:4:5:6]/repo:tag".into(),
                Some(("[2001:db8:1:2:3:4:5:6]/repo", Some("tag"), None)),
            ),
            (
                format!("[2001:db8::1]:5000/repo:tag@sha256:{F64}"),
                Some((
                    "[2001:db8::1]:5000/repo",
                    Some("tag"),
                    Some(format!("sha256:{F64}")),
                )),
            ),
            (
                "[::1]:5000/repo".into(),
                Some(("[::1]:5000/repo", None, None)),
            ),
            ("[fe80::1%eth0]:5000/repo".into(), None),
            ("[fe80::1%@invalidzone]:5000/repo".into(), None),
        ];
        for (input, expected) in cases {
            let parsed = ImageRef::parse(&input);
            match (parsed, expected) {
                (Ok(r), Some((name, tag, digest))) => assert_eq!(
                    (r.name.as_str(), r.tag.as_deref(), r.digest),
                    (name, tag, digest),
                    "{input}"
                ),
                (Err(_), None) => {}
                (got, _) => panic!("{input}: {got:?}"),
            }
        }
    }

    #[test]
    fn distribution_normalize_tables() {
        // distribution/reference normalize_test.go TestValidateReferenceName and
        // TestValidateRemoteName: the valid names, then the invalid ones.
        let hex_repo = format!("docker.io/{}", &H[..64]);
        let valid = [
            "docker/docker",
            "library/debian",
            "debian",
            "docker.io/docker/docker",
            "docker.io/library/debian",
            "docker.io/debian",
            "index.docker.io/docker/docker",
            "127.0.0.1:5000/docker/docker",
            "127.0.0.1:5000/debian",
            "192.168.0.1",
            "192.168.0.1:80",
            "192.168.0.1:8/debian",
            "192.168.0.2:25000/debian",
            "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
            "[fc00::1]:5000/docker",
            "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
            hex_repo.as_str(),
            "Docker/docker",
            "DOCKER/docker",
            "docker-rules/docker",
            "docker---rules/docker",
            "doc/docker",
            "d/docker",
            "jess/t",
            "dock__er/docker",
        ];
        for name in valid {
            assert!(ImageRef::parse(name).is_ok(), "{name}");
        }
        let invalid = [
            "https://github.com/docker/docker",
            "docker/Docker",
            "-docker",
            "-docker/docker",
            "-docker.io/docker/docker",
            "docker///docker",
            "docker.io/docker/Docker",
            "docker.io/docker///docker",
            "[fc00::1]",
            "[fc00::1]:5000",
            "fc00::1:5000/debian",
            "[fe80::1%eth0]:5000/debian",
            "[2001:db8:3:4::192.0.2.33]:5000/debian",
            H,
            "docker-/docker",
            "-docker-/docker",
            "____/____",
            "_docker/_docker",
            "dock..er/docker",
            "dock_.er/docker",
            "dock-.er/docker",
            "docker/",
        ];
        for name in invalid {
            assert!(ImageRef::parse(name).is_err(), "{name}");
        }
    }

    #[test]
    fn digests_and_image_ids_are_told_apart() {
        // normalize_test.go TestParseAnyReference and docker 28.2.2 (observed): a bare 64-hex
        // name and sha256:<64 hex> are image ids; 63 hex digits are a repository name.
        for id in [H.to_owned(), format!("sha256:{H}")] {
            let err = ImageRef::parse(&id).unwrap_err().to_string();
            assert!(
                err.contains("is an image id") && err.contains("name:tag"),
                "{id}: {err}"
            );
        }
        assert_eq!(ImageRef::parse(&H[..63]).unwrap().name, &H[..63]);
        assert_eq!(ImageRef::parse("dbcc1").unwrap().name, "dbcc1");
        let pinned = ImageRef::parse(&format!("redis:latest@sha256:{H}")).unwrap();
        assert_eq!(pinned.digest, Some(format!("sha256:{H}")));
        let sha384 = format!("redis@sha384:{}", "a".repeat(96));
        assert!(ImageRef::parse(&sha384).is_ok());
        // go-digest's refusals, with what to write instead.
        for (input, says) in [
            (
                "redis@sha256:abc".to_owned(),
                "has 3 hex digits where it needs exactly 64",
            ),
            (
                format!("redis@md5:{H}"),
                "not one Docker accepts; write sha256:",
            ),
            (
                format!("redis@sha256:{}", H.to_uppercase()),
                "lower-case hex",
            ),
            (format!("redis@sha512:{H}"), "needs exactly 128"),
            (format!("redis@{H}"), "not algorithm:hex"),
        ] {
            let err = ImageRef::parse(&input).unwrap_err().to_string();
            assert!(err.contains(says), "{input}: {err}");
        }
    }
}
