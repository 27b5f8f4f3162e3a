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

export class HostsStore {
  hosts = $state<HostView[]>([]);
  #backend: Backend;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** Subscribes first, then loads the state; updates already contained in it are skipped by `seq`. */
  async start(): Promise<() => void> {
    const early: HostUpdate[] = [];
    let ready = false;
    const stop = await this.#backend.onHostUpdated((update) => {
      if (ready) this.apply(update);
      else early.push(update);
    });
    this.load(await this.#backend.hostsState());
    ready = true;
    early.forEach((update) => this.apply(update));
    return stop;
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

  apply(update: HostUpdate) {
    const host = this.host(update.host);
    if (!host || update.seq <= host.seq) return;
    host.seq = update.seq;
    const change = update.change;
    switch (change.kind) {
      case "status":
        host.status = change.status;
        break;
      case "snapshot":
        host.status = change.status;
        host.containers = change.containers;
        this.#found(host, change.discovery);
        break;
      case "containers": {
        const gone = new Set([...change.removed, ...change.upserted.map((c) => c.id)]);
        host.containers = host.containers.filter((c) => !gone.has(c.id)).concat(change.upserted);
        break;
      }
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
