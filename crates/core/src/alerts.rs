//! Alerts: the few changes worth telling a user who is not looking at Berth — a container that
//! died with a non-zero exit, was killed for running out of memory, became unhealthy or keeps
//! restarting, a host that went offline, and in a swarm an update that paused or rolled back,
//! a node that went down and a service short of tasks ([`swarm`]). The shell shows them as
//! desktop notifications.
//!
//! [`Alerter`] is plain bookkeeping over the hosts' updates (time passed in, so it is tested
//! without waiting); [`watch`] runs it over a running [`Berth`].

pub mod swarm;

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use specta::Type;
use tokio::sync::{broadcast, mpsc, watch as latest};

use crate::engine::containers::Container;
use crate::error::{Error, Result};
use crate::history::store::now_ms;
use crate::hosts::HostId;
use crate::streams::events::{EngineEvent, EventKind};
use crate::watch::{HostChange, HostState, HostStatus, HostUpdate};

/// A `die` this soon after a `kill` was asked for (stop, restart, kill), not a crash.
const ASKED_TO_DIE_MS: i64 = 30_000;
/// A `die` this soon after an `oom` is the same death, already told.
const OOM_DIE_MS: i64 = 5_000;
/// This many restarts after a crash within [`RESTART_WINDOW_MS`] is a restart loop; one
/// container's crashes are told at most once in that window.
const RESTART_LOOP: usize = 3;
const RESTART_WINDOW_MS: i64 = 60_000;
/// After telling of a restart loop, that container is quiet this long (its deaths included).
const LOOP_QUIET_MS: i64 = 10 * 60_000;
/// Storm protection: at most this many alerts per window; the rest are counted and told as one.
const STORM_BURST: u32 = 5;
const STORM_WINDOW_MS: i64 = 30_000;

/// Which alerts the user wants, and about which containers. (A rule missing from a saved
/// file, one written before it existed, takes its default: settings are read over them.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AlertRules {
    /// Nothing is shown while set, nor told afterwards (the events timeline keeps it all).
    pub do_not_disturb: bool,
    pub died: bool,
    pub oom_killed: bool,
    pub unhealthy: bool,
    pub restart_loop: bool,
    pub host_offline: bool,
    /// A swarm service's update paused or rolled back.
    pub update_failed: bool,
    pub node_down: bool,
    /// A swarm service short of its desired tasks for over a minute.
    pub service_short: bool,
    /// The containers container alerts are about: any that matches one of these; all when empty.
    pub only: Vec<ContainerMatch>,
}

impl Default for AlertRules {
    fn default() -> Self {
        Self {
            do_not_disturb: false,
            died: true,
            oom_killed: true,
            unhealthy: true,
            restart_loop: true,
            host_offline: true,
            update_failed: true,
            node_down: true,
            service_short: true,
            only: Vec::new(),
        }
    }
}

/// One way to pick containers for alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "by", rename_all = "camelCase")]
pub enum ContainerMatch {
    /// Containers of a compose project.
    Project { name: String },
    /// Containers with a label; with any value when `value` is empty.
    Label { key: String, value: String },
    /// One container, by name.
    Container { name: String },
}

impl AlertRules {
    /// Checks every rule; the message names the one at fault.
    pub fn check(&self) -> Result<()> {
        for (index, rule) in self.only.iter().enumerate() {
            let position = index + 1;
            let blank = match rule {
                ContainerMatch::Project { name } => name.trim().is_empty().then_some("project"),
                ContainerMatch::Label { key, .. } => key.trim().is_empty().then_some("label key"),
                ContainerMatch::Container { name } => {
                    name.trim().is_empty().then_some("container name")
                }
            };
            if let Some(what) = blank {
                return Err(Error::InvalidInput(format!(
                    "Alert rule {position} needs a {what}."
                )));
            }
        }
        Ok(())
    }

