//! The ssh config import against the tool it imitates: for each config, what Berth takes for
//! a host (HostName, Port, User, the first IdentityFile) must be what `ssh -G` prints for it.
//! The configs are the cases of OpenSSH's regress/cfginclude.sh and of the quoting, comment,
//! token, Match and first-value-wins checks in the research table (ssh -G 9.2p1).

use std::path::Path;
use std::process::Command;

use berth_core::hosts::import;

/// `ssh -G` for `host` with `config` as the user's file, in a home of its own.
fn ssh_g(home: &Path, host: &str) -> Vec<(String, String)> {
    let out = Command::new("ssh")
        .env("HOME", home)
        .args(["-G", "-F"])
        .arg(home.join(".ssh/config"))
        .arg(host)
        .output()
        .expect("the OpenSSH client (ssh) is installed: it is what this test compares with");
    assert!(
        out.status.success(),
        "ssh -G {host}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn first<'a>(options: &'a [(String, String)], key: &str) -> Option<&'a str> {
    options
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

const CASES: &[(&str, &str)] = &[
    // (config, hosts to compare, comma-separated)
    ("Host a\n HostName first\n HostName second\n", "a"),
    ("Host a\n Port 1\nHost *\n Port 2\n", "a,b"),
    ("Port 1\nHost a\n Port 2\n", "a"),
    (
        "Host a # comment\n HostName aa # c2\n Port 2222 # c3\n",
        "a",
    ),
    ("Host a\n User leamas#gold\n", "a"),
    ("Host a\n User \"leamas # gold\"\n", "a"),
    ("Host a\n User \"leamas\"#gold\n", "a"),
    ("Host a\n User 'smiley leamas'\n", "a"),
    ("Host a\n User smiley\\ leamas\n", "a"),
    ("Host a\n User \"sm\\\"iley\"\n", "a"),
    ("Host a\n User 'it\\'s'\n", "a"),
    ("Host a\n IdentityFile \"~/my keys/id_x\"\n", "a"),
    ("Host=a\nPort=2200\n", "a"),
    ("HOST a\n hostname aa\n", "a"),
    ("Host * !a\n User x\nHost a b\n", "a,b"),
    ("Host a\n Port ssh\n", "a"),
    ("Host a\n HostName %h.example.com\n", "a"),
    (
        "Host a\n HostName real.example\n User deploy\n Port 2200\n IdentityFile ~/.ssh/%r@%h-%p_%n_%%\n",
        "a",
    ),
    ("Host b\n User bob\nMatch host a\n HostName aa\n", "b,a"),
    ("Host zzz\nMatch all\n HostName xx\n", "zzz"),
    ("Host b\nMatch !host a\n HostName notA\n", "b,a"),
    (
        "Host a\n HostName real.example\nMatch host real.example\n User byhost\n",
        "a",
    ),
    (
        "Host a\n HostName real.example\nMatch originalhost a\n Port 2022\n",
        "a",
    ),
    ("Host a\n User ops\nMatch user ops,root\n Port 2023\n", "a"),
    (
        "Host a\nMatch canonical\n Port 2025\nMatch final host a\n Port 2026\n",
        "a",
    ),
    ("Host a\nMatch canonical\n Port 2025\n", "a"),
    ("Host a\nMatch final host a\n Port 2026\n", "a"),
    ("Host c\n HostName cc\n Include conf.d/0.conf\n", "c"),
    ("Host c\n Include conf.d/*.conf\n HostName cc\n", "c"),
    ("Host e\n Include conf.d/0.conf\nHost c\n", "c,e"),
    ("Include ~/.ssh/conf.d/0.conf\nInclude conf.d/nomatch*\nHost zz\n", "c,zz"),
    (
        "Match host a\n\tHostname aa\nMatch host m\n\tInclude ssh_config.i.*\nHost d\n\tHostname dd\nHost f\n\tInclude ssh_config.i.*\n\tHostname ff\nHost n\n\tInclude ssh_config.i.*\nHost x\n",
        "a,d,f,m,n,x",
    ),
];

#[test]
fn the_import_agrees_with_ssh_g() {
    let home = std::env::temp_dir().join(format!("berth-ssh-g-{}", std::process::id()));
    let ssh = home.join(".ssh");
    std::fs::create_dir_all(ssh.join("conf.d")).unwrap();
    std::fs::write(ssh.join("conf.d/0.conf"), "Host c\n  HostName ccc\n").unwrap();
    std::fs::write(ssh.join("ssh_config.i.0"), "Match host xxxxxx\n").unwrap();
    std::fs::write(
        ssh.join("ssh_config.i.1"),
        "Match host a\n\tHostname aaa\nHost d\n\tHostname ddd\nHost f\n\tHostname fff\n",
    )
    .unwrap();
    std::fs::write(ssh.join("ssh_config.i.2"), "Match all\n\tHostname xxxx\n").unwrap();
    let mut compared = 0;
    for (config, hosts) in CASES {
        std::fs::write(ssh.join("config"), config).unwrap();
        let found = import::from_ssh_config(config, &home);
        for host in hosts.split(',') {
            let ssh = ssh_g(&home, host);
            let Some(ours) = found.iter().find(|c| c.name == host) else {
                // Hosts only a Match names are not offered; ssh still answers for them.
                continue;
            };
            let context = format!("{config:?} for {host}: Berth {ours:?}");
            assert_eq!(
                Some(ours.address.as_str()),
                first(&ssh, "hostname"),
                "{context}"
            );
            assert_eq!(
                Some(ours.port.to_string().as_str()),
                first(&ssh, "port"),
                "{context}"
            );
            if !ours.user.is_empty() {
                assert_eq!(Some(ours.user.as_str()), first(&ssh, "user"), "{context}");
            }
            // ssh -G prints IdentityFile as written; ssh expands `~` and tokens when it loads it.
            let theirs = first(&ssh, "identityfile").filter(|k| !k.contains('%'));
            if let (Some(key), Some(theirs)) = (&ours.key_path, theirs) {
                let theirs = theirs.replacen('~', &home.display().to_string(), 1);
                assert_eq!(key, &theirs, "{context}");
            }
            compared += 1;
        }
    }
    std::fs::remove_dir_all(&home).unwrap();
    assert!(compared >= 35, "compared {compared} hosts");
    println!("{compared} hosts read as ssh -G reads them");
}
