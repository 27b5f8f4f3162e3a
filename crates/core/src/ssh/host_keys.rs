//! Host keys: checked against the user's OpenSSH known_hosts and Berth's own file before
//! anything is sent; a key is learned only when the user accepted its fingerprint.

use russh::keys::known_hosts::{
    check_known_hosts_path, known_host_keys_path, learn_known_hosts_path,
};
use russh::keys::{HashAlg, PublicKey};

use crate::error::{Error, Result};
use crate::host::KnownHostsFiles;

pub(crate) fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Decides whether `key`, offered by `address:port`, may be trusted. `accepted` is the
/// fingerprint the user accepted for this host, if any: a key with that fingerprint is then
/// written to Berth's file.
pub(crate) fn verify(
    files: &KnownHostsFiles,
    address: &str,
    port: u16,
    key: &PublicKey,
    accepted: Option<&str>,
) -> Result<()> {
    // OpenSSH matches host names case-insensitively; russh compares them as written.
    let host = address.to_ascii_lowercase();
    let offered = fingerprint(key);
    let shown = if port == 22 {
        host.clone()
    } else {
        format!("[{host}]:{port}")
    };
    let files_on_disk = files
        .openssh
        .iter()
        .chain(std::iter::once(&files.berth))
        .filter(|path| path.exists());
    for path in files_on_disk {
        match check_known_hosts_path(&host, port, key, path) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(russh::keys::Error::KeyChanged { .. }) => {
                let known = known_host_keys_path(&host, port, path)
                    .unwrap_or_default()
                    .into_iter()
                    .find(|(_, known)| known.algorithm() == key.algorithm())
                    .map_or_else(
                        || "an older key".to_owned(),
                        |(_, known)| fingerprint(&known),
                    );
                return Err(Error::HostKeyChanged {
                    host: shown,
                    known,
                    offered,
                });
            }
            Err(err) => {
                return Err(Error::Internal(format!(
                    "the known hosts file {} could not be read: {err}",
                    path.display()
                )))
            }
        }
    }
    if accepted == Some(offered.as_str()) {
        learn_known_hosts_path(&host, port, key, &files.berth).map_err(|err| {
            Error::Internal(format!(
                "the host key could not be saved in {}: {err}",
                files.berth.display()
            ))
        })?;
        return Ok(());
    }
    Err(Error::HostKeyUnknown {
        host: shown,
        fingerprint: offered,
    })
}
