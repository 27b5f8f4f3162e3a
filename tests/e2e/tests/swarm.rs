//! The Swarm section, driven as a user would, on the real two-node swarm tests/env/swarm.sh
//! makes (the local engine the manager, the SSH test host's engine a worker).

use fantoccini::Locator;

use berth_e2e::{eventually, App};
use berth_testkit::{docker, Labelled, REGISTRY_BUSYBOX};

/// Removes the test's service when dropped, whatever the window did.
struct Service(String);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker")
            .args(["service", "rm", &self.0])
            .output();
    }
}

/// The task chips of `service` in each node column, running or not, as the picture shows them.
async fn chips(app: &App, service: &str) -> Vec<(String, Vec<String>)> {
    let mut columns = Vec::new();
    for column in app
        .client
        .find_all(Locator::Css(r#"[data-testid="node-column"]"#))
        .await
        .unwrap_or_default()
    {
        let Ok(Some(node)) = column.attr("data-node").await else {
            continue;
        };
        let css = format!(r#"[data-testid="task-chip"][data-service="{service}"]"#);
        let mut states = Vec::new();
        for chip in column
            .find_all(Locator::Css(&css))
            .await
            .unwrap_or_default()
        {
            if let Ok(Some(state)) = chip.attr("data-state").await {
                states.push(state);
            }
        }
        columns.push((node, states));
    }
    columns
}

fn running(columns: &[(String, Vec<String>)]) -> (usize, usize) {
    let counts: Vec<usize> = columns
        .iter()
        .map(|(_, states)| states.iter().filter(|s| *s == "running").count())
        .collect();
    (
        counts.iter().sum(),
        counts.iter().filter(|n| **n > 0).count(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_made_and_scaled_from_the_window_spreads_its_chips_over_both_nodes() {
    let t = Labelled::new("e2e-swarm");
    let name = t.name("web").replace('.', "-");
    let _service = Service(name.clone());
    let app = App::launch().await;
    app.click(r#"[data-testid="section-swarm"]"#).await;
    app.find(r#"[data-testid="cluster-picture"]"#).await;
    assert_eq!(
        app.client
            .find_all(Locator::Css(r#"[data-testid="node-column"]"#))
            .await
            .unwrap()
            .len(),
        2,
        "a column per node"
    );

    // Made from the form, one task.
    app.click(r#"[data-testid="create-service-button"]"#).await;
    app.click(r#"[data-testid="service-more"]"#).await;
    let field = |name: &str| format!(r#"[data-testid="create-service"] [name="{name}"]"#);
    for (input, text) in [
        ("name", name.as_str()),
        ("image", REGISTRY_BUSYBOX),
        // An argument per line: Return between them, as a keyboard types it.
        ("command", "sleep\u{E006}3600"),
        ("labels", t.label.as_str()),
        ("constraints", "node.role=manager"),
    ] {
        let element = app.find(&field(input)).await;
        element.clear().await.unwrap();
        element.send_keys(text).await.unwrap();
    }
    let submit = r#"[data-testid="create-service"] button[type="submit"]"#;
    app.screenshot("swarm-create-service").await;
    app.click(submit).await;
    app.wait_for_text(
        r#"[data-testid="create-service"] [data-field="constraints"]"#,
        "not a constraint",
    )
    .await;
    // Fixed: a constraint both nodes meet.
    let constraints = app.find(&field("constraints")).await;
    constraints.clear().await.unwrap();
    constraints.send_keys("node.role!=nowhere").await.unwrap();
    app.click(submit).await;
    app.gone(r#"[data-testid="create-service"]"#).await;
    eventually("one chip, running", || async {
        running(&chips(&app, &name).await) == (1, 1)
    })
    .await;
    assert_eq!(
        docker(&[
            "service",
            "ls",
            "-q",
            "--filter",
            &format!("label={}", t.label)
        ])
        .lines()
        .count(),
        1
    );

    // Scaled to four on its page; back on the picture, four chips over the two nodes.
    app.click(&format!(
        r#"[data-testid="task-chip"][data-service="{name}"]"#
    ))
    .await;
    app.find(&format!(
        r#"[data-testid="service-page"][data-name="{name}"]"#
    ))
    .await;
    let replicas = app.find(r#"[data-testid="scale-input"]"#).await;
    replicas.clear().await.unwrap();
    replicas.send_keys("4").await.unwrap();
    app.click(r#"[data-testid="scale-button"]"#).await;
    app.wait_for_text(r#"[data-testid="service-running"]"#, "4/4")
        .await;
    app.screenshot("swarm-service").await;
    app.click(r#"[aria-label="Back to the swarm"]"#).await;
    eventually("four chips running, on both nodes", || async {
        running(&chips(&app, &name).await) == (4, 2)
    })
    .await;
    app.screenshot("swarm-cluster").await;

    // Down to two: the chips that go leave the picture.
    app.click(&format!(
        r#"[data-testid="task-chip"][data-service="{name}"]"#
    ))
    .await;
    let replicas = app.find(r#"[data-testid="scale-input"]"#).await;
    replicas.clear().await.unwrap();
    replicas.send_keys("2").await.unwrap();
    app.click(r#"[data-testid="scale-button"]"#).await;
    app.click(r#"[aria-label="Back to the swarm"]"#).await;
    eventually("two chips left", || async {
        let columns = chips(&app, &name).await;
        running(&columns).0 == 2 && columns.iter().map(|(_, s)| s.len()).sum::<usize>() == 2
    })
    .await;

    // Removed from its page, and logged in Activity.
    app.click(&format!(
        r#"[data-testid="task-chip"][data-service="{name}"]"#
    ))
    .await;
    app.click(r#"[data-testid="service-page"] button.danger"#)
        .await;
    app.click(r#"dialog button.danger"#).await;
    eventually("the service gone", || async {
        docker(&["service", "ls", "-q", "--filter", &format!("name={name}")]).is_empty()
    })
    .await;
    app.click(r#"[data-testid="section-activity"]"#).await;
    for action in ["create service", "scale service", "remove service"] {
        app.find(&format!(
            r#"tr[data-testid="activity-row"][data-action="{action}"][data-target="{name}"]"#
        ))
        .await;
    }
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_update_is_watched_rolling_back_with_the_reason_on_the_service_page() {
    let t = Labelled::new("e2e-swarm-update");
    let name = t.name("api").replace('.', "-");
    let stack = t.name("shop").replace('.', "-");
    let _service = Service(name.clone());
    // Made with the docker CLI, in a stack, set to roll back when updated tasks fail.
    docker(&[
        "service",
        "create",
        "--detach",
        "--name",
        &name,
        "--label",
        &t.label,
        "--label",
        &format!("com.docker.stack.namespace={stack}"),
        "--replicas",
        "2",
        "--update-failure-action",
        "rollback",
        "--update-monitor",
        "2s",
        REGISTRY_BUSYBOX,
        "sleep",
        "3600",
    ]);
    let app = App::launch().await;
    app.click(r#"[data-testid="section-swarm"]"#).await;
    app.click(r#"[aria-label="Swarm view"] button:nth-child(2)"#)
        .await;
    app.find(&format!(
        r#"tr[data-testid="stack-row"][data-name="{stack}"]"#
    ))
    .await;
    let row = format!(r#"tr[data-testid="service-row"][data-name="{name}"]"#);
    app.wait_for_text(&format!(r#"{row} [data-testid="service-tasks"]"#), "2/2")
        .await;
    app.screenshot("swarm-services").await;

    app.click(&format!("{row} td.name button")).await;
    let image = app.find(r#"[data-testid="update-image"]"#).await;
    image.clear().await.unwrap();
    image
        .send_keys("127.0.0.1:5000/berth-test/missing:nowhere")
        .await
        .unwrap();
    app.click(r#"[data-testid="service-page"] form.image button"#)
        .await;
    // Live: the engine's update state as it moves, and the failed tasks with why.
    app.find(r#"[data-testid="update-status"][data-state="rollback_started"], [data-testid="update-status"][data-state="rollback_completed"]"#)
        .await;
    app.wait_for_text(r#"[data-testid="update-status"]"#, "missing:nowhere")
        .await;
    app.find(r#"[data-testid="update-status"][data-state="rollback_completed"]"#)
        .await;
    app.wait_for_text(r#"[data-testid="service-running"]"#, "2/2")
        .await;
    app.screenshot("swarm-rolled-back").await;
    assert!(
        docker(&[
            "service",
            "inspect",
            &name,
            "--format",
            "{{.Spec.TaskTemplate.ContainerSpec.Image}}"
        ])
        .starts_with(REGISTRY_BUSYBOX),
        "back on the image that worked"
    );
    // Its spec, in the create form's words.
    app.click(r#"[aria-label="Service view"] button:nth-child(3)"#)
        .await;
    app.wait_for_text(
        r#"[data-testid="service-update-policy"]"#,
        "on failure rollback",
    )
    .await;
    app.screenshot("swarm-service-details").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_is_made_and_a_node_labelled_from_the_window() {
    let t = Labelled::new("e2e-swarm-values");
    let secret = t.name("token").replace('.', "-");
    /// Removes the test's secret, and its label from the worker, whatever the window did.
    struct Cleanup(String, String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = std::process::Command::new("docker")
                .args(["secret", "rm", &self.0])
                .output();
            let _ = std::process::Command::new("docker")
                .args(["node", "update", "--label-rm", &self.0, &self.1])
                .output();
        }
    }
    let worker = docker(&["node", "ls", "--filter", "role=worker", "-q"]);
    let _cleanup = Cleanup(secret.clone(), worker.clone());
    let app = App::launch().await;
    app.click(r#"[data-testid="section-swarm"]"#).await;

    // A secret: its value goes to the engine, which never gives it back.
    app.click(r#"[aria-label="Swarm view"] button:nth-child(5)"#)
        .await;
    app.click(r#"[data-testid="create-secret-button"]"#).await;
    let dialog = r#"[data-testid="create-secret"]"#;
    app.find(&format!(r#"{dialog} [name="name"]"#))
        .await
        .send_keys(&secret)
        .await
        .unwrap();
    app.find(&format!(r#"{dialog} [name="value"]"#))
        .await
        .send_keys("s3cr3t from the window")
        .await
        .unwrap();
    app.click(&format!(r#"{dialog} button[type="submit"]"#))
        .await;
    app.find(&format!(
        r#"tr[data-testid="secret-row"][data-name="{secret}"]"#
    ))
    .await;
    assert_eq!(
        docker(&["secret", "inspect", &secret, "--format", "{{.Spec.Name}}"]),
        secret
    );

    // A label on the worker, from the Nodes tab, then taken off again.
    app.click(r#"[aria-label="Swarm view"] button:nth-child(3)"#)
        .await;
    let row = format!(r#"tr[data-testid="node-row"][data-node="{worker}"]"#);
    app.click(&format!(r#"{row} [aria-label^="Add a label"]"#))
        .await;
    app.find(r#"dialog input[placeholder="disk=ssd"]"#)
        .await
        .send_keys(&format!("{secret}=yes"))
        .await
        .unwrap();
    app.click(r#"dialog button[type="submit"]"#).await;
    let labelled = || async {
        docker(&[
            "node",
            "inspect",
            &worker,
            "--format",
            "{{json .Spec.Labels}}",
        ])
        .contains(&secret)
    };
    eventually("the worker labelled", labelled).await;
    app.screenshot("swarm-nodes").await;
    app.click(&format!(r#"{row} [aria-label="Remove label {secret}"]"#))
        .await;
    eventually("the label gone", || async { !labelled().await }).await;
    app.close().await;
}
