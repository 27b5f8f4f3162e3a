//! The Docker CLI's contexts as hosts in the window: each one there to pick, TLS ones reached
//! with their certificates, plain TCP ones marked unencrypted.

use berth_core::hosts::discovery::{context_meta_file, context_tls_dir};
use berth_e2e::{App, Profile};
use berth_testkit::RemoteHost;

/// Writes context `name` into the store under `docker_config`, as `docker context create`
/// does, with the certificates in `certs` when given.
fn context(
    docker_config: &std::path::Path,
    name: &str,
    host: &str,
    certs: Option<&std::path::Path>,
) {
    let meta = serde_json::json!({"Name": name, "Metadata": {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}});
    let file = context_meta_file(docker_config, name);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, meta.to_string()).unwrap();
    if let Some(certs) = certs {
        let dir = context_tls_dir(docker_config, name);
        std::fs::create_dir_all(&dir).unwrap();
        for pem in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::copy(certs.join(pem), dir.join(pem)).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_docker_context_is_a_host_to_pick_and_plain_tcp_is_marked_unencrypted() {
    let remote = RemoteHost::get();
    let t = remote.labelled("e2e-contexts");
    let name = t.name("behind-tls");
    t.run_sleeper(&name, &[]);

    let profile = Profile::new("contexts");
    let config = profile.docker_config();
    context(
        &config,
        "secure",
        &remote.tls_docker_host(),
        Some(&remote.tls_certs()),
    );
    // The same TLS listener without certificates: plain HTTP, which it refuses.
    context(&config, "plain", &remote.tls_docker_host(), None);
    let app = App::launch_in(&profile).await;

    // The TLS context's engine is online with its containers, once picked.
    app.click(r#"[data-testid="host"][data-name="secure"][data-state="online"]"#)
        .await;
    app.find(&format!(r#"tr[data-name="{name}"]"#)).await;
    assert!(
        !app.exists(r#"[data-testid="host"][data-name="secure"] [data-testid="unencrypted"]"#)
            .await
    );
    // The plain one is there, marked unencrypted, and offline with the engine's refusal.
    app.find(r#"[data-testid="host"][data-name="plain"][data-state="offline"] [data-testid="unencrypted"]"#)
        .await;
    // A context is changed with `docker context`, not in Berth.
    assert!(!app.exists(r#"button[aria-label="Edit secure"]"#).await);
    assert!(!app.exists(r#"button[aria-label="Remove plain"]"#).await);
    app.wait_for_text(
        r#"[data-testid="local-endpoint"]"#,
        "(TLS) · Docker context \"secure\"",
    )
    .await;
    app.screenshot("docker-contexts").await;
    app.close().await;
}
