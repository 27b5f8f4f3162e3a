// The user's preferences, loaded once and applied to the page as they change: the theme as
// `data-theme` on the root element, the terminal font size as a CSS variable (see xterm.ts).
import { BackendError, type Backend, type Settings } from "./backend";

const systemDark = () => window.matchMedia("(prefers-color-scheme: dark)");

export class SettingsStore {
  /** Null until loaded. */
  current = $state<Settings | null>(null);
  #backend: Backend;

  constructor(backend: Backend) {
    this.#backend = backend;
    // Until the saved choice arrives, follow the desktop so the window never flashes.
    this.#apply();
    systemDark().addEventListener("change", () => this.#apply());
  }

  async load() {
    this.show(await this.#backend.settingsGet());
  }

  /** Shows settings as they were read: the window's start state, before `load` has answered. */
  show(settings: Settings) {
    this.current = settings;
    this.#apply();
  }

  /**
   * Saves a change. Returns why it was refused (nothing changes then; `field` names the
   * setting by its key), or null. Changes are
   * sent one after another, each on top of the last one kept: two made in quick succession
   * (a field left by clicking a theme) must not undo each other.
   */
  update(change: Partial<Settings>): Promise<BackendError | null> {
    const saved = this.#saving.then(() => this.#save(change));
    this.#saving = saved;
    return saved;
  }

  #saving: Promise<unknown> = Promise.resolve();

  async #save(change: Partial<Settings>): Promise<BackendError | null> {
    if (!this.current) return new BackendError({ code: "conflict", message: "Settings are still loading." });
    try {
      this.current = await this.#backend.settingsUpdate({ ...this.current, ...change });
      this.#apply();
      return null;
    } catch (err) {
      return BackendError.from(err);
    }
  }

  #apply() {
    const root = document.documentElement;
    const theme = this.current?.theme ?? "system";
    root.dataset.theme = theme === "system" ? (systemDark().matches ? "dark" : "light") : theme;
    if (this.current) root.style.setProperty("--term-font-size", `${this.current.terminalFontSize}px`);
  }
}
