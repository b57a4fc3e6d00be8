import { createContext, useContext } from "react";
import type { NodeFindings } from "./findings";
import { translate, type Key, type Lang } from "./i18n";
import type { LeaveGuard } from "./leaveGuard";
import type { NodeTypeInfo } from "./types";

export interface AppState {
  lang: Lang;
  t: (key: Key, vars?: Record<string, string | number>) => string;
  /** The open page's guard against losing unsaved work when it is left (null: none). */
  setLeaveGuard: (guard: LeaveGuard | null) => void;
}

export const AppContext = createContext<AppState>({
  lang: "en",
  t: (key, vars) => translate("en", key, vars),
  setLeaveGuard: () => undefined,
});

export const useApp = (): AppState => useContext(AppContext);

export type DiffStatus = "added" | "removed" | "changed";

export interface CanvasState {
  types: Map<string, NodeTypeInfo>;
  findings: Map<string, NodeFindings>;
  entry: string;
  visited: Set<string>;
  current: string | null;
  diff: Map<string, DiffStatus> | null;
}

export const CanvasContext = createContext<CanvasState>({
  types: new Map(),
  findings: new Map(),
  entry: "",
  visited: new Set(),
  current: null,
  diff: null,
});
