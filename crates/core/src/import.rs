//! Hosts the user already has elsewhere: OpenSSH's `~/.ssh/config`, Docker contexts with
//! `ssh://` endpoints, and an `ssh://` DOCKER_HOST — offered to pre-fill the add-host form.

use std::path::Path;

use serde::Serialize;
use specta::Type;

/// A host found elsewhere, not yet saved. Empty `user` means the source did not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HostCandidate {
    pub name: String,
    pub address: String,
    pub port: u16,
    pub user: String,
    pub key_path: Option<String>,
    /// A host to hop through, `[user@]host[:port]`.
    pub proxy_jump: Option<String>,
    /// A `unix://` or `tcp://` engine address, for engines reached without SSH.
    pub docker_host: Option<String>,
    /// Where it was found, e.g. "~/.ssh/config" or "docker context prod".
    pub source: String,
}

/// The concrete hosts of an OpenSSH client config. Options apply the way ssh applies them:
/// the first value found for a host wins, from every `Host` block whose patterns match it.
/// A ProxyJump naming another Host of the file is written out with that host's HostName, User
/// and Port; hosts with more than one hop are left out (Berth hops through one).
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

pub fn from_ssh_config(text: &str, home: &Path) -> Vec<HostCandidate> {
    let blocks = parse_blocks(text);
    let aliases = blocks
        .iter()
        .flat_map(|block| block.patterns.iter())
        .filter(|pattern| !pattern.contains(['*', '?', '!']))
        .fold(Vec::<&String>::new(), |mut seen, alias| {
            if !seen.contains(&alias) {
                seen.push(alias);
            }
            seen
        });
    aliases
        .into_iter()
        .filter_map(|alias| {
            let option = |key: &str| first_value(&blocks, alias, key);
            let proxy_jump = match option("proxyjump") {
                Some(jump) if jump.contains(',') => return None,
                Some(jump) if !jump.eq_ignore_ascii_case("none") => {
                    Some(resolve_jump(&blocks, jump))
                }
                _ => None,
            };
            Some(HostCandidate {
                name: alias.clone(),
                address: option("hostname").unwrap_or(alias).to_owned(),
                port: option("port").and_then(|p| p.parse().ok()).unwrap_or(22),
                user: option("user").unwrap_or_default().to_owned(),
                key_path: option("identityfile").map(|path| expand_home(path, home)),
                proxy_jump,
                docker_host: None,
                source: "~/.ssh/config".to_owned(),
            })
        })
        .collect()
}

/// A host from an `ssh://[user@]host[:port]` address (a Docker context or DOCKER_HOST).
pub fn from_ssh_url(url: &str, name: &str, source: &str) -> Option<HostCandidate> {
    let rest = url.strip_prefix("ssh://")?.trim_end_matches('/');
    let (user, authority) = rest.split_once('@').unwrap_or(("", rest));
    let (address, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, port.parse().ok()?),
        _ => (authority, 22),
    };
    (!address.is_empty()).then(|| HostCandidate {
        name: name.to_owned(),
        address: address.to_owned(),
        port,
        user: user.to_owned(),
        key_path: None,
        proxy_jump: None,
        docker_host: None,
        source: source.to_owned(),
    })
}

/// The Docker CLI's contexts under `docker_config` (~/.docker): `ssh://` endpoints as SSH hosts,
/// `unix://` and `tcp://` ones as engines reached directly.
pub fn from_docker_contexts(docker_config: &Path) -> Vec<HostCandidate> {
    let Ok(entries) = std::fs::read_dir(docker_config.join("contexts/meta")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("meta.json")).ok())
        .filter_map(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .filter_map(|meta| {
            let name = meta["Name"].as_str()?;
            let url = meta["Endpoints"]["docker"]["Host"].as_str()?;
            let source = format!("docker context {name}");
            if url.starts_with("ssh://") {
                return from_ssh_url(url, name, &source);
            }
            // A named pipe is an engine only on Windows.
            match crate::host::Endpoint::parse(url).ok()? {
                crate::host::Endpoint::NamedPipe(_) if !cfg!(windows) => return None,
                _ => {}
            }
            Some(HostCandidate {
                name: name.to_owned(),
                address: String::new(),
                port: 22,
                user: String::new(),
                key_path: None,
                proxy_jump: None,
                docker_host: Some(url.to_owned()),
                source,
            })
        })
        .collect()
}

struct Block {
    patterns: Vec<String>,
    /// Lower-cased keyword and value, in file order.
    options: Vec<(String, String)>,
}

impl Block {
    fn matches(&self, alias: &str) -> bool {
        crate::ssh::patterns::matches_list(self.patterns.iter().map(String::as_str), alias)
    }
}

