//! The shell on Tauri's mock runtime, for the shell's integration tests: the app built as
//! `berth_app::build` builds it, and commands invoked as the window invokes them.

use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

pub type MockApp = tauri::App<tauri::test::MockRuntime>;
pub type MockWindow = WebviewWindow<tauri::test::MockRuntime>;

/// The app keeping what it saves in `folder`, watching `hosts` besides the saved ones, and
/// its main window.
pub fn build(folder: &std::path::Path, hosts: Vec<berth_core::HostSpec>) -> (MockApp, MockWindow) {
    build_on(mock_builder(), folder, hosts)
}

/// [`build`] on a builder of the test's own (one that intercepts channels, say).
pub fn build_on(
    builder: tauri::Builder<tauri::test::MockRuntime>,
    folder: &std::path::Path,
    hosts: Vec<berth_core::HostSpec>,
) -> (MockApp, MockWindow) {
    let app = berth_app::build(
        builder,
        berth_core::LocalEnv::from_process(),
        hosts,
        folder.to_owned(),
    )
    .build(mock_context(noop_assets()))
    .expect("app builds");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, window)
}

/// Invokes command `cmd` with `args` from the window; its answer, or its error, as JSON.
pub fn invoke(window: &MockWindow, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap())
}
