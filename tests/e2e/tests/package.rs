//! Berth as its package installs it. scripts/test.sh's package step installs the `.deb` with
//! apt, reads the program from the installed desktop entry's `Exec` line and runs these tests
//! with BERTH_INSTALLED_APP set to it; the suite's own runs leave them out (they are ignored:
//! there is no installed app then). Run by hand:
//! `BERTH_INSTALLED_APP=/usr/bin/berth tests/e2e/run.sh --ignored --exact the_installed_app_lists_the_local_containers`.

use berth_e2e::{installed_application, App, Profile};
use berth_testkit::Labelled;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the installed package: scripts/test.sh's package step runs it"]
async fn the_installed_app_lists_the_local_containers() {
    let application = installed_application();
    let t = Labelled::new("e2e-installed");
    let name = t.name("installed");
    t.run_sleeper(&name, &[]);
    // A first start, as after installing: no profile yet.
    let profile = Profile::new("installed");
    std::fs::remove_dir(profile.data_folder()).unwrap();

    let app = App::launch_binary(&application, &profile).await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    app.find(&format!(r#"tr[data-name="{name}"]"#)).await;
    app.screenshot("installed-app").await;
    // The window is the installed program's, not a build's of the checkout.
    assert!(
        !app.processes().is_empty(),
        "no process runs {application} under the WebDriver session"
    );
    assert!(profile.data_folder().is_dir());
    app.close().await;
}
