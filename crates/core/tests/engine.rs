//! berth-core's engine operations against the real local engine.

use berth_core::{ContainerAction, ContainerState, Endpoint, Engine, ErrorCode, RemoveOptions};
use berth_testkit::{inspect, Labelled};

async fn local_engine() -> Engine {
    Engine::connect(&Endpoint::local().unwrap())
        .await
        .expect("the test engine answers (tests/env/engine.sh starts it)")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negotiates_and_reports_the_engine() {
    let engine = local_engine().await;
    let info = engine.info().await.unwrap();
    let cli_version = berth_testkit::docker(&["version", "-f", "{{.Server.Version}}"]);
    assert_eq!(info.version, cli_version);
    assert!(!info.api_version.is_empty());
    assert!(info.cpus >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_containers_as_domain_types() {
    let t = Labelled::new("list");
    let name = t.name("web");
    let id = t.run_sleeper(
        &name,
        &[
            "--label",
            "com.docker.compose.project=shop",
            "--label",
            "com.docker.compose.service=web",
            "-p",
            "127.0.0.1::8080",
        ],
    );
    let stopped_name = t.name("stopped");
    let stopped = t.run(&stopped_name, &[], &["true"]);
    berth_testkit::docker(&["wait", &stopped]);

    let containers = local_engine().await.containers().await.unwrap();
    let web = containers
        .iter()
        .find(|c| c.id == id)
        .expect("running container listed");
    assert_eq!(web.name, name);
    assert_eq!(web.image, berth_testkit::TEST_IMAGE);
    assert_eq!(web.state, ContainerState::Running);
    assert!(web.status.starts_with("Up"), "status text: {}", web.status);
    let compose = web.compose.as_ref().expect("compose labels read");
    assert_eq!(
        (compose.project.as_str(), compose.service.as_str()),
        ("shop", "web")
    );
    assert_eq!(web.ports.len(), 1);
    assert_eq!(web.ports[0].container_port, 8080);
    assert_eq!(web.ports[0].host_ip.as_deref(), Some("127.0.0.1"));
    assert!(web.ports[0].host_port.is_some());
    assert!(web.labels.contains_key("berth.test"));

    let exited = containers
        .iter()
        .find(|c| c.id == stopped)
        .expect("stopped ones listed too");
    assert_eq!(exited.state, ContainerState::Exited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_actions_reach_the_engine() {
    let t = Labelled::new("lifecycle");
    let id = t.run_sleeper(&t.name("life"), &[]);
    let engine = local_engine().await;
    let state = || inspect(&id, "{{.State.Status}}");

    engine
        .container_action(&id, ContainerAction::Pause)
        .await
        .unwrap();
    assert_eq!(state(), "paused");
    engine
        .container_action(&id, ContainerAction::Unpause)
        .await
        .unwrap();
    assert_eq!(state(), "running");
    engine
        .container_action(&id, ContainerAction::Stop)
        .await
        .unwrap();
    assert_eq!(state(), "exited");
    // Stopping a stopped container is what the user wanted already: no error.
    engine
        .container_action(&id, ContainerAction::Stop)
        .await
        .unwrap();
    engine
        .container_action(&id, ContainerAction::Start)
        .await
        .unwrap();
    assert_eq!(state(), "running");
    let started = inspect(&id, "{{.State.StartedAt}}");
    engine
        .container_action(&id, ContainerAction::Restart)
        .await
        .unwrap();
    assert_eq!(state(), "running");
    assert_ne!(
        inspect(&id, "{{.State.StartedAt}}"),
        started,
        "restart starts it anew"
    );
    engine
        .container_action(&id, ContainerAction::Kill)
        .await
        .unwrap();
    assert_eq!(inspect(&id, "{{.State.ExitCode}}"), "137");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_respects_force_and_volumes() {
    let t = Labelled::new("remove");
    let id = t.run_sleeper(&t.name("rm"), &["-v", "/data"]);
    let volume = inspect(&id, "{{range .Mounts}}{{.Name}}{{end}}");
    let engine = local_engine().await;

    let err = engine
        .container_remove(&id, RemoveOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::Conflict,
        "a running container needs force: {err}"
    );

    engine
        .container_remove(
            &id,
            RemoveOptions {
                force: true,
                volumes: true,
            },
        )
        .await
        .unwrap();
    let gone = std::process::Command::new("docker")
        .args(["inspect", &id])
        .output()
        .unwrap();
    assert!(!gone.status.success(), "container removed");
    let vol = std::process::Command::new("docker")
        .args(["volume", "inspect", &volume])
        .output()
        .unwrap();
    assert!(
        !vol.status.success(),
        "its anonymous volume {volume} removed too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_stable_codes() {
    let engine = local_engine().await;
    let missing = engine
        .container_action("berth-no-such-container", ContainerAction::Start)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotFound);

    let bad = engine
        .container_action("../../images/json", ContainerAction::Start)
        .await
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidInput);

    let nowhere = Endpoint::parse("unix:///tmp/berth-no-engine-here.sock").unwrap();
    let down = Engine::connect(&nowhere).await.unwrap_err();
    assert_eq!(down.code(), ErrorCode::EngineUnreachable);
    assert!(
        down.to_string().contains("/tmp/berth-no-engine-here.sock"),
        "{down}"
    );
}

/// bollard writes names into the URL path as they are: a name that climbs out of its path
/// segment would reach another endpoint. Refused before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_name_never_reaches_another_endpoint() {
    let t = Labelled::new("hostile");
    let volume = t.volume("kept");
    let engine = local_engine().await;
    let remove = RemoveOptions {
        force: true,
        volumes: true,
    };
    let climbing = format!("../volumes/{volume}");
    // Without the check, DELETE /containers/../volumes/NAME is DELETE /volumes/NAME.
    for err in [
        engine
            .container_remove(&climbing, remove)
            .await
            .unwrap_err(),
        engine
            .container_action(&climbing, ContainerAction::Stop)
            .await
            .unwrap_err(),
        engine.container_inspect(&climbing).await.unwrap_err(),
        engine.image_remove(&climbing, true).await.unwrap_err(),
        engine.network_remove(&climbing).await.unwrap_err(),
        engine
            .volume_remove("x/../../info", true)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    }
    assert!(
        engine
            .logs(std::slice::from_ref(&climbing), &Default::default())
            .is_err(),
        "a log stream is refused too"
    );
    assert_eq!(
        berth_testkit::docker(&["volume", "inspect", "-f", "{{.Name}}", &volume]),
        volume,
        "the volume is still there"
    );
}

/// Connecting asks the engine's API version with `/_ping`: what answers there without one is
/// no Docker engine, and a missing socket says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_asks_the_api_version_and_says_why_it_could_not() {
    let folder = std::env::temp_dir().join(format!("berth-connect-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();

    let missing = folder.join("missing.sock");
    let Err(err) = Engine::connect(&Endpoint::Unix(missing.clone())).await else {
        panic!("connected to a missing socket");
    };
    assert_eq!(err.code(), ErrorCode::EngineUnreachable, "{err}");
    assert!(err.to_string().contains("no socket at"), "{err}");

    // An HTTP server that is no Docker engine: it answers /_ping without an API version.
    let impostor = folder.join("impostor.sock");
    let listener = tokio::net::UnixListener::bind(&impostor).unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request).await;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK")
                .await;
        }
    });
    let Err(err) = Engine::connect(&Endpoint::Unix(impostor)).await else {
        panic!("took a server without an API version for an engine");
    };
    assert_eq!(err.code(), ErrorCode::EngineUnreachable, "{err}");
    assert!(err.to_string().contains("without an API version"), "{err}");

    let engine = local_engine().await;
    let cli_api = berth_testkit::docker(&["version", "-f", "{{.Server.APIVersion}}"]);
    assert_eq!(engine.info().await.unwrap().api_version, cli_api);
    std::fs::remove_dir_all(&folder).unwrap();
}
