import { describe, expect, it } from "vitest";
import { badgeFor, findingsByNode } from "./findings";
import type { Finding } from "./types";

const findings: Finding[] = [
  { severity: "error", code: "port.required_open", message: "open leads nowhere", node: "hours", port: "open" },
  { severity: "error", code: "node.props_invalid", message: "box missing", node: "vm", field: "box" },
  { severity: "warning", code: "node.unreachable", message: "unreachable", node: "vm" },
  { severity: "warning", code: "node.unreachable", message: "unreachable", node: "play" },
  { severity: "error", code: "flow.entry", message: "no entry", node: null },
];

describe("findings -> badges", () => {
  const grouped = findingsByNode(findings);

  it("groups by node and port; flow-level findings under ''", () => {
    expect(grouped.get("hours")!.ports.open.map((f) => f.message)).toEqual(["open leads nowhere"]);
    expect(grouped.get("vm")!.errors).toHaveLength(1);
    expect(grouped.get("vm")!.warnings).toHaveLength(1);
    expect(grouped.get("")!.errors[0].code).toBe("flow.entry");
  });

  it("shows the worst severity with the count", () => {
    expect(badgeFor(grouped.get("vm"))).toEqual({ kind: "error", count: 2 });
    expect(badgeFor(grouped.get("play"))).toEqual({ kind: "warning", count: 1 });
    expect(badgeFor(grouped.get("menu"))).toBeNull();
  });
});
