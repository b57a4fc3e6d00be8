// Connections of a node's ports as form choices: the keyboard's way to draw an edge.
import type { Edge } from "@xyflow/react";
import { edgeId, type FlowNode } from "./convert";
import type { Choice } from "./phone";

/** The edges with ``source``'s ``port`` leading to ``target`` (null: disconnected).
 * A port has at most one edge, as when it is dragged. */
export function rewire(edges: Edge[], source: string, port: string, target: string | null): Edge[] {
  const id = edgeId(source, port);
  const others = edges.filter((e) => e.id !== id);
  if (!target) return others;
  return [...others, { id, source, sourceHandle: port, target, targetHandle: "in" }];
}

/** Where ``source``'s ``port`` leads now ("" when nowhere). */
export function targetOf(edges: Edge[], source: string, port: string): string {
  return edges.find((e) => e.id === edgeId(source, port))?.target ?? "";
}

/** Every other node of the flow, by its type's label and id, in id order. */
export function targetChoices(nodes: FlowNode[], source: string, labelOf: (type: string) => string): Choice[] {
  return nodes
    .filter((n) => n.id !== source)
    .map((n) => ({ value: n.id, label: `${labelOf(n.data.type)} · ${n.id}` }))
    .sort((a, b) => a.value.localeCompare(b.value));
}