    fn wants(&self, kind: &AlertKind) -> bool {
        match kind {
            AlertKind::Died { .. } => self.died,
            AlertKind::OomKilled => self.oom_killed,
            AlertKind::Unhealthy => self.unhealthy,
            AlertKind::RestartLoop { .. } => self.restart_loop,
            AlertKind::HostOffline { .. } => self.host_offline,
            AlertKind::UpdateFailed { .. } => self.update_failed,
            AlertKind::NodeDown { .. } => self.node_down,
            AlertKind::ServiceShort { .. } => self.service_short,
        }
    }

    /// Whether container alerts are about `container`. Unknown labels (a container gone before
    /// it was looked up) match only rules by name.
    fn covers(&self, name: &str, labels: Option<&Container>) -> bool {
        self.only.is_empty()
            || self.only.iter().any(|rule| match (rule, labels) {
                (ContainerMatch::Container { name: wanted }, _) => wanted == name,
                (ContainerMatch::Project { name: project }, Some(c)) => c
                    .compose
                    .as_ref()
                    .is_some_and(|compose| &compose.project == project),
                (ContainerMatch::Label { key, value }, Some(c)) => c
                    .labels
                    .get(key)
                    .is_some_and(|v| value.is_empty() || v == value),
                (_, None) => false,
            })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AlertKind {
    Died {
        exit_code: i64,
    },
    OomKilled,
    Unhealthy,
    RestartLoop {
        restarts: u32,
    },
    HostOffline {
        reason: String,
    },
    /// `state`: `paused`, `rollback_started` or `rollback_paused`, as the engine says.
    UpdateFailed {
        service: String,
        state: String,
    },
    NodeDown {
        node: String,
    },
    ServiceShort {
        service: String,
        running: u64,
        desired: u64,
    },
}

/// What an alert is about: a container, or (when `None`) its whole host.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AlertContainer {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub host: HostId,
    pub host_name: String,
    pub container: Option<AlertContainer>,
    pub kind: AlertKind,
    pub time_ms: i64,
}

impl Alert {
    /// The notification's headline.
    pub fn title(&self) -> String {
        let who = self
            .container
            .as_ref()
            .map_or(self.host_name.as_str(), |c| c.name.as_str());
        match &self.kind {
            AlertKind::Died { exit_code } => format!("{who} exited with code {exit_code}"),
            AlertKind::OomKilled => format!("{who} ran out of memory"),
            AlertKind::Unhealthy => format!("{who} is unhealthy"),
            AlertKind::RestartLoop { .. } => format!("{who} keeps restarting"),
            AlertKind::HostOffline { .. } => format!("{who} is offline"),
            AlertKind::UpdateFailed { service, state } if state == "rollback_started" => {
                format!("{service}'s update is rolling back")
            }
            AlertKind::UpdateFailed { service, .. } => format!("{service}'s update paused"),
            AlertKind::NodeDown { node } => format!("Swarm node {node} is down"),
            AlertKind::ServiceShort {
                service,
                running,
                desired,
            } => format!("{service} runs {running} of {desired} tasks"),
        }
    }

    /// The notification's text under the headline.
    pub fn body(&self) -> String {
        let host = &self.host_name;
        match &self.kind {
            AlertKind::Died { .. } => format!("The container stopped on its own on {host}."),
            AlertKind::OomKilled => {
                format!("The kernel killed it for going over its memory on {host}.")
            }
            AlertKind::Unhealthy => format!("Its health check is failing on {host}."),
            AlertKind::RestartLoop { restarts } => format!(
                "Restarted {restarts} times after crashing in the last minute on {host}. \
                 Berth stays quiet about it for 10 minutes."
            ),
            AlertKind::HostOffline { reason } => reason.clone(),
            AlertKind::UpdateFailed { .. } => format!(
                "Its new tasks failed; the swarm managed from {host} says why on the service's page."
            ),
            AlertKind::NodeDown { .. } => format!(
                "The swarm managed from {host} places its tasks on the other nodes."
            ),
            AlertKind::ServiceShort { .. } => format!(
                "For over a minute, in the swarm managed from {host}: its tasks fail or cannot be placed."
            ),
        }
    }
}

/// What the user is shown: an alert, or after a storm how many were held back.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "notice", rename_all = "camelCase")]
pub enum Notice {
    Alert(Alert),
    Held { count: u32 },
}

impl Notice {
    pub fn title(&self) -> String {
        match self {
            Notice::Alert(alert) => alert.title(),
            Notice::Held { count: 1 } => "1 more alert".to_owned(),
            Notice::Held { count } => format!("{count} more alerts"),
        }
    }

