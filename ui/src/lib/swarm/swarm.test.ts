import { describe, expect, it } from "vitest";
import type { Node, Service, Task } from "../backend";
import { byStack, columns, isSettling, updateProgress } from "./swarm";

const node = (id: string): Node => ({
  id, hostname: id, role: "worker", availability: "active", status: "ready", message: "", address: "10.0.0.1",
  leader: false, reachability: null, engineVersion: "20.10", cpus: 2, memoryBytes: 2 ** 30, labels: {}, version: 1,
});
const service = (id: string, over: Partial<Service> = {}): Service => ({
  id, name: id, image: "web:2", mode: { kind: "replicated", replicas: 2 }, running: 2, desired: 2, ports: [],
  stack: null, update: null, labels: {}, version: 1, ...over,
});
const task = (id: string, over: Partial<Task> = {}): Task => ({
  id, serviceId: "web", slot: 1, nodeId: "a", desiredState: "running", state: "running", message: "", error: null,
  image: "web:2", updatedAt: "2026-12-01T00:00:00.123456789Z", ...over,
});

describe("the swarm views", () => {
  it("put each task meant to run in its node's column, by service then slot, and the unplaced apart", () => {
    const services = [service("web"), service("api")];
    const tasks = [
      task("w2", { slot: 2 }),
      task("a1", { serviceId: "api" }),
      task("w1", { slot: 1 }),
      task("old", { desiredState: "shutdown", state: "shutdown" }),
      task("b1", { nodeId: "b", slot: 3 }),
      task("p", { nodeId: "", state: "pending", slot: 4 }),
    ];
    const picture = columns([node("a"), node("b")], tasks, services);
    expect(picture.columns.map((c) => c.tasks.map((t) => t.id))).toEqual([["w1", "w2", "a1"], ["b1"]]);
    expect(picture.unplaced.map((t) => t.id)).toEqual(["p"]);
  });

  it("look again only while a task moves or an update runs", () => {
    expect(isSettling([task("t")], [service("web")])).toBe(false);
    expect(isSettling([task("t", { state: "preparing" })], [service("web")])).toBe(true);
    expect(isSettling([task("t", { desiredState: "shutdown" })], [service("web")])).toBe(true);
    expect(isSettling([task("t")], [service("web", { update: { state: "updating", message: "" } })])).toBe(true);
    expect(isSettling([task("t")], [service("web", { update: { state: "paused", message: "" } })])).toBe(false);
  });

  it("group services by stack, the services of none last", () => {
    const groups = byStack([service("x"), service("b1", { stack: "b" }), service("a1", { stack: "a" }), service("b2", { stack: "b" })]);
    expect(groups.map((g) => [g.stack, g.services.map((s) => s.id)])).toEqual([["a", ["a1"]], ["b", ["b1", "b2"]], [null, ["x"]]]);
  });

  it("count an update's tasks on the new image, and the failed ones with why", () => {
    const web = service("web", { image: "web:3", desired: 3 });
    const rollouts = [{ serviceId: "web", onImage: 1, stale: true }, { serviceId: "api", onImage: 1, stale: false }];
    const progress = updateProgress(web, rollouts, [
      task("new", { image: "web:3" }),
      task("old", { image: "web:2" }),
      task("bad", { image: "web:3", state: "failed", desiredState: "shutdown", error: "no such image" }),
      task("other", { serviceId: "api", image: "web:3" }),
    ]);
    expect(progress.done).toBe(1);
    expect(progress.total).toBe(3);
    expect(progress.failed.map((t) => t.error)).toEqual(["no such image"]);
  });
});
