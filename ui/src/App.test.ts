// The whole window on mocked IPC: what the user sees and what reaches the native side.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tick } from "svelte";
import App from "./App.svelte";
import type { EventKind, HostState, LocalDiscovery } from "./lib/bindings";
import { container, DEFAULT_SETTINGS, ENGINE, mockBackend } from "./lib/fixtures";

afterEach(async () => {
  // Unmount while the mocks still stand: the window stops listening on its way out.
  cleanup();
  await new Promise((settled) => setTimeout(settled, 0));
  clearMocks();
});

const engine = ENGINE;

function host(over: Partial<HostState> = {}): HostState {
  return {
    host: "local",
    name: "Local",
    webAddress: "localhost",
    transport: "local",
    origin: "local",
    seq: 1,
    status: { state: "online", engine },
    containers: [
      container("blog", { ports: [{ hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80, protocol: "tcp" }] }),
      container("shop-web-1", { compose: { project: "shop", service: "web" } }),
      container("shop-db-1", { compose: { project: "shop", service: "db" }, state: "exited" }),
    ],
    events: [],
    discovery: null,
    ...over,
  };
}


describe("hosts saved in berthctl", () => {
  it("are loaded when the window comes back into focus and berthctl changed any", async () => {
    let changed = false;
    const calls = mockBackend(host(), (call) => (call.cmd === "hosts_follow_saved" ? changed : null));
    render(App);
    await screen.findByText("blog");
    const loads = () => calls.filter((c) => c.cmd === "hosts_state").length;
    const before = loads();
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "hosts_follow_saved")).toHaveLength(1));
    await tick();
    expect(loads()).toBe(before);
    changed = true;
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(loads()).toBe(before + 1));
  });
});

