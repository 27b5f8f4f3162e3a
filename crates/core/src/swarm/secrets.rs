//! A swarm's secrets and configs: listed by name and labels (the engine never gives a secret's
//! value back, and Berth neither keeps nor logs one), created from a value, removed.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use bollard::models::{ConfigSpec, SecretSpec};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::engine::{object_refs, Engine};
use crate::error::{Error, Result};
use crate::hosts::Secret as SecretValue;

/// The largest value the engine takes (500 KiB for both).
pub const MAX_VALUE_BYTES: usize = 500 * 1024;

/// Which of the two a call is about: they have the same shape and rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
// The type's name in the UI's bindings, where a bare `Kind` would say nothing.
#[serde(rename = "SwarmValueKind", rename_all = "camelCase")]
pub enum Kind {
    Secret,
    Config,
}

/// A secret or config as listed: never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename = "SwarmValue", rename_all = "camelCase")]
pub struct Stored {
    pub id: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// When it was made, as the engine writes it.
    pub created_at: String,
}

impl Kind {
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::Secret => "secret",
            Kind::Config => "config",
        }
    }
}

/// The secret or config `reference` names among `stored`: its name, id or a unique id prefix.
pub fn find_stored(kind: Kind, stored: &[Stored], reference: &str) -> Result<Stored> {
    super::find_one(stored, reference, kind.noun(), |s| &s.id, |s| &s.name).cloned()
}

impl Engine {
    /// The swarm's secrets or configs, by name.
    pub async fn swarm_values(&self, kind: Kind) -> Result<Vec<Stored>> {
        let mut listed: Vec<Stored> = match kind {
            Kind::Secret => self
                .docker()
                .list_secrets(None::<bollard::query_parameters::ListSecretsOptions>)
                .await
                .map_err(self.map_err())?
                .into_iter()
                .map(|secret| {
                    let spec = secret.spec.unwrap_or_default();
                    stored(secret.id, spec.name, spec.labels, secret.created_at)
                })
                .collect(),
            Kind::Config => self
                .docker()
                .list_configs(None::<bollard::query_parameters::ListConfigsOptions>)
                .await
                .map_err(self.map_err())?
                .into_iter()
                .map(|config| {
                    let spec = config.spec.unwrap_or_default();
                    stored(config.id, spec.name, spec.labels, config.created_at)
                })
                .collect(),
        };
        listed.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(listed)
    }

    /// Makes a secret or config named `name` holding `value`; its id. The value goes to the
    /// engine and nowhere else.
    pub async fn swarm_value_create(
        &self,
        kind: Kind,
        name: &str,
        value: &SecretValue,
        labels: &BTreeMap<String, String>,
    ) -> Result<String> {
        check_name(kind, name)?;
        let bytes = value.expose().as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_VALUE_BYTES {
            return Err(Error::InvalidInput(format!(
                "a {} holds 1 byte to {} KiB",
                kind.noun(),
                MAX_VALUE_BYTES / 1024
            ))
            .in_field("value"));
        }
        let data = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        let labels: Option<HashMap<String, String>> = Some(labels.clone().into_iter().collect());
        let created = match kind {
            Kind::Secret => {
                self.docker()
                    .create_secret(SecretSpec {
                        name: Some(name.to_owned()),
                        labels,
                        data,
                        ..Default::default()
                    })
                    .await
            }
            Kind::Config => {
                self.docker()
                    .create_config(ConfigSpec {
                        name: Some(name.to_owned()),
                        labels,
                        data,
                        ..Default::default()
                    })
                    .await
            }
        };
        Ok(created.map_err(self.map_err())?.id)
    }

    pub async fn swarm_value_remove(&self, kind: Kind, id: &str) -> Result<()> {
        object_refs::swarm_object(kind.noun(), id)?;
        let removed = match kind {
            Kind::Secret => self.docker().delete_secret(id).await,
            Kind::Config => self.docker().delete_config(id).await,
        };
        removed.map_err(self.map_err())
    }
}

/// A name as the engine takes them: letters, digits, `-`, `_` and `.`, at most 64.
fn check_name(kind: Kind, name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(Error::InvalidInput(format!(
            "{name:?} is not a {} name: letters, digits, -, _ and ., at most 64",
            kind.noun()
        ))
        .in_field("name"));
    }
    Ok(())
}

fn stored(
    id: Option<String>,
    name: Option<String>,
    labels: Option<HashMap<String, String>>,
    created_at: Option<impl std::fmt::Display>,
) -> Stored {
    Stored {
        id: id.unwrap_or_default(),
        name: name.unwrap_or_default(),
        labels: labels.unwrap_or_default().into_iter().collect(),
        created_at: created_at.map(|at| at.to_string()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_as_the_engine_takes_them() {
        for good in ["db-password", "tls.key", "a_1"] {
            assert!(check_name(Kind::Secret, good).is_ok(), "{good}");
        }
        for bad in ["", "-x", "a b", "a/b", &"x".repeat(65)] {
            let err = check_name(Kind::Config, bad).unwrap_err();
            assert_eq!(err.field(), Some("name"), "{bad}");
        }
    }
}
