// Test data and the mocked native side shared by the UI unit tests.
import { mockIPC } from "@tauri-apps/api/mocks";
import { DEFAULT_SETTINGS as DEFAULTS, type Container, type EngineInfo, type HostState, type Settings } from "./bindings";

/** One command the UI sent to the (mocked) native side. */
export type Call = { cmd: string; args: Record<string, unknown> };

/** Commands that answer a list, empty unless `answer` says otherwise. */
const LISTS = new Set(["hosts_import", "startup_notices", "stats_history"]);

/**
 * Mocks the native side watching `state` (one host or several): `answer` gives any other
 * command's answer (a promise to hold it back, a rejected one to fail it). Returns the calls, in order.
 */
export function mockBackend(state: HostState | HostState[], answer: (call: Call) => unknown = () => null): Call[] {
  const calls: Call[] = [];
  mockIPC(
    (cmd, args) => {
      const call = { cmd, args: (args ?? {}) as Record<string, unknown> };
      calls.push(call);
      if (cmd === "hosts_state") return Array.isArray(state) ? state : [state];
      if (cmd === "settings_get") return Promise.resolve(answer(call)).then((given) => given ?? DEFAULT_SETTINGS);
      if (LISTS.has(cmd)) return answer(call) ?? [];
      return answer(call);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

/** A running container named `name`, with `over` applied. */
export function container(name: string, over: Partial<Container> = {}): Container {
  return {
    id: `${name}-0123456789abcdef`,
    name,
    image: "busybox:latest",
    imageId: "sha256:busybox",
    command: "sh",
    state: "running",
    status: "Up 2 minutes",
    health: null,
    created: 1_700_000_000,
    ports: [],
    compose: null,
    labels: {},
    networks: [],
    volumes: [],
    ...over,
  };
}

/** An engine as a Debian host's Docker 20.10 describes itself. */
export const ENGINE: EngineInfo = {
  name: "e", version: "20.10.24", apiVersion: "1.41", os: "Debian", arch: "x86_64",
  kernelVersion: "6", cpus: 2, memoryBytes: 2 ** 31, containers: 3, containersRunning: 2, images: 1,
  storageDriver: "overlay2", loggingDriver: "json-file", cgroupDriver: "systemd", rootDir: "/var/lib/docker",
};

/** The local engine, online, with `over` applied (no containers unless given). */
export function onlineHost(over: Partial<HostState> = {}): HostState {
  return {
    host: "local",
    name: "Local",
    webAddress: "localhost",
    transport: "local",
    origin: "local",
    seq: 1,
    status: { state: "online", engine: ENGINE },
    containers: [],
    events: [],
    discovery: null,
    ...over,
  };
}

/** Settings as a fresh install has them, as the core defines them (a copy tests may change). */
export const DEFAULT_SETTINGS: Settings = JSON.parse(JSON.stringify(DEFAULTS));