    pub fn body(&self) -> String {
        match self {
            Notice::Alert(alert) => alert.body(),
            Notice::Held { .. } => {
                "Held back so as not to flood the desktop; the Events view has them all.".to_owned()
            }
        }
    }
}

/// What is followed of one container between its events.
#[derive(Default)]
struct Followed {
    asked_to_die_ms: Option<i64>,
    oom_ms: Option<i64>,
    unhealthy: bool,
    /// Its last death was a crash, so its next start is a restart after one.
    crashed: bool,
    restarts_ms: VecDeque<i64>,
    crash_told_ms: Option<i64>,
    quiet_until_ms: i64,
}

#[derive(Default)]
struct Storm {
    window_start_ms: i64,
    shown: u32,
    held: u32,
}

/// Turns host updates into alerts under the user's rules.
pub struct Alerter {
    rules: AlertRules,
    /// Every watched container, for its labels and compose project.
    containers: HashMap<(HostId, String), Container>,
    followed: HashMap<(HostId, String), Followed>,
    online: HashMap<HostId, bool>,
    /// Container alerts waiting for their container to be looked up (it was new to the table).
    pending: Vec<Alert>,
    storm: Storm,
    swarm: swarm::Followed,
}

impl Alerter {
    pub fn new(rules: AlertRules) -> Self {
        Self {
            rules,
            containers: HashMap::new(),
            followed: HashMap::new(),
            online: HashMap::new(),
            pending: Vec::new(),
            storm: Storm::default(),
            swarm: swarm::Followed::default(),
        }
    }

    pub fn set_rules(&mut self, rules: AlertRules) {
        self.rules = rules;
    }

    /// Starts from a host's current state (its containers and whether it is online), telling
    /// nothing of it: alerts are about changes from here on.
    pub fn seed(&mut self, state: &HostState) {
        let snapshot = HostUpdate {
            host: state.host.clone(),
            seq: state.seq,
            change: HostChange::Snapshot {
                status: state.status.clone(),
                containers: state.containers.clone(),
                discovery: state.discovery.clone(),
            },
        };
        self.observe(&snapshot, &state.name, 0);
    }

    /// The alerts `update` gives rise to, at `now_ms`. `host_name` names its host.
    pub fn observe(&mut self, update: &HostUpdate, host_name: &str, now_ms: i64) -> Vec<Notice> {
        let host = &update.host;
        let mut found = Vec::new();
        match &update.change {
            HostChange::Status { status } => {
                self.status(host, host_name, status, now_ms, &mut found)
            }
            HostChange::Snapshot {
                status, containers, ..
            } => {
                self.containers.retain(|(h, _), _| h != host);
                for c in containers {
                    self.containers
                        .insert((host.clone(), c.id.clone()), c.clone());
                }
                self.status(host, host_name, status, now_ms, &mut found);
            }
            HostChange::Containers { upserted, removed } => {
                for c in upserted {
                    self.containers
                        .insert((host.clone(), c.id.clone()), c.clone());
                }
                for id in removed {
                    let key = (host.clone(), id.clone());
                    self.containers.remove(&key);
                    self.followed.remove(&key);
                }
            }
            HostChange::Discovery { .. } => {}
            HostChange::Events { events } => {
                for event in events {
                    let alert = match event.kind {
                        EventKind::Container => {
                            self.container_event(host, host_name, event, now_ms)
                        }
                        _ => swarm::event_alert(event)
                            .map(|kind| host_alert(host, host_name, kind, event.time_ms)),
                    };
                    found.extend(alert);
                }
            }
        }
        // Alerts of containers new to the table wait for the lookup that follows their events;
        // any later update of the host settles them.
        let mut candidates = Vec::new();
        if !matches!(update.change, HostChange::Events { .. }) {
            let (settled, waiting) = std::mem::take(&mut self.pending)
                .into_iter()
                .partition(|alert| alert.host == *host);
            self.pending = waiting;
            candidates = settled;
        }
        for alert in found {
            let known = alert
                .container
                .as_ref()
                .is_none_or(|c| self.containers.contains_key(&(host.clone(), c.id.clone())));
            if known {
                candidates.push(alert);
            } else {
                self.pending.push(alert);
            }
        }
        self.tell(candidates, now_ms)
    }

