// Test data shared by the UI unit tests.
import type { Container, Settings } from "./bindings";

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

/** Settings as a fresh install has them. */
export const DEFAULT_SETTINGS: Settings = { theme: "system", logTail: 500, terminalFontSize: 13 };
