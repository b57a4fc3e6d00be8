import dagre from "@dagrejs/dagre";
import type { Edge } from "@xyflow/react";
import type { FlowNode } from "./convert";

export const NODE_WIDTH = 240;

/** Left-to-right auto-layout with dagre; returns nodes with new positions. */
export function autoLayout(nodes: FlowNode[], edges: Edge[]): FlowNode[] {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 90 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    graph.setNode(node.id, {
      width: node.measured?.width ?? NODE_WIDTH,
      height: node.measured?.height ?? 120,
    });
  }
  for (const edge of edges) graph.setEdge(edge.source, edge.target);
  dagre.layout(graph);
  return nodes.map((node) => {
    const at = graph.node(node.id);
    const width = node.measured?.width ?? NODE_WIDTH;
    const height = node.measured?.height ?? 120;
    return { ...node, position: { x: Math.round(at.x - width / 2), y: Math.round(at.y - height / 2) } };
  });
}
