//! The UI's TypeScript bindings are generated from the Rust IPC surface. This test fails when
//! the committed file is stale; `BERTH_UPDATE_BINDINGS=1 cargo test --test bindings` rewrites it.

use std::path::Path;

#[test]
fn typescript_bindings_are_current() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings.ts");
    let fresh = std::env::temp_dir().join(format!("berth-bindings-{}.ts", std::process::id()));
    berth_app::ipc::<tauri::Wry>()
        .export(specta_typescript::Typescript::default(), &fresh)
        .expect("bindings export");
    let fresh_text = std::fs::read_to_string(&fresh).unwrap();
    let _ = std::fs::remove_file(&fresh);

    if std::env::var_os("BERTH_UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh_text).unwrap();
        return;
    }
    let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        committed_text == fresh_text,
        "ui/src/lib/bindings.ts is stale: run `BERTH_UPDATE_BINDINGS=1 cargo test --test bindings`"
    );
}
