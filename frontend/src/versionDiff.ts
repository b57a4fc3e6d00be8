// Two versions of a flow on one canvas: the newer graph, the removed steps kept in
// sight, each step marked added, removed or changed by the server's semantic diff.
import type { Edge } from "@xyflow/react";
import { api } from "./api";
import type { DiffStatus } from "./context";
import { documentToGraph, type FlowNode } from "./convert";
import type { VersionInfo } from "./types";

export interface DiffView {
  from: number;
  to: number;
  nodes: FlowNode[];
  edges: Edge[];
  status: Map<string, DiffStatus>;
}

export async function loadDiffView(flowId: number, from: number, to: number): Promise<DiffView> {
  const [a, b, diff] = await Promise.all([
    api<VersionInfo>("GET", `/api/flows/${flowId}/versions/${from}`),
    api<VersionInfo>("GET", `/api/flows/${flowId}/versions/${to}`),
    api<{ changes: Record<string, { node: string }[]> }>("GET", `/api/flows/${flowId}/diff?from=${from}&to=${to}`),
  ]);
  const before = documentToGraph(a.document!);
  const after = documentToGraph(b.document!);
  const status = new Map<string, DiffStatus>();
  for (const c of diff.changes.nodes_changed ?? []) status.set(c.node, "changed");
  for (const c of diff.changes.ports ?? []) if (!status.has(c.node)) status.set(c.node, "changed");
  for (const c of diff.changes.nodes_added ?? []) status.set(c.node, "added");
  for (const c of diff.changes.nodes_removed ?? []) status.set(c.node, "removed");
  const removed = before.nodes.filter((n) => status.get(n.id) === "removed");
  return { from, to, nodes: [...after.nodes, ...removed], edges: after.edges, status };
}
