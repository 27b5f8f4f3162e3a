//! An empty Tauri window: the same window size, WebKitGTK and build profile as Berth, with
//! nothing in it. The benchmark weighs Berth's idle memory against this.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the empty window starts");
}
