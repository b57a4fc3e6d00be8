// Copy and paste of steps: pure functions over the canvas's nodes and edges.
import type { Edge } from "@xyflow/react";
import { edgeId, newNodeId, type FlowNode } from "./convert";

export interface Clip {
  nodes: FlowNode[];
  edges: Edge[];
}

/** The selected steps and the edges between them (edges leaving the selection stay behind). */
export function copySelection(nodes: FlowNode[], edges: Edge[]): Clip | null {
  const chosen = nodes.filter((n) => n.selected);
  if (!chosen.length) return null;
  const ids = new Set(chosen.map((n) => n.id));
  return {
    nodes: chosen.map(({ id, type, position, data }) => ({ id, type, position, data })),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
}

/** The canvas with a copy of ``clip`` added under new ids, offset, and selected alone. */
export function pasteClip(nodes: FlowNode[], edges: Edge[], clip: Clip): Clip {
  const taken = nodes.map((n) => n.id);
  const rename = new Map<string, string>();
  for (const node of clip.nodes) rename.set(node.id, newNodeId(node.data.type, [...taken, ...rename.values()]));
  const pasted = clip.nodes.map((n) => ({
    ...n,
    id: rename.get(n.id)!,
    position: { x: n.position.x + 40, y: n.position.y + 40 },
    data: structuredClone(n.data),
    selected: true,
  }));
  const pastedEdges = clip.edges.map((e) => {
    const from = rename.get(e.source)!;
    return { ...e, id: edgeId(from, e.sourceHandle!), source: from, target: rename.get(e.target)! };
  });
  return {
    nodes: [...nodes.map((n) => ({ ...n, selected: false })), ...pasted],
    edges: [...edges, ...pastedEdges],
  };
}
