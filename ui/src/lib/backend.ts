// The UI's one seam to the native side. Components never call `invoke` or listen to Tauri
// events themselves, so they can be tested with `mockIPC`.
import { Channel } from "@tauri-apps/api/core";
import {
  commands,
  events,
  STREAM_WINDOW,
  BUILT_IN_NETWORKS as BUILT_IN,
  type AcceptedHostKey,
  type ErrorDetails,
  type StreamFrame,
  type ContainerAction,
  type ContainerRequest,
  type ExecRequest,
  type LogMessage,
  type LogOptions,
  type NetworkRequest,
  type VolumeRequest,
  type NodeAt,
  type NodeChange,
  type NodeRole,
  type ServiceAt,
  type ServiceRequest,
  type SwarmValueKind,
  type PullMessage,
  type StatsMessage,
  type TerminalMessage,
  type ErrorCode,
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
  type StartState,
} from "./bindings";

export type * from "./bindings";
// Limits and defaults the core holds too, written once in Rust (src-tauri/lib.rs).
export {
  DEFAULT_SOCKET,
  MAX_LOG_TAIL,
  MAX_STATS_RETENTION_HOURS,
  MAX_TERMINAL_FONT_SIZE,
  MIN_STATS_RETENTION_HOURS,
  MIN_TERMINAL_FONT_SIZE,
  RECENT_EVENTS,
  SSH_PORT,
} from "./bindings";
/** The networks every engine makes for itself: never removed nor pruned. */
export const BUILT_IN_NETWORKS: readonly string[] = BUILT_IN;

/** A failed command: `code` is stable and safe to switch on; `message` is for people; `field`
 * names the form field a refused value belongs to; `details` carries typed facts (a host key). */
export class BackendError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;
  readonly details: ErrorDetails | null;
  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
    this.field = error.field ?? null;
    this.details = error.details ?? null;
  }

  /** Any failure as a BackendError: the native side's `{ code, message, … }` (from a command
   * or a stream's `failed` message) keeps its facts; anything else is an internal error. */
  static from(err: unknown): BackendError {
    if (err instanceof BackendError) return err;
    if (isIpcError(err)) return new BackendError(err);
    return new BackendError({ code: "internal", message: err instanceof Error ? err.message : String(err) });
  }
}

function isIpcError(err: unknown): err is IpcError {
  return typeof err === "object" && err !== null && typeof (err as IpcError).code === "string" && typeof (err as IpcError).message === "string";
}

type Typed<T> = Promise<{ status: "ok"; data: T } | { status: "error"; error: IpcError }>;

async function unwrap<T>(call: Typed<T>): Promise<T> {
  const result = await call;
  if (result.status === "ok") return result.data;
  // Tauri's own failures (unknown command, bad arguments) arrive as plain strings.
  throw BackendError.from(result.error);
}

/** Called with each message of a stream, and `drawn` to call once it is on screen (or
 * dropped): the native side sends at most STREAM_WINDOW bytes the page has not drawn. */
export type OnMessage<M> = (message: M, drawn: () => void) => void;

/** A stream the page opened: a log, stats, a terminal, a pull. */
export type Stream<O> = {
  /** Resolves to what opening answered, or rejects with a BackendError; never settles once
   * the stream was closed, so a view that went meanwhile is not called back. */
  opened: Promise<O>;
  /** Ends the stream: messages stop now, and the native side closes it (at once, or as soon
   * as its opening answers, so a view closed while opening leaves nothing open behind). */
  close(): void;
};

/** Acknowledgements are gathered: one call per quarter window, or per short pause. */
const ACK_EVERY = STREAM_WINDOW / 4;
const ACK_AFTER_MS = 20;

/** Puts a message's bulk text (sent as raw bytes after its frame) back in its field. */
type RestoreBulk<M> = (message: M, bulk: string) => void;

const utf8 = new TextDecoder();

/** The bytes of a raw frame, however the webview hands them over: an ArrayBuffer (which may
 * come from another realm than this page's, where `instanceof` fails), a byte view, or the
 * numbers of its bytes. `null` for a JSON frame. */
function rawBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (Object.prototype.toString.call(data) === "[object ArrayBuffer]") return new Uint8Array(data as ArrayBuffer);
  if (Array.isArray(data)) return Uint8Array.from(data as number[]);
  return null;
}

/** A frame as the native side sends it: JSON, or for a message with bulk text, raw bytes: the
 * frame's JSON length (u32, little-endian), the frame's JSON, then the bulk text
 * (src-tauri/streams.rs). */
export function readFrame<M>(data: unknown, restore: RestoreBulk<M> | null): StreamFrame<M> {
  const bytes = rawBytes(data);
  if (!bytes) return data as StreamFrame<M>;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const frame: StreamFrame<M> = JSON.parse(utf8.decode(bytes.subarray(4, 4 + length)));
  restore?.(frame.message, utf8.decode(bytes.subarray(4 + length)));
  return frame;
}

const logBulk: RestoreBulk<LogMessage> = (message, text) => {
  if (message.kind === "lines") message.batch.text = text;
};
const terminalBulk: RestoreBulk<TerminalMessage> = (message, data) => {
  if (message.kind === "output") message.data = data;
};

/** The one way the page opens a stream: `open` asks the native side with a channel and
 * answers with something that names the stream (`idOf`). */
function openStream<M, O>(
  open: (channel: Channel<StreamFrame<M>>) => Typed<O>,
  idOf: (opened: O) => number,
  onMessage: OnMessage<M>,
  restoreBulk: RestoreBulk<M> | null = null,
): Stream<O> {
  let id: number | null = null;
  let closed = false;
  let drawnBytes = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const acknowledge = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    // Messages can arrive before the id does: what they free is sent once it is known.
    if (id === null || closed || drawnBytes === 0) return;
    const bytes = drawnBytes;
    drawnBytes = 0;
    void commands.streamAck(id, bytes);
  };

  const channel = new Channel<StreamFrame<M>>((data) => {
    if (closed) return;
    const frame = readFrame(data, restoreBulk);
    let done = false;
    onMessage(frame.message, () => {
      if (done || closed) return;
      done = true;
      drawnBytes += frame.bytes;
      if (drawnBytes >= ACK_EVERY) acknowledge();
      else timer ??= setTimeout(acknowledge, ACK_AFTER_MS);
    });
  });

  const answered = unwrap(open(channel)).then((answer) => {
    id = idOf(answer);
    if (closed) void commands.streamClose(id);
    else acknowledge();
    return answer;
  });
  const opened = new Promise<O>((resolve, reject) => {
    answered.then(
      (answer) => {
        if (!closed) resolve(answer);
      },
      (err) => {
        if (!closed) reject(err);
      },
    );
  });

  return {
    opened,
    close() {
      if (closed) return;
      closed = true;
      if (timer !== null) clearTimeout(timer);
      if (id !== null) void commands.streamClose(id);
    },
  };
}

/** Where the native side leaves the start state (src-tauri/start_state.rs). */
declare global {
  interface Window {
    __BERTH_START__?: StartState;
  }
}
/** Set once the page has used the start state: a reloaded page asks afresh. */
const START_STATE_USED = "berth:start-state-used";

/**
 * What the page shows in its first frame: the hosts (last-known lists, refreshing) and the
 * settings as they stood when the window was made, before any call has come back. Once per
 * window: the state is the window's first, and a reloaded page would show it out of date.
 */
function takeStartState(): StartState | null {
  const start = window.__BERTH_START__;
  delete window.__BERTH_START__;
  if (!start || sessionStorage.getItem(START_STATE_USED)) return null;
  sessionStorage.setItem(START_STATE_USED, "1");
  return start;
}

