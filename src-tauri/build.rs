fn main() {
    // The shell's sources (and its capabilities) live in src-tauri/, beside the root manifest.
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*");
    tauri_build::try_build(attributes).expect("tauri build script");
}
