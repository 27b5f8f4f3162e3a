//! OpenSSH's host patterns, as `ssh_config`'s `Host` lines and known_hosts lines use them
//! (OpenSSH's `match_pattern` and `match_pattern_list`).

/// Whether `name` matches a list of patterns: one pattern matches and no `!`-negated one does.
/// Case-insensitive, as OpenSSH lowercases host names before matching.
pub(crate) fn matches_list<'a>(patterns: impl IntoIterator<Item = &'a str>, name: &str) -> bool {
    let mut matched = false;
    for pattern in patterns {
        match pattern.strip_prefix('!') {
            Some(negated) if glob(negated, name) => return false,
            Some(_) => {}
            None => matched |= glob(pattern, name),
        }
    }
    matched
}

/// One pattern: `*` is any run of characters, `?` any one; nothing else is special.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    // Iterative, with one backtrack point: linear in practice, and no recursion a hostile
    // pattern could drive deep.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(c) if *c == b'?' || c.eq_ignore_ascii_case(&text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From OpenSSH's regress/unittests/match/tests.c (match_pattern and match_pattern_list).
    #[test]
    fn patterns_match_as_openssh_matches_them() {
        let cases: &[(&str, &str, bool)] = &[
            // (pattern, text, matches)
            ("", "", true),
            ("", "aaa", false),
            ("aaa", "", false),
            ("aaa", "aaaa", false),
            ("aaaa", "aaa", false),
            ("*", "", true),
            ("?", "", false),
            ("*", "a", true),
            ("?", "a", true),
            ("?", "ab", false),
            ("*", "aaa", true),
            ("a?c", "abc", true),
            ("a*c*e", "abcde", true),
            ("a*c*e", "abcdf", false),
            ("**", "", true),
            ("*.example.com", "a.example.com", true),
            ("*.example.com", "example.com", false),
            ("Example.COM", "example.com", true),
            ("web-?", "web-10", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(glob(pattern, text), *expected, "{pattern:?} vs {text:?}");
        }
    }

    #[test]
    fn a_negated_pattern_wins_over_any_other() {
        assert!(!matches_list(
            ["*.example.com", "!bad.example.com"],
            "bad.example.com"
        ));
        assert!(matches_list(
            ["*.example.com", "!bad.example.com"],
            "good.example.com"
        ));
        assert!(
            !matches_list(["!bad.example.com"], "good.example.com"),
            "negation alone matches nothing"
        );
        assert!(!matches_list(["a", "b"], "c"));
    }

    #[test]
    fn long_patterns_do_not_backtrack_without_bound() {
        let text = "a".repeat(10_000);
        assert!(!glob(&format!("{}b", "*a".repeat(50)), &text));
    }
}
