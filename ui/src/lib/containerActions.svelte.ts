// Actions on containers from a table: one at a time per container, failures as toasts.
import type { Backend, Container, ContainerAction, HostId, RemoveOptions } from "./backend";
import type { Toasts } from "./toasts.svelte";

export type Busy = ContainerAction | "remove";

export class ContainerActions {
  /** The action in flight, per container id. */
  busy = $state<Record<string, Busy>>({});
  #backend: Backend;
  #toasts: Toasts;

  constructor(backend: Backend, toasts: Toasts) {
    this.#backend = backend;
    this.#toasts = toasts;
  }

  act(host: HostId, container: Container, action: ContainerAction) {
    return this.#run(container, action, () => this.#backend.containerAction(host, container.id, action));
  }

  remove(host: HostId, container: Container, options: RemoveOptions) {
    return this.#run(container, "remove", () => this.#backend.containerRemove(host, container.id, options));
  }

  async #run(container: Container, what: Busy, call: () => Promise<null>) {
    this.busy[container.id] = what;
    try {
      await call();
    } catch (err) {
      this.#toasts.error(`Could not ${what} ${container.name}`, err);
    } finally {
      delete this.busy[container.id];
    }
  }
}
