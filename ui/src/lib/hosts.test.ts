import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Backend, HostState, HostUpdate } from "./backend";
import { container, ENGINE } from "./fixtures";
import { BATCH_MS, HostsStore } from "./hosts.svelte";

const online: HostState["status"] = { state: "online", engine: ENGINE };

function state(seq: number): HostState {
  return { host: "local", name: "Local", webAddress: "localhost", transport: "local", origin: "local", seq, status: online, containers: [container("a")], events: [], discovery: null };
}

/** A backend whose update handler the test drives; hostsState answers with `initial`. */
function fakeBackend(initial: HostState[], during?: (emit: (u: HostUpdate) => void) => void) {
  let handler: (u: HostUpdate) => void = () => {};
  const backend = {
    onHostUpdated: async (h: (u: HostUpdate) => void) => {
      handler = h;
      return () => {};
    },
    hostsState: async () => {
      during?.((u) => handler(u));
      return initial;
    },
  } as unknown as Backend;
  return {
    backend,
    /** Sends one update and lets its batch be applied. */
    emit: (u: HostUpdate) => {
      handler(u);
      vi.advanceTimersByTime(BATCH_MS);
    },
    /** Sends updates as one burst, within one batch's time. */
    burst: (updates: HostUpdate[]) => updates.forEach((u) => handler(u)),
  };
}

describe("HostsStore", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("applies a burst of updates together after a frame's time, as if one by one", async () => {
    const { backend, burst } = fakeBackend([state(1)]);
    const store = new HostsStore(backend);
    await store.start();
    const started = (n: number, seq: number): HostUpdate => ({
      host: "local",
      seq,
      change: { kind: "containers", upserted: [container(`c${n}`, { state: "running" })], removed: [] },
    });
    burst([
      ...Array.from({ length: 100 }, (_, n) => started(n, n + 2)),
      { host: "local", seq: 102, change: { kind: "containers", upserted: [container("c5", { state: "exited" })], removed: [container("a").id] } },
      { host: "local", seq: 103, change: { kind: "status", status: { state: "connecting" } } },
      { host: "local", seq: 104, change: { kind: "containers", upserted: [], removed: [container("c0").id] } },
    ]);
    // Nothing is drawn from a burst until it has come in.
    expect(store.host("local")!.containers.map((c) => c.name)).toEqual(["a"]);
    vi.advanceTimersByTime(BATCH_MS);
    const host = store.host("local")!;
    expect(host.seq).toBe(104);
    expect(host.status).toEqual({ state: "connecting" });
    const names = host.containers.map((c) => `${c.name}:${c.state}`);
    expect(names).toHaveLength(99);
    expect(names[0]).toBe("c1:running");
    // Changed again: it moved to the end, as a change does.
    expect(names.at(-1)).toBe("c5:exited");
  });

  it("follows the local engine found elsewhere, or not at all", async () => {
    const { backend, emit } = fakeBackend([state(1)]);
    const store = new HostsStore(backend);
    await store.start();
    // Found elsewhere, and (as a DOCKER_HOST with TLS would be) travelling otherwise.
    const discovery = {
      address: "unix:///home/me/.colima/default/docker.sock",
      transport: "tls" as const,
      source: { kind: "wellKnown" as const, runtime: "colima" as const, path: "~/.colima/default/docker.sock" },
      because: "Colima's socket ~/.colima/default/docker.sock",
      tried: [],
      warnings: [],
    };
    emit({ host: "local", seq: 2, change: { kind: "discovery", discovery } });
    expect(store.host("local")!.discovery).toEqual(discovery);
    expect(store.host("local")!.transport).toBe(discovery.transport);
    emit({ host: "local", seq: 3, change: { kind: "discovery", discovery: null } });
    expect(store.host("local")!.discovery).toBeNull();
  });

  it("applies upserts and removals, and skips updates the loaded state already holds", async () => {
    const { backend, emit } = fakeBackend([state(5)]);
    const store = new HostsStore(backend);
    await store.start();
    emit({ host: "local", seq: 5, change: { kind: "containers", upserted: [container("stale")], removed: [] } });
    expect(store.host("local")!.containers.map((c) => c.name)).toEqual(["a"]);

    emit({ host: "local", seq: 6, change: { kind: "containers", upserted: [container("b")], removed: [] } });
    emit({
      host: "local",
      seq: 7,
      change: { kind: "containers", upserted: [container("b", { state: "exited" })], removed: [container("a").id] },
    });
    const host = store.host("local")!;
    expect(host.containers.map((c) => `${c.name}:${c.state}`)).toEqual(["b:exited"]);
    expect(host.seq).toBe(7);
  });

  it("keeps updates that arrive while the state loads and applies the newer ones after", async () => {
    const { backend } = fakeBackend([state(1)], (emit) => {
      emit({ host: "local", seq: 1, change: { kind: "status", status: { state: "connecting" } } });
      emit({
        host: "local",
        seq: 2,
        change: { kind: "status", status: { state: "offline", code: "engine_unreachable", reason: "gone", details: null, retryInMs: 250 } },
      });
    });
    const store = new HostsStore(backend);
    await store.start();
    expect(store.host("local")!.status).toEqual({ state: "offline", code: "engine_unreachable", reason: "gone", details: null, retryInMs: 250 });
  });

  it("keeps a bounded timeline of events", async () => {
    const { backend, emit } = fakeBackend([state(1)]);
    const store = new HostsStore(backend);
    await store.start();
    const event = (n: number) => ({ timeMs: n, kind: "container" as const, action: "start", id: `c${n}`, name: `c${n}`, exitCode: null, newState: null });
    emit({ host: "local", seq: 2, change: { kind: "events", events: Array.from({ length: 400 }, (_, n) => event(n)) } });
    emit({ host: "local", seq: 3, change: { kind: "events", events: Array.from({ length: 200 }, (_, n) => event(400 + n)) } });
    const events = store.host("local")!.events;
    expect(events).toHaveLength(500);
    expect(events[0].timeMs).toBe(100);
    expect(events[499].timeMs).toBe(599);
  });

  it("replaces the whole table on a snapshot", async () => {
    const { backend, emit } = fakeBackend([state(1)]);
    const store = new HostsStore(backend);
    await store.start();
    emit({ host: "local", seq: 2, change: { kind: "snapshot", status: online, containers: [container("x"), container("y")], discovery: null } });
    expect(store.host("local")!.containers.map((c) => c.name)).toEqual(["x", "y"]);
  });
});
