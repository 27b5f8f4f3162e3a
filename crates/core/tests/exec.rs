//! Terminals into real containers: shell detection, typing, resize, exit code, refusals.

use berth_core::{Endpoint, Engine, ErrorCode, ExecRequest};
use berth_testkit::{docker, read_until, Labelled, PATIENCE};
use futures_util::StreamExt;

async fn local_engine() -> Engine {
    Engine::connect(&Endpoint::local().unwrap()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_takes_commands_follows_resizes_and_reports_its_exit_code() {
    let t = Labelled::new("exec");
    let id = t.run_sleeper(&t.name("term"), &[]);
    let engine = local_engine().await;
    assert_eq!(
        engine.detect_shell(&id).await.unwrap(),
        "ash",
        "busybox has ash, no bash"
    );

    let request = ExecRequest {
        command: None,
        cols: 80,
        rows: 24,
    };
    let (session, mut output) = engine.exec(&id, &request).await.unwrap();
    assert_eq!(session.command, vec!["ash"]);

    // The expected text only appears once the shell has computed it, not in the echo.
    session.write(b"echo hello-$((6*7))\n").await.unwrap();
    read_until(&mut output, "hello-42").await;

    session.write(b"stty size\n").await.unwrap();
    read_until(&mut output, "24 80").await;
    session.resize(100, 30).await.unwrap();
    session.write(b"stty size\n").await.unwrap();
    read_until(&mut output, "30 100").await;

    assert_eq!(session.exit_code().await.unwrap(), None, "still running");
    session.write(b"exit 3\n").await.unwrap();
    tokio::time::timeout(PATIENCE, async { while output.next().await.is_some() {} })
        .await
        .expect("the output ends with the shell");
    assert_eq!(session.exit_code().await.unwrap(), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_a_custom_command() {
    let t = Labelled::new("exec-cmd");
    let id = t.run_sleeper(&t.name("cmd"), &[]);
    let request = ExecRequest {
        command: Some(vec!["sh".into(), "-c".into(), "echo custom; exit 5".into()]),
        cols: 80,
        rows: 24,
    };
    let (session, mut output) = local_engine().await.exec(&id, &request).await.unwrap();
    read_until(&mut output, "custom").await;
    while output.next().await.is_some() {}
    assert_eq!(session.exit_code().await.unwrap(), Some(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_stopped_containers_missing_shells_and_bad_sizes() {
    let t = Labelled::new("exec-refused");
    let engine = local_engine().await;
    let request = ExecRequest {
        command: None,
        cols: 80,
        rows: 24,
    };

    let stopped = t.run(&t.name("stopped"), &[], &["true"]);
    docker(&["wait", &stopped]);
    let err = engine.exec(&stopped, &request).await.err().unwrap();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("not running"), "{err}");

    let bare = t.run_without_shell(&t.name("bare"));
    let err = engine.exec(&bare, &request).await.err().unwrap();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert!(err.to_string().contains("no shell"), "{err}");

    let running = t.run_sleeper(&t.name("size"), &[]);
    let tiny = ExecRequest {
        command: None,
        cols: 0,
        rows: 24,
    };
    assert_eq!(
        engine.exec(&running, &tiny).await.err().unwrap().code(),
        ErrorCode::InvalidInput
    );
    let empty = ExecRequest {
        command: Some(vec![" ".into()]),
        cols: 80,
        rows: 24,
    };
    assert_eq!(
        engine.exec(&running, &empty).await.err().unwrap().code(),
        ErrorCode::InvalidInput
    );
}
