import { Handle, Position, useStore, type NodeProps } from "@xyflow/react";
import { memo, useContext } from "react";
import { CanvasContext, useApp } from "./context";
import { visiblePorts, type FlowNode } from "./convert";
import { badgeFor } from "./findings";

// Glyphs every system font has (no emoji font needed); the server names the icon.
const ICONS: Record<string, string> = {
  printer: "⎙",
  "corner-down-right": "↪",
  "phone-off": "✕",
  clock: "◷",
  grid: "▦",
  volume: "♪",
  users: "☎",
  "phone-forwarded": "➜",
  inbox: "☰",
  voicemail: "✉",
};

function summary(props: Record<string, unknown>): string {
  const text = props.text ?? (props.prompt as { text?: string } | undefined)?.text ?? props.box ?? props.number;
  if (typeof text === "string") return text.length > 60 ? `${text.slice(0, 57)}…` : text;
  return "";
}

function FlowNodeViewImpl({ id, data, selected }: NodeProps<FlowNode>) {
  const { t } = useApp();
  const canvas = useContext(CanvasContext);
  const info = canvas.types.get(data.type);
  const wired = useStore((s) => {
    const names: string[] = [];
    for (const edge of s.edges) if (edge.source === id && edge.sourceHandle) names.push(edge.sourceHandle);
    return names.join("\u0000");
  });
  const found = canvas.findings.get(id);
  const badge = badgeFor(found);
  const ports = info ? visiblePorts(info, data.props, new Set(wired ? wired.split("\u0000") : [])) : [];
  const classes = ["ivr-node", `cat-${info?.category ?? "unknown"}`];
  if (selected) classes.push("selected");
  if (badge) classes.push(`has-${badge.kind}`);
  if (canvas.visited.has(id)) classes.push("visited");
  if (canvas.current === id) classes.push("current");
  const diff = canvas.diff?.get(id);
  if (diff) classes.push(`diff-${diff}`);
  const title = [...(found?.errors ?? []), ...(found?.warnings ?? [])].map((f) => f.message).join("\n");

  return (
    <div className={classes.join(" ")} data-node-id={id} data-testid={`node-${id}`}>
      <Handle type="target" position={Position.Left} id="in" className="in-handle" />
      <div className="ivr-node-head">
        <span className="icon" aria-hidden="true">
          {ICONS[info?.icon ?? ""] ?? "◆"}
        </span>
        <span className="type-label">{info?.label ?? data.type}</span>
        {canvas.entry === id ? <span className="entry-tag" title={t("isEntry")}>▶</span> : null}
        {badge ? (
          <span className={`badge ${badge.kind}`} title={title} data-testid={`badge-${id}`}>
            {badge.kind === "error" ? "!" : "?"} {badge.count}
          </span>
        ) : null}
        {diff ? <span className={`badge diff ${diff}`}>{t(diff === "removed" ? "removedNode" : diff)}</span> : null}
      </div>
      <div className="ivr-node-id">{id}</div>
      {summary(data.props) ? <div className="ivr-node-summary">{summary(data.props)}</div> : null}
      <ul className="ports">
        {ports.map((port) => {
          const problems = found?.ports[port.name];
          return (
            <li key={port.name} className={problems ? "port has-problem" : "port"} title={problems?.map((f) => f.message).join("\n")}>
              <span>
                {port.label}
                {port.required ? " *" : ""}
              </span>
              <Handle
                type="source"
                position={Position.Right}
                id={port.name}
                className="port-handle"
                data-testid={`port-${id}-${port.name}`}
                aria-label={`${id}: ${port.label}`}
              />
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export const FlowNodeView = memo(FlowNodeViewImpl);
