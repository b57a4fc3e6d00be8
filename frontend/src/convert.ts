// Flow document <-> React Flow nodes and edges. The document is what the server
// stores; the graph is what the canvas shows. Pure functions, unit-tested.
import type { Edge, Node } from "@xyflow/react";
import type { DocNode, FlowDocument, NodeTypeInfo, PortInfo, Props } from "./types";

export interface NodeData extends Record<string, unknown> {
  type: string;
  props: Props;
}

export type FlowNode = Node<NodeData>;

export interface Meta {
  name: string;
  description: string;
  entry: string;
}

export const edgeId = (source: string, port: string): string => `${source}:${port}`;

export function documentToGraph(doc: FlowDocument): {
  nodes: FlowNode[];
  edges: Edge[];
  meta: Meta;
} {
  const ids = Object.keys(doc.nodes).sort();
  const nodes: FlowNode[] = ids.map((id, index) => {
    const node = doc.nodes[id];
    const at = doc.layout?.[id] ?? { x: (index % 4) * 280, y: Math.floor(index / 4) * 200 };
    return {
      id,
      type: "ivr",
      position: { x: at.x, y: at.y },
      data: { type: node.type, props: node.props ?? {} },
    };
  });
  const edges: Edge[] = [];
  for (const id of ids) {
    const ports = doc.nodes[id].ports ?? {};
    for (const port of Object.keys(ports).sort()) {
      edges.push({
        id: edgeId(id, port),
        source: id,
        sourceHandle: port,
        target: ports[port],
        targetHandle: "in",
      });
    }
  }
  return {
    nodes,
    edges,
    meta: { name: doc.name, description: doc.description ?? "", entry: doc.entry ?? "" },
  };
}

export function graphToDocument(nodes: FlowNode[], edges: Edge[], meta: Meta): FlowDocument {
  const out: Record<string, DocNode> = {};
  const layout: Record<string, { x: number; y: number }> = {};
  for (const node of nodes) {
    out[node.id] = { type: node.data.type, props: node.data.props, ports: {} };
    layout[node.id] = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
  }
  for (const edge of edges) {
    const port = edge.sourceHandle;
    if (port && out[edge.source] && out[edge.target]) out[edge.source].ports[port] = edge.target;
  }
  const doc: FlowDocument = {
    format: 1,
    name: meta.name,
    entry: meta.entry && out[meta.entry] ? meta.entry : "",
    nodes: out,
    layout,
  };
  if (meta.description) doc.description = meta.description;
  return doc;
}

/** The document without positions: a change here is a logic change worth validating. */
export function logicKey(doc: FlowDocument): string {
  return JSON.stringify({ ...doc, layout: undefined });
}

/** The ports a node shows: fixed ones always; a menu's key ports only for its options
 * (and any already wired, so nothing connected disappears). */
export function visiblePorts(info: NodeTypeInfo, props: Props, wired: Set<string>): PortInfo[] {
  if (!info.dynamic_ports) return info.ports;
  const options = Array.isArray(props.options) ? (props.options as { digit?: string }[]) : [];
  const digits = new Set(options.map((o) => String(o?.digit ?? "")));
  return info.ports.filter((p) => !p.choice || digits.has(p.name) || wired.has(p.name));
}

/** A new id for a node of ``type`` not used yet: "menu", "menu-2", ... */
export function newNodeId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(type)) return type;
  for (let n = 2; ; n++) if (!used.has(`${type}-${n}`)) return `${type}-${n}`;
}

/** Default property values a new node starts with: its schema's required defaults. */
export function initialProps(info: NodeTypeInfo): Props {
  const props: Props = {};
  for (const [key, schema] of Object.entries(info.properties.properties ?? {})) {
    if (schema.default !== undefined && schema.default !== null && info.properties.required?.includes(key)) {
      props[key] = structuredClone(schema.default);
    }
  }
  return props;
}
