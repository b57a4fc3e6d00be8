import { describe, expect, it } from "vitest";
import { documentToGraph, graphToDocument, initialProps, logicKey, newNodeId, visiblePorts } from "./convert";
import type { FlowDocument, NodeTypeInfo } from "./types";

const doc: FlowDocument = {
  format: 1,
  name: "main_number",
  description: "Main line",
  entry: "hours",
  nodes: {
    hours: { type: "hours", props: { country: "DK" }, ports: { open: "menu", closed: "vm" } },
    menu: { type: "menu", props: { options: [{ digit: "1" }] }, ports: { "1": "vm" } },
    vm: { type: "voicemail", props: { box: "vm-main" }, ports: {} },
  },
  layout: { hours: { x: 0, y: 0 }, menu: { x: 300, y: 0 }, vm: { x: 600, y: 40 } },
};

const menu: NodeTypeInfo = {
  type: "menu",
  label: "Menu",
  icon: "grid",
  description: "",
  category: "routing",
  waits: "caller",
  dynamic_ports: true,
  ports: [
    { name: "1", label: "Key 1", required: false, choice: true },
    { name: "2", label: "Key 2", required: false, choice: true },
    { name: "fallback", label: "After too many tries", required: true, choice: false },
  ],
  properties: {
    type: "object",
    required: ["prompt"],
    properties: {
      prompt: { type: "object", properties: { text: { type: "string" } } },
      timeout: { type: "integer", default: 5 },
      options: { type: "array", default: [] },
    },
  },
};

describe("document <-> graph", () => {
  it("makes a node per document node and an edge per wired port", () => {
    const graph = documentToGraph(doc);
    expect(graph.nodes.map((n) => n.id)).toEqual(["hours", "menu", "vm"]);
    expect(graph.nodes[1].position).toEqual({ x: 300, y: 0 });
    expect(graph.nodes[2].data).toEqual({ type: "voicemail", props: { box: "vm-main" } });
    expect(graph.edges.map((e) => [e.id, e.source, e.sourceHandle, e.target])).toEqual([
      ["hours:closed", "hours", "closed", "vm"],
      ["hours:open", "hours", "open", "menu"],
      ["menu:1", "menu", "1", "vm"],
    ]);
    expect(graph.meta).toEqual({ name: "main_number", description: "Main line", entry: "hours" });
  });

  it("round-trips to the same document", () => {
    const graph = documentToGraph(doc);
    expect(graphToDocument(graph.nodes, graph.edges, graph.meta)).toEqual(doc);
  });

  it("drops edges to missing nodes and an entry that no longer exists", () => {
    const graph = documentToGraph(doc);
    const nodes = graph.nodes.filter((n) => n.id !== "hours" && n.id !== "vm");
    const out = graphToDocument(nodes, graph.edges, graph.meta);
    expect(out.entry).toBe("");
    expect(out.nodes.menu.ports).toEqual({});
  });

  it("places nodes without a layout on a grid", () => {
    const graph = documentToGraph({ ...doc, layout: undefined });
    expect(graph.nodes.map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 280, y: 0 },
      { x: 560, y: 0 },
    ]);
  });

  it("ignores positions in the logic key", () => {
    const moved = { ...doc, layout: { ...doc.layout, hours: { x: 99, y: 99 } } };
    expect(logicKey(moved)).toBe(logicKey(doc));
    const rewired = { ...doc, entry: "menu" };
    expect(logicKey(rewired)).not.toBe(logicKey(doc));
  });
});

describe("ports and new nodes", () => {
  it("shows a menu's key ports only for its options or existing wires", () => {
    expect(visiblePorts(menu, { options: [{ digit: "2" }] }, new Set()).map((p) => p.name)).toEqual([
      "2",
      "fallback",
    ]);
    expect(visiblePorts(menu, {}, new Set(["1"])).map((p) => p.name)).toEqual(["1", "fallback"]);
  });

  it("gives new nodes unused ids", () => {
    expect(newNodeId("menu", [])).toBe("menu");
    expect(newNodeId("menu", ["menu", "menu-2"])).toBe("menu-3");
  });

  it("starts new nodes with the defaults of required properties only", () => {
    expect(initialProps(menu)).toEqual({});
    const withDefault = { ...menu, properties: { ...menu.properties, required: ["timeout"] } };
    expect(initialProps(withDefault)).toEqual({ timeout: 5 });
  });
});
