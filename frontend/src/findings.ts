import type { Finding } from "./types";

export interface NodeFindings {
  errors: Finding[];
  warnings: Finding[];
  ports: Record<string, Finding[]>;
}

/** Findings grouped by the node (and port) they concern; flow-level ones under "". */
export function findingsByNode(findings: Finding[]): Map<string, NodeFindings> {
  const out = new Map<string, NodeFindings>();
  for (const finding of findings) {
    const key = finding.node ?? "";
    let entry = out.get(key);
    if (!entry) {
      entry = { errors: [], warnings: [], ports: {} };
      out.set(key, entry);
    }
    (finding.severity === "error" ? entry.errors : entry.warnings).push(finding);
    if (finding.port) (entry.ports[finding.port] ??= []).push(finding);
  }
  return out;
}

/** The badge a node shows: the worst severity and how many findings. */
export function badgeFor(entry: NodeFindings | undefined): { kind: "error" | "warning"; count: number } | null {
  if (!entry) return null;
  if (entry.errors.length) return { kind: "error", count: entry.errors.length + entry.warnings.length };
  if (entry.warnings.length) return { kind: "warning", count: entry.warnings.length };
  return null;
}
