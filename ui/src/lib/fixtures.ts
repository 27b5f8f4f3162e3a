// Test data shared by the UI unit tests.
import type { Container, EngineInfo, Settings } from "./bindings";

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

/** Settings as a fresh install has them. */
export const DEFAULT_SETTINGS: Settings = {
  theme: "system",
  logTail: 500,
  terminalFontSize: 13,
  alerts: {
    doNotDisturb: false, died: true, oomKilled: true, unhealthy: true, restartLoop: true, hostOffline: true, only: [],
  },
};
