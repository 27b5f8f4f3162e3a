//! The swarm's alerts: a service update that paused or rolled back and a node that went down,
//! told from the manager's events; a service below its desired tasks for over a minute, told
//! from its counts. The engine sends no event as a task stops on another node, so the counts
//! are asked of each manager every [`COUNT_EVERY`] ([`count_services`]): one light request.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::alerts::AlertKind;
use crate::engine::Engine;
use crate::hosts::HostId;
use crate::streams::events::{EngineEvent, EventKind};
use crate::swarm::services::Service;

/// How long a service may run short of its desired tasks before it is told: a rolling update
/// or a task being replaced takes seconds, not this.
pub const SHORT_FOR_MS: i64 = 60_000;
/// How often each manager's services are counted.
pub const COUNT_EVERY: Duration = Duration::from_secs(15);

/// A manager's services as counted at one moment.
#[derive(Debug, Clone)]
pub struct ServiceCounts {
    pub host: HostId,
    pub services: Vec<Service>,
}

/// Since when each service has been short of tasks, and whether that was told.
#[derive(Default)]
pub(super) struct Followed {
    short_since: HashMap<(HostId, String), (i64, bool)>,
}

/// What a swarm event tells, if anything worth an alert.
pub(super) fn event_alert(event: &EngineEvent) -> Option<AlertKind> {
    let state = event.new_state.as_deref()?;
    match (event.kind, state) {
        (EventKind::Service, "paused" | "rollback_paused" | "rollback_started") => {
            Some(AlertKind::UpdateFailed {
                service: event.name.clone(),
                state: state.to_owned(),
            })
        }
        (EventKind::Node, "down") => Some(AlertKind::NodeDown {
            node: event.name.clone(),
        }),
        _ => None,
    }
}

impl Followed {
    /// The services of `counts` that have now been short for [`SHORT_FOR_MS`], each told once
    /// until it has its tasks again.
    pub(super) fn counted(&mut self, counts: &ServiceCounts, now_ms: i64) -> Vec<AlertKind> {
        let host = &counts.host;
        self.short_since
            .retain(|(h, id), _| h != host || counts.services.iter().any(|s| &s.id == id));
        let mut told = Vec::new();
        for service in &counts.services {
            let key = (host.clone(), service.id.clone());
            if service.running >= service.desired {
                self.short_since.remove(&key);
                continue;
            }
            let (since, said) = self.short_since.entry(key).or_insert((now_ms, false));
            if !*said && now_ms - *since >= SHORT_FOR_MS {
                *said = true;
                told.push(AlertKind::ServiceShort {
                    service: service.name.clone(),
                    running: service.running,
                    desired: service.desired,
                });
            }
        }
        told
    }
}

/// Counts the services of every manager among the online hosts `engines` gives, now and every
/// [`COUNT_EVERY`], until `counts` is dropped. A host that is no manager answers with an error
/// and is passed over.
pub async fn count_services(
    engines: impl Fn() -> Vec<(HostId, Engine)> + Send + 'static,
    counts: mpsc::Sender<ServiceCounts>,
) {
    let mut every = tokio::time::interval(COUNT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        for (host, engine) in engines() {
            let Ok(services) = engine.services().await else {
                continue;
            };
            if counts.send(ServiceCounts { host, services }).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swarm::services::ServiceMode;

    fn service(id: &str, running: u64, desired: u64) -> Service {
        Service {
            id: id.into(),
            name: format!("{id}-name"),
            image: "img".into(),
            mode: ServiceMode::Replicated { replicas: desired },
            running,
            desired,
            ports: Vec::new(),
            stack: None,
            update: None,
            labels: Default::default(),
            version: 1,
        }
    }

    fn counts(services: Vec<Service>) -> ServiceCounts {
        ServiceCounts {
            host: HostId::new("m"),
            services,
        }
    }

    #[test]
    fn a_service_short_for_a_minute_is_told_once_until_it_recovers() {
        let mut followed = Followed::default();
        assert!(followed
            .counted(&counts(vec![service("a", 1, 3)]), 0)
            .is_empty());
        assert!(followed
            .counted(&counts(vec![service("a", 2, 3)]), SHORT_FOR_MS - 1)
            .is_empty());
        assert_eq!(
            followed.counted(&counts(vec![service("a", 2, 3)]), SHORT_FOR_MS),
            vec![AlertKind::ServiceShort {
                service: "a-name".into(),
                running: 2,
                desired: 3
            }]
        );
        assert!(followed
            .counted(&counts(vec![service("a", 2, 3)]), 2 * SHORT_FOR_MS)
            .is_empty());
        // Back to full, then short again: a new minute, a new alert.
        assert!(followed
            .counted(&counts(vec![service("a", 3, 3)]), 3 * SHORT_FOR_MS)
            .is_empty());
        assert!(followed
            .counted(&counts(vec![service("a", 0, 3)]), 4 * SHORT_FOR_MS)
            .is_empty());
        assert_eq!(
            followed
                .counted(&counts(vec![service("a", 0, 3)]), 5 * SHORT_FOR_MS)
                .len(),
            1
        );
        // A service short only for a moment, as in a rolling update, is not told.
        assert!(followed
            .counted(&counts(vec![service("b", 1, 2)]), 0)
            .is_empty());
        assert!(followed
            .counted(&counts(vec![service("b", 2, 2)]), 5_000)
            .is_empty());
        assert!(followed
            .counted(&counts(vec![service("b", 1, 2)]), SHORT_FOR_MS)
            .is_empty());
    }

    #[test]
    fn an_update_that_pauses_or_rolls_back_and_a_node_down_are_told() {
        let event = |kind, state: &str| EngineEvent {
            time_ms: 0,
            kind,
            action: "update".into(),
            id: "x".into(),
            name: "web".into(),
            exit_code: None,
            new_state: Some(state.into()),
        };
        for state in ["paused", "rollback_started", "rollback_paused"] {
            assert!(
                matches!(
                    event_alert(&event(EventKind::Service, state)),
                    Some(AlertKind::UpdateFailed { .. })
                ),
                "{state}"
            );
        }
        for state in ["updating", "completed", "rollback_completed"] {
            assert_eq!(
                event_alert(&event(EventKind::Service, state)),
                None,
                "{state}"
            );
        }
        assert_eq!(
            event_alert(&event(EventKind::Node, "down")),
            Some(AlertKind::NodeDown { node: "web".into() })
        );
        assert_eq!(event_alert(&event(EventKind::Node, "ready")), None);
    }
}
