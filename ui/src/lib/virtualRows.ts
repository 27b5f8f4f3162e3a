// Which rows of a long table to put in the page: only those in or near the visible part of its
// scrolling area. Pure arithmetic, no Svelte, no DOM.

/** Row heights not measured yet are taken as this many pixels (a container row, about). */
export const ESTIMATED_ROW_HEIGHT = 48;
/** Rows are drawn this far above and below what is visible (some twenty rows each way), so a
 * quick scroll shows no gap and a short list is drawn whole. */
export const OVERSCAN_PX = 1000;

/** Where each row starts, and past the last where the rows end: `offsets[i]` is row i's top. */
export function offsetsOf(heights: (number | undefined)[], estimate: number): number[] {
  const offsets = new Array<number>(heights.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = offsets[i] + (heights[i] ?? estimate);
  return offsets;
}

/** How many of the (ascending) offsets come before the first one that `past` says is past. */
function countBefore(offsets: number[], past: (offset: number) => boolean): number {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (past(offsets[mid])) high = mid;
    else low = mid + 1;
  }
  return low;
}

/**
 * The rows `[start, end)` that reach into the band from `top - overscan` to
 * `top + height + overscan` (pixels from the first row's top).
 */
export function visibleRange(offsets: number[], top: number, height: number, overscan: number = OVERSCAN_PX): [number, number] {
  const count = offsets.length - 1;
  const from = top - overscan;
  const to = top + height + overscan;
  // Row i spans offsets[i] to offsets[i + 1]: it is in the band when it ends below the band's
  // top and starts above its bottom.
  const start = Math.min(count, Math.max(0, countBefore(offsets, (o) => o > from) - 1));
  const end = Math.max(start, Math.min(count, countBefore(offsets, (o) => o >= to)));
  return [start, end];
}

/** The mean of the heights measured so far, or the estimate while there are none. */
export function typicalHeight(measured: Iterable<number>): number {
  let sum = 0;
  let n = 0;
  for (const h of measured) {
    sum += h;
    n++;
  }
  return n === 0 ? ESTIMATED_ROW_HEIGHT : sum / n;
}
