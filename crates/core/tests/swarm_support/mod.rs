//! What the swarm tests share: the manager (the local engine), a service removed when its
//! guard drops, names of a test's own, and waiting with a deadline.

// Each test binary that includes this uses a part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use berth_core::{Endpoint, Engine};
use berth_testkit::PATIENCE;

pub async fn manager() -> Engine {
    Engine::connect(&Endpoint::local().unwrap())
        .await
        .expect("the local engine answers")
}

/// A service of this test's own, removed when dropped.
pub struct Made {
    pub engine: Engine,
    pub id: String,
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