fn parse_blocks(text: &str) -> Vec<Block> {
    let mut blocks = vec![Block {
        patterns: vec!["*".to_owned()],
        options: Vec::new(),
    }];
    let mut in_match = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(|c: char| c.is_whitespace() || c == '=')
            .map_or((line, ""), |(k, v)| {
                (k, v.trim_start_matches([' ', '\t', '=']).trim())
            });
        let key = key.to_ascii_lowercase();
        let value = value.trim_matches('"').to_owned();
        match key.as_str() {
            "host" => {
                in_match = false;
                blocks.push(Block {
                    patterns: value.split_whitespace().map(str::to_owned).collect(),
                    options: Vec::new(),
                });
            }
            // Match blocks depend on things only ssh knows at connect time: skipped.
            "match" => in_match = true,
            _ if !in_match => blocks
                .last_mut()
                .expect("a block")
                .options
                .push((key, value)),
            _ => {}
        }
    }
    blocks
}

/// The first value of `key` for `alias`, from every block that matches it, as ssh reads it.
fn first_value<'a>(blocks: &'a [Block], alias: &str, key: &str) -> Option<&'a str> {
    blocks
        .iter()
        .filter(|block| block.matches(alias))
        .find_map(|block| block.options.iter().find(|(k, _)| k == key))
        .map(|(_, value)| value.as_str())
}

/// A ProxyJump `[user@]name[:port]` with `name`'s HostName, User and Port from the config filled
/// in where the jump itself does not say.
fn resolve_jump(blocks: &[Block], jump: &str) -> String {
    let (user, rest) = match jump.rsplit_once('@') {
        Some((user, rest)) => (Some(user), rest),
        None => (None, jump),
    };
    let (name, port) = match rest.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, Some(port)),
        _ => (rest, None),
    };
    let option = |key: &str| first_value(blocks, name, key);
    let user = user.or_else(|| option("user"));
    let port = port.or_else(|| option("port")).filter(|port| *port != "22");
    format!(
        "{}{}{}",
        user.map(|u| format!("{u}@")).unwrap_or_default(),
        option("hostname").unwrap_or(name),
        port.map(|p| format!(":{p}")).unwrap_or_default()
    )
}

fn expand_home(path: &str, home: &Path) -> String {
    match path.strip_prefix("~/") {
        Some(rest) => home.join(rest).display().to_string(),
        None => path.replace("%d", &home.display().to_string()),
    }
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
  ProxyJump a,b

Host *.internal !skip.internal
  User ops

Match host db exec \"true\"
  User nobody

Host *
  User me
  IdentityFile ~/.ssh/id_ed25519
";

    #[test]
    fn concrete_hosts_take_the_first_value_from_every_matching_block() {
        let found = from_ssh_config(CONFIG, Path::new("/home/me"));
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["build", "build-2", "db", "behind", "bastion"],
            "wildcards and hosts more than one hop away are left out"
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
                source: "~/.ssh/config".into(),
            }
        );
        let db = &found[2];
        assert_eq!((db.address.as_str(), db.port), ("10.0.0.7", 2222));
        assert_eq!(db.user, "me", "from Host *, not from the Match block");
        assert_eq!(db.key_path.as_deref(), Some("/home/me/.ssh/id_ed25519"));
        assert_eq!(
            found[3].proxy_jump.as_deref(),
            Some("me@bastion.example.com:2200"),
            "the jump's alias resolved through its own Host block"
        );
    }

    #[test]
    fn host_blocks_match_by_their_patterns() {
        let block = parse_blocks("Host *.internal !skip.internal\n  User ops")
            .pop()
            .unwrap();
        assert!(block.matches("api.internal"));
        assert!(!block.matches("skip.internal"));
    }

    #[test]
    fn ssh_urls_give_user_host_and_port() {
        let c = from_ssh_url("ssh://deploy@10.0.0.5:2200", "prod", "docker context prod").unwrap();
        assert_eq!(
            (c.user.as_str(), c.address.as_str(), c.port),
            ("deploy", "10.0.0.5", 2200)
        );
        let c = from_ssh_url("ssh://box", "box", "DOCKER_HOST").unwrap();
        assert_eq!(
            (c.user.as_str(), c.address.as_str(), c.port),
            ("", "box", 22)
        );
        assert_eq!(from_ssh_url("tcp://box:2375", "x", "y"), None);
        assert_eq!(from_ssh_url("ssh://me@box:notaport", "x", "y"), None);
    }

    #[test]
    fn docker_contexts_are_found_with_their_endpoints() {
        let dir = std::env::temp_dir().join(format!("berth-contexts-{}", std::process::id()));
        for (hash, name, host) in [
            ("a1", "prod", "ssh://ops@prod.example.com"),
            ("b2", "rootless", "unix:///run/user/1000/docker.sock"),
            ("c3", "broken", "npipe:////./pipe/docker_engine"),
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
            "an endpoint Berth cannot use is left out"
        );
    }
}
