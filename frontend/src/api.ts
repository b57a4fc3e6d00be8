// The JSON API, cookie-authenticated; writes carry the CSRF token the server hands out.
import type { Trace } from "./types";

let csrfToken: string | null = null;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export function setCsrf(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRFToken"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (data as { error?: string } | null)?.error ?? response.statusText;
    throw new ApiError(response.status, message, data);
  }
  return data as T;
}

export interface Pagination {
  total: number;
  total_pages: number;
  page: number;
  first_page?: number;
  last_page?: number;
  previous_page?: number;
  next_page?: number;
}

/** flask-smorest's X-Pagination header (absent on an empty result: one empty page). */
export function parsePagination(header: string | null, fallbackPage = 1): Pagination {
  if (!header) return { total: 0, total_pages: 0, page: fallbackPage };
  try {
    const data = JSON.parse(header) as Partial<Pagination>;
    return {
      total: Number(data.total ?? 0),
      total_pages: Number(data.total_pages ?? 0),
      page: Number(data.page ?? fallbackPage),
      first_page: data.first_page,
      last_page: data.last_page,
      previous_page: data.previous_page,
      next_page: data.next_page,
    };
  } catch {
    return { total: 0, total_pages: 0, page: fallbackPage };
  }
}

/** A paginated list: the items and the totals from the X-Pagination header. */
export async function apiPage<T>(path: string): Promise<{ items: T[]; pagination: Pagination }> {
  const response = await fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (data as { error?: string } | null)?.error ?? response.statusText;
    throw new ApiError(response.status, message, data);
  }
  const page = Number(new URL(path, "http://x").searchParams.get("page") ?? "1");
  return { items: (data as T[]) ?? [], pagination: parsePagination(response.headers.get("X-Pagination"), page) };
}

/** A query string from the set values only ("" and null are left out). */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** Field name -> first message, from the API's {error, fields} answer. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const fields = (error.body as { fields?: Record<string, unknown> } | null)?.fields;
  const out: Record<string, string> = {};
  if (!fields || typeof fields !== "object") return out;
  for (const [name, messages] of Object.entries(fields)) {
    if (Array.isArray(messages)) out[name] = messages.map(String).join(" ");
    else if (typeof messages === "string") out[name] = messages;
    else if (messages && typeof messages === "object") out[name] = JSON.stringify(messages);
  }
  return out;
}

/** A multipart upload through XMLHttpRequest, which reports upload progress. */
export function upload<T>(
  path: string,
  form: FormData,
  onProgress: (loaded: number, total: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    if (csrfToken) xhr.setRequestHeader("X-CSRFToken", csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      let data: unknown = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as T);
      else {
        const message = (data as { error?: string } | null)?.error ?? xhr.statusText;
        reject(new ApiError(xhr.status, message, data));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network error", null));
    xhr.send(form);
  });
}

/** One of the org's numbers, as the simulator offers it. */
export interface NumberChoice {
  id: number;
  e164: string;
  label: string;
  voice_flow_id: number | null;
  voice_flow_name: string | null;
}

/** A simulated call to a number, and the flow version that answered it. */
export interface NumberTrace extends Trace {
  called: string;
  number_id: number;
  flow_id: number;
  flow_name: string;
  version: number;
}

/** What the simulated caller does: local time, caller number, keys and outcomes. */
export interface CallScript {
  at: string;
  caller: string;
  digits: string[];
  outcomes: string[];
}

/** The numbers of the organisation that owns ``flowId`` (a system admin sees many orgs). */
export async function numbersOfFlowOrg(flowId: number): Promise<NumberChoice[]> {
  const flow = await api<{ org_id: number }>("GET", `/api/flows/${flowId}`);
  return api<NumberChoice[]>("GET", `/api/numbers${query({ org_id: flow.org_id })}`);
}

/** A call to a number as the runtime would answer it (its flow's live version). */
export function simulateNumber(numberId: number, script: CallScript): Promise<NumberTrace> {
  return api<NumberTrace>("POST", `/api/numbers/${numberId}/simulate`, script);
}
