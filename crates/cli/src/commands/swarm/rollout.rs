//! `service update --image` and `service rollback`: asked through Berth's logged actions, then
//! followed as docker follows them, until the manager says the rollout ended: progress on
//! stderr, the service's name on stdout, and a failure (rolled back, paused) as the exit code
//! with the engine's words. `--detach` returns once the manager has the change.

use std::process::ExitCode;
use std::time::Duration;

use berth_core::swarm::services::{find_service, Service, UpdateStatus};
use berth_core::swarm::tasks::{self, TaskQuery};
use berth_core::{Engine, Error, Result};

use super::manager;
use super::services::at;
use crate::args::{ServiceRollbackArgs, ServiceUpdateArgs};
use crate::output::printable;
use crate::Context;

/// How often the manager is asked how the rollout goes.
const POLL: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rollout {
    Update,
    Rollback,
}

pub async fn update(context: &Context, args: &ServiceUpdateArgs) -> Result<ExitCode> {
    let (host, engine) = manager(context).await?;
    let service = find_service(&engine.services().await?, &args.service)?;
    context
        .berth
        .service_update_image(&host, &at(&service), &args.image)
        .await?;
    finish(&engine, &service, Rollout::Update, args.detach).await
}

pub async fn rollback(context: &Context, args: &ServiceRollbackArgs) -> Result<ExitCode> {
    let (host, engine) = manager(context).await?;
    let service = find_service(&engine.services().await?, &args.service)?;
    context.berth.service_rollback(&host, &at(&service)).await?;
    finish(&engine, &service, Rollout::Rollback, args.detach).await
}

async fn finish(
    engine: &Engine,
    service: &Service,
    rollout: Rollout,
    detach: bool,
) -> Result<ExitCode> {
    if !detach {
        follow(engine, service, rollout).await?;
    }
    crate::output::write_stdout(format!("{}\n", service.name).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Asks the manager how the rollout of `service` goes until it ended, saying on stderr each
/// time that changes.
async fn follow(engine: &Engine, service: &Service, rollout: Rollout) -> Result<()> {
    let query = TaskQuery {
        service: Some(service.id.clone()),
        node: None,
    };
    let mut said = String::new();
    // Why the manager rolled back or paused, as it said when it began to: by the end of a
    // rollback its message is only "rollback completed".
    let mut why: Option<String> = None;
    loop {
        let now = engine
            .services()
            .await?
            .into_iter()
            .find(|s| s.id == service.id)
            .ok_or_else(|| {
                Error::NotFound(format!("service {} was removed meanwhile", service.name))
            })?;
        let tasks = engine.tasks(&query).await?;
        let tasks::Rollout {
            on_image, stale, ..
        } = tasks::Rollout::of(&now.id, &now.image, &tasks);
        let converged = !stale && on_image == now.desired;
        let mut update = now.update.clone();
        if let Some(update) = &mut update {
            match &why {
                Some(why) if update.state.starts_with("rollback") => update.message.clone_from(why),
                None if !matches!(update.state.as_str(), "updating" | "completed") => {
                    why = Some(update.message.clone())
                }
                _ => {}
            }
        }
        if let Some(ended) = ended(rollout, update.as_ref(), converged) {
            // The newest task that failed says what the manager's message does not.
            let failed = tasks.iter().find_map(|t| t.error.as_deref());
            let failed = failed
                .map(|e| format!(" (a task failed: {e})"))
                .unwrap_or_default();
            return ended
                .map_err(|why| Error::Conflict(format!("{}: {why}{failed}", service.name)));
        }
        let state = now.update.as_ref().map_or("starting", |u| u.state.as_str());
        let progress = format!(
            "{}: {state}: {on_image}/{} tasks running {}",
            service.name, now.desired, now.image
        );
        if progress != said {
            eprintln!("{}", printable(&progress));
            said = progress;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether the rollout ended, and how, by the manager's update state. A change that replaced
/// no task leaves the manager with no state at all: it ended once the tasks converged.
fn ended(
    rollout: Rollout,
    update: Option<&UpdateStatus>,
    converged: bool,
) -> Option<std::result::Result<(), String>> {
    let Some(update) = update else {
        return converged.then_some(Ok(()));
    };
    let failed = |what: &str| Some(Err(format!("{what}: {}", update.message)));
    match (update.state.as_str(), rollout) {
        ("completed", _) | ("rollback_completed", Rollout::Rollback) => Some(Ok(())),
        ("rollback_completed", Rollout::Update) => failed("the update failed and was rolled back"),
        ("paused", _) => failed("the update is paused"),
        ("rollback_paused", _) => failed("the rollback is paused"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: &str) -> UpdateStatus {
        UpdateStatus {
            state: state.to_owned(),
            message: "the engine's words".to_owned(),
        }
    }

    #[test]
    fn a_rollout_ends_as_the_manager_says() {
        let ends = |rollout, state: Option<&str>, converged| {
            ended(rollout, state.map(status).as_ref(), converged)
        };
        assert_eq!(ends(Rollout::Update, Some("updating"), true), None);
        assert_eq!(
            ends(Rollout::Update, Some("completed"), false),
            Some(Ok(()))
        );
        let rolled_back = ends(Rollout::Update, Some("rollback_completed"), true);
        assert!(
            matches!(&rolled_back, Some(Err(why)) if why.contains("rolled back") && why.contains("the engine's words")),
            "{rolled_back:?}"
        );
        assert!(matches!(
            ends(Rollout::Update, Some("paused"), true),
            Some(Err(_))
        ));
        assert_eq!(
            ends(Rollout::Rollback, Some("rollback_completed"), true),
            Some(Ok(()))
        );
        assert_eq!(
            ends(Rollout::Rollback, Some("rollback_started"), true),
            None
        );
        // No state: a change that replaced no task, or one the manager has not started yet.
        assert_eq!(ends(Rollout::Update, None, true), Some(Ok(())));
        assert_eq!(ends(Rollout::Update, None, false), None);
    }
}
