//! Hosts reached on demand, for a front end that runs one command and ends (berthctl): nothing
//! is watched; a host is connected the first time the command needs it, once, and the names of
//! the containers it listed are kept so the activity log names what was acted on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::OnceCell;

use crate::engine::containers::Container;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::hosts::discovery;
use crate::hosts::{HostId, HostSpec};

#[derive(Default)]
pub(crate) struct OnDemand {
    specs: RwLock<Vec<HostSpec>>,
    /// One cell per host, so that hosts connect concurrently and each only once.
    engines: Mutex<HashMap<HostId, Arc<OnceCell<Engine>>>>,
    /// Container names by host and id, as last listed.
    names: Mutex<HashMap<(HostId, String), String>>,
}

impl OnDemand {
    pub(crate) fn specs(&self) -> Vec<HostSpec> {
        self.specs.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Knows one more host, or `spec`'s new details for a known one (its connection, made with
    /// the old ones, is dropped).
    pub(crate) fn put(&self, spec: HostSpec) {
        self.forget(&spec.id);
        self.specs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(spec);
    }

    /// Whether the host was known.
    pub(crate) fn forget(&self, host: &HostId) -> bool {
        self.lock_engines().remove(host);
        let mut specs = self.specs.write().unwrap_or_else(|e| e.into_inner());
        let before = specs.len();
        specs.retain(|spec| &spec.id != host);
        specs.len() != before
    }

    /// The host's engine, connected on first use. The local engine and Docker contexts are
    /// looked for again first, so a broken context says why rather than falling back.
    pub(crate) async fn connect(&self, host: &HostId) -> Result<Engine> {
        let spec = self
            .specs()
            .into_iter()
            .find(|spec| &spec.id == host)
            .ok_or_else(|| Error::NotFound(format!("no host with id {host:?}")))?;
        let cell = self.lock_engines().entry(host.clone()).or_default().clone();
        cell.get_or_try_init(|| async {
            let endpoint = match &spec.local {
                Some(env) => discovery::discover(env)?.0,
                None => spec.endpoint.clone(),
            };
            Engine::connect(&endpoint).await
        })
        .await
        .cloned()
    }

    /// The containers of `host`, their names kept for the log.
    pub(crate) async fn containers(&self, host: &HostId) -> Result<Vec<Container>> {
        let containers = self.connect(host).await?.containers().await?;
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        for container in &containers {
            names.insert((host.clone(), container.id.clone()), container.name.clone());
        }
        Ok(containers)
    }

    /// The name of container `id` as last listed; its id when it was not.
    pub(crate) fn container_name(&self, host: &HostId, id: &str) -> String {
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(host.clone(), id.to_owned()))
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    fn lock_engines(&self) -> std::sync::MutexGuard<'_, HashMap<HostId, Arc<OnceCell<Engine>>>> {
        self.engines.lock().unwrap_or_else(|e| e.into_inner())
    }
}
