import { describe, expect, it } from "vitest";
import type { LogBatch } from "./bindings";
import { BoundedWriter, formatBatch, linePieces, shortTime, sourceColour, WRITE_PIECE } from "./logLines";

const batch = (over: Partial<LogBatch> = {}): LogBatch => ({
  text: "hello\n",
  stderr: [],
  sources: [],
  times: [],
  count: 1,
  ...over,
});

describe("formatBatch", () => {
  it("ends every line with CRLF and resets colours only where a line set them", () => {
    expect(formatBatch(batch({ text: "hello\n\x1b[31mred\n", count: 2 }), { timestamps: false, sources: null })).toBe(
      " hello\r\n \x1b[31mred\x1b[0m\r\n",
    );
  });

  it("marks stderr lines and shows timestamps when asked", () => {
    const text = formatBatch(
      batch({ text: "out\nerr\n", stderr: [1], times: ["2026-11-22T10:00:00.123456789Z", "2026-11-22T10:00:01Z"], count: 2 }),
      { timestamps: true, sources: null },
    );
    const [first, second] = text.split("\r\n");
    expect(first.startsWith(" ")).toBe(true);
    expect(first).toContain("2026-11-22 10:00:00.123");
    expect(second.startsWith("\x1b[31m▌")).toBe(true);
  });

  it("names the container in its colour in a merged log", () => {
    const text = formatBatch(batch({ sources: [1] }), { timestamps: false, sources: ["web", "db"] });
    expect(text).toContain(`\x1b[${sourceColour(1)}mdb\x1b[0m │ hello\r\n`);
  });
});

describe("shortTime", () => {
  it("keeps milliseconds", () => {
    expect(shortTime("2026-11-22T10:00:00.123456789Z")).toBe("2026-11-22 10:00:00.123");
  });
});

describe("BoundedWriter", () => {
  /** A terminal that finishes a write only when the test says so. */
  function slowTerminal() {
    const written: string[] = [];
    const pending: (() => void)[] = [];
    const write = (text: string, done: () => void) => {
      written.push(text);
      pending.push(done);
    };
    return { written, finish: () => pending.shift()!(), write };
  }

  it("writes in order, one write at a time, what waited as one chunk", () => {
    const terminal = slowTerminal();
    const writer = new BoundedWriter(terminal.write, () => 100);
    writer.push(1, () => "a", () => {});
    writer.push(1, () => "b", () => {});
    writer.push(1, () => "c", () => {});
    expect(terminal.written).toEqual(["a"]);
    terminal.finish();
    expect(terminal.written).toEqual(["a", "bc"]);
  });

  it("drops, unrendered, what a burst would push out of the terminal anyway", () => {
    const terminal = slowTerminal();
    const writer = new BoundedWriter(terminal.write, () => 10);
    const rendered: string[] = [];
    const chunk = (name: string) => () => (rendered.push(name), name);
    writer.push(4, chunk("busy"), () => {});
    for (const name of ["1", "2", "3", "4", "5"]) writer.push(4, chunk(name), () => {});
    // 20 lines wait; the newest 10 or more must stay, so "1" and "2" go.
    terminal.finish();
    expect(terminal.written).toEqual(["busy", "345"]);
    expect(rendered).toEqual(["busy", "3", "4", "5"]);
  });

  it("forgets what was queued for a stream that was replaced", () => {
    const terminal = slowTerminal();
    const writer = new BoundedWriter(terminal.write, () => 100);
    writer.push(1, () => "old 1", () => {});
    writer.push(1, () => "old 2", () => {});
    writer.clear();
    writer.push(1, () => "new", () => {});
    terminal.finish(); // the old write completing late starts nothing
    terminal.finish();
    expect(terminal.written).toEqual(["old 1", "new"]);
  });

  it("says when each batch is drawn: once written, or at once when dropped", () => {
    const terminal = slowTerminal();
    const writer = new BoundedWriter(terminal.write, () => 10);
    const drawn: string[] = [];
    for (const name of ["busy", "1", "2", "3", "4", "5"]) writer.push(4, () => name, () => drawn.push(name));
    expect(drawn).toEqual(["1", "2"]);
    terminal.finish();
    expect(drawn).toEqual(["1", "2", "busy"]);
    terminal.finish();
    expect(drawn).toEqual(["1", "2", "busy", "3", "4", "5"]);
  });

  it("hands a large chunk over in pieces at once, and goes on once the last is written", () => {
    const terminal = slowTerminal();
    const writer = new BoundedWriter(terminal.write, () => 100_000);
    const line = "x".repeat(99) + "\n";
    const big = line.repeat(Math.ceil((2.5 * WRITE_PIECE) / line.length));
    const drawn: string[] = [];
    writer.push(1, () => big, () => drawn.push("big"));
    writer.push(1, () => "next", () => drawn.push("next"));
    expect(terminal.written.length).toBe(3);
    expect(terminal.written.join("")).toBe(big);
    for (const piece of terminal.written) expect(piece.length).toBeLessThanOrEqual(WRITE_PIECE);
    terminal.finish();
    terminal.finish();
    expect(drawn).toEqual([]);
    terminal.finish();
    expect(drawn).toEqual(["big"]);
    expect(terminal.written.at(-1)).toBe("next");
  });
});

describe("linePieces", () => {
  it("cuts after a line where one ends within the piece, and anywhere where none does", () => {
    expect(linePieces("ab\ncd\nef", 4)).toEqual(["ab\n", "cd\n", "ef"]);
    expect(linePieces("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(linePieces("", 4)).toEqual([""]);
  });
});
