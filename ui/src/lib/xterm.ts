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

export function makeTerminal(host: HTMLElement, options: ITerminalOptions = {}) {
  const terminal = new Terminal({
    scrollback: SCROLLBACK,
    fontFamily: cssVar("--mono") || "monospace",
    fontSize: 12.5,
    allowProposedApi: true, // search highlights are decorations
    theme: {
      background: cssVar("--term-bg"),
      foreground: cssVar("--term-fg"),
      cursor: cssVar("--term-fg"),
      selectionBackground: cssVar("--accent-soft"),
    },
    ...options,
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(host);
  fit.fit();
  const observer = new ResizeObserver(() => fit.fit());
  observer.observe(host);
  return {
    terminal,
    dispose() {
      observer.disconnect();
      terminal.dispose();
    },
  };
}
