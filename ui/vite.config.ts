import { defineConfig } from "vitest/config";
import type { Plugin } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

/**
 * The app runs with Object.prototype frozen (tauri.conf.json's freezePrototype), so no script
 * can change what every object inherits. xterm.js (vscode's KeyCodeUtils namespace) assigns a
 * `toString` to a plain object, which then throws as it loads: that one assignment becomes a
 * property definition. The build fails if the code is no longer there to look at it anew.
 */
function xtermUnderFrozenPrototype(): Plugin {
  const assignment = /(\w+)\.toString=(\w+);(function \w+\(\w+\)\{return \w+\.strToKeyCode\()/;
  return {
    name: "xterm-under-frozen-prototype",
    transform(code, id) {
      if (!/@xterm[\\/]xterm[\\/]lib[\\/]xterm\.mjs$/.test(id)) return null;
      if (!assignment.test(code)) this.error("xterm no longer assigns KeyCodeUtils.toString: check it under a frozen Object.prototype");
      return code.replace(assignment, 'Object.defineProperty($1,"toString",{value:$2,writable:true,configurable:true,enumerable:true});$3');
    },
  };
}

export default defineConfig({
  // svelteTesting only acts under vitest: browser builds of svelte, cleanup after each test.
  plugins: [svelte(), svelteTesting(), xtermUnderFrozenPrototype()],
  // Tauri serves the built files itself; the dev server only backs `tauri dev`.
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  // Served through the plugins in `tauri dev` too (pre-bundled dependencies skip them).
  optimizeDeps: { exclude: ["@xterm/xterm"] },
  build: { target: "safari16", outDir: "dist", emptyOutDir: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test-setup.ts"],
  },
});
