import type { Edge } from "@xyflow/react";
import { describe, expect, it } from "vitest";
import { rewire, targetChoices, targetOf } from "./connections";
import type { FlowNode } from "./convert";

const node = (id: string, type: string): FlowNode => ({ id, type: "ivr", position: { x: 0, y: 0 }, data: { type, props: {} } });
const edges: Edge[] = [
  { id: "menu:1", source: "menu", sourceHandle: "1", target: "play", targetHandle: "in" },
  { id: "menu:fallback", source: "menu", sourceHandle: "fallback", target: "hangup", targetHandle: "in" },
];

describe("port connections from the form", () => {
  it("connects an open port", () => {
    const next = rewire(edges, "menu", "2", "voicemail");
    expect(next).toHaveLength(3);
    expect(targetOf(next, "menu", "2")).toBe("voicemail");
    expect(next.at(-1)).toEqual({ id: "menu:2", source: "menu", sourceHandle: "2", target: "voicemail", targetHandle: "in" });
  });

  it("rewires a connected port, keeping one edge per port", () => {
    const next = rewire(edges, "menu", "1", "hangup");
    expect(next.filter((e) => e.sourceHandle === "1")).toHaveLength(1);
    expect(targetOf(next, "menu", "1")).toBe("hangup");
    expect(targetOf(next, "menu", "fallback")).toBe("hangup");
  });

  it("disconnects", () => {
    const next = rewire(edges, "menu", "1", null);
    expect(targetOf(next, "menu", "1")).toBe("");
    expect(next).toHaveLength(1);
    expect(edges).toHaveLength(2); // the input is not changed (undo keeps the old list)
  });

  it("offers every other node by label and id", () => {
    const nodes = [node("play", "play"), node("menu", "menu"), node("hangup", "hangup")];
    const labels: Record<string, string> = { play: "Play message", menu: "Menu", hangup: "Hang up" };
    expect(targetChoices(nodes, "menu", (t) => labels[t])).toEqual([
      { value: "hangup", label: "Hang up · hangup" },
      { value: "play", label: "Play message · play" },
    ]);
  });
});