    /// The alerts a manager's service counts give rise to, at `now_ms`.
    pub fn counted(
        &mut self,
        counts: &swarm::ServiceCounts,
        host_name: &str,
        now_ms: i64,
    ) -> Vec<Notice> {
        let alerts: Vec<Alert> = self
            .swarm
            .counted(counts, now_ms)
            .into_iter()
            .map(|kind| host_alert(&counts.host, host_name, kind, now_ms))
            .collect();
        self.tell(alerts, now_ms)
    }

    /// Those of `alerts` the rules want, as far as a storm lets them through.
    fn tell(&mut self, alerts: Vec<Alert>, now_ms: i64) -> Vec<Notice> {
        let mut notices = Vec::new();
        for alert in alerts {
            let wanted =
                !self.rules.do_not_disturb && self.rules.wants(&alert.kind) && self.covers(&alert);
            if wanted && self.through_storm(now_ms) {
                notices.push(Notice::Alert(alert));
            }
        }
        notices
    }

    /// Whether the rules take in what `alert` is about.
    fn covers(&self, alert: &Alert) -> bool {
        alert.container.as_ref().is_none_or(|c| {
            let known = self.containers.get(&(alert.host.clone(), c.id.clone()));
            self.rules.covers(&c.name, known)
        })
    }

    /// The count of alerts held back in a storm, once its window is over.
    pub fn held(&mut self, now_ms: i64) -> Option<Notice> {
        if self.storm.held == 0 || now_ms < self.storm_window_end() {
            return None;
        }
        let count = std::mem::take(&mut self.storm.held);
        self.storm = Storm {
            window_start_ms: now_ms,
            shown: 1,
            held: 0,
        };
        Some(Notice::Held { count })
    }

    /// When the held count may be told, if any is held.
    pub fn held_due_ms(&self) -> Option<i64> {
        (self.storm.held > 0).then(|| self.storm_window_end())
    }

    fn storm_window_end(&self) -> i64 {
        self.storm.window_start_ms + STORM_WINDOW_MS
    }

    /// Whether one more alert may be shown now; if not, it is counted as held.
    fn through_storm(&mut self, now_ms: i64) -> bool {
        if now_ms >= self.storm_window_end() && self.storm.held == 0 {
            self.storm = Storm {
                window_start_ms: now_ms,
                shown: 0,
                held: 0,
            };
        }
        if self.storm.shown < STORM_BURST {
            self.storm.shown += 1;
            true
        } else {
            self.storm.held += 1;
            false
        }
    }

    fn status(
        &mut self,
        host: &HostId,
        host_name: &str,
        status: &HostStatus,
        now_ms: i64,
        found: &mut Vec<Alert>,
    ) {
        let online = matches!(status, HostStatus::Online { .. });
        let was_online = self.online.insert(host.clone(), online).unwrap_or(false);
        if let (true, HostStatus::Offline { reason, .. }) = (was_online, status) {
            let kind = AlertKind::HostOffline {
                reason: reason.clone(),
            };
            found.push(host_alert(host, host_name, kind, now_ms));
        }
    }

