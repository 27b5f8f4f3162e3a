import { describe, expect, it } from "vitest";
import type { LogLine } from "./bindings";
import { formatLines, shortTime, sourceColour } from "./logLines";

const line = (over: Partial<LogLine> = {}): LogLine => ({
  source: 0,
  stderr: false,
  time: "2026-11-22T10:00:00.123456789Z",
  text: "hello",
  ...over,
});

describe("formatLines", () => {
  it("ends every line with CRLF and resets colours a line left open", () => {
    expect(formatLines([line(), line({ text: "\x1b[31mred" })], { timestamps: false, sources: null })).toBe(
      " hello\x1b[0m\r\n \x1b[31mred\x1b[0m\r\n",
    );
  });

  it("marks stderr lines and shows timestamps when asked", () => {
    const text = formatLines([line({ stderr: true })], { timestamps: true, sources: null });
    expect(text).toContain("\x1b[31m▌");
    expect(text).toContain("2026-11-22 10:00:00.123");
  });

  it("names the container in its colour in a merged log", () => {
    const text = formatLines([line({ source: 1 })], { timestamps: false, sources: ["web", "db"] });
    expect(text).toContain(`\x1b[${sourceColour(1)}mdb\x1b[0m │ hello`);
  });
});

describe("shortTime", () => {
  it("keeps milliseconds", () => {
    expect(shortTime("2026-11-22T10:00:00.123456789Z")).toBe("2026-11-22 10:00:00.123");
  });
});
