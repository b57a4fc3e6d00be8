// Pure helpers of the admin pages (unit-tested in logic.test.ts).
import type { Key } from "../i18n";

export type Role = "system_admin" | "org_admin" | "staff";

export interface NavPage {
  route: string;
  label: Key;
  adminOnly: boolean;
}

export const NAV: NavPage[] = [
  { route: "flows", label: "flows", adminOnly: true },
  { route: "numbers", label: "navNumbers", adminOnly: true },
  { route: "boxes", label: "navBoxes", adminOnly: true },
  { route: "inbox", label: "navInbox", adminOnly: false },
  { route: "audio", label: "navAudio", adminOnly: true },
  { route: "users", label: "navUsers", adminOnly: true },
  { route: "integrations", label: "navIntegrations", adminOnly: true },
  { route: "retention", label: "navRetention", adminOnly: true },
  { route: "audit", label: "navAudit", adminOnly: true },
  { route: "calls", label: "navCalls", adminOnly: true },
  { route: "profile", label: "navProfile", adminOnly: false },
];

export const isAdmin = (role: string | undefined): boolean => role === "org_admin" || role === "system_admin";

export function pagesFor(role: string | undefined): NavPage[] {
  return NAV.filter((page) => !page.adminOnly || isAdmin(role));
}

/** The page a hash names, or the role's home page when it names none it may see. */
export function routeFor(hash: string, role: string | undefined): string {
  const name = /^#\/([a-z-]+)/.exec(hash)?.[1] ?? "";
  const allowed = pagesFor(role).map((page) => page.route);
  if (allowed.includes(name)) return name;
  return isAdmin(role) ? "flows" : "inbox";
}

// --- Upload progress -------------------------------------------------------------------

export type UploadState =
  | { phase: "idle" }
  | { phase: "uploading"; loaded: number; total: number; percent: number }
  | { phase: "processing"; assetId: number }
  | { phase: "ready"; assetId: number }
  | { phase: "failed"; error: string; fields: Record<string, string> };

export type UploadEvent =
  | { type: "start"; total: number }
  | { type: "progress"; loaded: number; total: number }
  | { type: "uploaded"; assetId: number; status: string; failure?: string | null }
  | { type: "polled"; status: string; failure?: string | null }
  | { type: "error"; error: string; fields?: Record<string, string> }
  | { type: "reset" };

const percentOf = (loaded: number, total: number): number =>
  total > 0 ? Math.min(100, Math.max(0, Math.round((loaded / total) * 100))) : 0;

function afterServer(assetId: number, status: string, failure?: string | null): UploadState {
  if (status === "processing") return { phase: "processing", assetId };
  if (status === "failed") return { phase: "failed", error: failure || "failed", fields: {} };
  return { phase: "ready", assetId };
}

export function uploadReducer(state: UploadState, event: UploadEvent): UploadState {
  switch (event.type) {
    case "reset":
      return { phase: "idle" };
    case "start":
      return { phase: "uploading", loaded: 0, total: event.total, percent: 0 };
    case "progress": {
      if (state.phase !== "uploading") return state;
      const percent = Math.max(state.percent, percentOf(event.loaded, event.total));
      return { phase: "uploading", loaded: event.loaded, total: event.total, percent };
    }
    case "uploaded":
      return afterServer(event.assetId, event.status, event.failure);
    case "polled":
      return state.phase === "processing" ? afterServer(state.assetId, event.status, event.failure) : state;
    case "error":
      return { phase: "failed", error: event.error, fields: event.fields ?? {} };
  }
}

// --- Rights expiry -----------------------------------------------------------------------

export const WARN_DAYS = 30;

export type Expiry = { level: "none" } | { level: "soon" | "expired"; days: number; on: string };

const DAY_MS = 24 * 60 * 60 * 1000;

/** How a licence end date (YYYY-MM-DD, the last valid day) stands on ``today``. */
export function expiryOf(validUntil: string | null | undefined, today: Date, status?: string): Expiry {
  if (status === "rights_expired") return { level: "expired", days: 0, on: validUntil ?? "" };
  if (!validUntil) return { level: "none" };
  const [y, m, d] = validUntil.split("-").map(Number);
  const end = Date.UTC(y, m - 1, d);
  const now = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  const days = Math.round((end - now) / DAY_MS);
  if (days < 0) return { level: "expired", days, on: validUntil };
  if (days <= WARN_DAYS) return { level: "soon", days, on: validUntil };
  return { level: "none" };
}

// --- Retention bounds --------------------------------------------------------------------

export interface RetentionRow {
  data_class: string;
  days: number;
  default_days: number;
  min_days: number;
  max_days: number;
}

/** The client-side check of one value; the server checks again and has the last word. */
export function checkDays(row: RetentionRow, text: string): { value: number } | { error: "whole" | "bounds" } {
  if (!/^\d+$/.test(text.trim())) return { error: "whole" };
  const value = Number(text.trim());
  if (value < row.min_days || value > row.max_days) return { error: "bounds" };
  return { value };
}

/** Only the changed, valid values go into the PUT body. */
export function retentionChanges(rows: RetentionRow[], drafts: Record<string, string>): Record<string, number> {
  const body: Record<string, number> = {};
  for (const row of rows) {
    const text = drafts[row.data_class];
    if (text === undefined) continue;
    const checked = checkDays(row, text);
    if ("value" in checked && checked.value !== row.days) body[row.data_class] = checked.value;
  }
  return body;
}

// --- Formatting --------------------------------------------------------------------------

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "";
  const total = Math.round(seconds);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

export function formatWhen(iso: string | null | undefined, lang: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(lang === "da" ? "da-DK" : "en-GB", { dateStyle: "short", timeStyle: "short" });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Webhook event names typed one per line or comma-separated. */
export function parseEvents(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((e) => e.trim()).filter(Boolean))];
}
