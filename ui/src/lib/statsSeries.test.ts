import { describe, expect, it } from "vitest";
import type { StatsSample } from "./bindings";
import { append, emptySeries } from "./statsSeries";

const sample = (timeMs: number, cpuPercent: number): StatsSample => ({
  id: "c",
  timeMs,
  cpuPercent,
  memoryBytes: 1,
  memoryLimitBytes: 2,
  netRxPerSec: 0,
  netTxPerSec: 0,
  blockReadPerSec: 0,
  blockWritePerSec: 0,
  pids: 1,
});

describe("append", () => {
  it("adds newer samples in seconds, skips ones it has, and drops what left the window", () => {
    const series = emptySeries();
    append(series, [sample(1000, 1), sample(2000, 2)], 0);
    append(series, [sample(2000, 99), sample(3000, 3)], 1500);
    expect(series.time).toEqual([2, 3]);
    expect(series.cpu).toEqual([2, 3]);
    expect(series.last?.cpuPercent).toBe(3);
  });
});
