export interface PortInfo {
  name: string;
  label: string;
  required: boolean;
  choice: boolean;
}

export interface JsonSchema {
  type?: string;
  title?: string;
  format?: string;
  enum?: (string | null)[];
  choices?: Record<string, string>; // a title per enum value, in the editor's language
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  description?: string;
}

export interface NodeTypeInfo {
  type: string;
  label: string;
  icon: string;
  description: string;
  category: string;
  category_label?: string;
  waits: string;
  ports: PortInfo[];
  dynamic_ports: boolean;
  properties: JsonSchema;
}

export type Props = Record<string, unknown>;

export interface DocNode {
  type: string;
  props: Props;
  ports: Record<string, string>;
}

export interface FlowDocument {
  format: number;
  name: string;
  description?: string;
  entry: string;
  nodes: Record<string, DocNode>;
  layout?: Record<string, { x: number; y: number }>;
}

export interface Finding {
  severity: "error" | "warning";
  code: string;
  message: string;
  node?: string | null;
  port?: string | null;
  field?: string | null;
  flow?: string | null;
}

export interface ValidationResult {
  findings: Finding[];
  errors: number;
  warnings: number;
  publishable: boolean;
}

export interface Step {
  flow: string;
  node: string;
  type: string;
  heard: string[];
  twiml: string;
  port: string | null;
  pressed: string | null;
  outcome: string | null;
  into: string | null;
  waiting: string[];
  dialled: string[];
}

export interface Trace {
  end: string;
  detail: string | null;
  steps: Step[];
  digits_left: string[];
  outcomes_left: string[];
  timezone: string;
}

export interface FlowInfo {
  id: number;
  name: string;
  description: string;
  draft_revision: number;
  published_version: number | null;
  updated_at: string;
  draft?: FlowDocument;
}

export interface VersionInfo {
  id: number;
  number: number;
  message: string;
  author_id: number | null;
  created_at: string;
  document?: FlowDocument;
}
