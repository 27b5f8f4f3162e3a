//! How the web engine paints the page, chosen before it starts.
//!
//! WebKitGTK paints with Skia on the GPU, through OpenGL. On a machine without a GPU (a VM, a
//! remote desktop, a headless display) OpenGL is Mesa's software renderer: the GPU is emulated
//! on the CPU, and what the emulated GPU caches (glyph atlases, textures) is memory of the web
//! process. Measured on the containers list, that is 25 MiB of Berth's idle footprint for
//! nothing (README, Benchmark). There, Berth has WebKit paint with Skia on the CPU directly;
//! with a GPU, the GPU paints. A choice the user made in the environment stands.

use std::ffi::OsStr;
use std::path::Path;

/// WebKitGTK's switch to Skia's CPU painting, read by each web process as it starts.
const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";
/// Where Linux lists its GPUs' device nodes; a GPU that can render has a `renderD*` node.
const GPU_NODES: &str = "/dev/dri";

/// Sets WebKit's painting for this machine. Called first of all, before any thread starts
/// (the environment is the process's, and its children inherit it).
pub fn choose() {
    if cfg!(all(unix, not(target_os = "macos")))
        && paints_on_cpu(
            std::env::var_os(CPU_PAINTING).as_deref(),
            Path::new(GPU_NODES),
        )
    {
        std::env::set_var(CPU_PAINTING, "1");
    }
}

/// Whether Berth should ask for CPU painting: not when the user chose already, nor when a GPU
/// can render.
fn paints_on_cpu(chosen: Option<&OsStr>, gpu_nodes: &Path) -> bool {
    chosen.is_none() && !has_render_node(gpu_nodes)
}

fn has_render_node(gpu_nodes: &Path) -> bool {
    std::fs::read_dir(gpu_nodes).is_ok_and(|nodes| {
        nodes
            .map_while(Result::ok)
            .any(|node| node.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_on_the_cpu_only_without_a_gpu_that_renders_and_unless_the_user_chose() {
        let machine = std::env::temp_dir().join(format!("berth-painting-{}", std::process::id()));
        let nodes = machine.join("dri");
        // No GPU at all, or only a display controller (a card node that cannot render).
        assert!(paints_on_cpu(None, &nodes));
        std::fs::create_dir_all(&nodes).unwrap();
        std::fs::write(nodes.join("card0"), "").unwrap();
        assert!(paints_on_cpu(None, &nodes));
        // A GPU that renders.
        std::fs::write(nodes.join("renderD128"), "").unwrap();
        assert!(!paints_on_cpu(None, &nodes));
        // The user's choice, either way, stands.
        std::fs::remove_file(nodes.join("renderD128")).unwrap();
        assert!(!paints_on_cpu(Some(OsStr::new("0")), &nodes));
        std::fs::remove_dir_all(&machine).unwrap();
    }
}
