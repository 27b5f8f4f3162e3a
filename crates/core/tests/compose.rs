//! Compose projects by their labels, against the real engine (no compose CLI).

use berth_core::engine::compose::PROJECT_LABEL;
use berth_core::{ContainerAction, Endpoint, Engine, ErrorCode};
use berth_testkit::{inspect, Labelled};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_is_stopped_started_and_removed_as_one() {
    let engine = Engine::connect(&Endpoint::local().unwrap()).await.unwrap();
    let t = Labelled::new("compose");
    let project = t.name("shop");
    let member = |service: &str| {
        t.run_sleeper(
            &t.name(service),
            &[
                "--label",
                &format!("{PROJECT_LABEL}={project}"),
                "--label",
                &format!("com.docker.compose.service={service}"),
            ],
        )
    };
    let (web, db) = (member("web"), member("db"));
    let outsider = t.run_sleeper(&t.name("outsider"), &[]);
    let states = || [&web, &db].map(|id| inspect(id, "{{.State.Status}}"));

    engine
        .project_action(&project, ContainerAction::Stop)
        .await
        .unwrap();
    assert_eq!(states(), ["exited", "exited"]);
    assert_eq!(
        inspect(&outsider, "{{.State.Status}}"),
        "running",
        "only the project's"
    );
    engine
        .project_action(&project, ContainerAction::Stop)
        .await
        .expect("stopping what is stopped is no error");
    engine
        .project_action(&project, ContainerAction::Start)
        .await
        .unwrap();
    assert_eq!(states(), ["running", "running"]);

    engine.project_remove(&project, false).await.unwrap();
    let left = engine.containers().await.unwrap();
    assert!(
        !left.iter().any(|c| c.id == web || c.id == db),
        "the project's containers are gone"
    );
    let err = engine
        .project_action(&project, ContainerAction::Start)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}
