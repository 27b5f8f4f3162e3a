// The UI's one seam to the native side. Components never call `invoke` or listen to Tauri
// events themselves, so they can be tested with `mockIPC`.
import { Channel } from "@tauri-apps/api/core";
import {
  commands,
  events,
  type ContainerAction,
  type ContainerRequest,
  type ExecRequest,
  type LogMessage,
  type LogOptions,
  type NetworkRequest,
  type VolumeRequest,
  type PullMessage,
  type StatsMessage,
  type TerminalMessage,
  type ErrorCode,
  type HostCandidate,
  type HostId,
  type HostState,
  type HostUpdate,
  type Reveal,
  type ActivityQuery,
  type IpcError,
  type RemoveOptions,
  type SavedHost,
  type Settings,
  type SetAside,
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
  hostsSaved: () => unwrap(commands.hostsSaved()),
  /** Hosts from ~/.ssh/config, Docker contexts and DOCKER_HOST, to pre-fill the add-host form. */
  hostsImport: (): Promise<HostCandidate[]> => commands.hostsImport(),
  /** Logs in and asks the engine; `accept` is a host key fingerprint the user has accepted. */
  hostsTest: (host: SavedHost, passphrase: string | null, accept: string | null) =>
    unwrap(commands.hostsTest(host, passphrase, accept)),
  /** Keeps a host and watches it from now on; the passphrase goes to the keyring only if `remember`. */
  hostsSave: (host: SavedHost, passphrase: string | null, remember: boolean) =>
    unwrap(commands.hostsSave(host, passphrase, remember)),
  /** Tries the passphrase of a saved host's key, then reconnects the host with it. */
  hostsUnlock: (host: HostId, passphrase: string, remember: boolean) =>
    unwrap(commands.hostsUnlock(host, passphrase, remember)),
  hostsRemove: (host: HostId) => unwrap(commands.hostsRemove(host)),
  /** Makes an ed25519 key pair (at `path`, or a free name in ~/.ssh) and gives its public key. */
  keysGenerate: (hostName: string, path: string | null, passphrase: string | null) =>
    unwrap(commands.keysGenerate(hostName, path, passphrase)),
  settingsGet: (): Promise<Settings> => commands.settingsGet(),
  /** The activity log, newest first, filtered in the core. */
  activityList: (query: ActivityQuery) => unwrap(commands.activityList(query)),
  /** Writes the entries `query` picks as CSV to the Downloads folder; resolves to the file's path. */
  activityExport: (query: ActivityQuery) => unwrap(commands.activityExport(query)),
  /** Keeps `settings`; refused (as `invalid_input`, naming the setting) when a value is out of range. */
  settingsUpdate: (settings: Settings) => unwrap(commands.settingsUpdate(settings)),
  /** Saved files found unusable at start and kept aside under another name; each is answered once. */
  startupNotices: (): Promise<SetAside[]> => commands.startupNotices(),
  hostsReconnect: (host: HostId) => unwrap(commands.hostsReconnect(host)),
  containerAction: (host: HostId, id: string, action: ContainerAction) =>
    unwrap(commands.containerAction(host, id, action)),
  containerRemove: (host: HostId, id: string, options: RemoveOptions) =>
    unwrap(commands.containerRemove(host, id, options)),
  /** Creates a container (a refused field is named in the error) and starts it when `start`; resolves to its id. */
  containerCreate: (host: HostId, request: ContainerRequest, start: boolean) =>
    unwrap(commands.containerCreate(host, request, start)),
  containerInspect: (host: HostId, id: string) => unwrap(commands.containerInspect(host, id)),
  /** The create form filled in from container `id`, for a duplicate. */
  containerRequest: (host: HostId, id: string) => unwrap(commands.containerRequest(host, id)),
  containerRename: (host: HostId, id: string, name: string) => unwrap(commands.containerRename(host, id, name)),
  /** Makes the container again with its settings, on the newest image when `pull`; resolves to the new id. */
  containerRecreate: (host: HostId, id: string, pull: boolean) => unwrap(commands.containerRecreate(host, id, pull)),
  projectAction: (host: HostId, project: string, action: ContainerAction) =>
    unwrap(commands.projectAction(host, project, action)),
  projectRemove: (host: HostId, project: string, volumes: boolean) =>
    unwrap(commands.projectRemove(host, project, volumes)),
  /** Opens `url` (a published port) in the default browser. */
  portOpen: (url: string) => unwrap(commands.portOpen(url)),
  systemInfo: (host: HostId) => unwrap(commands.systemInfo(host)),
  /** What images, containers and volumes take on disk, and what a prune would free. */
  systemDiskUsage: (host: HostId) => unwrap(commands.systemDiskUsage(host)),
  /** Removes stopped containers, unused networks, dangling images, and with `volumes` unused volumes. */
  systemPrune: (host: HostId, volumes: boolean) => unwrap(commands.systemPrune(host, volumes)),
  containersPrune: (host: HostId) => unwrap(commands.containersPrune(host)),
  imagesList: (host: HostId) => unwrap(commands.imagesList(host)),
  /** Pulls `reference`; progress reaches `onMessage`. Closing the returned stream cancels the pull. */
  imagePull: async (host: HostId, reference: string, onMessage: (m: PullMessage) => void) => {
    const channel = new Channel<PullMessage>();
    channel.onmessage = onMessage;
    const stream = await unwrap(commands.imagePull(host, reference, channel));
    return { close: () => commands.streamClose(stream) };
  },
  imageRemove: (host: HostId, image: string, force: boolean) => unwrap(commands.imageRemove(host, image, force)),
  /** Gives `image` one more name, `reference` (repository[:tag]). */
  imageTag: (host: HostId, image: string, reference: string) => unwrap(commands.imageTag(host, image, reference)),
  imageInspect: (host: HostId, image: string) => unwrap(commands.imageInspect(host, image)),
  imageHistory: (host: HostId, image: string) => unwrap(commands.imageHistory(host, image)),
  /** Removes dangling images, or with `unused` every image no container uses. */
  imagesPrune: (host: HostId, unused: boolean) => unwrap(commands.imagesPrune(host, unused)),
  volumesList: (host: HostId) => unwrap(commands.volumesList(host)),
  /** Creates a volume; a refused field is named in the error's message. */
  volumeCreate: (host: HostId, request: VolumeRequest) => unwrap(commands.volumeCreate(host, request)),
  volumeRemove: (host: HostId, name: string, force: boolean) => unwrap(commands.volumeRemove(host, name, force)),
  volumesPrune: (host: HostId) => unwrap(commands.volumesPrune(host)),
  /** Each measurable volume's size in bytes, by name (the engine walks their files). */
  volumesSizes: (host: HostId) => unwrap(commands.volumesSizes(host)),
  networksList: (host: HostId) => unwrap(commands.networksList(host)),
  /** Creates a network; a refused field is named in the error's message. Resolves to its id. */
  networkCreate: (host: HostId, request: NetworkRequest) => unwrap(commands.networkCreate(host, request)),
  networkRemove: (host: HostId, network: string) => unwrap(commands.networkRemove(host, network)),
  networkConnect: (host: HostId, network: string, container: string) =>
    unwrap(commands.networkConnect(host, network, container)),
  networkDisconnect: (host: HostId, network: string, container: string) =>
    unwrap(commands.networkDisconnect(host, network, container)),
  networksPrune: (host: HostId) => unwrap(commands.networksPrune(host)),
  /** Opens the (merged) logs of `ids`; `onMessage` gets each batch. Close it when the view goes. */
  openLogs: async (host: HostId, ids: string[], options: LogOptions, onMessage: (m: LogMessage) => void) => {
    const channel = new Channel<LogMessage>();
    channel.onmessage = onMessage;
    const stream = await unwrap(commands.logsOpen(host, ids, options, channel));
    return { close: () => commands.streamClose(stream) };
  },
  /** Saves the (filtered) log of `ids` to the Downloads folder; resolves to the file's path. */
  saveLogs: (host: HostId, ids: string[], options: LogOptions) => unwrap(commands.logsSave(host, ids, options)),
  /** Streams the usage of the running containers `ids`; every sample is also kept in the history. */
  openStats: async (host: HostId, ids: string[], onMessage: (m: StatsMessage) => void) => {
    const channel = new Channel<StatsMessage>();
    channel.onmessage = onMessage;
    const stream = await unwrap(commands.statsOpen(host, ids, channel));
    return { close: () => commands.streamClose(stream) };
  },
  /** A container's kept stats from `sinceMs` on, oldest first. */
  statsHistory: (host: HostId, container: string, sinceMs: number) =>
    unwrap(commands.statsHistory(host, container, sinceMs)),
  /** Opens a terminal into container `id`. */
  openTerminal: async (host: HostId, id: string, request: ExecRequest, onMessage: (m: TerminalMessage) => void) => {
    const channel = new Channel<TerminalMessage>();
    channel.onmessage = onMessage;
    const opened = await unwrap(commands.execOpen(host, id, request, channel));
    return {
      command: opened.command,
      write: (data: string) => unwrap(commands.execInput(opened.stream, data)),
      resize: (cols: number, rows: number) => unwrap(commands.execResize(opened.stream, cols, rows)),
      close: () => commands.streamClose(opened.stream),
    };
  },
  /** Calls `handler` for every host update; resolves to a function that stops listening. */
  onHostUpdated: (handler: (update: HostUpdate) => void): Promise<() => void> =>
    events.hostUpdated.listen((event) => handler(event.payload)),
  /** Something to show, from a clicked notification or tray item; resolves to a function that stops listening. */
  onReveal: (handler: (reveal: Reveal) => void): Promise<() => void> =>
    events.reveal.listen((event) => handler(event.payload)),
};

export type Backend = typeof backend;
