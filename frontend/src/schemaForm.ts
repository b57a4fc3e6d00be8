// A node type's property schema (from the server's registry) -> form field specs.
import type { JsonSchema } from "./types";

export type FieldKind =
  | "text"
  | "textarea"
  | "number"
  | "boolean"
  | "select"
  | "audio"
  | "voicemail_box"
  | "fax_box"
  | "flow"
  | "own_number"
  | "phone"
  | "list"
  | "object"
  | "json";

export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  schema: JsonSchema;
  options?: string[];
  min?: number;
  max?: number;
  step?: number;
  item?: FieldSpec; // list items
  fields?: FieldSpec[]; // object members
}

const PICKERS: Record<string, FieldKind> = {
  audio: "audio",
  voicemail_box: "voicemail_box",
  fax_box: "fax_box",
  flow: "flow",
  // One of the org's own numbers (or "caller"): picked from the numbers list.
  caller_id: "own_number",
  // Outside numbers: typed, with hints and the server's format rule checked inline.
  e164: "phone",
  phone_or_sip: "phone",
};

export function humanise(key: string): string {
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldFor(key: string, schema: JsonSchema, required: boolean): FieldSpec {
  const base = { key, label: schema.title ?? humanise(key), required, schema };
  if (schema.enum) {
    return { ...base, kind: "select", options: schema.enum.map((v) => (v === null ? "" : String(v))) };
  }
  switch (schema.type) {
    case "boolean":
      return { ...base, kind: "boolean" };
    case "integer":
    case "number":
      return {
        ...base,
        kind: "number",
        min: schema.minimum,
        max: schema.maximum,
        step: schema.type === "integer" ? 1 : undefined,
      };
    case "array":
      return { ...base, kind: "list", item: fieldFor("item", schema.items ?? { type: "string" }, true) };
    case "object":
      if (schema.properties) return { ...base, kind: "object", fields: fieldsFor(schema) };
      return { ...base, kind: "json" };
    default: {
      const picker = schema.format ? PICKERS[schema.format] : undefined;
      if (picker) return { ...base, kind: picker };
      return { ...base, kind: (schema.maxLength ?? 0) > 200 ? "textarea" : "text" };
    }
  }
}

/** How a select shows one of its values: the server's title for it, else the value. */
export function choiceLabel(spec: FieldSpec, value: string): string {
  return spec.schema.choices?.[value] ?? value;
}

export function fieldsFor(schema: JsonSchema): FieldSpec[] {
  const required = new Set(schema.required ?? []);
  const specs = Object.entries(schema.properties ?? {}).map(([key, member]) =>
    fieldFor(key, member, required.has(key)),
  );
  // Required fields first; otherwise the server's order.
  return [...specs.filter((s) => s.required), ...specs.filter((s) => !s.required)];
}

/** Sets (or, for an empty value, removes) ``key``; an object left empty becomes absent. */
export function setValue(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...target };
  const empty =
    value === undefined ||
    value === "" ||
    value === null ||
    (typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 0);
  if (empty) delete out[key];
  else out[key] = value;
  return out;
}

/** A number input's text as a value: "" clears; out-of-range values are kept (the
 * validator reports them) but non-numbers are dropped. */
export function parseNumber(text: string, integer: boolean): number | undefined {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  return integer ? Math.trunc(value) : value;
}
