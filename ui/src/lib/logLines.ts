// Turns log lines into terminal text: stderr marked, optional timestamps, and in a merged
// log the container's name in its own colour.
import type { LogLine } from "./bindings";

const RESET = "\x1b[0m";
const DIM = "\x1b[90m";
const STDERR_MARK = "\x1b[31m▌\x1b[0m";
const STDOUT_MARK = " ";
/** Bright ANSI colours for container names in a merged log, assigned in request order. */
const SOURCE_COLOURS = [36, 35, 33, 32, 34, 91, 96, 95];

export type LineFormat = { timestamps: boolean; sources: string[] | null };

export function sourceColour(index: number): number {
  return SOURCE_COLOURS[index % SOURCE_COLOURS.length];
}

/** "2026-11-22T10:00:00.123456789Z" → "2026-11-22 10:00:00.123" */
export function shortTime(time: string): string {
  return time.replace("T", " ").slice(0, 23);
}

export function formatLines(lines: LogLine[], format: LineFormat): string {
  let out = "";
  for (const line of lines) {
    out += line.stderr ? STDERR_MARK : STDOUT_MARK;
    if (format.timestamps && line.time) out += `${DIM}${shortTime(line.time)}${RESET} `;
    if (format.sources) {
      const name = format.sources[line.source] ?? `#${line.source}`;
      out += `\x1b[${sourceColour(line.source)}m${name}${RESET} │ `;
    }
    out += line.text + RESET + "\r\n";
  }
  return out;
}
