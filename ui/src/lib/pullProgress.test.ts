import { describe, expect, it } from "vitest";
import { PullState } from "./pullProgress";

const report = (layer: string | null, status: string, current: number | null = null, total: number | null = null) => ({
  layer,
  status,
  current,
  total,
});

describe("PullState", () => {
  it("fills each layer's bar through download and extraction, and weighs the total by size", () => {
    const pull = new PullState();
    pull.apply([
      report(null, "Pulling from berth-test/layered"),
      report("small", "Pulling fs layer"),
      report("big", "Pulling fs layer"),
      report("small", "Already exists"),
      report("big", "Downloading", 50, 100),
    ]);
    expect(pull.notes).toEqual(["Pulling from berth-test/layered"]);
    expect(pull.layers.map((l) => [l.id, l.status, l.fraction])).toEqual([
      ["small", "Already exists", 1],
      ["big", "Downloading", 0.4],
    ]);
    // The 100-byte layer outweighs the one of unknown size.
    expect(pull.overall()).toBeCloseTo((1 + 100 * 0.4) / 101);

    pull.apply([report("big", "Download complete"), report("big", "Extracting", 50, 100)]);
    expect(pull.layers[1].fraction).toBeCloseTo(0.9);
    pull.apply([report("big", "Pull complete"), report(null, "Status: Downloaded newer image for x")]);
    expect(pull.overall()).toBe(1);
    expect(pull.notes.at(-1)).toContain("Downloaded newer image");
  });

  it("is at zero before any layer is known", () => {
    expect(new PullState().overall()).toBe(0);
  });
});