    fn container_event(
        &mut self,
        host: &HostId,
        host_name: &str,
        event: &EngineEvent,
        now_ms: i64,
    ) -> Option<Alert> {
        let followed = self
            .followed
            .entry((host.clone(), event.id.clone()))
            .or_default();
        let quiet = now_ms < followed.quiet_until_ms;
        let kind = match event.action.as_str() {
            "kill" => {
                followed.asked_to_die_ms = Some(now_ms);
                None
            }
            "oom" => {
                followed.oom_ms = Some(now_ms);
                (!quiet).then_some(AlertKind::OomKilled)
            }
            "die" => {
                let within = |at: Option<i64>, ms: i64| at.is_some_and(|at| now_ms - at < ms);
                let asked = within(followed.asked_to_die_ms, ASKED_TO_DIE_MS);
                followed.asked_to_die_ms = None;
                followed.crashed = !asked && event.exit_code.is_some_and(|code| code != 0);
                let tell = followed.crashed
                    && !quiet
                    && !within(followed.oom_ms, OOM_DIE_MS)
                    && !within(followed.crash_told_ms, RESTART_WINDOW_MS);
                tell.then(|| {
                    followed.crash_told_ms = Some(now_ms);
                    AlertKind::Died {
                        exit_code: event.exit_code.unwrap_or_default(),
                    }
                })
            }
            "start" if std::mem::take(&mut followed.crashed) => {
                followed.restarts_ms.push_back(now_ms);
                while followed
                    .restarts_ms
                    .front()
                    .is_some_and(|at| now_ms - at >= RESTART_WINDOW_MS)
                {
                    followed.restarts_ms.pop_front();
                }
                let restarts = followed.restarts_ms.len();
                (restarts >= RESTART_LOOP && !quiet).then(|| {
                    followed.quiet_until_ms = now_ms + LOOP_QUIET_MS;
                    AlertKind::RestartLoop {
                        restarts: u32::try_from(restarts).unwrap_or(u32::MAX),
                    }
                })
            }
            "health_status: unhealthy" => {
                let became = !std::mem::replace(&mut followed.unhealthy, true);
                (became && !quiet).then_some(AlertKind::Unhealthy)
            }
            action if action.starts_with("health_status") => {
                followed.unhealthy = false;
                None
            }
            _ => None,
        }?;
        Some(Alert {
            host: host.clone(),
            host_name: host_name.to_owned(),
            container: Some(AlertContainer {
                id: event.id.clone(),
                name: event.name.clone(),
            }),
            kind,
            time_ms: event.time_ms,
        })
    }
}

/// An alert about a host as a whole (or its swarm), not one container.
fn host_alert(host: &HostId, host_name: &str, kind: AlertKind, time_ms: i64) -> Alert {
    Alert {
        host: host.clone(),
        host_name: host_name.to_owned(),
        container: None,
        kind,
        time_ms,
    }
}

/// Follows the hosts from their current `states` by their `updates` (subscribed before the
/// states were read, so nothing falls between) and sends the notices the rules ask for, the
/// held count of a storm included, until `notices` is dropped. The latest rules are read from
/// `rules`; `host_name` names a host; the managers' service counts come on `counts`
/// ([`swarm::count_services`]).
pub async fn watch(
    states: Vec<HostState>,
    mut updates: broadcast::Receiver<HostUpdate>,
    host_name: impl Fn(&HostId) -> Option<String> + Send + 'static,
    mut rules: latest::Receiver<AlertRules>,
    mut counts: mpsc::Receiver<swarm::ServiceCounts>,
    notices: mpsc::Sender<Notice>,
) {
    let mut alerter = Alerter::new(rules.borrow_and_update().clone());
    // Updates a state already includes are skipped, once per host.
    let mut seeded: HashMap<HostId, u32> = HashMap::new();
    for state in &states {
        alerter.seed(state);
        seeded.insert(state.host.clone(), state.seq);
    }
    loop {
        let held_in = alerter
            .held_due_ms()
            .map(|due| Duration::from_millis(u64::try_from(due - now_ms()).unwrap_or_default()));
        let found = tokio::select! {
            update = updates.recv() => match update {
                Ok(update) if seeded.get(&update.host).is_some_and(|&seq| update.seq <= seq) => {
                    Vec::new()
                }
                Ok(update) => {
                    seeded.remove(&update.host);
                    let name = host_name(&update.host).unwrap_or_default();
                    alerter.observe(&update, &name, now_ms())
                }
                // Missed updates are not replayed: alerts are about now, and the next
                // snapshot of each host brings the table back.
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "alerts fell behind the hosts' updates");
                    Vec::new()
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            Some(counted) = counts.recv() => {
                let name = host_name(&counted.host).unwrap_or_default();
                alerter.counted(&counted, &name, now_ms())
            }
            () = tokio::time::sleep(held_in.unwrap_or(Duration::MAX)), if held_in.is_some() => {
                alerter.held(now_ms()).into_iter().collect()
            }
            changed = rules.changed() => {
                if changed.is_err() {
                    return;
                }
                alerter.set_rules(rules.borrow_and_update().clone());
                Vec::new()
            }
        };
        for notice in found {
            if notices.send(notice).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::containers::{ComposeRef, ContainerState};
    use crate::error::ErrorCode;
    use std::collections::BTreeMap;

    const HOST: &str = "h";

    fn container(id: &str, project: Option<&str>, labels: &[(&str, &str)]) -> Container {
        Container {
            id: id.into(),
            name: format!("{id}-name"),
            image: "img".into(),
            image_id: "sha256:1".into(),
            command: "run".into(),
            state: ContainerState::Running,
            status: "Up".into(),
            health: None,
            created: 0,
            ports: Vec::new(),
            compose: project.map(|p| ComposeRef {
                project: p.into(),
                service: "svc".into(),
            }),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            networks: Vec::new(),
            volumes: Vec::new(),
        }
    }

    fn update(change: HostChange) -> HostUpdate {
        HostUpdate {
            host: HostId::new(HOST),
            seq: 0,
            change,
        }
    }

    fn online() -> HostStatus {
        HostStatus::Online {
            engine: Box::default(),
        }
    }

    fn snapshot(containers: Vec<Container>) -> HostUpdate {
        update(HostChange::Snapshot {
            status: online(),
            containers,
            discovery: None,
        })
    }

    fn event(id: &str, action: &str, exit_code: Option<i64>) -> EngineEvent {
        EngineEvent {
            time_ms: 0,
            kind: EventKind::Container,
            action: action.into(),
            id: id.into(),
            name: format!("{id}-name"),
            exit_code,
            new_state: None,
        }
    }

    fn events(list: Vec<EngineEvent>) -> HostUpdate {
        update(HostChange::Events { events: list })
    }

    /// An alerter that knows containers `a` (project "shop") and `b` (label tier=db).
    fn alerter(rules: AlertRules) -> Alerter {
        let mut alerter = Alerter::new(rules);
        let known = vec![
            container("a", Some("shop"), &[]),
            container("b", None, &[("tier", "db")]),
        ];
        assert!(alerter.observe(&snapshot(known), "Host", 0).is_empty());
        alerter
    }

    fn kinds(notices: &[Notice]) -> Vec<AlertKind> {
        notices
            .iter()
            .filter_map(|n| match n {
                Notice::Alert(a) => Some(a.kind.clone()),
                Notice::Held { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_crash_is_told_but_a_stop_or_a_clean_exit_is_not() {
        let mut alerter = alerter(AlertRules::default());
        let crash = alerter.observe(&events(vec![event("a", "die", Some(3))]), "Host", 1_000);
        assert_eq!(kinds(&crash), vec![AlertKind::Died { exit_code: 3 }]);
        let Notice::Alert(alert) = &crash[0] else {
            unreachable!()
        };
        assert_eq!(alert.title(), "a-name exited with code 3");
        assert!(alert.body().contains("Host"), "{}", alert.body());

        let stopped = events(vec![
            event("b", "kill", None),
            event("b", "die", Some(143)),
            event("b", "stop", None),
        ]);
        assert!(alerter.observe(&stopped, "Host", 2_000).is_empty());
        let clean = events(vec![event("b", "die", Some(0))]);
        assert!(alerter.observe(&clean, "Host", 3_000).is_empty());
    }

    #[test]
    fn an_oom_kill_is_told_once() {
        let mut alerter = alerter(AlertRules::default());
        let oom = events(vec![event("a", "oom", None), event("a", "die", Some(137))]);
        assert_eq!(
            kinds(&alerter.observe(&oom, "Host", 1_000)),
            vec![AlertKind::OomKilled]
        );
    }

    #[test]
    fn a_restart_loop_is_told_once_then_kept_quiet() {
        let mut crashing = alerter(AlertRules::default());
        let mut told = Vec::new();
        for round in 0..6 {
            let crash = events(vec![event("a", "die", Some(1)), event("a", "start", None)]);
            told.extend(kinds(&crashing.observe(
                &crash,
                "Host",
                1_000 + round * 500,
            )));
        }
        assert_eq!(
            told,
            vec![
                AlertKind::Died { exit_code: 1 },
                AlertKind::RestartLoop { restarts: 3 }
            ]
        );
        // Restarts the user asks for are not a loop.
        let mut asked = alerter(AlertRules::default());
        for round in 0..5 {
            let restart = events(vec![
                event("b", "kill", None),
                event("b", "die", Some(137)),
                event("b", "start", None),
            ]);
            assert!(asked.observe(&restart, "Host", round * 100).is_empty());
        }
    }

    #[test]
    fn unhealthy_is_told_when_it_becomes_so() {
        let mut alerter = alerter(AlertRules::default());
        let unhealthy = events(vec![event("a", "health_status: unhealthy", None)]);
        assert_eq!(
            kinds(&alerter.observe(&unhealthy, "Host", 1)),
            vec![AlertKind::Unhealthy]
        );
        assert!(alerter.observe(&unhealthy, "Host", 2).is_empty());
        let healthy = events(vec![event("a", "health_status: healthy", None)]);
        assert!(alerter.observe(&healthy, "Host", 3).is_empty());
        assert_eq!(kinds(&alerter.observe(&unhealthy, "Host", 4)).len(), 1);
    }

    #[test]
    fn a_host_going_offline_is_told_but_not_one_that_never_came_online() {
        let offline = update(HostChange::Status {
            status: HostStatus::Offline {
                code: ErrorCode::EngineUnreachable,
                reason: "connection refused".into(),
                details: None,
                retry_in_ms: Some(250),
            },
        });
        let mut never = Alerter::new(AlertRules::default());
        assert!(never.observe(&offline, "Host", 1).is_empty());

        let mut alerter = alerter(AlertRules::default());
        let told = alerter.observe(&offline, "Build box", 1);
        assert_eq!(
            kinds(&told),
            vec![AlertKind::HostOffline {
                reason: "connection refused".into()
            }]
        );
        assert_eq!(told[0].title(), "Build box is offline");
        assert!(alerter.observe(&offline, "Build box", 2).is_empty());
    }

    #[test]
    fn rules_pick_kinds_and_containers() {
        let crash_both = || events(vec![event("a", "die", Some(1)), event("b", "die", Some(1))]);
        let names = |notices: Vec<Notice>| -> Vec<String> {
            notices
                .into_iter()
                .filter_map(|n| match n {
                    Notice::Alert(a) => a.container.map(|c| c.id),
                    Notice::Held { .. } => None,
                })
                .collect()
        };
        let only = |rule: ContainerMatch| AlertRules {
            only: vec![rule],
            ..AlertRules::default()
        };
        let project = only(ContainerMatch::Project {
            name: "shop".into(),
        });
        assert_eq!(
            names(alerter(project).observe(&crash_both(), "H", 1)),
            ["a"]
        );
        let label = only(ContainerMatch::Label {
            key: "tier".into(),
            value: String::new(),
        });
        assert_eq!(names(alerter(label).observe(&crash_both(), "H", 1)), ["b"]);
        let wrong_value = only(ContainerMatch::Label {
            key: "tier".into(),
            value: "web".into(),
        });
        assert!(names(alerter(wrong_value).observe(&crash_both(), "H", 1)).is_empty());
        let by_name = only(ContainerMatch::Container {
            name: "b-name".into(),
        });
        assert_eq!(
            names(alerter(by_name).observe(&crash_both(), "H", 1)),
            ["b"]
        );

        let no_deaths = AlertRules {
            died: false,
            ..AlertRules::default()
        };
        assert!(alerter(no_deaths).observe(&crash_both(), "H", 1).is_empty());
        let quiet = AlertRules {
            do_not_disturb: true,
            ..AlertRules::default()
        };
        assert!(alerter(quiet).observe(&crash_both(), "H", 1).is_empty());
    }

    #[test]
    fn a_new_container_waits_for_its_lookup_to_be_matched() {
        let rules = AlertRules {
            only: vec![ContainerMatch::Project {
                name: "shop".into(),
            }],
            ..AlertRules::default()
        };
        let mut alerter = alerter(rules);
        let crash = events(vec![
            event("new", "create", None),
            event("new", "start", None),
            event("new", "die", Some(2)),
        ]);
        assert!(alerter.observe(&crash, "Host", 1).is_empty());
        let looked_up = update(HostChange::Containers {
            upserted: vec![container("new", Some("shop"), &[])],
            removed: Vec::new(),
        });
        assert_eq!(
            kinds(&alerter.observe(&looked_up, "Host", 2)),
            vec![AlertKind::Died { exit_code: 2 }]
        );
    }

    #[test]
    fn a_storm_is_told_as_a_count() {
        let mut alerter = alerter(AlertRules::default());
        let ids: Vec<String> = (0..12).map(|n| format!("c{n}")).collect();
        let known = ids.iter().map(|id| container(id, None, &[])).collect();
        alerter.observe(&snapshot(known), "Host", 0);
        let crashes = events(ids.iter().map(|id| event(id, "die", Some(1))).collect());
        let shown = alerter.observe(&crashes, "Host", 1_000);
        assert_eq!(shown.len(), STORM_BURST as usize);
        assert_eq!(alerter.held(2_000), None, "not before the window ends");
        let due = alerter.held_due_ms().expect("some are held");
        assert_eq!(alerter.held(due), Some(Notice::Held { count: 7 }));
        assert_eq!(Notice::Held { count: 7 }.title(), "7 more alerts");
        assert_eq!(alerter.held_due_ms(), None);
    }

    #[test]
    fn a_state_started_from_is_known_but_not_told() {
        let mut alerter = Alerter::new(AlertRules::default());
        alerter.seed(&HostState {
            host: HostId::new(HOST),
            name: "Host".into(),
            web_address: "localhost".into(),
            transport: crate::hosts::Transport::Local,
            origin: crate::HostOrigin::Local,
            seq: 7,
            status: online(),
            containers: vec![container("a", Some("shop"), &[])],
            events: vec![event("a", "die", Some(1))],
            discovery: None,
        });
        let crash = events(vec![event("a", "die", Some(2))]);
        assert_eq!(
            kinds(&alerter.observe(&crash, "Host", 1)),
            vec![AlertKind::Died { exit_code: 2 }],
            "told at once: the container is known"
        );
        let offline = update(HostChange::Status {
            status: HostStatus::Offline {
                code: ErrorCode::EngineUnreachable,
                reason: "gone".into(),
                details: None,
                retry_in_ms: Some(250),
            },
        });
        assert_eq!(
            alerter.observe(&offline, "Host", 2).len(),
            1,
            "it was online"
        );
    }

    #[test]
    fn rules_with_a_blank_name_are_refused() {
        let blank = AlertRules {
            only: vec![
                ContainerMatch::Container { name: "web".into() },
                ContainerMatch::Label {
                    key: " ".into(),
                    value: "x".into(),
                },
            ],
            ..AlertRules::default()
        };
        let err = blank.check().unwrap_err();
        assert_eq!(err.to_string(), "Alert rule 2 needs a label key.");
        assert!(AlertRules::default().check().is_ok());
    }
}
