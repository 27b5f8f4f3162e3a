// The hosts and their containers, kept live from the core's updates.
import {
  RECENT_EVENTS,
  type Backend,
  type Container,
  type EngineEvent,
  type HostId,
  type HostState,
  type HostStatus,
  type HostUpdate,
  type LocalDiscovery,
  type Transport,
  type HostOrigin,
} from "./backend";

export type HostView = {
  host: HostId;
  name: string;
  /** Where the host's published ports are reached from here. */
  webAddress: string;
  /** How its engine's traffic travels: plain TCP is marked unencrypted. */
  transport: Transport;
  origin: HostOrigin;
  seq: number;
  status: HostStatus;
  containers: Container[];
  /** Oldest first. */
  events: EngineEvent[];
  /** For the local engine: which address was chosen, why, and where else Berth looked. */
  discovery: LocalDiscovery | null;
};

/**
 * How long updates wait to be applied together: about a frame. The core sends each change as
 * its own event; when 100 containers start at once, applying each as it came would filter,
 * sort and draw every list a hundred times over, and the window would stall.
 */
export const BATCH_MS = 16;

export class HostsStore {
  hosts = $state<HostView[]>([]);
  #backend: Backend;
  #waiting: HostUpdate[] = [];
  #batch: ReturnType<typeof setTimeout> | undefined;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** Subscribes first, then loads the state; updates already contained in it are skipped by `seq`. */
  async start(): Promise<() => void> {
    const early: HostUpdate[] = [];
    let ready = false;
    const stop = await this.#backend.onHostUpdated((update) => {
      if (ready) this.#receive(update);
      else early.push(update);
    });
    // Marks for the benchmark's breakdown of the start: subscribed, then the state loaded.
    performance.mark("berth:hosts-subscribed");
    this.load(await this.#backend.hostsState());
    performance.mark("berth:hosts-loaded");
    ready = true;
    this.applyAll(early);
    return () => {
      stop();
      clearTimeout(this.#batch);
    };
  }

  #receive(update: HostUpdate) {
    this.#waiting.push(update);
    this.#batch ??= setTimeout(() => {
      this.#batch = undefined;
      const updates = this.#waiting;
      this.#waiting = [];
      this.applyAll(updates);
    }, BATCH_MS);
  }

  /** Loads every host again, after one was added or removed. */
  async reload() {
    this.load(await this.#backend.hostsState());
  }

  load(states: HostState[]) {
    this.hosts = states.map((s) => ({ ...s }));
  }

  host(id: HostId): HostView | undefined {
    return this.hosts.find((h) => h.host === id);
  }

  /**
   * Applies updates in order. A host's container changes in a row are merged into its table
   * once, rather than each copying the whole table.
   */
  applyAll(updates: HostUpdate[]) {
    const tables = new Map<HostView, Map<string, Container>>();
    const settle = (host: HostView) => {
      const table = tables.get(host);
      if (!table) return;
      host.containers = [...table.values()];
      tables.delete(host);
    };
    for (const update of updates) {
      const host = this.host(update.host);
      if (!host || update.seq <= host.seq) continue;
      host.seq = update.seq;
      const change = update.change;
      if (change.kind !== "containers") {
        settle(host);
        this.#applyOther(host, change);
        continue;
      }
      let table = tables.get(host);
      if (!table) {
        table = new Map(host.containers.map((c) => [c.id, c]));
        tables.set(host, table);
      }
      // An upserted container goes to the end, as it did when it was new or changed.
      for (const id of change.removed) table.delete(id);
      for (const c of change.upserted) {
        table.delete(c.id);
        table.set(c.id, c);
      }
    }
    tables.forEach((_, host) => settle(host));
  }

  #applyOther(host: HostView, change: Exclude<HostUpdate["change"], { kind: "containers" }>) {
    switch (change.kind) {
      case "status":
        host.status = change.status;
        break;
      case "snapshot":
        host.status = change.status;
        host.containers = change.containers;
        this.#found(host, change.discovery);
        break;
      case "events":
        host.events = host.events.concat(change.events).slice(-RECENT_EVENTS);
        break;
      case "discovery":
        this.#found(host, change.discovery);
        break;
    }
  }

  /** Where the engine was found: its transport follows the address. */
  #found(host: HostView, discovery: LocalDiscovery | null) {
    host.discovery = discovery;
    if (discovery) host.transport = discovery.transport;
  }
}
