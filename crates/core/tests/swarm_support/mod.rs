//! What the swarm tests share: the manager (the local engine), a service removed when its
//! guard drops, names of a test's own, and waiting with a deadline.

// Each test binary that includes this uses a part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use berth_core::swarm::services::ServiceRequest;
use berth_core::{Endpoint, Engine};
use berth_testkit::{PATIENCE, REGISTRY_BUSYBOX};

pub async fn manager() -> Engine {
    Engine::connect(&Endpoint::local().unwrap())
        .await
        .expect("the local engine answers")
}

/// A service of this test's own, removed when dropped.
pub struct Made {
    pub engine: Engine,
    pub id: String,
    pub name: String,
}

impl Made {
    /// A service of this test's own: `request` with a name made from `hint`, the test label
    /// added to its own, and unless it says otherwise the test image running `sleep 3600`.
    pub async fn service(engine: &Engine, hint: &str, request: ServiceRequest) -> Self {
        let name = unique(hint);
        let or = |given: Vec<String>, default: &[&str]| match given.is_empty() {
            true => default.iter().map(|s| s.to_string()).collect(),
            false => given,
        };
        let id = engine
            .service_create(&ServiceRequest {
                name: name.clone(),
                image: match request.image.is_empty() {
                    true => REGISTRY_BUSYBOX.to_owned(),
                    false => request.image.clone(),
                },
                command: or(request.command.clone(), &["sleep", "3600"]),
                labels: {
                    let mut labels = request.labels.clone();
                    labels.insert("berth.test".to_owned(), name.clone());
                    labels
                },
                ..request
            })
            .await
            .unwrap();
        Made {
            engine: engine.clone(),
            id,
            name,
        }
    }
}

impl Drop for Made {
    fn drop(&mut self) {
        let (engine, id) = (self.engine.clone(), self.id.clone());
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(engine.service_remove(&id))
        })
        .join();
    }
}

pub fn unique(hint: &str) -> String {
    format!("berth-{hint}-{}", std::process::id())
}

pub async fn until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(start.elapsed() < PATIENCE * 3, "never: {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A secret or config of this test's own, removed when dropped if the test has not.
pub struct MadeValue {
    pub engine: Engine,
    pub kind: berth_core::swarm::secrets::Kind,
    pub id: String,
}

impl Drop for MadeValue {
    fn drop(&mut self) {
        let (engine, kind, id) = (self.engine.clone(), self.kind, self.id.clone());
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(engine.swarm_value_remove(kind, &id))
        })
        .join();
    }
}
