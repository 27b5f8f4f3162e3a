// A pull's progress from the engine's reports: one bar per layer and one for the whole image.
// Pure functions, no Svelte, no IPC.
import type { PullProgress } from "./bindings";

export type Layer = {
  id: string;
  status: string;
  /** 0..1: downloading fills the first 80 %, extracting the rest. */
  fraction: number;
  /** The layer's download size once the engine has said it; weighs the layer in the total. */
  bytes: number | null;
};

const DOWNLOAD_SHARE = 0.8;
const DONE = ["Pull complete", "Already exists"];
const DOWNLOADED = ["Download complete", "Verifying Checksum"];

export class PullState {
  layers: Layer[] = [];
  /** The image-wide lines ("Pulling from …", "Digest: …", "Status: …"), in order. */
  notes: string[] = [];

  apply(reports: PullProgress[]) {
    for (const report of reports) {
      if (report.layer === null) {
        this.notes.push(report.status);
        continue;
      }
      let layer = this.layers.find((l) => l.id === report.layer);
      if (!layer) {
        layer = { id: report.layer, status: report.status, fraction: 0, bytes: null };
        this.layers.push(layer);
      }
      layer.status = report.status;
      const part = report.total ? Math.min(1, (report.current ?? 0) / report.total) : 0;
      if (report.status === "Downloading") {
        layer.fraction = DOWNLOAD_SHARE * part;
        layer.bytes = report.total ?? layer.bytes;
      } else if (DOWNLOADED.includes(report.status)) {
        layer.fraction = DOWNLOAD_SHARE;
      } else if (report.status === "Extracting") {
        layer.fraction = DOWNLOAD_SHARE + (1 - DOWNLOAD_SHARE) * part;
      } else if (DONE.includes(report.status)) {
        layer.fraction = 1;
      }
    }
  }

  /** 0..1 for the whole image: the layers weighted by their size (1 byte while unknown). */
  overall(): number {
    const weight = (l: Layer) => Math.max(1, l.bytes ?? 1);
    const total = this.layers.reduce((sum, l) => sum + weight(l), 0);
    if (total === 0) return 0;
    return this.layers.reduce((sum, l) => sum + weight(l) * l.fraction, 0) / total;
  }
}