describe("the containers window", () => {
  it("lists containers with compose groups and filters by search", async () => {
    mockBackend(host());
    render(App);
    await screen.findByText("blog");
    expect(screen.getByTestId("container-count").textContent).toBe("2 running · 3 total");
    const project = screen.getByTestId("project-row");
    expect(within(project).getByText("shop")).toBeTruthy();
    expect(within(project).getByText("1/2 running")).toBeTruthy();
    expect(screen.getByText("8080→80")).toBeTruthy();

    await fireEvent.input(screen.getByLabelText("Search containers"), { target: { value: "db" } });
    expect(screen.queryByText("blog")).toBeNull();
    expect(screen.getByText("shop-db-1")).toBeTruthy();
  });

  it("draws only the rows of a long list near view, counts them all, and searches and scrolls to any", async () => {
    const many = Array.from({ length: 1000 }, (_, i) => container(`many-${String(i + 1).padStart(4, "0")}`, { state: "exited" }));
    mockBackend(host({ containers: many }));
    render(App);
    await screen.findByText("many-0001");
    expect(screen.getByTestId("container-count").textContent).toBe("0 running · 1000 total");
    const drawn = screen.getAllByTestId("container-row").length;
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(100);
    expect(screen.queryByText("many-1000")).toBeNull();

    await fireEvent.input(screen.getByLabelText("Search containers"), { target: { value: "many-07" } });
    expect(screen.getByTestId("shown-count").textContent).toBe("100 shown");
    await fireEvent.input(screen.getByLabelText("Search containers"), { target: { value: "many-0777" } });
    expect(screen.getByTestId("shown-count").textContent).toBe("1 shown");
    expect(screen.getAllByTestId("container-row").map((r) => r.dataset.name)).toEqual(["many-0777"]);

    // Scrolled to the end (jsdom lays nothing out: rows count as the estimated height), the
    // last rows are drawn and the first are not.
    await fireEvent.input(screen.getByLabelText("Search containers"), { target: { value: "" } });
    const list = document.querySelector<HTMLElement>("main .scroll")!;
    list.scrollTop = 1000 * 48;
    await fireEvent.scroll(list);
    await screen.findByText("many-1000");
    expect(screen.queryByText("many-0001")).toBeNull();
  });

  it("streams the usage of the running rows on screen only, following them as the list scrolls", async () => {
    const many = Array.from({ length: 300 }, (_, i) => container(`busy-${String(i + 1).padStart(3, "0")}`));
    const calls = mockBackend(host({ containers: many }), ({ cmd }) => (cmd === "stats_open" ? 1 : null));
    render(App);
    await screen.findByText("busy-001");
    const watched = () => calls.filter((c) => c.cmd === "stats_open").map((c) => c.args.ids as string[]);
    const drawnIds = () => screen.getAllByTestId("container-row").map((r) => many.find((c) => c.name === r.dataset.name)!.id);
    await waitFor(() => expect(watched().length).toBe(1));
    expect(watched()[0]).toEqual(drawnIds());
    expect(watched()[0].length).toBeLessThan(100);

    const list = document.querySelector<HTMLElement>("main .scroll")!;
    list.scrollTop = 300 * 48;
    await fireEvent.scroll(list);
    await screen.findByText("busy-300");
    await waitFor(() => expect(watched().length).toBe(2));
    expect(watched()[1]).toEqual(drawnIds());
    expect(watched()[1]).not.toContain(many[0].id);
    expect(calls.some((c) => c.cmd === "stream_close")).toBe(true);
  });

  it("sends the action for the clicked row and shows the error's meaning when it fails", async () => {
    const calls = mockBackend(host(), (call) => {
      if (call.cmd === "container_action") throw { code: "conflict", message: "container is restarting" };
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByLabelText("Stop blog"));
    const toast = await screen.findByTestId("toast");
    expect(toast.textContent).toContain("Not possible in its current state (in use, or already there)");
    expect(toast.textContent).toContain("container is restarting");
    expect(calls.find((c) => c.cmd === "container_action")?.args).toMatchObject({
      host: "local",
      id: container("blog").id,
      action: "stop",
    });
  });

  it("asks before removing and sends the chosen options", async () => {
    const calls = mockBackend(host());
    render(App);
    await fireEvent.click(await screen.findByLabelText("Remove blog"));
    expect(screen.getByText("Remove blog?")).toBeTruthy();
    expect(calls.some((c) => c.cmd === "container_remove")).toBe(false);
    await fireEvent.click(screen.getByLabelText("Also remove its anonymous volumes"));
    await fireEvent.click(screen.getByText("Stop and remove"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "container_remove")).toBe(true));
    expect(calls.find((c) => c.cmd === "container_remove")?.args).toMatchObject({
      options: { force: true, volumes: true },
    });
  });

  it("shows live updates without a reload", async () => {
    mockBackend(host());
    render(App);
    await screen.findByText("blog");
    await emit("host-updated", {
      host: "local",
      seq: 2,
      change: { kind: "containers", upserted: [container("newcomer")], removed: [container("blog").id] },
    });
    await screen.findByText("newcomer");
    expect(screen.queryByText("blog")).toBeNull();
  });

  it("lists images with the containers using them, and reloads on image events", async () => {
    let listed = 0;
    const images = [
      { id: "sha256:busybox", tags: ["busybox:latest"], sizeBytes: 1_300_000, created: 1_700_000_000, labels: {} },
      { id: "sha256:0123456789abcdef", tags: [], sizeBytes: 5_000, created: 1_600_000_000, labels: {} },
    ];
    mockBackend(host(), (call) => {
      if (call.cmd !== "images_list") return null;
      listed++;
      return images;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("section-images"));
    const rows = await screen.findAllByTestId("image-row");
    expect(rows[0].textContent).toContain("busybox:latest");
    expect(rows[0].textContent).toContain("3 containers");
    expect(rows[0].textContent).toContain("1.3 MB");
    expect(rows[1].textContent).toContain("dangling");
    expect(rows[1].textContent).toContain("unused");

    const before = listed;
    await emit("host-updated", {
      host: "local",
      seq: 2,
      change: { kind: "events", events: [{ timeMs: 1, kind: "image", action: "pull", id: "x", name: "x" }] },
    });
    await waitFor(() => expect(listed).toBe(before + 1));
  });

  it("prunes after listing what goes, tags with a checked name, and removes an image", async () => {
    const images = [
      { id: "sha256:busybox", tags: ["busybox:latest"], sizeBytes: 1_300_000, created: 1_700_000_000, labels: {} },
      { id: "sha256:0123456789abcdef", tags: [], sizeBytes: 5_000, created: 1_600_000_000, labels: {} },
      { id: "sha256:old", tags: ["old:1"], sizeBytes: 7_000_000, created: 1_500_000_000, labels: { team: "web" } },
    ];
    const calls = mockBackend(host(), ({ cmd, args }) => {
      if (cmd === "images_list") return images;
      if (cmd === "images_prune") return { removed: ["old:1", "sha256:0123456789abcdef"], reclaimedBytes: 7_005_000 };
      if (cmd === "image_tag" && args.reference === "Bad Tag") {
        return Promise.reject({ code: "invalid_input", message: "\"Bad Tag\" is not a valid image reference" });
      }
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("section-images"));
    await screen.findAllByTestId("image-row");

    await fireEvent.click(screen.getByTestId("prune-images-button"));
    const prune = within(screen.getByTestId("prune-images"));
    expect(prune.getByTestId("prune-list").textContent).not.toContain("old:1");
    await fireEvent.click(prune.getByLabelText("Every image no container uses"));
    const going = prune.getByTestId("prune-list").textContent;
    expect(going).toContain("old:1");
    expect(going).not.toContain("busybox");
    // Only those labelled, as `docker image prune --filter label=…`.
    await fireEvent.input(prune.getByPlaceholderText(/key or key=value/), { target: { value: "team=web" } });
    expect(prune.getByTestId("prune-list").textContent).not.toContain("0123456789ab");
    expect(prune.getByRole("button", { name: "Remove 1 image" })).toBeTruthy();
    await fireEvent.input(prune.getByPlaceholderText(/key or key=value/), { target: { value: "" } });
    await fireEvent.click(prune.getByRole("button", { name: "Remove 2 images" }));
    expect(calls.find((c) => c.cmd === "images_prune")?.args).toMatchObject({ unused: true, label: null });
    expect((await screen.findByText("Pruned 2 images")).parentElement?.textContent).toContain("7.0 MB freed");

    await fireEvent.click(screen.getByLabelText("Tag old:1"));
    const tag = within(screen.getByTestId("tag-dialog"));
    await fireEvent.input(tag.getByRole("textbox"), { target: { value: "Bad Tag" } });
    await fireEvent.click(tag.getByRole("button", { name: "Add tag" }));
    expect((await tag.findByRole("alert")).textContent).toContain("not a valid image reference");
    await fireEvent.input(tag.getByRole("textbox"), { target: { value: "registry.example.com/old:2" } });
    await fireEvent.click(tag.getByRole("button", { name: "Add tag" }));
    await waitFor(() => expect(screen.queryByTestId("tag-dialog")).toBeNull());
    expect(calls.filter((c) => c.cmd === "image_tag").at(-1)?.args).toMatchObject({
      image: "sha256:old",
      reference: "registry.example.com/old:2",
    });

    await fireEvent.click(screen.getByLabelText("Remove old:1"));
    await fireEvent.click(screen.getByRole("button", { name: "Remove image" }));
    expect(calls.find((c) => c.cmd === "image_remove")?.args).toMatchObject({ image: "old:1", force: false });
  });

  it("creates a volume showing a refusal under its field, and prunes after listing what goes", async () => {
    const volumes = [
      { name: "pgdata", driver: "local", mountpoint: "/v/pgdata", createdAt: null, labels: {} },
      { name: "scratch", driver: "local", mountpoint: "/v/scratch", createdAt: null, labels: {} },
    ];
    const calls = mockBackend(host({ containers: [container("db", { volumes: ["pgdata"] })] }), ({ cmd, args }) => {
      if (cmd === "volumes_list") return volumes;
      if (cmd === "volumes_sizes") return { pgdata: 52_000_000 };
      if (cmd === "volumes_prune") return { removed: ["scratch"], reclaimedBytes: 0 };
      if (cmd === "volume_create" && (args.request as { name: string }).name === "my data") {
        // Which field is refused comes in `field`, never from the words of the message.
        return Promise.reject({ code: "invalid_input", message: '"my data" must start with a letter or digit…', field: "name" });
      }
      if (cmd === "volume_create") return volumes[0];
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("section-volumes"));
    await screen.findAllByTestId("volume-row");

    await waitFor(() => expect(screen.getAllByTestId("volume-size").map((c) => c.textContent)).toEqual(["52.0 MB", "—"]));

    await fireEvent.click(screen.getByTestId("create-volume-button"));
    const dialog = within(screen.getByTestId("create-volume"));
    await fireEvent.input(dialog.getByPlaceholderText("pgdata"), { target: { value: "my data" } });
    await fireEvent.click(dialog.getByRole("button", { name: "Create volume" }));
    const refusal = await dialog.findByRole("alert");
    expect(refusal.closest("label")?.textContent).toContain("Name");
    await fireEvent.input(dialog.getByPlaceholderText("pgdata"), { target: { value: "cache" } });
    await fireEvent.input(dialog.getByRole("textbox", { name: /Labels/ }), { target: { value: "team=web" } });
    await fireEvent.click(dialog.getByRole("button", { name: "Create volume" }));
    await waitFor(() => expect(screen.queryByTestId("create-volume")).toBeNull());
    expect(calls.filter((c) => c.cmd === "volume_create").at(-1)?.args).toMatchObject({
      request: { name: "cache", driver: "", labels: [["team", "web"]] },
    });

    await fireEvent.click(screen.getByTestId("prune-volumes-button"));
    expect(screen.getByTestId("prune-list").textContent).toBe("scratch");
    await fireEvent.click(screen.getByRole("button", { name: "Remove 1 volume" }));
    expect(calls.some((c) => c.cmd === "volumes_prune")).toBe(true);
  });

  it("connects and disconnects containers, and keeps the engine's own networks out of reach", async () => {
    const networks = [
      { id: "n1", name: "bridge", driver: "bridge", scope: "local", subnets: ["172.17.0.0/16"], internal: false },
      { id: "n2", name: "backend", driver: "bridge", scope: "local", subnets: ["172.30.0.0/16"], internal: false },
    ];
    const calls = mockBackend(
      host({ containers: [container("api", { networks: ["backend"] }), container("web", { networks: ["bridge"] })] }),
      ({ cmd }) => (cmd === "networks_list" ? networks : null),
    );
    render(App);
    await fireEvent.click(await screen.findByTestId("section-networks"));
    const rows = await screen.findAllByTestId("network-row");
    expect(within(rows[0]).queryByLabelText("Remove bridge")).toBeNull();
    expect(within(rows[0]).queryByLabelText(/Disconnect/)).toBeNull();

    await fireEvent.change(within(rows[1]).getByLabelText("Connect a container to backend"), { target: { value: "web" } });
    expect(calls.find((c) => c.cmd === "network_connect")?.args).toMatchObject({ network: "backend", container: "web" });
    await fireEvent.click(within(rows[1]).getByLabelText("Disconnect api from backend"));
    expect(calls.find((c) => c.cmd === "network_disconnect")?.args).toMatchObject({ network: "backend", container: "api" });

    await fireEvent.click(within(rows[1]).getByLabelText("Remove backend"));
    expect(screen.getByRole("dialog").textContent).toContain("api is attached");
  });

  it("shows the engine and its disk usage, and prunes after listing everything that goes", async () => {
    const usage = {
      images: { count: 4, active: 1, sizeBytes: 40_000_000, reclaimableBytes: 30_000_000 },
      containers: { count: 3, active: 1, sizeBytes: 2_000_000, reclaimableBytes: 1_000_000 },
      volumes: { count: 2, active: 1, sizeBytes: 9_000_000, reclaimableBytes: 4_000_000 },
    };
    const none = { removed: [], reclaimedBytes: 0 };
    const calls = mockBackend(
      host({ containers: [container("web", { volumes: ["pgdata"], networks: ["front"] }), container("old", { state: "exited" })] }),
      ({ cmd }) => {
        if (cmd === "system_info") return ENGINE;
        if (cmd === "system_disk_usage") return usage;
        if (cmd === "images_list") return [{ id: "sha256:dead", tags: [], sizeBytes: 5, created: 1, labels: {} }];
        if (cmd === "networks_list") {
          return ["bridge", "front", "spare"].map((name) => ({ id: name, name, driver: "bridge", scope: "local", subnets: [], internal: false }));
        }
        if (cmd === "volumes_list") {
          return ["pgdata", "scratch"].map((name) => ({ name, driver: "local", mountpoint: "", createdAt: null, labels: {} }));
        }
        if (cmd === "system_prune") {
          return { containers: { removed: ["old"], reclaimedBytes: 1_000_000 }, networks: { removed: ["spare"], reclaimedBytes: 0 }, images: none, volumes: { removed: ["scratch"], reclaimedBytes: 0 } };
        }
        return null;
      },
    );
    render(App);
    await fireEvent.click(await screen.findByTestId("section-system"));
    expect((await screen.findByTestId("engine-facts")).textContent).toContain("storage overlay2");
    const usageTable = screen.getByTestId("disk-usage");
    expect(within(usageTable).getAllByRole("row")[1].textContent).toContain("30.0 MB");
    expect(within(usageTable).getAllByRole("row")[3].textContent).toContain("4.0 MB");

    await fireEvent.click(screen.getByTestId("system-prune-button"));
    const list = await screen.findByTestId("system-prune-list");
    expect(list.textContent).toContain("old");
    expect(list.textContent).toContain("spare");
    expect(list.textContent).not.toContain("front");
    expect(list.textContent).toContain("dead".slice(0, 4));
    expect(list.textContent).not.toContain("scratch");
    await fireEvent.click(within(list).getByRole("checkbox"));
    expect(list.textContent).toContain("scratch");
    expect(list.textContent).not.toContain("pgdata");
    await fireEvent.click(screen.getByRole("button", { name: "Remove 4 objects" }));
    expect(calls.find((c) => c.cmd === "system_prune")?.args).toMatchObject({ volumes: true });
    expect((await screen.findByText("Pruned 1 container, 1 network, 1 volume")).parentElement?.textContent).toContain("1.0 MB freed");
  });

  it("shows the events timeline newest first and filters it by kind", async () => {
    const event = (timeMs: number, kind: EventKind, action: string, name: string, exitCode: number | null = null, newState: string | null = null) =>
      ({ timeMs, kind, action, id: name, name, exitCode, newState });
    const events = [
      event(1, "container", "start", "blog"),
      event(2, "volume", "create", "pgdata"),
      event(3, "container", "die", "blog", 3),
      event(4, "service", "update", "web", null, "rollback_completed"),
    ];
    mockBackend(host({ events }));
    render(App);
    await fireEvent.click(await screen.findByTestId("section-events"));
    const rows = await screen.findAllByTestId("event-row");
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining("update: rollback completed"),
      expect.stringContaining("die (exit code 3)"),
      expect.stringContaining("pgdata"),
      expect.stringContaining("blog"),
    ]);
    await fireEvent.click(screen.getByText("Volume"));
    expect(screen.getAllByTestId("event-row")).toHaveLength(1);
    await fireEvent.click(within(screen.getByRole("group", { name: "Kind" })).getByText("Swarm"));
    expect(screen.getAllByTestId("event-row").map((r) => r.textContent)).toEqual([expect.stringContaining("web")]);
  });

  it("says a swarm worker is one and names its managers; a host in no swarm offers to start one", async () => {
    const overview = (membership: unknown) => ({ membership, nodes: [], services: [], stacks: [], tasks: [], rollouts: [] });
    let answer = overview({ role: "worker", nodeId: "n1", managerAddresses: ["10.0.0.1:2377"] });
    const calls = mockBackend(host(), (call) => (call.cmd === "swarm_overview" ? answer : null));
    render(App);
    await fireEvent.click(await screen.findByTestId("section-swarm"));
    // The Swarm view is a chunk of its own, compiled by vitest the first time it is imported.
    const worker = await screen.findByTestId("swarm-worker", {}, { timeout: 10_000 });
    expect(worker.textContent).toContain("is a worker in a swarm");
    expect(worker.textContent).toContain("10.0.0.1:2377");
    expect(screen.queryByTestId("create-service-button")).toBeNull();

    cleanup();
    answer = overview({ role: "none", state: "inactive" });
    render(App);
    await fireEvent.click(await screen.findByTestId("section-swarm"));
    await fireEvent.click(await screen.findByTestId("swarm-init"));
    expect(calls.find((c) => c.cmd === "swarm_init")?.args).toMatchObject({ host: "local", advertiseAddress: null });
  });

  it("draws the state the window was made with in its first frame, before any call answers, once per window", async () => {
    sessionStorage.clear();
    const start = () => {
      window.__BERTH_START__ = {
        hosts: [host({ status: { state: "connecting" }, containers: [container("kept-from-last-run")] })],
        settings: { ...DEFAULT_SETTINGS, theme: "light" },
      };
    };
    const calls = mockBackend(host());
    start();
    render(App);
    // Synchronously after the mount: no call has been answered yet.
    expect(screen.getByText("kept-from-last-run")).toBeTruthy();
    expect(screen.getByTestId("last-known")).toBeTruthy();
    expect(document.documentElement.dataset.theme).toBe("light");
    expect(window.__BERTH_START__).toBeUndefined();
    // Then everything is asked for again, and the engine's answer replaces it.
    await screen.findByText("blog");
    expect(screen.queryByText("kept-from-last-run")).toBeNull();
    expect(calls.map((c) => c.cmd)).toEqual(expect.arrayContaining(["hosts_state", "settings_get"]));

    // A reloaded page finds the same script's state, by now out of date: it waits for the answers.
    cleanup();
    start();
    render(App);
    expect(screen.queryByText("kept-from-last-run")).toBeNull();
    await screen.findByText("blog");
    sessionStorage.clear();
  });

  it("shows the last-known list at once, as refreshing and out of reach, until the engine answers", async () => {
    performance.clearMarks();
    mockBackend(host({ status: { state: "connecting" } }));
    render(App);
    await screen.findByText("blog");
    expect(screen.getByTestId("last-known").textContent).toContain("The list as last seen");
    expect(screen.queryByTestId("host-unavailable")).toBeNull();
    expect(screen.getByTestId("container-count").textContent).toBe("2 running · 3 total");
    // Its actions wait for the engine.
    const rows = () => screen.getByText("blog").closest<HTMLElement>(".rows")!;
    expect(rows().inert).toBe(true);
    await waitFor(() => expect(performance.getEntriesByName("berth:first-list").length).toBe(1));
    expect(performance.getEntriesByName("berth:first-live-list").length).toBe(0);

    await emit("host-updated", {
      host: "local",
      seq: 2,
      change: { kind: "snapshot", status: { state: "online", engine }, containers: [container("blog")], discovery: null },
    });
    await waitFor(() => expect(screen.queryByTestId("last-known")).toBeNull());
    expect(rows().inert).toBe(false);
    expect(screen.queryByText("shop-web-1")).toBeNull();
    await waitFor(() => expect(performance.getEntriesByName("berth:first-live-list").length).toBe(1));
  });

  it("explains an unreachable engine and retries on request", async () => {
    const calls = mockBackend(
      host({ status: { state: "offline", code: "engine_unreachable", reason: "no socket at /var/run/docker.sock", details: null, retryInMs: 2000 }, containers: [] }),
    );
    render(App);
    const empty = await screen.findByTestId("host-unavailable");
    expect(empty.textContent).toContain("The Docker engine is unreachable");
    expect(empty.textContent).toContain("no socket at /var/run/docker.sock");
    const dot = screen.getByTestId("host").querySelector(".dot");
    expect(dot?.getAttribute("title")).toBe("Offline: no socket at /var/run/docker.sock");
    await fireEvent.click(screen.getByText("Retry now"));
    expect(calls.find((c) => c.cmd === "hosts_reconnect")?.args).toMatchObject({ host: "local" });
    expect(screen.queryByTestId("fix-configuration")).toBeNull();
  });

  it("says a refused Docker configuration is for the user to fix, not to wait out", async () => {
    const reason = 'The Docker context "later" does not exist: there is no /home/me/.docker/contexts/meta/…/meta.json';
    mockBackend(host({ status: { state: "offline", code: "not_found", reason, details: null, retryInMs: 2000 }, containers: [] }));
    render(App);
    const empty = await screen.findByTestId("host-unavailable");
    expect(empty.textContent).toContain(reason);
    expect(screen.getByTestId("fix-configuration")).toBeTruthy();
    expect(empty.textContent).not.toContain("there is nothing you need to do");
  });

  it("says which local engine was chosen and why, and where else it looked when none answers", async () => {
    const tried = (address: string, because: string) => ({ address, because, outcome: "no socket there" });
    const discovery: LocalDiscovery = {
      address: "unix:///var/run/docker.sock",
      transport: "local",
      source: { kind: "defaultSocket" },
      because: "the default socket",
      tried: [
        tried("unix:///home/me/.docker/run/docker.sock", "Docker Desktop's socket ~/.docker/run/docker.sock"),
        tried("unix:///home/me/.colima/default/docker.sock", "Colima's socket ~/.colima/default/docker.sock"),
      ],
      warnings: ["~/.docker/config.json is not valid JSON (EOF); its current context, if any, was not used"],
    };
    mockBackend(
      host({
        discovery,
        status: { state: "offline", code: "engine_unreachable", reason: "no socket at /var/run/docker.sock", details: null, retryInMs: 2000 },
        containers: [],
      }),
    );
    render(App);
    const found = await screen.findByTestId("local-discovery");
    expect(found.textContent).toContain("unix:///var/run/docker.sock, found by the default socket");
    const items = [...found.querySelectorAll("li")].map((li) => li.textContent);
    expect(items).toEqual([
      "unix:///home/me/.docker/run/docker.sock — Docker Desktop's socket ~/.docker/run/docker.sock: no socket there",
      "unix:///home/me/.colima/default/docker.sock — Colima's socket ~/.colima/default/docker.sock: no socket there",
    ]);
    expect(found.textContent).toContain("config.json is not valid JSON");
  });

  it("shows the local engine's address and how it was found beside its version", async () => {
    mockBackend(
      host({
        discovery: {
          address: "unix:///home/me/.colima/default/docker.sock",
          transport: "local",
          source: { kind: "currentContext", name: "colima", configFile: "~/.docker/config.json" },
          because: 'current context "colima" in ~/.docker/config.json',
          tried: [],
          warnings: [],
        },
      }),
    );
    render(App);
    const line = await screen.findByTestId("local-endpoint");
    expect(line.textContent).toBe('unix:///home/me/.colima/default/docker.sock · current context "colima" in ~/.docker/config.json');
  });

  it("marks an engine reached over plain TCP as unencrypted, and offers editing only for saved hosts", async () => {
    mockBackend([
      host(),
      host({ host: "context:plain", name: "plain", transport: "unencrypted", origin: "dockerContext" }),
      host({ host: "h1", name: "secure", transport: "tls", origin: "saved" }),
    ]);
    render(App);
    await screen.findByText("blog");
    const rows = screen.getAllByTestId("host");
    const marked = rows.filter((row) => within(row).queryByTestId("unencrypted"));
    expect(marked.map((row) => row.dataset.name)).toEqual(["plain"]);
    expect(screen.queryByLabelText("Edit plain")).toBeNull();
    expect(screen.queryByLabelText("Remove plain")).toBeNull();
    expect(screen.getByLabelText("Edit secure")).toBeTruthy();
    expect(screen.queryByLabelText("Edit Local")).toBeNull();
  });

  it("asks for the passphrase of a locked key, says when it is wrong, and unlocks with it", async () => {
    const calls = mockBackend(
      host({
        host: "build",
        name: "Build box",
        status: { state: "offline", code: "passphrase_required", reason: "the key /k/id is protected by a passphrase", details: null, retryInMs: null },
        containers: [],
      }),
      ({ cmd, args }) =>
        cmd === "hosts_unlock" && args.passphrase !== "right"
          ? Promise.reject({ code: "passphrase_wrong", message: "the passphrase for the key /k/id is wrong" })
          : null,
    );
    render(App);
    await fireEvent.click(await screen.findByText("Build box"));
    const form = await screen.findByTestId("unlock-host");
    expect(screen.queryByText("Retry now")).toBeNull();
    const field = within(form).getByLabelText("Passphrase");
    await fireEvent.input(field, { target: { value: "wrong" } });
    await fireEvent.submit(form);
    expect((await within(form).findByRole("alert")).textContent).toContain("Wrong passphrase");

    await fireEvent.input(field, { target: { value: "right" } });
    await fireEvent.click(within(form).getByLabelText("Remember it in the system keyring"));
    await fireEvent.submit(form);
    await waitFor(() => expect(within(form).queryByRole("alert")).toBeNull());
    expect(calls.filter((c) => c.cmd === "hosts_unlock").map((c) => c.args)).toEqual([
      { host: "build", passphrase: "wrong", remember: false },
      { host: "build", passphrase: "right", remember: true },
    ]);
  });
});

describe("making and managing containers", () => {
  it("creates a container, showing a refusal under the field it is about", async () => {
    const calls = mockBackend(host(), ({ cmd, args }) => {
      if (cmd === "networks_list") return [];
      if (cmd !== "container_create") return null;
      const request = args.request as { ports: string[] };
      return request.ports.includes("80:99999")
        ? Promise.reject({ code: "invalid_input", message: '"80:99999" needs a host port between 1 and 65535', field: "ports" })
        : "new-id";
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("create-container-button"));
    const dialog = within(screen.getByTestId("create-container"));
    await fireEvent.input(dialog.getByPlaceholderText("nginx:1.27"), { target: { value: "nginx:1.27" } });
    const ports = dialog.getByRole("textbox", { name: /Ports/ });
    await fireEvent.input(ports, { target: { value: "80:99999" } });
    await fireEvent.input(dialog.getByRole("textbox", { name: /Environment/ }), { target: { value: "MODE=prod\n\nDEBUG=0" } });
    await fireEvent.click(dialog.getByRole("button", { name: "Create and start" }));
    const refusal = await dialog.findByRole("alert");
    expect(refusal.dataset.field).toBe("ports");
    expect(refusal.closest("label")?.textContent).toContain("Ports, one per line");

    await fireEvent.input(ports, { target: { value: "127.0.0.1:8080:80" } });
    await fireEvent.change(dialog.getByRole("combobox", { name: /Restart policy/ }), { target: { value: "on-failure" } });
    await fireEvent.input(dialog.getByPlaceholderText(/max retries/), { target: { value: "3" } });
    await fireEvent.click(dialog.getByRole("button", { name: "Create and start" }));
    await waitFor(() => expect(screen.queryByTestId("create-container")).toBeNull());
    expect(calls.filter((c) => c.cmd === "container_create").at(-1)?.args).toMatchObject({
      start: true,
      request: { image: "nginx:1.27", ports: ["127.0.0.1:8080:80"], env: ["MODE=prod", "DEBUG=0"], restart: "on-failure:3" },
    });
  });

  it("opens a published port in the browser by the container and its port, the core building the address", async () => {
    const calls = mockBackend(host());
    render(App);
    await fireEvent.click(await screen.findByTitle(/Open in the browser — .*8080/));
    expect(calls.find((c) => c.cmd === "port_open")?.args).toEqual({ host: "local", id: "blog-0123456789abcdef", containerPort: 80 });
  });

  it("acts on a selection, on a compose project, and prunes the stopped after listing them", async () => {
    const calls = mockBackend(host(), ({ cmd }) => (cmd === "containers_prune" ? { removed: ["x"], reclaimedBytes: 0 } : null));
    render(App);
    await fireEvent.click(await screen.findByLabelText("Select blog"));
    await fireEvent.click(screen.getByLabelText("Select shop-db-1"));
    const bar = within(screen.getByTestId("bulk-bar"));
    expect(bar.getByText("2 selected")).toBeTruthy();
    await fireEvent.click(bar.getByRole("button", { name: /Stop/ }));
    expect(calls.filter((c) => c.cmd === "container_action").map((c) => c.args.id).sort()).toEqual([
      "blog-0123456789abcdef",
      "shop-db-1-0123456789abcdef",
    ]);

    await fireEvent.click(screen.getByLabelText("Restart shop"));
    expect(calls.find((c) => c.cmd === "project_action")?.args).toMatchObject({ project: "shop", action: "restart" });

    await fireEvent.click(screen.getByTestId("prune-containers-button"));
    expect(screen.getByTestId("prune-list").textContent).toBe("shop-db-1");
    await fireEvent.click(screen.getByRole("button", { name: "Remove 1 container" }));
    expect(calls.some((c) => c.cmd === "containers_prune")).toBe(true);
  });

  it("inspects a container, renames it, and recreates it on the newest image", async () => {
    const details = {
      id: "blog-0123456789abcdef", name: "blog", image: "nginx:1.27", imageId: "sha256:0123456789abcdef", created: "",
      status: "running", running: true, startedAt: new Date(Date.now() - 5 * 60000).toISOString(), finishedAt: "",
      exitCode: 0, restartCount: 2, health: { status: "healthy", failingStreak: 0, log: [{ start: new Date().toISOString(), exitCode: 0, output: "ok\n" }] },
      command: ["nginx", "-g", "daemon off;"], entrypoint: [], env: ["MODE=prod"], workingDir: "", user: "", labels: {},
      restart: "always", memoryBytes: 0, nanoCpus: 0, ports: ["8080:80/tcp"],
      mounts: [{ kind: "volume", source: "www", destination: "/usr/share/nginx/html", readOnly: true }],
      networkMode: "default", networks: [{ name: "bridge", ipAddress: "172.17.0.2", gateway: "172.17.0.1", macAddress: "" }],
    };
    const calls = mockBackend(host(), ({ cmd }) => {
      if (cmd === "container_inspect") return details;
      if (cmd === "container_recreate") return "blog-new";
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByText("blog"));
    await fireEvent.click(await screen.findByTestId("tab-inspect"));
    const pane = await screen.findByTestId("inspect");
    await within(pane).findByText(/restarted 2 times/);
    expect(within(pane).getByTestId("inspect-mounts").textContent).toContain("volume www → /usr/share/nginx/html (read-only)");
    expect(within(pane).getByTestId("inspect-health").textContent).toContain("healthy");

    await fireEvent.click(within(pane).getByRole("button", { name: "Rename…" }));
    const rename = within(screen.getByTestId("rename-dialog"));
    await fireEvent.input(rename.getByRole("textbox"), { target: { value: "weblog" } });
    await fireEvent.click(rename.getByRole("button", { name: "Rename" }));
    expect(calls.find((c) => c.cmd === "container_rename")?.args).toMatchObject({ id: "blog-0123456789abcdef", name: "weblog" });

    await fireEvent.click(within(pane).getByTestId("recreate-button"));
    expect(screen.getByRole("dialog").textContent).toContain("same name, command, environment, ports, mounts");
    await fireEvent.click(screen.getByRole("button", { name: "Recreate" }));
    await waitFor(() => expect(calls.find((c) => c.cmd === "container_recreate")?.args).toMatchObject({ pull: true }));
  });
});

describe("the settings", () => {
  it("keeps a change, explains a refused one beside its field, and applies the theme", async () => {
    const calls = mockBackend(host(), ({ cmd, args }) => {
      if (cmd !== "settings_update") return null;
      const settings = args.settings as typeof DEFAULT_SETTINGS;
      if (settings.logTail > 10000) {
        return Promise.reject({ code: "invalid_input", message: "Log lines to show must be between 1 and 10000.", field: "logTail" });
      }
      return settings;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("section-settings"));

    await fireEvent.click(await screen.findByRole("button", { name: "Dark" }));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
    expect(calls.at(-1)?.args.settings).toEqual({ ...DEFAULT_SETTINGS, theme: "dark" });

    const tail = screen.getByLabelText(/Log lines to show/);
    await fireEvent.change(tail, { target: { value: "20000" } });
    expect((await screen.findByRole("alert")).textContent).toContain("between 1 and 10000");
    expect(tail.getAttribute("aria-invalid")).toBe("true");

    await fireEvent.change(tail, { target: { value: "2000" } });
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(calls.at(-1)?.args.settings).toEqual({ ...DEFAULT_SETTINGS, theme: "dark", logTail: 2000 });
  });

  it("opens on the chosen host and keeps the tray app's switches, the host to open on and the stats history", async () => {
    const far = host({ host: "far", name: "Far", containers: [container("far-web")] });
    const saved = { ...DEFAULT_SETTINGS, defaultHost: "far" };
    const calls = mockBackend([host(), far], ({ cmd, args }) => {
      if (cmd === "settings_get") return saved;
      if (cmd !== "settings_update") return null;
      const settings = args.settings as typeof DEFAULT_SETTINGS;
      if (settings.statsRetentionHours > 168) {
        const message = "Stats history must be kept between 1 and 168 hours.";
        return Promise.reject({ code: "invalid_input", message, field: "statsRetentionHours" });
      }
      return settings;
    });
    render(App);
    await screen.findByText("far-web");
    await fireEvent.click(await screen.findByTestId("section-settings"));

    expect(((await screen.findByLabelText(/Keep running in the tray/)) as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(screen.getByLabelText(/Start hidden/));
    await waitFor(() => expect(calls.at(-1)?.args.settings).toEqual({ ...saved, startHidden: true }));
    const openOn = screen.getByLabelText(/^Open on/) as HTMLSelectElement;
    expect(openOn.value).toBe("far");
    await fireEvent.change(openOn, { target: { value: "local" } });
    await waitFor(() =>
      expect(calls.at(-1)?.args.settings).toEqual({ ...saved, startHidden: true, defaultHost: "local" }),
    );

    const retention = screen.getByLabelText(/Stats history/);
    await fireEvent.change(retention, { target: { value: "500" } });
    expect((await screen.findByRole("alert")).textContent).toContain("between 1 and 168");
    expect(retention.getAttribute("aria-invalid")).toBe("true");

    await fireEvent.click(screen.getByRole("button", { name: "Open log folder" }));
    await waitFor(() => expect(calls.some((c) => c.cmd === "log_folder_open")).toBe(true));
  });

  it("keeps both of two changes made at once", async () => {
    const calls = mockBackend(host(), async ({ cmd, args }) => {
      if (cmd !== "settings_update") return null;
      await new Promise((later) => setTimeout(later, 10)); // the first answer is still on its way
      return args.settings;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("section-settings"));
    const fontSize = await screen.findByLabelText(/Terminal font size/);
    await fireEvent.change(fontSize, { target: { value: "16" } });
    await fireEvent.click(screen.getByRole("button", { name: "Light" }));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "settings_update")).toHaveLength(2));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("light"));
    expect(calls.at(-1)?.args.settings).toEqual({ ...DEFAULT_SETTINGS, theme: "light", terminalFontSize: 16 });
    expect(document.documentElement.style.getPropertyValue("--term-font-size")).toBe("16px");
  });
});

describe("a saved file kept aside at start", () => {
  it("says which file was kept where, until the user dismisses it", async () => {
    const keptAs = "/home/me/.local/share/dev.berth.desktop/history.sqlite.corrupt-1800000000";
    mockBackend(host(), ({ cmd }) =>
      cmd === "startup_notices" ? [{ file: "history.sqlite", keptAs, reason: "it could not be opened: file is not a database" }] : null,
    );
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      render(App);
      const toast = await screen.findByRole("alert");
      expect(toast.textContent).toContain("history.sqlite could not be used");
      expect(toast.textContent).toContain(keptAs);
      await vi.advanceTimersByTimeAsync(60_000);
      await tick();
      expect(screen.getByRole("alert")).toBe(toast);
      await fireEvent.click(within(toast).getByLabelText("Dismiss"));
      expect(screen.queryByRole("alert")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("notifications", () => {
  it("keeps switches at once and a list of containers with its button, explaining a refused rule", async () => {
    const calls = mockBackend(host(), ({ cmd, args }) => {
      if (cmd !== "settings_update") return null;
      const settings = args.settings as typeof DEFAULT_SETTINGS;
      const blank = settings.alerts.only.find((rule) => rule.by === "project" && !rule.name.trim());
      if (blank) return Promise.reject({ code: "invalid_input", message: "Alert rule 1 needs a project." });
      return settings;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("section-settings"));

    await fireEvent.click(await screen.findByLabelText(/A container is killed for running out of memory/));
    await waitFor(() => expect(calls.at(-1)?.args.settings).toMatchObject({ alerts: { oomKilled: false } }));

    await fireEvent.click(screen.getByRole("button", { name: "Add a rule" }));
    await fireEvent.click(screen.getByRole("button", { name: "Keep these containers" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Alert rule 1 needs a project.");

    await fireEvent.input(screen.getByLabelText("Rule 1 name"), { target: { value: "shop" } });
    await fireEvent.click(screen.getByRole("button", { name: "Keep these containers" }));
    await screen.findByText("Kept");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(calls.at(-1)?.args.settings).toMatchObject({
      alerts: { oomKilled: false, only: [{ by: "project", name: "shop" }] },
    });
  });

  it("opens the logs of the container a clicked notification was about", async () => {
    const blog = container("blog");
    mockBackend(host(), ({ cmd }) => (cmd === "logs_open" ? 1 : null));
    render(App);
    await screen.findByText("blog");
    await emit("reveal", { host: "local", container: { id: blog.id, name: "blog" } });
    expect((await screen.findByRole("heading", { level: 1 })).textContent).toBe("blog");
    expect(screen.getByRole("tab", { name: "Logs" }).getAttribute("aria-selected")).toBe("true");

    await emit("reveal", { host: null, container: null });
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Events"));
  });
});

describe("the activity log", () => {
  it("lists what was done with how it ended, filters in the core, and exports", async () => {
    const entries = [
      { timeMs: Date.now(), host: "local", action: "remove container", target: "blog", durationMs: 1500,
        error: { code: "conflict", message: "container is running: stop it first" }, frontEnd: "window" },
      { timeMs: Date.now() - 1000, host: "local", action: "stop container", target: "blog", durationMs: 312, error: null,
        frontEnd: "cli" },
    ];
    const calls = mockBackend(host(), ({ cmd, args }) => {
      if (cmd === "activity_list") {
        const query = args.query as { failedOnly: boolean };
        return query.failedOnly ? entries.filter((e) => e.error) : entries;
      }
      if (cmd === "activity_export") return "/home/me/Downloads/berth-activity-1.csv";
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("section-activity"));
    let rows = await screen.findAllByTestId("activity-row");
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringMatching(/Local.*remove container.*blog.*container is running: stop it first.*1\.5 s/),
      expect.stringMatching(/Local.*stop container.*CLI.*blog.*Done.*312 ms/),
    ]);
    // Only what berthctl did is marked as the CLI's.
    expect(within(rows[0]).queryByTitle("Done with berthctl")).toBeNull();
    expect(within(rows[1]).getByTitle("Done with berthctl").textContent).toBe("CLI");

    await fireEvent.click(screen.getByRole("button", { name: "Failed" }));
    await waitFor(() => expect(screen.getAllByTestId("activity-row")).toHaveLength(1));
    expect(calls.filter((c) => c.cmd === "activity_list").at(-1)?.args.query).toMatchObject({ failedOnly: true, host: null });

    await fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    expect((await screen.findByTestId("toast")).textContent).toContain("berth-activity-1.csv");
    rows = screen.getAllByTestId("activity-row");
    expect(rows[0].dataset.failed).toBe("true");
  });
});

describe("adding a host", () => {
  it("checks each step, shows an unknown host key to trust, then saves and selects the host", async () => {
    const engineInfo = { ...engine, containers: 4, containersRunning: 1 };
    let saved: Record<string, unknown> | null = null;
    const calls = mockBackend(host(), ({ cmd, args }) => {
      if (cmd === "hosts_test" && !args.accept) {
        // The facts come in `details`; the message is for people and is not read.
        return Promise.reject({
          code: "host_key_unknown",
          message: "10.0.0.5 is not a known host. Accept it only if…",
          details: {
            kind: "hostKey", hop: "target", host: "10.0.0.5", port: 22,
            offered: { keyType: "ssh-ed25519", fingerprint: "SHA256:AbC+12/x" }, known: [],
          },
        });
      }
      if (cmd === "hosts_test") return engineInfo;
      if (cmd === "hosts_save") return (saved = args.host as Record<string, unknown>), { ...saved, id: "host-new" };
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("add-host-button"));
    const dialog = within(await screen.findByTestId("add-host"));

    await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
    expect(dialog.getByRole("alert").textContent).toContain("name");

    await fireEvent.input(dialog.getByPlaceholderText("Build server"), { target: { value: "Build" } });
    await fireEvent.input(dialog.getByPlaceholderText(/build.example.com/), { target: { value: "10.0.0.5" } });
    await fireEvent.input(dialog.getByPlaceholderText("deploy"), { target: { value: "deploy" } });
    await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
    await fireEvent.input(dialog.getByPlaceholderText(/id_ed25519/), { target: { value: "/home/me/.ssh/id_ed25519" } });
    await fireEvent.click(dialog.getByRole("button", { name: "Next" }));

    await dialog.findByText("SHA256:AbC+12/x");
    expect((dialog.getByRole("button", { name: "Add host" }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(dialog.getByRole("button", { name: /Trust this key/ }));
    await dialog.findByText(/Docker 20.10.24/);
    const trusted = calls.filter((c) => c.cmd === "hosts_test").at(-1)!;
    expect(trusted.args.accept).toEqual({ host: "10.0.0.5", port: 22, fingerprint: "SHA256:AbC+12/x" });

    await fireEvent.click(dialog.getByRole("button", { name: "Add host" }));
    await waitFor(() => expect(screen.queryByTestId("add-host")).toBeNull());
    expect(saved).toMatchObject({
      id: "", name: "Build", address: "10.0.0.5", port: 22, user: "deploy",
      keyPath: "/home/me/.ssh/id_ed25519", socket: "/var/run/docker.sock", tags: [], proxyJump: null,
    });
    expect(calls.filter((c) => c.cmd === "hosts_state").length).toBeGreaterThan(1);
  });
});

describe("adding an engine reached without SSH", () => {
  it("skips the login step and saves the engine address", async () => {
    let saved: Record<string, unknown> | null = null;
    mockBackend(host(), ({ cmd, args }) => {
      if (cmd === "hosts_import") {
        return [{
          name: "rootless", address: "", port: 22, user: "", keyPath: null, proxyJump: null,
          dockerHost: "unix:///run/user/1000/docker.sock", source: "docker context rootless",
        }];
      }
      if (cmd === "hosts_test") return engine;
      if (cmd === "hosts_save") return (saved = args.host as Record<string, unknown>), { ...saved, id: "host-new" };
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("add-host-button"));
    const dialog = within(await screen.findByTestId("add-host"));
    await fireEvent.click(dialog.getByLabelText(/Directly/));
    await fireEvent.input(dialog.getByPlaceholderText("Build server"), { target: { value: "Edge" } });
    // Left empty, the address is asked for; what it may be is the core's to check when tested.
    await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
    expect(dialog.getByRole("alert").textContent).toContain("Enter the engine's address");

    const fill = await dialog.findByLabelText("Fill in from");
    expect(fill.textContent).toContain("rootless · unix:///run/user/1000/docker.sock (docker context rootless)");
    await fireEvent.change(fill, { target: { value: "0" } });
    await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
    expect(dialog.queryByText("Authentication")).toBeNull();
    await fireEvent.click(await dialog.findByRole("button", { name: "Add host" }));
    await waitFor(() => expect(saved).not.toBeNull());
    expect(saved).toMatchObject({ name: "rootless", dockerHost: "unix:///run/user/1000/docker.sock", proxyJump: null });
  });
});

describe("adding a host found elsewhere", () => {
  it("fills the form from ~/.ssh/config", async () => {
    mockBackend(host(), ({ cmd }) =>
      cmd === "hosts_import"
        ? [{
            name: "db", address: "10.0.0.7", port: 2222, user: "ops", keyPath: "/home/me/.ssh/id_db",
            proxyJump: "me@bastion.example.com:2200", dockerHost: null, source: "~/.ssh/config",
          }]
        : null,
    );
    render(App);
    await fireEvent.click(await screen.findByTestId("add-host-button"));
    const dialog = within(await screen.findByTestId("add-host"));
    const fill = await dialog.findByLabelText("Fill in from");
    expect(fill.textContent).toContain("db · ops@10.0.0.7:2222 (~/.ssh/config)");
    await fireEvent.change(fill, { target: { value: "0" } });
    expect((dialog.getByPlaceholderText(/build.example.com/) as HTMLInputElement).value).toBe("10.0.0.7");
    expect((dialog.getByPlaceholderText("deploy") as HTMLInputElement).value).toBe("ops");
    expect((dialog.getByPlaceholderText(/bastion/) as HTMLInputElement).value).toBe("me@bastion.example.com:2200");
    await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
    expect((dialog.getByPlaceholderText(/id_ed25519/) as HTMLInputElement).value).toBe("/home/me/.ssh/id_db");
  });

  it("shows what the import did not take, and the socket an ssh:// address names", async () => {
    mockBackend(host(), ({ cmd }) =>
      cmd === "hosts_import"
        ? [{
            name: "db", address: "10.0.0.7", port: 0, user: "ops", keyPath: null, proxyJump: null,
            dockerHost: null, socket: "/run/user/1000/docker.sock", source: "~/.ssh/config",
            notes: ["~/.ssh/config line 4: Port \"0x16\" is not a port from 1 to 65535 (ssh refuses it too); enter the port here"],
          }]
        : null,
    );
    render(App);
    await fireEvent.click(await screen.findByTestId("add-host-button"));
    const dialog = within(await screen.findByTestId("add-host"));
    const fill = await dialog.findByLabelText("Fill in from");
    expect(dialog.queryByLabelText("Not taken from the import")).toBeNull();
    await fireEvent.change(fill, { target: { value: "0" } });
    expect(dialog.getByLabelText("Not taken from the import").textContent).toContain("line 4: Port \"0x16\"");
    expect((dialog.getByDisplayValue("/run/user/1000/docker.sock") as HTMLInputElement).name).toBe("socket");
  });
});

const remote = (over: Partial<HostState> = {}) =>
  host({ host: "build", name: "Build box", transport: "ssh", origin: "saved", containers: [container("ci-runner"), container("blog")], ...over });

const savedBuild = {
  id: "build", name: "Build box", address: "10.0.0.5", port: 2222, user: "deploy", keyPath: "/home/me/.ssh/id_build",
  socket: "/run/user/1000/docker.sock", tags: ["ci"], proxyJump: "ops@bastion:2200", dockerHost: null, createdMs: 5, lastSeenMs: 6,
};

describe("all hosts", () => {
  it("merges every host's containers with a host column, says which hosts are away, and acts on the right host", async () => {
    const calls = mockBackend([
      host(),
      remote(),
      host({ host: "edge", name: "Edge", containers: [], status: { state: "offline", code: "auth_failed", reason: "key refused", details: null, retryInMs: null } }),
    ]);
    render(App);
    await fireEvent.click(await screen.findByTestId("all-hosts"));
    const rows = await screen.findAllByTestId("container-row");
    expect(rows.map((r) => `${r.dataset.host}/${r.dataset.name}`)).toEqual([
      "Build box/blog", "Local/blog", "Build box/ci-runner", "Local/shop-db-1", "Local/shop-web-1",
    ]);
    expect(screen.getByTestId("container-count").textContent).toContain("on 2 of 3 hosts");
    expect(screen.getByTestId("hosts-away").textContent).toContain("Edge is offline: key refused");

    await fireEvent.click(within(rows[0]).getByLabelText("Stop blog"));
    expect(calls.find((c) => c.cmd === "container_action")?.args).toMatchObject({ host: "build", action: "stop" });

    await fireEvent.input(screen.getByLabelText("Search containers"), { target: { value: "ci-" } });
    expect(screen.getAllByTestId("container-row").map((r) => r.dataset.name)).toEqual(["ci-runner"]);
  });
});

describe("editing a host", () => {
  it("opens the form filled in and saves under the same id", async () => {
    let saved: Record<string, unknown> | null = null;
    mockBackend([host(), remote()], ({ cmd, args }) => {
      if (cmd === "hosts_saved") return [savedBuild];
      if (cmd === "hosts_test") return engine;
      if (cmd === "hosts_save") return (saved = args), args.host;
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByLabelText("Edit Build box"));
    const dialog = within(await screen.findByTestId("add-host"));
    expect(dialog.getByRole("heading").textContent).toBe("Edit Build box");
    expect((dialog.getByPlaceholderText(/build.example.com/) as HTMLInputElement).value).toBe("10.0.0.5");
    await fireEvent.input(dialog.getByPlaceholderText("Build server"), { target: { value: "Builder" } });
    await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
    expect((dialog.getByPlaceholderText(/id_ed25519/) as HTMLInputElement).value).toBe("/home/me/.ssh/id_build");
    await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
    await fireEvent.click(await dialog.findByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(saved).not.toBeNull());
    expect(saved).toEqual({
      host: { ...savedBuild, name: "Builder" },
      passphrase: null,
      remember: false,
    });
  });

  it("makes a new key pair and shows the public key to authorize", async () => {
    const calls = mockBackend([host(), remote()], ({ cmd }) => {
      if (cmd === "hosts_saved") return [savedBuild];
      if (cmd === "keys_generate") return { path: "/home/me/.ssh/berth_build_box_ed25519", publicKey: "ssh-ed25519 AAAAC3 berth: Build box" };
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByLabelText("Edit Build box"));
    const dialog = within(await screen.findByTestId("add-host"));
    await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
    const keyField = dialog.getByPlaceholderText(/id_ed25519/) as HTMLInputElement;
    await fireEvent.input(keyField, { target: { value: "" } });
    await fireEvent.input(dialog.getByLabelText(/Passphrase/), { target: { value: "s3cret" } });
    await fireEvent.click(dialog.getByTestId("generate-key"));
    const shown = await dialog.findByTestId("generated-key");
    expect((within(shown).getByLabelText("Public key") as HTMLTextAreaElement).value).toBe("ssh-ed25519 AAAAC3 berth: Build box");
    expect(shown.textContent).toContain("of deploy on 10.0.0.5");
    expect(keyField.value).toBe("/home/me/.ssh/berth_build_box_ed25519");
    expect(calls.find((c) => c.cmd === "keys_generate")?.args).toEqual({ hostName: "Build box", path: null, passphrase: "s3cret" });
  });
});
