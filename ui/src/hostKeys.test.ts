// The add-host dialog's host-key prompts, from the facts the refusal carries (`details`), never
// from its message: which hop, which key is offered, which are on record and where.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import type { HostKeyFacts, HostState, IpcError } from "./lib/bindings";
import { type Call, ENGINE, mockBackend, onlineHost } from "./lib/fixtures";

afterEach(async () => {
  cleanup();
  await new Promise((settled) => setTimeout(settled, 0));
  clearMocks();
});

const HOST = onlineHost();


const backendWith = (answer: (call: Call) => unknown) => mockBackend(HOST, answer);

const key = (keyType: string, fingerprint: string) => ({ keyType, fingerprint });

/** A host-key refusal as the native side sends it; its message says nothing the UI reads. */
function refusal(code: IpcError["code"], facts: HostKeyFacts): IpcError {
  return { code, message: "(for people)", details: { kind: "hostKey", ...facts } };
}

/** Fills the wizard for build.example.com behind a jump host, up to the test. */
async function addHostUpToTheTest() {
  render(App);
  await fireEvent.click(await screen.findByTestId("add-host-button"));
  const dialog = within(await screen.findByTestId("add-host"));
  await fireEvent.input(dialog.getByPlaceholderText("Build server"), { target: { value: "Build" } });
  await fireEvent.input(dialog.getByPlaceholderText(/build.example.com/), { target: { value: "build.example.com" } });
  await fireEvent.input(dialog.getByPlaceholderText("deploy"), { target: { value: "deploy" } });
  await fireEvent.input(dialog.getByPlaceholderText(/bastion/), { target: { value: "me@bastion:22" } });
  await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
  await fireEvent.input(dialog.getByPlaceholderText(/id_ed25519/), { target: { value: "/home/me/.ssh/id_ed25519" } });
  await fireEvent.click(dialog.getByRole("button", { name: "Next" }));
  return dialog;
}

describe("host keys when adding a host", () => {
  it("names the jump host whose key is unknown, and trusts exactly the key shown", async () => {
    const jump: HostKeyFacts = { hop: "jump", host: "bastion", port: 22, offered: key("ssh-ed25519", "SHA256:jumpKey"), known: [] };
    const calls = backendWith(({ cmd, args }) => {
      if (cmd !== "hosts_test") return null;
      return args.accept ? ENGINE : Promise.reject(refusal("host_key_unknown", jump));
    });
    const dialog = await addHostUpToTheTest();

    expect((await dialog.findByTestId("host-key-hop")).textContent).toContain("First connection to the jump host bastion:22");
    expect(dialog.getByText("SHA256:jumpKey")).toBeTruthy();
    await fireEvent.click(dialog.getByRole("button", { name: /Trust this key/ }));
    await dialog.findByText(/Docker 20.10.24/);
    expect(calls.filter((c) => c.cmd === "hosts_test").at(-1)!.args.accept).toEqual({
      host: "bastion",
      port: 22,
      fingerprint: "SHA256:jumpKey",
    });
  });

  it("refuses a changed key, showing both, and forgets the one in Berth's file on request", async () => {
    const changed: HostKeyFacts = {
      hop: "target",
      host: "build.example.com",
      port: 22,
      offered: key("ssh-rsa", "SHA256:newRsa"),
      known: [
        { key: key("ssh-ed25519", "SHA256:oldEd"), file: "/data/known_hosts", line: 3, berthsOwn: true, forgetCommand: null },
        {
          key: key("ecdsa-sha2-nistp256", "SHA256:oldEcdsa"),
          file: "/home/me/.ssh/known_hosts",
          line: 12,
          berthsOwn: false,
          forgetCommand: "ssh-keygen -R build.example.com -f /home/me/.ssh/known_hosts",
        },
      ],
    };
    let forgotten = false;
    const calls = backendWith(({ cmd }) => {
      if (cmd === "hosts_forget_key") return (forgotten = true), 1;
      if (cmd !== "hosts_test") return null;
      const unknown = { ...changed, known: [] };
      return Promise.reject(forgotten ? refusal("host_key_unknown", unknown) : refusal("host_key_changed", changed));
    });
    const dialog = await addHostUpToTheTest();

    const refused = await dialog.findByTestId("host-key-refused");
    expect(refused.textContent).toContain("The host's key has changed");
    expect(refused.textContent).toContain("build.example.com:22 offered the ssh-rsa key");
    expect(refused.textContent).toContain("SHA256:newRsa");
    expect(refused.textContent).toContain("ssh-ed25519 SHA256:oldEd");
    expect(refused.textContent).toContain("ecdsa-sha2-nistp256 SHA256:oldEcdsa");
    expect(dialog.queryByRole("button", { name: /Trust/ })).toBeNull();
    const command = dialog.getByLabelText("Command that forgets the key") as HTMLInputElement;
    expect(command.value).toBe("ssh-keygen -R build.example.com -f /home/me/.ssh/known_hosts");

    await fireEvent.click(dialog.getByRole("button", { name: "Forget the key on record" }));
    await waitFor(() => expect(calls.some((c) => c.cmd === "hosts_forget_key")).toBe(true));
    expect(calls.find((c) => c.cmd === "hosts_forget_key")!.args).toEqual({ host: "build.example.com", port: 22 });
    // Forgotten, the host is a first connection again.
    expect((await dialog.findByTestId("host-key-hop")).textContent).toContain("First connection to build.example.com:22");
  });
});