export const backend = {
  startState: takeStartState,
  hostsState: (): Promise<HostState[]> => commands.hostsState(),
  hostsSaved: () => unwrap(commands.hostsSaved()),
  /** Watches what berthctl saved, edited or removed meanwhile; resolves to whether anything changed. */
  hostsFollowSaved: () => unwrap(commands.hostsFollowSaved()),
  /** Hosts from ~/.ssh/config, Docker contexts and DOCKER_HOST, to pre-fill the add-host form. */
  hostsImport: () => unwrap(commands.hostsImport()),
  /** Logs in and asks the engine; `accept` is the host key the user has accepted, as the refusal named it. */
  hostsTest: (host: SavedHost, passphrase: string | null, accept: AcceptedHostKey | null) =>
    unwrap(commands.hostsTest(host, passphrase, accept)),
  /** Forgets the keys Berth's own known_hosts has for `host:port`; resolves to how many went. */
  hostsForgetKey: (host: string, port: number) => unwrap(commands.hostsForgetKey(host, port)),
  /** Connects watched host `host` now, trusting exactly the key the user accepted. */
  hostsTrustKey: (host: HostId, accepted: AcceptedHostKey) => unwrap(commands.hostsTrustKey(host, accepted)),
  /** Keeps a host (a new one has an empty id) and watches it from now on; resolves to it as saved, with
   *  its id. The passphrase goes to the keyring only if `remember`. */
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
  /** Opens container `id`'s published TCP port `containerPort` in the default browser, at the address the core builds. */
  portOpen: (host: HostId, id: string, containerPort: number) => unwrap(commands.portOpen(host, id, containerPort)),
  systemInfo: (host: HostId) => unwrap(commands.systemInfo(host)),
  /** What images, containers and volumes take on disk, and what a prune would free. */
  systemDiskUsage: (host: HostId) => unwrap(commands.systemDiskUsage(host)),
  /** Removes stopped containers, unused networks, dangling images, and with `volumes` unused volumes. */
  systemPrune: (host: HostId, volumes: boolean) => unwrap(commands.systemPrune(host, volumes)),
  containersPrune: (host: HostId) => unwrap(commands.containersPrune(host)),
  imagesList: (host: HostId) => unwrap(commands.imagesList(host)),
  /** Pulls `reference`; progress reaches `onMessage`. Closing the stream cancels the pull. */
  imagePull: (host: HostId, reference: string, onMessage: OnMessage<PullMessage>) =>
    openStream((channel) => commands.imagePull(host, reference, channel), (id) => id, onMessage),
  imageRemove: (host: HostId, image: string, force: boolean) => unwrap(commands.imageRemove(host, image, force)),
  /** Gives `image` one more name, `reference` (repository[:tag]). */
  imageTag: (host: HostId, image: string, reference: string) => unwrap(commands.imageTag(host, image, reference)),
  imageInspect: (host: HostId, image: string) => unwrap(commands.imageInspect(host, image)),
  imageHistory: (host: HostId, image: string) => unwrap(commands.imageHistory(host, image)),
  /** Removes dangling images, or with `unused` every image no container uses. */
  /** Removes dangling images, or with `unused` every unused one; with `label` (key or key=value) only those carrying it. */
  imagesPrune: (host: HostId, unused: boolean, label: string | null) => unwrap(commands.imagesPrune(host, unused, label)),
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
  openLogs: (host: HostId, ids: string[], options: LogOptions, onMessage: OnMessage<LogMessage>) =>
    openStream((channel) => commands.logsOpen(host, ids, options, channel), (id) => id, onMessage, logBulk),
  /** Saves the (filtered) log of `ids` to the Downloads folder; resolves to the file's path. */
  saveLogs: (host: HostId, ids: string[], options: LogOptions) => unwrap(commands.logsSave(host, ids, options)),
  /** Streams the usage of the running containers `ids`; every sample is also kept in the history. */
  openStats: (host: HostId, ids: string[], onMessage: OnMessage<StatsMessage>) =>
    openStream((channel) => commands.statsOpen(host, ids, channel), (id) => id, onMessage),
  /** A container's kept stats from `sinceMs` on, oldest first. */
  statsHistory: (host: HostId, container: string, sinceMs: number) =>
    unwrap(commands.statsHistory(host, container, sinceMs)),
  /** Opens a terminal into container `id`; what it runs is in `opened`. */
  openTerminal: (host: HostId, id: string, request: ExecRequest, onMessage: OnMessage<TerminalMessage>) => {
    const stream = openStream((channel) => commands.execOpen(host, id, request, channel), (o) => o.stream, onMessage, terminalBulk);
    return {
      ...stream,
      write: async (data: string) => unwrap(commands.execInput((await stream.opened).stream, data)),
      resize: async (cols: number, rows: number) => unwrap(commands.execResize((await stream.opened).stream, cols, rows)),
    };
  },
  /** Where `host` stands in a swarm; for a manager, its nodes, services, stacks and tasks too. */
  swarmOverview: (host: HostId) => unwrap(commands.swarmOverview(host)),
  swarmInit: (host: HostId, advertiseAddress: string | null) => unwrap(commands.swarmInit(host, advertiseAddress)),
  /** Joins `host` to the swarm `manager` manages: the token goes from one engine to the other. */
  swarmJoin: (host: HostId, manager: HostId, role: NodeRole, advertiseAddress: string | null) =>
    unwrap(commands.swarmJoin(host, manager, role, advertiseAddress)),
  swarmLeave: (host: HostId, force: boolean) => unwrap(commands.swarmLeave(host, force)),
  swarmJoinTicket: (host: HostId, role: NodeRole) => unwrap(commands.swarmJoinTicket(host, role)),
  nodeUpdate: (host: HostId, node: NodeAt, change: NodeChange) => unwrap(commands.nodeUpdate(host, node, change)),
  nodeRemove: (host: HostId, node: NodeAt, force: boolean) => unwrap(commands.nodeRemove(host, node, force)),
  /** A service in full: as listed, and its spec in the create form's words. */
  serviceInspect: (host: HostId, id: string) => unwrap(commands.serviceInspect(host, id)),
  /** Creates a service; a refused field is named in the error. Resolves to its id. */
  serviceCreate: (host: HostId, request: ServiceRequest) => unwrap(commands.serviceCreate(host, request)),
  serviceScale: (host: HostId, service: ServiceAt, replicas: number) => unwrap(commands.serviceScale(host, service, replicas)),
  serviceUpdateImage: (host: HostId, service: ServiceAt, image: string) =>
    unwrap(commands.serviceUpdateImage(host, service, image)),
  serviceRollback: (host: HostId, service: ServiceAt) => unwrap(commands.serviceRollback(host, service)),
  serviceRemove: (host: HostId, service: ServiceAt) => unwrap(commands.serviceRemove(host, service)),
  stackRemove: (host: HostId, stack: string) => unwrap(commands.stackRemove(host, stack)),
  swarmValues: (host: HostId, kind: SwarmValueKind) => unwrap(commands.swarmValues(host, kind)),
  /** Makes a secret or config; its value goes to the engine only. Resolves to its id. */
  swarmValueCreate: (host: HostId, kind: SwarmValueKind, name: string, value: string, labels: Record<string, string>) =>
    unwrap(commands.swarmValueCreate(host, kind, name, value, labels)),
  swarmValueRemove: (host: HostId, kind: SwarmValueKind, id: string, name: string) =>
    unwrap(commands.swarmValueRemove(host, kind, id, name)),
  /** Opens a service's logs, merged from all its tasks. Close it when the view goes. */
  openServiceLogs: (host: HostId, id: string, options: LogOptions, onMessage: OnMessage<LogMessage>) =>
    openStream((channel) => commands.serviceLogsOpen(host, id, options, channel), (id) => id, onMessage, logBulk),
  /** Opens the folder of Berth's own log files in the file manager. */
  logFolderOpen: () => unwrap(commands.logFolderOpen()),
  /** Opens a web address from a log or terminal in the default browser (http and https only). */
  linkOpen: (url: string) => unwrap(commands.linkOpen(url)),
  /** Calls `handler` for every host update; resolves to a function that stops listening. */
  onHostUpdated: (handler: (update: HostUpdate) => void): Promise<() => void> =>
    events.hostUpdated.listen((event) => handler(event.payload)),
  /** Something to show, from a clicked notification or tray item; resolves to a function that stops listening. */
  onReveal: (handler: (reveal: Reveal) => void): Promise<() => void> =>
    events.reveal.listen((event) => handler(event.payload)),
};

export type Backend = typeof backend;
