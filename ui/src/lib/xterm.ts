// One way to make an xterm.js terminal for Berth: themed from the app's CSS variables,
// bounded scrollback, the DOM renderer (WebKitGTK's WebGL lags), and links that go through
// `onLink` (which asks first) instead of opening by themselves.
import { FitAddon } from "@xterm/addon-fit";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { Terminal, type ITerminalOptions } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import { MAX_LOG_TAIL } from "./backend";

/** Lines a log or terminal view keeps; older ones scroll away for good. The longest log tail
 *  one may set is as many, since a longer one would show nothing more. */
export const SCROLLBACK = MAX_LOG_TAIL;

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

/** `onLink` gets the address of a link the user activated: one written as text, or an OSC 8
 * hyperlink (whose address the text need not show). */
export function makeTerminal(host: HTMLElement, options: ITerminalOptions, onLink: (url: string) => void) {
  const terminal = new Terminal({
    scrollback: SCROLLBACK,
    fontFamily: cssVar("--mono") || "monospace",
    allowProposedApi: true, // search highlights are decorations
    linkHandler: { activate: (_event, url) => onLink(url) },
    ...fromPage(),
    ...options,
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.loadAddon(new WebLinksAddon((_event, url) => onLink(url)));
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