describe("host keys of a saved host that went offline", () => {
  const offline = (code: IpcError["code"], facts: HostKeyFacts | null): HostState => ({
    ...HOST,
    host: "build",
    name: "Build",
    status: {
      state: "offline",
      code,
      reason: "(for people)",
      details: facts && { kind: "hostKey", ...facts },
      retryInMs: null,
    },
  });

  const watching = (state: HostState, answer: (call: Call) => unknown = () => null) => mockBackend([HOST, state], answer);

  async function openHost() {
    render(App);
    await fireEvent.click(await screen.findByText("Build"));
    return within(await screen.findByTestId("host-unavailable"));
  }

  it("trusts the unknown key of the jump host it names, for exactly that host, port and key", async () => {
    const jump: HostKeyFacts = { hop: "jump", host: "bastion", port: 2222, offered: key("ssh-ed25519", "SHA256:jumpKey"), known: [] };
    const calls = watching(offline("host_key_unknown", jump));
    const view = await openHost();
    expect(view.getByTestId("host-key-hop").textContent).toContain("First connection to the jump host bastion:2222");
    await fireEvent.click(view.getByRole("button", { name: /Trust this key/ }));
    await waitFor(() => expect(calls.some((c) => c.cmd === "hosts_trust_key")).toBe(true));
    expect(calls.find((c) => c.cmd === "hosts_trust_key")!.args).toEqual({
      host: "build",
      accepted: { host: "bastion", port: 2222, fingerprint: "SHA256:jumpKey" },
    });
  });

  it("forgets a changed key kept in Berth's file, then connects again", async () => {
    const changed: HostKeyFacts = {
      hop: "target",
      host: "build.example.com",
      port: 22,
      offered: key("ssh-ed25519", "SHA256:new"),
      known: [{ key: key("ssh-rsa", "SHA256:old"), file: "/data/known_hosts", line: 1, berthsOwn: true, forgetCommand: null }],
    };
    const calls = watching(offline("host_key_changed", changed), ({ cmd }) => (cmd === "hosts_forget_key" ? 1 : null));
    const view = await openHost();
    expect(view.getByTestId("host-key-refused").textContent).toContain("ssh-rsa SHA256:old");
    expect(view.queryByRole("button", { name: /Trust/ })).toBeNull();
    await fireEvent.click(view.getByRole("button", { name: "Forget the key on record" }));
    await waitFor(() => expect(calls.some((c) => c.cmd === "hosts_reconnect")).toBe(true));
    const order = calls.map((c) => c.cmd).filter((cmd) => cmd === "hosts_forget_key" || cmd === "hosts_reconnect");
    expect(order).toEqual(["hosts_forget_key", "hosts_reconnect"]);
  });

  it("says a refused login is not tried again until the user acts", async () => {
    const calls = watching(offline("auth_failed", null));
    const view = await openHost();
    expect(view.getByTestId("waits-for-you").textContent).toContain("will not try");
    await fireEvent.click(view.getByRole("button", { name: "Try again" }));
    expect(calls.some((c) => c.cmd === "hosts_reconnect")).toBe(true);
  });
});
