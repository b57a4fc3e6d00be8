// The side panel of the one selected node: its properties and its connections.
import type { Edge } from "@xyflow/react";
import { useId } from "react";
import type { NumberChoice } from "./api";
import { targetChoices, targetOf } from "./connections";
import { useApp } from "./context";
import { visiblePorts, type FlowNode } from "./convert";
import type { NodeFindings } from "./findings";
import { NodeForm, NumbersContext } from "./NodeForm";
import type { NodeTypeInfo, PortInfo } from "./types";

interface PortRowProps {
  port: PortInfo;
  value: string;
  choices: { value: string; label: string }[];
  problems: string[];
  onChange: (target: string | null) => void;
}

function PortRow({ port, value, choices, problems, onChange }: PortRowProps) {
  const { t } = useApp();
  const id = useId();
  return (
    <div className={problems.length ? "field has-problem" : "field"}>
      <label htmlFor={id}>
        {port.label}
        {port.required ? " *" : ""}
      </label>
      <select
        id={id}
        value={value}
        data-testid={`connect-${port.name}`}
        aria-describedby={problems.length ? `${id}-problem` : undefined}
        onChange={(e) => onChange(e.target.value || null)}
      >
        <option value="">{t("notConnected")}</option>
        {value && !choices.some((c) => c.value === value) ? <option value={value}>{value}</option> : null}
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
      {problems.length ? (
        <p id={`${id}-problem`} className="field-problem">
          {problems.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

export interface NodePanelProps {
  node: FlowNode;
  info: NodeTypeInfo;
  isEntry: boolean;
  nodes: FlowNode[];
  edges: Edge[];
  types: Map<string, NodeTypeInfo>;
  findings: NodeFindings | undefined;
  numbers: NumberChoice[];
  onMakeEntry: () => void;
  onPropsChange: (props: Record<string, unknown>, field: string) => void;
  onRewire: (port: string, target: string | null) => void;
  onDelete: () => void;
}

export function NodePanel(props: NodePanelProps) {
  const { t } = useApp();
  const { node, info, nodes, edges, findings } = props;
  const wired = new Set(edges.filter((e) => e.source === node.id && e.sourceHandle).map((e) => e.sourceHandle!));
  const ports = visiblePorts(info, node.data.props, wired);
  const choices = targetChoices(nodes, node.id, (type) => props.types.get(type)?.label ?? type);
  return (
    <div className="props">
      <h2>{info.label}</h2>
      <p className="muted">{info.description}</p>
      <p>
        {t("nodeId")}: <code>{node.id}</code>
      </p>
      {props.isEntry ? (
        <p className="entry-note">▶ {t("isEntry")}</p>
      ) : (
        <button type="button" className="small" onClick={props.onMakeEntry}>
          ▶ {t("makeEntry")}
        </button>
      )}
      <NumbersContext.Provider value={props.numbers}>
        <NodeForm
          key={node.id}
          schema={info.properties}
          props={node.data.props}
          onChange={props.onPropsChange}
          problems={[...(findings?.errors ?? []), ...(findings?.warnings ?? [])]}
        />
      </NumbersContext.Provider>
      {ports.length ? (
        <fieldset className="connections" data-testid="connections">
          <legend>{t("connections")}</legend>
          {ports.map((port) => (
            <PortRow
              key={port.name}
              port={port}
              value={targetOf(edges, node.id, port.name)}
              choices={choices}
              problems={(findings?.ports[port.name] ?? []).map((f) => f.message)}
              onChange={(target) => props.onRewire(port.name, target)}
            />
          ))}
        </fieldset>
      ) : null}
      <button type="button" className="danger" onClick={props.onDelete}>
        {t("deleteNode")}
      </button>
    </div>
  );
}
