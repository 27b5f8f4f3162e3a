//! Names and ids that go into an engine URL's path, checked before the request is made.
//! bollard writes them into the path as they are, so a `/`, `..` or `?` in one would reach
//! another endpoint of the engine (`../images/x` removing an image, say).

use crate::engine::image_ref::ImageRef;
use crate::error::{Error, Result};

/// How many containers one stream (a merged log, the stats of a table) may follow at once.
pub const MAX_STREAMED: usize = 64;

/// Docker's rule for container, volume and network names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub(crate) fn is_object_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A swarm object's id or name (a `noun`: service, node, secret, config), as Docker writes
/// them: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
pub fn swarm_object(noun: &str, reference: &str) -> Result<()> {
    let mut chars = reference.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{reference:?} is not a {noun} id or name (letters, digits, '_', '.', '-')"
        )))
    }
}

/// A container id, id prefix or name.
pub fn container(reference: &str) -> Result<()> {
    let mut chars = reference.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{reference:?} is not a container id or name (letters, digits, '_', '.', '-')"
        )))
    }
}

/// The containers one stream is asked to follow: 1 to [`MAX_STREAMED`] valid references.
/// `what` names the stream for the message ("logs", "stats").
pub fn containers(what: &str, ids: &[String]) -> Result<()> {
    if ids.is_empty() || ids.len() > MAX_STREAMED {
        return Err(Error::InvalidInput(format!(
            "{what} are shown for 1 to {MAX_STREAMED} containers at once, not {}",
            ids.len()
        )));
    }
    ids.iter().try_for_each(|id| container(id))
}

/// A volume's name (anonymous volumes are named by 64 hex digits, which is such a name too).
pub fn volume(name: &str) -> Result<()> {
    if is_object_name(name) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{name:?} is not a volume name (letters, digits, '_', '.', '-')"
        )))
    }
}

/// A network's name or id.
pub fn network(reference: &str) -> Result<()> {
    if is_object_name(reference) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{reference:?} is not a network name or id (letters, digits, '_', '.', '-')"
        )))
    }
}

/// An image id (`sha256:` and hex, or a hex prefix) or reference (`repository[:tag][@digest]`).
/// A reference holds `/` and `:` and the engine's routes take them; its grammar leaves no room
/// for `..`, `?` or `#`.
pub fn image(reference: &str) -> Result<()> {
    let hex =
        |text: &str| (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit());
    let is_id = reference.strip_prefix("sha256:").is_some_and(hex) || hex(reference);
    // The reference parser forgives surrounding spaces (a typed reference); a path does not.
    let is_reference = !reference.contains(|c: char| c.is_whitespace() || c.is_control())
        && ImageRef::parse(reference).is_ok();
    if is_id || is_reference {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{reference:?} is not an image id or reference"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_could_leave_its_path_segment_is_refused() {
        let hostile = [
            "",
            "../images/busybox",
            "x/../../info",
            "name?all=1",
            "name#frag",
            "a b",
            "/etc",
            "%2e%2e",
            "web\n",
        ];
        for bad in hostile {
            assert!(container(bad).is_err(), "container {bad:?}");
            assert!(volume(bad).is_err(), "volume {bad:?}");
            assert!(network(bad).is_err(), "network {bad:?}");
            assert!(image(bad).is_err(), "image {bad:?}");
            assert!(swarm_object("service", bad).is_err(), "swarm {bad:?}");
        }
    }

    #[test]
    fn names_and_ids_the_engine_gives_pass() {
        for good in ["web", "a1b2c3", "my_app.web-1"] {
            assert!(container(good).is_ok(), "{good}");
            assert!(swarm_object("node", good).is_ok(), "{good}");
        }
        let anonymous = "8e4b2f0c6f1a3e5d7c9b0a1f2e3d4c5b6a7988776655443322110ffeeddccbba";
        assert!(volume(anonymous).is_ok());
        assert!(network("bridge").is_ok());
        for good in [
            "busybox",
            "127.0.0.1:5000/berth-test/layered:latest",
            "sha256:8e4b2f0c6f1a3e5d7c9b0a1f2e3d4c5b6a7988776655443322110ffeeddccbba",
            "8e4b2f0c6f1a",
            "nginx@sha256:8e4b2f0c6f1a3e5d7c9b0a1f2e3d4c5b6a7988776655443322110ffeeddccbba",
        ] {
            assert!(image(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn a_stream_follows_1_to_64_containers() {
        assert!(containers("logs", &[]).is_err());
        assert!(containers("logs", &vec!["web".to_owned(); MAX_STREAMED + 1]).is_err());
        assert!(containers("logs", &["web".to_owned()]).is_ok());
    }
}
