// Pure functions over container lists: search, grouping, labels. No Svelte, no IPC.
import type { Container, ContainerState, Port } from "./bindings";

export type StateFilter = "all" | "running" | "stopped";

/** Recent usage of a running container, for the table's sparkline. */
export type Usage = { cpu: number[]; memory: number };

/** A row of the containers table: a compose project with its containers, or a lone container. */
export type Row =
  | { kind: "project"; project: string; containers: Container[]; summary: ProjectSummary }
  | { kind: "container"; container: Container };

export type ProjectSummary = { running: number; total: number; state: "running" | "partial" | "stopped" };

const ACTIVE: ContainerState[] = ["running", "paused", "restarting"];

export function isActive(container: Container): boolean {
  return ACTIVE.includes(container.state);
}

export function matches(container: Container, query: string, filter: StateFilter): boolean {
  if (filter === "running" && !isActive(container)) return false;
  if (filter === "stopped" && isActive(container)) return false;
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [
    container.name,
    container.image,
    container.status,
    container.state,
    container.compose?.project ?? "",
    container.compose?.service ?? "",
  ].some((field) => field.toLowerCase().includes(q)) || container.id.startsWith(q);
}

export function summarize(containers: Container[]): ProjectSummary {
  const running = containers.filter(isActive).length;
  const total = containers.length;
  return { running, total, state: running === 0 ? "stopped" : running === total ? "running" : "partial" };
}

/** Compares names as people read them. One collator for every comparison: `localeCompare`
 * looks the locale's rules up again on each call, and a sort of a thousand names makes ten
 * thousand calls, on every keystroke of a search. */
export const compareNames = new Intl.Collator(navigator.language).compare;

/** Filters, then groups compose projects into one row each; rows sorted by name. */
export function toRows(containers: Container[], query: string, filter: StateFilter): Row[] {
  const projects = new Map<string, Container[]>();
  const rows: Row[] = [];
  for (const c of containers) {
    if (!matches(c, query, filter)) continue;
    if (c.compose) {
      const members = projects.get(c.compose.project) ?? [];
      members.push(c);
      projects.set(c.compose.project, members);
    } else {
      rows.push({ kind: "container", container: c });
    }
  }
  for (const [project, members] of projects) {
    members.sort((a, b) => compareNames(a.compose?.service ?? a.name, b.compose?.service ?? b.name));
    rows.push({ kind: "project", project, containers: members, summary: summarize(members) });
  }
  const key = (row: Row) => (row.kind === "project" ? row.project : row.container.name);
  return rows.sort((a, b) => compareNames(key(a), key(b)));
}

/** Short form for the table: "8080→80", "53→53/udp", or "80" when only exposed. */
export function formatPort(port: Port): string {
  const inside = port.protocol === "tcp" ? `${port.containerPort}` : `${port.containerPort}/${port.protocol}`;
  return port.hostPort == null ? inside : `${port.hostPort}→${inside}`;
}

/** Long form for tooltips: "127.0.0.1:8080 → 80/tcp", "80/tcp (not published)". */
export function describePort(port: Port): string {
  const inside = `${port.containerPort}/${port.protocol}`;
  if (port.hostPort == null) return `${inside} (not published)`;
  return `${port.hostIp ?? "0.0.0.0"}:${port.hostPort} → ${inside}`;
}

/** Whether a port can be opened in the browser: published, and TCP. (The address it opens at is the core's to build.) */
export function opensInBrowser(port: Port): boolean {
  return port.hostPort != null && port.protocol === "tcp";
}

/** Who uses what: each key `keysOf` gives a container → the names of the containers with it. */
export function containersBy(containers: Container[], keysOf: (c: Container) => string[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const c of containers) {
    for (const key of keysOf(c)) users.set(key, [...(users.get(key) ?? []), c.name]);
  }
  return users;
}
