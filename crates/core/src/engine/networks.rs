//! Networks beyond the list: create, remove, connect and disconnect containers, prune.

use std::collections::HashMap;

use bollard::models::{
    Ipam, IpamConfig, NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest,
};
use bollard::query_parameters::PruneNetworksOptionsBuilder;
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::engine::images::{label_filter, Pruned};
use crate::engine::object_refs::{self, is_object_name};
use crate::engine::volumes::validate_labels;
use crate::engine::Engine;

/// The networks every engine makes for itself: they are never removed (the engine refuses) nor
/// pruned, so the front ends offer neither.
pub const BUILT_IN_NETWORKS: [&str; 3] = ["bridge", "host", "none"];
use crate::error::{Error, Result};

/// A network to create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkRequest {
    pub name: String,
    /// Empty: `bridge`.
    pub driver: String,
    /// A CIDR such as `172.30.0.0/16`; empty lets the engine choose.
    pub subnet: String,
    /// No route out of the network.
    pub internal: bool,
    pub labels: Vec<(String, String)>,
}

impl NetworkRequest {
    pub fn validate(&self) -> Result<()> {
        if !is_object_name(&self.name) {
            return Err(Error::InvalidInput(format!(
                "The network name {:?} must have 2 or more letters, digits, _ . -, starting with a letter or digit.",
                self.name
            )).in_field("name"));
        }
        if !self.subnet.trim().is_empty() && !is_cidr(self.subnet.trim()) {
            return Err(Error::InvalidInput(format!(
                "The subnet {:?} is not an address/prefix such as 172.30.0.0/16 or fd00:30::/64.",
                self.subnet
            ))
            .in_field("subnet"));
        }
        validate_labels(&self.labels).map_err(|err| err.in_field("labels"))
    }
}

fn is_cidr(text: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else {
        return false;
    };
    let Ok(prefix) = prefix.parse::<u8>() else {
        return false;
    };
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => prefix <= 32,
        Ok(std::net::IpAddr::V6(_)) => prefix <= 128,
        Err(_) => false,
    }
}

impl Engine {
    /// Creates a network (checked first) and returns its id.
    pub async fn network_create(&self, request: &NetworkRequest) -> Result<String> {
        request.validate()?;
        let subnet = request.subnet.trim();
        let config = NetworkCreateRequest {
            name: request.name.clone(),
            driver: (!request.driver.trim().is_empty()).then(|| request.driver.trim().to_owned()),
            internal: Some(request.internal),
            ipam: (!subnet.is_empty()).then(|| Ipam {
                config: Some(vec![IpamConfig {
                    subnet: Some(subnet.to_owned()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            labels: Some(request.labels.iter().cloned().collect::<HashMap<_, _>>()),
            ..Default::default()
        };
        let created = self
            .docker()
            .create_network(config)
            .await
            .map_err(self.map_err())?;
        Ok(created.id)
    }

    pub async fn network_remove(&self, network: &str) -> Result<()> {
        object_refs::network(network)?;
        self.docker()
            .remove_network(network)
            .await
            .map_err(self.map_err())
    }

    /// Attaches a container to a network.
    pub async fn network_connect(&self, network: &str, container: &str) -> Result<()> {
        object_refs::network(network)?;
        object_refs::container(container)?;
        let request = NetworkConnectRequest {
            container: container.to_owned(),
            endpoint_config: None,
        };
        self.docker()
            .connect_network(network, request)
            .await
            .map_err(self.map_err())
    }

    pub async fn network_disconnect(&self, network: &str, container: &str) -> Result<()> {
        object_refs::network(network)?;
        object_refs::container(container)?;
        let request = NetworkDisconnectRequest {
            container: container.to_owned(),
            force: Some(false),
        };
        self.docker()
            .disconnect_network(network, request)
            .await
            .map_err(self.map_err())
    }

    /// Removes the networks no container uses (the engine's own bridge, host and none stay);
    /// with `label` (`key` or `key=value`) only those carrying it.
    pub async fn networks_prune(&self, label: Option<&str>) -> Result<Pruned> {
        let filters = label_filter(label)?;
        let options = PruneNetworksOptionsBuilder::new().filters(&filters).build();
        let response = self
            .docker()
            .prune_networks(Some(options))
            .await
            .map_err(self.map_err())?;
        Ok(Pruned {
            removed: response.networks_deleted.unwrap_or_default(),
            reclaimed_bytes: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_subnets_are_checked() {
        let ok = NetworkRequest {
            name: "backend".into(),
            subnet: "172.30.0.0/16".into(),
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
        let v6 = NetworkRequest {
            subnet: "fd00:30::/64".into(),
            ..ok.clone()
        };
        assert!(v6.validate().is_ok());
        for (request, says) in [
            (
                NetworkRequest {
                    name: "".into(),
                    ..ok.clone()
                },
                "network name",
            ),
            (
                NetworkRequest {
                    name: "my net".into(),
                    ..ok.clone()
                },
                "network name",
            ),
            (
                NetworkRequest {
                    subnet: "172.30.0.0".into(),
                    ..ok.clone()
                },
                "subnet",
            ),
            (
                NetworkRequest {
                    subnet: "172.30.0.0/33".into(),
                    ..ok.clone()
                },
                "subnet",
            ),
            (
                NetworkRequest {
                    subnet: "300.1.0.0/16".into(),
                    ..ok.clone()
                },
                "subnet",
            ),
        ] {
            let err = request.validate().expect_err(says);
            assert!(err.to_string().contains(says), "{err}");
            let field = crate::error::the_changed_field(&ok, &request);
            assert_eq!(err.field(), Some(field.as_str()), "{err}");
        }
    }
}
