import { describe, expect, it } from "vitest";
import type { LogBatch } from "./bindings";
import { formatBatch, shortTime, sourceColour } from "./logLines";

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
