//! Which containers a list shows, written as `docker ps --filter` takes it: `key=value`, the
//! same key repeated meaning any of its values, different keys all of them.

use crate::engine::containers::{Container, ContainerState};
use crate::engine::image_ref::ImageRef;
use crate::error::{Error, Result};

/// The keys a filter may use.
pub const FILTER_KEYS: [&str; 5] = ["name", "id", "status", "label", "ancestor"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerFilter {
    /// Per key (in [`FILTER_KEYS`]' order), the values any of which must match.
    values: [Vec<String>; 5],
}

impl ContainerFilter {
    /// Reads `key=value` filters; an unknown key or status, or a missing `=`, is refused.
    pub fn parse(filters: &[String]) -> Result<Self> {
        let mut filter = Self::default();
        for text in filters {
            let (key, value) = text.split_once('=').ok_or_else(|| {
                refused(format!(
                    "{text:?} is not a filter: write key=value, e.g. status=running"
                ))
            })?;
            let key = key.trim().to_ascii_lowercase();
            let index = FILTER_KEYS.iter().position(|k| *k == key).ok_or_else(|| {
                refused(format!(
                    "{key:?} is not a filter key; these are: {}",
                    FILTER_KEYS.join(", ")
                ))
            })?;
            if key == "status" && state_named(value).is_none() {
                return Err(refused(format!(
                    "{value:?} is not a status; these are: created, running, paused, restarting, exited, removing, dead"
                )));
            }
            filter.values[index].push(value.to_owned());
        }
        Ok(filter)
    }

    pub fn matches(&self, container: &Container) -> bool {
        let [names, ids, statuses, labels, ancestors] = &self.values;
        let any = |values: &Vec<String>, test: &dyn Fn(&str) -> bool| {
            values.is_empty() || values.iter().any(|v| test(v))
        };
        any(names, &|name| container.name.contains(name))
            && any(ids, &|id| container.id.starts_with(id))
            && any(statuses, &|status| {
                state_named(status) == Some(container.state)
            })
            && any(labels, &|label| match label.split_once('=') {
                Some((key, value)) => container.labels.get(key).is_some_and(|v| v == value),
                None => container.labels.contains_key(label),
            })
            && any(ancestors, &|image| is_of_image(container, image))
    }

    /// Whether it asks for a container that is not running (a stopped one is not listed
    /// unless asked for, as with `docker ps`).
    pub fn wants_stopped(&self) -> bool {
        self.values[2]
            .iter()
            .any(|status| state_named(status) != Some(ContainerState::Running))
    }
}

fn state_named(status: &str) -> Option<ContainerState> {
    Some(match status {
        "created" => ContainerState::Created,
        "running" => ContainerState::Running,
        "paused" => ContainerState::Paused,
        "restarting" => ContainerState::Restarting,
        "exited" => ContainerState::Exited,
        "removing" => ContainerState::Removing,
        "dead" => ContainerState::Dead,
        _ => return None,
    })
}

/// Whether `container` runs `image`, as `docker ps --filter ancestor=` reads it: a reference
/// (`nginx` being `nginx:latest`, a registry's port kept apart from the tag), a digest, or an
/// image id (`sha256:` optional, a prefix of 4 or more will do).
fn is_of_image(container: &Container, image: &str) -> bool {
    let id = container.image_id.trim_start_matches("sha256:");
    let wanted_id = image.trim_start_matches("sha256:");
    if wanted_id.len() >= 4
        && wanted_id.chars().all(|c| c.is_ascii_hexdigit())
        && id.starts_with(wanted_id)
    {
        return true;
    }
    let (Ok(wanted), Ok(running)) = (ImageRef::parse(image), ImageRef::parse(&container.image))
    else {
        return false;
    };
    if wanted.name != running.name {
        return false;
    }
    match (&wanted.digest, &wanted.tag) {
        (Some(digest), _) => running.digest.as_ref() == Some(digest),
        (None, tag) => {
            let tag_of = |tag: &Option<String>| tag.clone().unwrap_or_else(|| "latest".to_owned());
            running.digest.is_none() && tag_of(tag) == tag_of(&running.tag)
        }
    }
}

fn refused(message: String) -> Error {
    Error::InvalidInput(message).in_field("filter")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn container(name: &str, state: ContainerState, image: &str) -> Container {
        Container {
            id: format!("{name}0123456789"),
            name: name.to_owned(),
            image: image.to_owned(),
            image_id: "sha256:abcdef123456".to_owned(),
            command: String::new(),
            state,
            status: String::new(),
            health: None,
            created: 0,
            ports: Vec::new(),
            compose: None,
            labels: BTreeMap::from([("app".to_owned(), "shop".to_owned())]),
            networks: Vec::new(),
            volumes: Vec::new(),
        }
    }

    fn filter(filters: &[&str]) -> ContainerFilter {
        ContainerFilter::parse(&filters.iter().map(|f| f.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn same_key_is_any_of_its_values_different_keys_all() {
        let web = container("web", ContainerState::Running, "nginx:1.27");
        let db = container("db", ContainerState::Exited, "postgres");
        let either = filter(&["name=web", "name=db"]);
        assert!(either.matches(&web) && either.matches(&db));
        let both = filter(&["name=web", "status=exited"]);
        assert!(!both.matches(&web) && !both.matches(&db));
        assert!(filter(&["ancestor=nginx:1.27"]).matches(&web));
        assert!(
            !filter(&["ancestor=nginx"]).matches(&web),
            "nginx is nginx:latest"
        );
        assert!(filter(&["ancestor=postgres:latest"]).matches(&db));
        assert!(filter(&["ancestor=sha256:abcd"]).matches(&db));
        let registry = container("app", ContainerState::Running, "localhost:5000/app:1");
        assert!(filter(&["ancestor=localhost:5000/app:1"]).matches(&registry));
        assert!(!filter(&["ancestor=localhost"]).matches(&registry));
        assert!(filter(&["label=app"]).matches(&web));
        assert!(filter(&["label=app=shop"]).matches(&web));
        assert!(!filter(&["label=app=blog"]).matches(&web));
        assert!(filter(&["id=web01"]).matches(&web));
        assert!(filter(&["status=exited"]).wants_stopped());
        assert!(!filter(&["status=running"]).wants_stopped());
    }

    #[test]
    fn unknown_keys_and_statuses_are_refused() {
        for bad in ["status=up", "colour=red", "name"] {
            let err = ContainerFilter::parse(&[bad.to_owned()]).unwrap_err();
            assert_eq!(err.field(), Some("filter"), "{bad}");
        }
    }
}
