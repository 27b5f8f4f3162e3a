import { describe, expect, it } from "vitest";
import { container } from "./fixtures";
import { describePort, formatPort, matches, opensInBrowser, summarize, toRows } from "./containers";
import type { Port } from "./bindings";
import { formatBytes, relativeTime, shortId } from "./format";


const compose = (project: string, service: string) => ({ compose: { project, service } });

describe("toRows", () => {
  const list = [
    container("zeta"),
    container("shop-web-1", compose("shop", "web")),
    container("shop-db-1", { ...compose("shop", "db"), state: "exited", status: "Exited (0)" }),
    container("alpha", { state: "exited" }),
  ];

  it("groups compose projects into one row, sorted with lone containers by name", () => {
    const rows = toRows(list, "", "all");
    expect(rows.map((r) => (r.kind === "project" ? `[${r.project}]` : r.container.name))).toEqual([
      "alpha",
      "[shop]",
      "zeta",
    ]);
    const shop = rows[1];
    if (shop.kind !== "project") throw new Error("expected a project row");
    expect(shop.containers.map((c) => c.compose?.service)).toEqual(["db", "web"]);
    expect(shop.summary).toEqual({ running: 1, total: 2, state: "partial" });
  });

  it("filters by state and search text before grouping", () => {
    expect(toRows(list, "", "stopped").map((r) => r.kind)).toEqual(["container", "project"]);
    expect(toRows(list, "web", "all")).toHaveLength(1);
    expect(toRows(list, "nothing-like-this", "all")).toEqual([]);
  });
});

describe("matches", () => {
  it("finds by name, image, project, service and id prefix, case-insensitively", () => {
    const c = container("api-1", { image: "ghcr.io/acme/api:2", ...compose("Shop", "api") });
    for (const q of ["API-1", "acme", "shop", "api", c.id.slice(0, 6)]) {
      expect(matches(c, q, "all"), q).toBe(true);
    }
    expect(matches(c, "postgres", "all")).toBe(false);
  });

  it("counts paused and restarting containers as running", () => {
    expect(matches(container("p", { state: "paused" }), "", "running")).toBe(true);
    expect(matches(container("r", { state: "restarting" }), "", "stopped")).toBe(false);
    expect(matches(container("c", { state: "created" }), "", "stopped")).toBe(true);
  });
});

describe("summarize", () => {
  it("tells running, partial and stopped projects apart", () => {
    expect(summarize([container("a")]).state).toBe("running");
    expect(summarize([container("a", { state: "exited" })]).state).toBe("stopped");
  });
});

describe("ports", () => {
  const published = { hostIp: "127.0.0.1", hostPort: 8080, containerPort: 80, protocol: "tcp" };
  it("formats short and long forms", () => {
    expect(formatPort(published)).toBe("8080→80");
    expect(describePort(published)).toBe("127.0.0.1:8080 → 80/tcp");
    const udp = { hostIp: null, hostPort: null, containerPort: 53, protocol: "udp" };
    expect(formatPort(udp)).toBe("53/udp");
    expect(describePort(udp)).toBe("53/udp (not published)");
  });
});

describe("relativeTime", () => {
  it("says how long ago, in the largest whole unit", () => {
    const now = 1_700_000_000_000;
    expect(relativeTime(1_700_000_000 - 20, now)).toBe("just now");
    expect(relativeTime(1_700_000_000 - 60, now)).toBe("1 minute ago");
    expect(relativeTime(1_700_000_000 - 3 * 3600, now)).toBe("3 hours ago");
    expect(relativeTime(1_700_000_000 - 40 * 86400, now)).toBe("1 month ago");
  });
});

describe("formatBytes and shortId", () => {
  it("speaks in decimal units like the docker CLI", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1_234_567)).toBe("1.2 MB");
    expect(formatBytes(250_000_000)).toBe("250 MB");
  });
  it("shortens ids to 12 characters without the digest prefix", () => {
    expect(shortId("sha256:0123456789abcdef")).toBe("0123456789ab");
  });
});

describe("opensInBrowser", () => {
  const port = (over: Partial<Port>): Port => ({ hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80, protocol: "tcp", ...over });
  it("offers published TCP ports only", () => {
    expect(opensInBrowser(port({}))).toBe(true);
    expect(opensInBrowser(port({ protocol: "udp" }))).toBe(false);
    expect(opensInBrowser(port({ hostPort: null }))).toBe(false);
  });
});
