// Turns a log batch into terminal text: stderr marked, optional timestamps, and in a merged
// log the container's name in its own colour.
import type { LogBatch } from "./bindings";

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

export function formatBatch(batch: LogBatch, format: LineFormat): string {
  const lines = batch.text.split("\n");
  lines.pop(); // the text ends with a newline
  const stderr = new Set(batch.stderr);
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    out += stderr.has(i) ? STDERR_MARK : STDOUT_MARK;
    const time = batch.times[i];
    if (format.timestamps && time) out += `${DIM}${shortTime(time)}${RESET} `;
    if (format.sources) {
      const source = batch.sources[i] ?? 0;
      out += `\x1b[${sourceColour(source)}m${format.sources[source] ?? `#${source}`}${RESET} │ `;
    }
    // Reset only where the line itself set colours: most lines have none, and every byte
    // written is parsed by the terminal.
    const line = lines[i];
    out += line.includes("\x1b") ? line + RESET + "\r\n" : line + "\r\n";
  }
  return out;
}

/**
 * Feeds a terminal that keeps only its last `keep` lines, one write at a time (the next waits
 * for the terminal to finish the previous), and drops what waits behind a burst once newer
 * lines would push it out anyway. What waited is written as one large chunk: the terminal
 * parses and lays out a chunk at once, so fewer, larger writes cost it less. The page's
 * memory stays bounded by `keep` lines. Each batch's `drawn` is called once it is written or
 * dropped, so its stream may send more.
 *
 * A chunk goes to the terminal in pieces of at most `WRITE_PIECE` characters, cut after a
 * line, all at once: xterm.js parses each piece whole but yields to the page between pieces
 * once it has worked ~12 ms, so a large chunk does not hold up clicks and keys for its whole
 * parse, and the pieces queued together cost no wait between them.
 */
export class BoundedWriter {
  #queue: { lines: number; render: () => string; drawn: () => void }[] = [];
  #queuedLines = 0;
  #writing = false;
  #generation = 0;

  constructor(
    private readonly write: (text: string, done: () => void) => void,
    private readonly keep: () => number,
  ) {}

  /** Queues `lines` lines; `render` makes their text only if they are still wanted. */
  push(lines: number, render: () => string, drawn: () => void) {
    this.#queue.push({ lines, render, drawn });
    this.#queuedLines += lines;
    while (this.#queue.length > 1 && this.#queuedLines - this.#queue[0].lines >= this.keep()) {
      const dropped = this.#queue.shift()!;
      this.#queuedLines -= dropped.lines;
      dropped.drawn();
    }
    this.#next();
  }

  /** Forgets everything queued (a new stream starts); a write under way still finishes. */
  clear() {
    for (const queued of this.#queue) queued.drawn();
    this.#queue = [];
    this.#queuedLines = 0;
    this.#generation++;
    this.#writing = false;
  }

  #next() {
    if (this.#writing || this.#queue.length === 0) return;
    const batches = this.#queue;
    this.#queue = [];
    this.#queuedLines = 0;
    this.#writing = true;
    const generation = this.#generation;
    const pieces = linePieces(batches.map((batch) => batch.render()).join(""), WRITE_PIECE);
    const last = pieces.length - 1;
    pieces.forEach((piece, i) =>
      this.write(piece, () => {
        if (i < last) return;
        for (const batch of batches) batch.drawn();
        if (generation !== this.#generation) return;
        this.#writing = false;
        this.#next();
      }),
    );
  }
}

/** The most characters the terminal is handed in one write (a few milliseconds of parsing). */
export const WRITE_PIECE = 64 * 1024;

/** `text` cut into pieces of at most `size` characters, each ending after a line where one
 *  ends within it; always at least one piece. */
export function linePieces(text: string, size: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > size) {
    const lineEnd = text.lastIndexOf("\n", start + size - 1);
    const end = lineEnd >= start ? lineEnd + 1 : start + size;
    pieces.push(text.slice(start, end));
    start = end;
  }
  pieces.push(text.slice(start));
  return pieces;
}
