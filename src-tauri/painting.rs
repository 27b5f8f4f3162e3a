//! How the web engine paints the page, chosen before it starts.
//!
//! WebKitGTK paints with Skia on the GPU, and composites the page's layers into the window
//! through OpenGL. On a machine without a GPU (a VM, a remote desktop, a headless display)
//! OpenGL is Mesa's software renderer, llvmpipe: the GPU is emulated on the CPU. What the
//! emulated GPU caches (glyph atlases, textures) is memory of the web process, and every frame
//! the page changes is composited again by emulated shaders. Measured on the containers list
//! (README, Benchmark): painting on the emulated GPU cost 25 MiB, compositing through it 57 MiB
//! more, and half the web process's CPU while 50 containers' usage streamed in. There, Berth
//! has WebKit paint with Skia on the CPU and draw the page without accelerated compositing;
//! with a GPU, the GPU does both. A choice the user made in the environment stands.

use std::ffi::OsString;
use std::path::Path;

/// WebKitGTK's switches for a machine without a GPU, read by each web process as it starts:
/// Skia paints on the CPU, and the page is drawn in one layer, without OpenGL.
const WITHOUT_GPU: [&str; 2] = [
    "WEBKIT_SKIA_ENABLE_CPU_RENDERING",
    "WEBKIT_DISABLE_COMPOSITING_MODE",
];
/// Where Linux lists its GPUs' device nodes; a GPU that can render has a `renderD*` node.
const GPU_NODES: &str = "/dev/dri";

/// Sets WebKit's painting for this machine. Called first of all, before any thread starts
/// (the environment is the process's, and its children inherit it).
pub fn choose() {
    if cfg!(all(unix, not(target_os = "macos"))) {
        for switch in switches_to_set(|name| std::env::var_os(name), Path::new(GPU_NODES)) {
            std::env::set_var(switch, "1");
        }
    }
}

/// The switches Berth should set: none when a GPU can render, and none the user set already
/// (either way) as `env` has them.
fn switches_to_set(env: impl Fn(&str) -> Option<OsString>, gpu_nodes: &Path) -> Vec<&'static str> {
    if has_render_node(gpu_nodes) {
        return Vec::new();
    }
    WITHOUT_GPU
        .into_iter()
        .filter(|switch| env(switch).is_none())
        .collect()
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
    fn without_a_gpu_that_renders_paints_on_the_cpu_in_one_layer_unless_the_user_chose() {
        let machine = std::env::temp_dir().join(format!("berth-painting-{}", std::process::id()));
        let nodes = machine.join("dri");
        let unset = |_: &str| None;
        // No GPU at all, or only a display controller (a card node that cannot render).
        assert_eq!(switches_to_set(unset, &nodes), WITHOUT_GPU);
        std::fs::create_dir_all(&nodes).unwrap();
        std::fs::write(nodes.join("card0"), "").unwrap();
        assert_eq!(switches_to_set(unset, &nodes), WITHOUT_GPU);
        // The user's choice of one switch, either way, stands; the other is still Berth's.
        let chose_compositing = |name: &str| (name == WITHOUT_GPU[1]).then(|| OsString::from("0"));
        assert_eq!(switches_to_set(chose_compositing, &nodes), [WITHOUT_GPU[0]]);
        // A GPU that renders: WebKit's defaults.
        std::fs::write(nodes.join("renderD128"), "").unwrap();
        assert!(switches_to_set(unset, &nodes).is_empty());
        std::fs::remove_dir_all(&machine).unwrap();
    }
}
