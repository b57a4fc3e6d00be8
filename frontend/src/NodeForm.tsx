import { createContext, useContext, useId, useMemo, useState } from "react";
import type { NumberChoice } from "./api";
import { useApp } from "./context";
import { ownNumberChoices, phonePlaceholder, phoneProblem } from "./phone";
import { AudioPicker, NamedPicker } from "./pickers";
import { choiceLabel, fieldsFor, parseNumber, setValue, type FieldSpec } from "./schemaForm";
import type { Finding, JsonSchema } from "./types";

/** The numbers of the flow's organisation, for the own-number pickers. */
export const NumbersContext = createContext<NumberChoice[]>([]);

interface FieldProps {
  spec: FieldSpec;
  value: unknown;
  onChange: (value: unknown) => void;
  problems: Finding[];
  path: string;
}

function JsonField({ spec, value, onChange }: FieldProps) {
  const id = useId();
  const [text, setText] = useState(value === undefined ? "" : JSON.stringify(value, null, 1));
  return (
    <label htmlFor={id}>
      {spec.label}
      <textarea
        id={id}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onChange(e.target.value.trim() ? JSON.parse(e.target.value) : undefined);
          } catch {
            /* keep typing */
          }
        }}
      />
    </label>
  );
}

function ListField({ spec, value, onChange, problems, path }: FieldProps) {
  const { t } = useApp();
  const items = Array.isArray(value) ? value : [];
  const item = spec.item!;
  const blank = item.kind === "object" ? {} : item.kind === "number" ? 0 : "";
  const full = spec.schema.maxItems !== undefined && items.length >= spec.schema.maxItems;
  return (
    <fieldset className="list-field">
      <legend>{spec.label}</legend>
      {items.map((entry, index) => (
        <div className="list-row" key={index}>
          <Field
            spec={{ ...item, label: `${spec.label} ${index + 1}` }}
            value={entry}
            problems={problems}
            path={`${path}.${index}`}
            onChange={(next) => {
              const copy = [...items];
              copy[index] = next ?? blank;
              onChange(copy);
            }}
          />
          <button
            type="button"
            className="small"
            aria-label={`${t("remove")} ${spec.label} ${index + 1}`}
            onClick={() => onChange(items.filter((_, i) => i !== index))}
          >
            ✕
          </button>
        </div>
      ))}
      <button type="button" className="small" disabled={full} onClick={() => onChange([...items, blank])}>
        + {t("add")}: {spec.label}
      </button>
    </fieldset>
  );
}

function ObjectField({ spec, value, onChange, problems, path }: FieldProps) {
  const current = (value && typeof value === "object" ? value : {}) as Record<string, unknown>;
  return (
    <fieldset className="object-field">
      <legend>{spec.label}</legend>
      {spec.fields!.map((member) => (
        <Field
          key={member.key}
          spec={member}
          value={current[member.key]}
          problems={problems}
          path={`${path}.${member.key}`}
          onChange={(next) => onChange(setValue(current, member.key, next))}
        />
      ))}
    </fieldset>
  );
}

export function Field(props: FieldProps) {
  const { t } = useApp();
  const id = useId();
  const numbers = useContext(NumbersContext);
  const { spec, value, onChange, problems, path } = props;
  const text = value === undefined || value === null ? "" : String(value);
  const mine = problems.filter((f) => f.field === path || f.field === path.split(".").slice(1).join("."));
  const typed = spec.kind === "phone" ? phoneProblem(text, spec.schema) : null;
  const messages = [...(typed ? [t(typed)] : []), ...mine.map((f) => f.message)];
  const describedBy = messages.length ? `${id}-problem` : undefined;
  const placeholder = spec.schema.default !== undefined && spec.schema.default !== null && typeof spec.schema.default !== "object"
    ? String(spec.schema.default)
    : undefined;
  let control;
  switch (spec.kind) {
    case "list":
      return <ListField {...props} />;
    case "object":
      return <ObjectField {...props} />;
    case "json":
      return <JsonField {...props} />;
    case "boolean":
      return (
        <label className="check" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={value === undefined ? Boolean(spec.schema.default) : Boolean(value)}
            onChange={(e) => onChange(e.target.checked)}
          />
          {spec.label}
        </label>
      );
    case "select":
      control = (
        <select id={id} value={text} onChange={(e) => onChange(e.target.value || undefined)} aria-describedby={describedBy}>
          <option value="">{placeholder ? `(${choiceLabel(spec, placeholder)})` : t("none")}</option>
          {spec.options!.filter((o) => o !== "").map((option) => (
            <option key={option} value={option}>
              {choiceLabel(spec, option)}
            </option>
          ))}
        </select>
      );
      break;
    case "number":
      control = (
        <input
          id={id}
          type="number"
          min={spec.min}
          max={spec.max}
          step={spec.step ?? "any"}
          placeholder={placeholder}
          value={text}
          aria-describedby={describedBy}
          onChange={(e) => onChange(parseNumber(e.target.value, spec.step === 1))}
        />
      );
      break;
    case "audio":
      control = <AudioPicker id={id} value={text} onChange={(v) => onChange(v || undefined)} />;
      break;
    case "voicemail_box":
      control = <NamedPicker id={id} path="/api/voicemail-boxes" value={text} onChange={(v) => onChange(v || undefined)} />;
      break;
    case "fax_box":
      control = <NamedPicker id={id} path="/api/fax-boxes" value={text} onChange={(v) => onChange(v || undefined)} />;
      break;
    case "flow":
      control = <NamedPicker id={id} path="/api/flows" value={text} onChange={(v) => onChange(v || undefined)} />;
      break;
    case "own_number":
      control = (
        <select id={id} value={text || String(spec.schema.default ?? "")} onChange={(e) => onChange(e.target.value || undefined)} aria-describedby={describedBy}>
          {ownNumberChoices(numbers, text, t).map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      );
      break;
    case "phone":
      control = (
        <input
          id={id}
          type="tel"
          inputMode="tel"
          autoComplete="off"
          value={text}
          placeholder={phonePlaceholder(spec.schema)}
          maxLength={spec.schema.maxLength}
          aria-invalid={typed ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value.trim())}
        />
      );
      break;
    case "textarea":
      control = (
        <textarea id={id} value={text} maxLength={spec.schema.maxLength} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)} />
      );
      break;
    default:
      control = (
        <input
          id={id}
          type="text"
          value={text}
          placeholder={placeholder}
          maxLength={spec.schema.maxLength}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
  return (
    <div className={messages.length ? "field has-problem" : "field"}>
      <label htmlFor={id}>
        {spec.label}
        {spec.required ? " *" : ""}
      </label>
      {control}
      {messages.length ? (
        <p id={`${id}-problem`} className="field-problem">
          {messages.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

export function NodeForm({
  schema,
  props,
  onChange,
  problems,
}: {
  schema: JsonSchema;
  props: Record<string, unknown>;
  onChange: (props: Record<string, unknown>, field: string) => void;
  problems: Finding[];
}) {
  const specs = useMemo(() => fieldsFor(schema), [schema]);
  return (
    <div className="node-form">
      {specs.map((spec) => (
        <Field
          key={spec.key}
          spec={spec}
          value={props[spec.key]}
          problems={problems}
          path={spec.key}
          onChange={(value) => onChange(setValue(props, spec.key, value), spec.key)}
        />
      ))}
    </div>
  );
}
