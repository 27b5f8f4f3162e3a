import { describe, expect, it } from "vitest";
import { offsetsOf, typicalHeight, visibleRange, ESTIMATED_ROW_HEIGHT } from "./virtualRows";

describe("virtual rows", () => {
  const tens = offsetsOf(new Array(100).fill(10), 0); // 100 rows of 10 px: 0, 10, … 1000

  it("places rows by their measured heights, the others by the estimate", () => {
    expect(offsetsOf([20, undefined, 5], 48)).toEqual([0, 20, 68, 73]);
    expect(offsetsOf([], 48)).toEqual([0]);
  });

  it("takes the rows that reach into the visible band and its overscan", () => {
    expect(visibleRange(tens, 0, 50, 0)).toEqual([0, 5]);
    expect(visibleRange(tens, 55, 50, 0)).toEqual([5, 11]); // rows 5 (50–60) to 10 (100–110)
    expect(visibleRange(tens, 100, 50, 20)).toEqual([8, 17]);
  });

  it("stops at both ends", () => {
    expect(visibleRange(tens, 0, 50, 500)).toEqual([0, 55]);
    expect(visibleRange(tens, 960, 50, 20)).toEqual([94, 100]);
    expect(visibleRange(tens, 5000, 50, 20)).toEqual([100, 100]);
    expect(visibleRange([0], 0, 500)).toEqual([0, 0]);
  });

  it("shows the rows of an area not laid out yet as far as the overscan reaches", () => {
    expect(visibleRange(tens, 0, 0, 95)).toEqual([0, 10]);
  });

  it("estimates unmeasured rows as the mean of the measured ones", () => {
    expect(typicalHeight([])).toBe(ESTIMATED_ROW_HEIGHT);
    expect(typicalHeight([40, 60])).toBe(50);
  });
});
