// The UI's one seam to the native side. Components never call `invoke` or listen to Tauri
// events themselves, so they can be tested with `mockIPC`.
import {
  commands,
  events,
  type ContainerAction,
  type ErrorCode,
  type HostId,
  type HostState,
  type HostUpdate,
  type IpcError,
  type RemoveOptions,
} from "./bindings";

export type * from "./bindings";

/** A failed command: `code` is stable and safe to switch on; `message` is for people. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

type Typed<T> = Promise<{ status: "ok"; data: T } | { status: "error"; error: IpcError }>;

async function unwrap<T>(call: Typed<T>): Promise<T> {
  const result = await call;
  if (result.status === "ok") return result.data;
  const error: unknown = result.error;
  // Tauri's own failures (unknown command, bad arguments) arrive as plain strings.
  if (typeof error === "string") throw new BackendError("internal", error);
  const { code, message } = error as IpcError;
  throw new BackendError(code, message);
}

export const backend = {
  hostsState: (): Promise<HostState[]> => commands.hostsState(),
  hostsReconnect: (host: HostId) => unwrap(commands.hostsReconnect(host)),
  containerAction: (host: HostId, id: string, action: ContainerAction) =>
    unwrap(commands.containerAction(host, id, action)),
  containerRemove: (host: HostId, id: string, options: RemoveOptions) =>
    unwrap(commands.containerRemove(host, id, options)),
  imagesList: (host: HostId) => unwrap(commands.imagesList(host)),
  volumesList: (host: HostId) => unwrap(commands.volumesList(host)),
  networksList: (host: HostId) => unwrap(commands.networksList(host)),
  /** Calls `handler` for every host update; resolves to a function that stops listening. */
  onHostUpdated: (handler: (update: HostUpdate) => void): Promise<() => void> =>
    events.hostUpdated.listen((event) => handler(event.payload)),
};

export type Backend = typeof backend;
