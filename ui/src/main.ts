// First: it must run before any library formats numbers at load time.
import "./locale";
import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";

const target = document.getElementById("app")!;

/** A blank window tells nobody anything: when the UI breaks, say what broke. */
function showFatal(err: unknown) {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const panel = document.createElement("pre");
  panel.dataset.testid = "fatal-error";
  panel.textContent = `Berth's window hit an error it cannot recover from:\n\n${text}`;
  panel.style.cssText = "white-space: pre-wrap; font: 12px monospace; padding: 24px; color: #c4372c";
  document.body.prepend(panel);
}

window.addEventListener("error", (event) => showFatal(event.error ?? event.message));
performance.mark("berth:script-start");
try {
  mount(App, { target });
  performance.mark("berth:mounted");
} catch (err) {
  showFatal(err);
  throw err;
}
