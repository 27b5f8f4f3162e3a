import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import LinkPrompt from "./LinkPrompt.svelte";
import { backend } from "./backend";

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("a link from a log or terminal", () => {
  it("names the address and opens it only when the user says so", async () => {
    const opened: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "link_open") opened.push((args as { url: string }).url);
      return null;
    });
    let closed = 0;
    const url = "http://paypa1.example.com/login";
    render(LinkPrompt, { props: { url, backend, onclose: () => closed++ } });
    expect(screen.getByTestId("link-url").textContent).toBe(url);

    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(opened).toEqual([]);
    expect(closed).toBe(1);

    await fireEvent.click(screen.getByRole("button", { name: "Open" }));
    await waitFor(() => expect(opened).toEqual([url]));
    expect(closed).toBe(2);
  });

  it("says why an address was not opened", async () => {
    mockIPC(() => Promise.reject({ code: "invalid_input", message: '"file:///etc/passwd" is not a web address' }));
    render(LinkPrompt, { props: { url: "file:///etc/passwd", backend, onclose: () => {} } });
    await fireEvent.click(screen.getByRole("button", { name: "Open" }));
    expect((await screen.findByRole("alert")).textContent).toContain("is not a web address");
  });
});
