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
}

impl EventKind {
    pub(crate) const ALL: [EventKind; 4] = [
        EventKind::Container,
        EventKind::Image,
        EventKind::Volume,
        EventKind::Network,
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
            })
        );
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
