// Toasts: errors show what their code means, then the engine's own message.
import { BackendError } from "./backend";
import { errorMeaning } from "./errors";

export type Toast = { id: number; kind: "error" | "info"; title: string; detail: string };

const DISMISS_AFTER_MS = 8000;

export class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  /** `err` may be anything thrown, or the `error` of a stream's `failed` message. */
  error(context: string, err: unknown) {
    const failure = BackendError.from(err);
    this.#push({ kind: "error", title: errorMeaning[failure.code], detail: `${context}: ${failure.message}` });
  }

  info(title: string, detail = "") {
    this.#push({ kind: "info", title, detail });
  }

  /** What the user must not miss (a file of theirs kept aside at start): it stays until dismissed. */
  lasting(title: string, detail: string) {
    this.#push({ kind: "error", title, detail }, false);
  }

  #push(toast: Omit<Toast, "id">, expires = true) {
    const id = this.#next++;
    this.items.push({ id, ...toast });
    if (expires) setTimeout(() => this.dismiss(id), DISMISS_AFTER_MS);
  }

  dismiss(id: number) {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
