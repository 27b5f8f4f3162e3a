// Columnar series for the stats charts, fed from history and then live samples.
import type { StatsSample } from "./bindings";

export type Series = {
  /** Unix seconds, as uPlot wants them. */
  time: number[];
  cpu: number[];
  memory: number[];
  rx: number[];
  tx: number[];
  read: number[];
  write: number[];
  /** The latest sample, for the figures above the charts. */
  last: StatsSample | null;
};

export function emptySeries(): Series {
  return { time: [], cpu: [], memory: [], rx: [], tx: [], read: [], write: [], last: null };
}

/** Appends samples newer than what the series holds, then drops points older than `sinceMs`. */
export function append(series: Series, samples: StatsSample[], sinceMs: number): Series {
  const newest = series.time.at(-1) ?? -Infinity;
  for (const s of samples) {
    const t = s.timeMs / 1000;
    if (t <= newest) continue;
    series.time.push(t);
    // Rates are null only when the engine's counters were not numbers (serde writes NaN so).
    series.cpu.push(s.cpuPercent ?? 0);
    series.memory.push(s.memoryBytes);
    series.rx.push(s.netRxPerSec ?? 0);
    series.tx.push(s.netTxPerSec ?? 0);
    series.read.push(s.blockReadPerSec ?? 0);
    series.write.push(s.blockWritePerSec ?? 0);
    series.last = s;
  }
  const keepFrom = series.time.findIndex((t) => t >= sinceMs / 1000);
  const drop = keepFrom === -1 ? series.time.length : keepFrom;
  if (drop > 0) {
    for (const column of [series.time, series.cpu, series.memory, series.rx, series.tx, series.read, series.write]) {
      column.splice(0, drop);
    }
  }
  return series;
}
