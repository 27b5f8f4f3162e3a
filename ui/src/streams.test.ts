// Streams as the window uses them (logs, stats, terminals): closed with their view even while
// still opening, acknowledged as drawn, and failing with a toast that says what went wrong.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { Channel } from "@tauri-apps/api/core";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import { type Call, container, mockBackend, onlineHost } from "./lib/fixtures";

afterEach(async () => {
  cleanup();
  await new Promise((settled) => setTimeout(settled, 0));
  clearMocks();
});

const blog = container("blog");
const HOST = onlineHost({ containers: [blog] });

type Frame = { bytes: number; message: unknown };

/** The native side, mocked: `answer` gives each command's answer (a promise to hold it back). */
const backendWith = (answer: (call: Call) => unknown) => mockBackend(HOST, answer);

/** Sends `frames` down the channel of the latest call of `cmd`, as the native side would. */
function send(calls: Call[], cmd: string, ...frames: Frame[]) {
  const channel = calls.filter((c) => c.cmd === cmd).at(-1)!.args.channel as Channel<Frame>;
  for (const frame of frames) channel.onmessage(frame);
}

/** An answer the test gives later. */
function later<T>() {
  let give!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (give = resolve));
  return { promise, give };
}

async function openDetail() {
  render(App);
  await fireEvent.click(await screen.findByLabelText("Logs of blog"));
  await screen.findByRole("heading", { level: 1, name: "blog" });
}

describe("streams", () => {
  it("closes a Stats or Terminal view's stream that was still opening when the view closed", async () => {
    const stats = later<number>();
    const terminal = later<{ stream: number; command: string[] }>();
    let detailStats = false;
    const calls = backendWith(({ cmd }) => {
      if (cmd === "logs_open") return 1;
      // The table's own usage stream (if it opened before the table went) answers at once;
      // the Stats view's is held back.
      if (cmd === "stats_open") return detailStats ? stats.promise : 2;
      if (cmd === "exec_open") return terminal.promise;
      return null;
    });
    await openDetail();

    detailStats = true;
    const statsOpened = () => calls.filter((c) => c.cmd === "stats_open").length;
    const before = statsOpened();
    await fireEvent.click(screen.getByRole("tab", { name: "Stats" }));
    await waitFor(() => expect(statsOpened()).toBe(before + 1));
    // Away from Stats before it opened, then away from the terminal before it opened.
    await fireEvent.click(screen.getByRole("tab", { name: "Terminal" }));
    await waitFor(() => expect(calls.some((c) => c.cmd === "exec_open")).toBe(true));
    await fireEvent.click(screen.getByLabelText("Back to containers"));
    await screen.findByText("blog");

    stats.give(41);
    terminal.give({ stream: 42, command: ["sh"] });
    await waitFor(() => {
      const closed = calls.filter((c) => c.cmd === "stream_close").map((c) => c.args.stream);
      expect(closed).toEqual(expect.arrayContaining([41, 42]));
    });
  });

  it("shows a failed log or stats stream as a toast saying what the error means", async () => {
    const calls = backendWith(({ cmd }) => (cmd === "logs_open" ? 7 : cmd === "stats_open" ? 8 : null));
    await openDetail();
    await waitFor(() => expect(calls.some((c) => c.cmd === "logs_open")).toBe(true));
    const error = { code: "engine_unreachable", message: "the engine's socket closed" };
    send(calls, "logs_open", { bytes: 90, message: { kind: "failed", error } });
    const toast = await screen.findByTestId("toast");
    expect(toast.textContent).toContain("The Docker engine is unreachable");
    expect(toast.textContent).toContain("The log stopped: the engine's socket closed");
    expect(toast.textContent).not.toContain("[object Object]");

    const before = calls.filter((c) => c.cmd === "stats_open").length;
    await fireEvent.click(screen.getByRole("tab", { name: "Stats" }));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "stats_open").length).toBe(before + 1));
    send(calls, "stats_open", { bytes: 80, message: { kind: "failed", error: { code: "not_found", message: "no such container" } } });
    await waitFor(() => {
      const toasts = screen.getAllByTestId("toast").map((t) => t.textContent);
      expect(toasts.some((t) => t?.includes("Stats stopped: no such container"))).toBe(true);
    });
  });

  it("acknowledges what it has drawn, in the bytes the frames counted", async () => {
    const calls = backendWith(({ cmd }) => (cmd === "logs_open" ? 7 : cmd === "stats_open" ? 2 : null));
    await openDetail();
    await waitFor(() => expect(calls.some((c) => c.cmd === "logs_open")).toBe(true));
    const lines = (text: string) => ({ kind: "lines", batch: { text, stderr: [], sources: [], times: [], count: 1 } });
    send(calls, "logs_open", { bytes: 1000, message: lines("first\n") }, { bytes: 234, message: lines("second\n") });
    await waitFor(() => {
      const acknowledged = calls
        .filter((c) => c.cmd === "stream_ack" && c.args.stream === 7)
        .reduce((sum, c) => sum + (c.args.bytes as number), 0);
      expect(acknowledged).toBe(1234);
    });
  });

  it("says how many lines the core skipped, and pages back to them a scrollback at a time", async () => {
    const calls = backendWith(({ cmd }) => (cmd === "logs_open" ? 7 : cmd === "stats_open" ? 2 : null));
    await openDetail();
    await waitFor(() => expect(calls.some((c) => c.cmd === "logs_open")).toBe(true));
    const lines = (text: string, count: number) => ({ kind: "lines", batch: { text, stderr: [], sources: [], times: [], count } });
    send(calls, "logs_open", { bytes: 20, message: { kind: "skipped", lines: 990000 } }, { bytes: 9, message: lines("last\n", 1) });
    expect((await screen.findByTestId("log-out-of-view")).textContent).toContain("990,000 earlier lines out of view");

    const logOptions = () => calls.filter((c) => c.cmd === "logs_open").at(-1)!.args.options;
    await fireEvent.click(screen.getByRole("button", { name: "Show earlier lines" }));
    await waitFor(() => expect(logOptions()).toMatchObject({ tail: 20000, head: 10000, follow: false }));
    send(calls, "logs_open", { bytes: 9, message: lines("a\nb\nc\n", 3) }, { bytes: 9, message: { kind: "ended" } });
    expect((await screen.findByTestId("log-page")).textContent).toBe("Lines 10,003–10,001 from the end");
    // Three lines, not a page: the log's start, nothing earlier.
    await waitFor(() => expect(screen.getByRole("button", { name: "Earlier" }).hasAttribute("disabled")).toBe(true));

    await fireEvent.click(screen.getByRole("button", { name: "Back to the end" }));
    await waitFor(() => expect(logOptions()).toMatchObject({ head: null, follow: true }));
    expect(screen.queryByTestId("log-page")).toBeNull();
  });

  it("shows a refused log filter beside the filter, by the error's field", async () => {
    backendWith(({ cmd }) =>
      cmd === "logs_open"
        ? Promise.reject({ code: "invalid_input", message: "not a valid regular expression: (unclosed", field: "filter" })
        : cmd === "stats_open" ? 2 : null,
    );
    await openDetail();
    const filter = screen.getByLabelText("Filter lines");
    await waitFor(() => expect(filter.getAttribute("aria-invalid")).toBe("true"));
    expect(screen.getByRole("alert").textContent).toContain("not a valid regular expression");
    expect(screen.queryByTestId("toast")).toBeNull();
  });
});

