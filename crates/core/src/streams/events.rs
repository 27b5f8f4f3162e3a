//! Engine events as Berth shows them: what happened, to which object, when.

use bollard::models::{EventMessage, EventMessageTypeEnum};
use serde::Serialize;
use specta::Type;

/// The kinds of engine objects Berth follows events of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum EventKind {
    Container,
    Image,
    Volume,
    Network,
    /// Swarm objects, reported by a manager only.
    Service,
    Node,
    Secret,
    Config,
}

impl EventKind {
    pub(crate) const ALL: [EventKind; 8] = [
        EventKind::Container,
        EventKind::Image,
        EventKind::Volume,
        EventKind::Network,
        EventKind::Service,
        EventKind::Node,
        EventKind::Secret,
        EventKind::Config,
    ];

    pub(crate) fn from_engine_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.engine_name() == name)
    }

    /// The engine's name for the kind, as its `type` filter takes it.
    pub(crate) fn engine_name(self) -> &'static str {
        match self {
            EventKind::Container => "container",
            EventKind::Image => "image",
            EventKind::Volume => "volume",
            EventKind::Network => "network",
            EventKind::Service => "service",
            EventKind::Node => "node",
            EventKind::Secret => "secret",
            EventKind::Config => "config",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineEvent {
    /// Unix milliseconds, by the engine's clock.
    pub time_ms: i64,
    pub kind: EventKind,
    /// The engine's action, e.g. "start", "die", "health_status: unhealthy", "pull", "destroy".
    pub action: String,
    /// The object's id (for images and volumes, often their name).
    pub id: String,
    /// The object's human name when the engine gives one (container or image name), else its id.
    pub name: String,
    /// How the container ended, on a `die` event.
    pub exit_code: Option<i64>,
    /// On a swarm object's `update`: the state it went to, when that changed — a service's
    /// update state (`updating`, `paused`, `rollback_completed`, …) or a node's status
    /// (`down`, `ready`, …).
    pub new_state: Option<String>,
}

/// Actions that say nothing a user looks for and that would flood the timeline: health checks
/// alone run an exec every few seconds. (A health change arrives as its own `health_status`.)
const NOISE: &[&str] = &[
    "exec_",
    "attach",
    "detach",
    "resize",
    "top",
    "archive-path",
    "extract-to-dir",
    "copy",
    "export",
    "commit",
];

impl EngineEvent {
    /// `None` for events of other kinds, incomplete ones, and noise.
    pub(crate) fn from_message(message: EventMessage) -> Option<Self> {
        let kind = match message.typ? {
            EventMessageTypeEnum::CONTAINER => EventKind::Container,
            EventMessageTypeEnum::IMAGE => EventKind::Image,
            EventMessageTypeEnum::VOLUME => EventKind::Volume,
            EventMessageTypeEnum::NETWORK => EventKind::Network,
            EventMessageTypeEnum::SERVICE => EventKind::Service,
            EventMessageTypeEnum::NODE => EventKind::Node,
            EventMessageTypeEnum::SECRET => EventKind::Secret,
            EventMessageTypeEnum::CONFIG => EventKind::Config,
            _ => return None,
        };
        let action = message.action?;
        if NOISE.iter().any(|noise| action.starts_with(noise)) {
            return None;
        }
        let actor = message.actor?;
        let id = actor.id?;
        let mut attributes = actor.attributes.unwrap_or_default();
        let name = attributes.remove("name").unwrap_or_else(|| id.clone());
        let exit_code = attributes
            .get("exitCode")
            .and_then(|code| code.parse().ok());
        let new_state = match kind {
            EventKind::Service => attributes.remove("updatestate.new"),
            EventKind::Node => attributes.remove("state.new"),
            _ => None,
        };
        let time_ms = message
            .time_nano
            .map(|nanos| nanos / 1_000_000)
            .or(message.time.and_then(|secs| secs.checked_mul(1000)))
            .unwrap_or_default();
        Some(Self {
            time_ms,
            kind,
            action,
            id,
            name,
            exit_code,
            new_state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::EventActor;
    use std::collections::HashMap;

    fn message(typ: EventMessageTypeEnum, action: &str) -> EventMessage {
        EventMessage {
            typ: Some(typ),
            action: Some(action.into()),
            actor: Some(EventActor {
                id: Some("abc".into()),
                attributes: Some(HashMap::from([("name".into(), "web".into())])),
            }),
            time: Some(1_700_000_000),
            time_nano: Some(1_700_000_000_123_456_789),
            ..Default::default()
        }
    }

    #[test]
    fn reads_kind_action_actor_and_time() {
        let event = EngineEvent::from_message(message(EventMessageTypeEnum::CONTAINER, "die"));
        assert_eq!(
            event,
            Some(EngineEvent {
                time_ms: 1_700_000_000_123,
                kind: EventKind::Container,
                action: "die".into(),
                id: "abc".into(),
                name: "web".into(),
                exit_code: None,
                new_state: None,
            })
        );
    }

    #[test]
    fn reads_the_new_state_of_a_service_update_and_of_a_node() {
        let with = |typ, key: &str, value: &str| {
            let mut update = message(typ, "update");
            if let Some(attributes) = update.actor.as_mut().and_then(|a| a.attributes.as_mut()) {
                attributes.insert(key.into(), value.into());
            }
            EngineEvent::from_message(update).unwrap()
        };
        let service = with(EventMessageTypeEnum::SERVICE, "updatestate.new", "paused");
        assert_eq!(
            (service.kind, service.new_state.as_deref()),
            (EventKind::Service, Some("paused"))
        );
        let node = with(EventMessageTypeEnum::NODE, "state.new", "down");
        assert_eq!(
            (node.kind, node.new_state.as_deref()),
            (EventKind::Node, Some("down"))
        );
        // A container's attribute of that name is a label, not a state.
        let container = with(EventMessageTypeEnum::CONTAINER, "state.new", "x");
        assert_eq!(container.new_state, None);
    }

    #[test]
    fn reads_the_exit_code_of_a_die() {
        let mut die = message(EventMessageTypeEnum::CONTAINER, "die");
        if let Some(attributes) = die.actor.as_mut().and_then(|a| a.attributes.as_mut()) {
            attributes.insert("exitCode".into(), "137".into());
        }
        let event = EngineEvent::from_message(die).unwrap();
        assert_eq!(event.exit_code, Some(137));
    }

    #[test]
    fn drops_noise_and_other_kinds() {
        for noise in ["exec_start: sh -c true", "exec_die", "resize", "attach"] {
            assert_eq!(
                EngineEvent::from_message(message(EventMessageTypeEnum::CONTAINER, noise)),
                None
            );
        }
        assert_eq!(
            EngineEvent::from_message(message(EventMessageTypeEnum::PLUGIN, "enable")),
            None
        );
        assert!(EngineEvent::from_message(message(
            EventMessageTypeEnum::CONTAINER,
            "health_status: unhealthy"
        ))
        .is_some());
    }
}
