import type { Edge } from "@xyflow/react";
import { describe, expect, it } from "vitest";
import { copySelection, pasteClip } from "./clipboard";
import type { FlowNode } from "./convert";

const node = (id: string, selected = false): FlowNode => ({
  id,
  type: "ivr",
  position: { x: 10, y: 20 },
  data: { type: id.split("-")[0], props: { text: id } },
  selected,
});
const edges: Edge[] = [
  { id: "play:next", source: "play", sourceHandle: "next", target: "hangup", targetHandle: "in" },
  { id: "menu:1", source: "menu", sourceHandle: "1", target: "play", targetHandle: "in" },
];

describe("copy and paste", () => {
  it("copies the selection with the edges inside it", () => {
    const clip = copySelection([node("play", true), node("hangup", true), node("menu")], edges)!;
    expect(clip.nodes.map((n) => n.id)).toEqual(["play", "hangup"]);
    expect(clip.edges.map((e) => e.id)).toEqual(["play:next"]);
    expect(copySelection([node("play")], edges)).toBeNull();
  });

  it("pastes under new ids, rewired among themselves, selected alone", () => {
    const nodes = [node("play", true), node("hangup", true), node("menu")];
    const clip = copySelection(nodes, edges)!;
    const out = pasteClip(nodes, edges, clip);
    expect(out.nodes.map((n) => [n.id, !!n.selected])).toEqual([
      ["play", false],
      ["hangup", false],
      ["menu", false],
      ["play-2", true],
      ["hangup-2", true],
    ]);
    expect(out.nodes[3].position).toEqual({ x: 50, y: 60 });
    expect(out.edges.at(-1)).toMatchObject({ id: "play-2:next", source: "play-2", target: "hangup-2" });
    (out.nodes[3].data.props as { text: string }).text = "changed";
    expect(nodes[0].data.props).toEqual({ text: "play" });
  });
});
