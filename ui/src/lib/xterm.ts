// One way to make an xterm.js terminal for Berth: themed from the app's CSS variables,
// bounded scrollback, and the DOM renderer (WebKitGTK's WebGL lags).
import { FitAddon } from "@xterm/addon-fit";
import { Terminal, type ITerminalOptions } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";

/** Lines a log or terminal view keeps; older ones scroll away for good. */
export const SCROLLBACK = 10_000;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Colours and font size from the page, which the user's settings change (settings.svelte.ts). */
function fromPage(): Pick<ITerminalOptions, "fontSize" | "theme"> {
  return {
    fontSize: parseFloat(cssVar("--term-font-size")) || 13,
    theme: {
      background: cssVar("--term-bg"),
      foreground: cssVar("--term-fg"),
      cursor: cssVar("--term-fg"),
      selectionBackground: cssVar("--accent-soft"),
    },
  };
}

export function makeTerminal(host: HTMLElement, options: ITerminalOptions = {}) {
  const terminal = new Terminal({
    scrollback: SCROLLBACK,
    fontFamily: cssVar("--mono") || "monospace",
    allowProposedApi: true, // search highlights are decorations
    ...fromPage(),
    ...options,
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(host);
  fit.fit();
  const resized = new ResizeObserver(() => fit.fit());
  resized.observe(host);
  // A theme or font size chosen while the terminal is open applies at once.
  const restyled = new MutationObserver(() => {
    Object.assign(terminal.options, fromPage());
    fit.fit();
  });
  restyled.observe(document.documentElement, { attributeFilter: ["data-theme", "style"] });
  return {
    terminal,
    dispose() {
      resized.disconnect();
      restyled.disconnect();
      terminal.dispose();
    },
  };
}
