// What the Swarm views work out from a manager's overview: the cluster picture's columns,
// services grouped by stack, a service's update progress, and whether tasks are still moving.
import type { Node, Rollout, Service, Task } from "../backend";
import { sourceColour } from "../logLines";

/** Task states on the way to running (or to stopping): the engine sends no event as a task
 * moves through them, so the view looks again while any task is in one. */
const MOVING = new Set(["new", "pending", "assigned", "accepted", "preparing", "ready", "starting"]);

/** A task that is not where the scheduler wants it yet. */
export function isMoving(task: Task): boolean {
  if (task.desiredState === "running") return MOVING.has(task.state);
  return task.desiredState === "shutdown" && task.state === "running";
}

/** Whether the view should look again soon: a task is moving, or an update is under way. */
export function isSettling(tasks: Task[], services: Service[]): boolean {
  return tasks.some(isMoving) || services.some((s) => s.update?.state === "updating" || s.update?.state === "rollback_started");
}

/** The tasks worth a chip: those meant to run, and those still running on their way out. */
export function isShown(task: Task): boolean {
  return task.desiredState === "running" || task.state === "running";
}

/** The colour (an ANSI colour variable, as merged logs use) of each service, by its place. */
export function serviceColours(services: Service[]): Map<string, string> {
  return new Map(services.map((s, i) => [s.id, `var(--ansi-${sourceColour(i)})`]));
}

export type Column = { node: Node; tasks: Task[] };

/** The cluster picture: a column per node, its tasks that are meant to run (by service, then
 * slot), and the tasks the scheduler could not place yet apart. */
export function columns(nodes: Node[], tasks: Task[], services: Service[]): { columns: Column[]; unplaced: Task[] } {
  const order = new Map(services.map((s, i) => [s.id, i]));
  const byPlace = (a: Task, b: Task) =>
    (order.get(a.serviceId) ?? 0) - (order.get(b.serviceId) ?? 0) || (a.slot ?? 0) - (b.slot ?? 0);
  const shown = tasks.filter(isShown).sort(byPlace);
  return {
    columns: nodes.map((node) => ({ node, tasks: shown.filter((t) => t.nodeId === node.id) })),
    unplaced: shown.filter((t) => !t.nodeId),
  };
}

export type StackGroup = { stack: string | null; services: Service[] };

/** Services by stack (stacks by name), the services of no stack last. */
export function byStack(services: Service[]): StackGroup[] {
  const groups = new Map<string | null, Service[]>();
  for (const service of services) {
    const list = groups.get(service.stack) ?? [];
    list.push(service);
    groups.set(service.stack, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([stack, list]) => ({ stack, services: list }));
}

export type Progress = { done: number; total: number; failed: Task[] };

/** How far a service's tasks are on its current image (as the core counts them), out of the
 * slots it wants, and the tasks that failed on the way (newest first), each with why. */
export function updateProgress(service: Service, rollouts: Rollout[], tasks: Task[]): Progress {
  const done = rollouts.find((r) => r.serviceId === service.id)?.onImage ?? 0;
  const failed = tasks.filter((t) => t.serviceId === service.id && (t.state === "failed" || t.state === "rejected"));
  return { done, total: service.desired, failed };
}

/** The engine's update state in words: "rollback_completed" → "rollback completed". */
export function updateWords(state: string): string {
  return state.replaceAll("_", " ");
}

/** An update state that needs the user's eye: paused, or rolled back. */
export function isTrouble(state: string): boolean {
  return state.includes("paused") || state.startsWith("rollback");
}
