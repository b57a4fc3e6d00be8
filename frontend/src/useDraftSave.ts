// The draft's saving: autosave a second after the last change, a 409 on a stale
// revision, and no unsaved work lost when the page or the editor is left.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError } from "./api";
import { useApp } from "./context";
import { flushBeforeLeave } from "./leaveGuard";
import type { FlowDocument, FlowInfo } from "./types";

export type SaveState = "saved" | "dirty" | "saving" | "conflict" | "error";

export interface DraftSave {
  save: SaveState;
  saveError: string;
  /** Changes not saved yet (false in a conflict: those cannot be saved). */
  dirty: boolean;
  /** Saves what the canvas shows now; false when that failed or conflicted. */
  saveNow: () => Promise<boolean>;
  /** The draft as loaded from the server: nothing to save. */
  loaded: (document: FlowDocument, revision: number) => void;
}

export function useDraftSave(
  flowId: number,
  current: () => FlowDocument,
  docJson: string,
  active: boolean,
  onSaved: (revision: number) => void,
): DraftSave {
  const { t, setLeaveGuard } = useApp();
  const [save, setSave] = useState<SaveState>("saved");
  const [saveError, setSaveError] = useState("");
  const revision = useRef(0);
  const savedJson = useRef("");
  const inflight = useRef<Promise<boolean> | null>(null);
  const read = useRef(current);
  read.current = current;
  const saved = useRef(onSaved);
  saved.current = onSaved;

  const loaded = useCallback((document: FlowDocument, rev: number) => {
    revision.current = rev;
    savedJson.current = JSON.stringify(document);
    setSave("saved");
  }, []);

  // A save asked for while one is running waits for it, then saves what is left.
  const saveNow = useCallback(async (): Promise<boolean> => {
    while (inflight.current) await inflight.current;
    const json = JSON.stringify(read.current());
    if (json === savedJson.current) return true;
    const run = (async () => {
      setSave("saving");
      try {
        const info = await api<FlowInfo>("PUT", `/api/flows/${flowId}/draft`, {
          document: JSON.parse(json) as FlowDocument,
          draft_revision: revision.current,
        });
        revision.current = info.draft_revision;
        savedJson.current = json;
        saved.current(info.draft_revision);
        setSave("saved");
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) setSave("conflict");
        else {
          setSave("error");
          setSaveError((e as Error).message);
        }
        return false;
      }
    })();
    inflight.current = run;
    try {
      return await run;
    } finally {
      inflight.current = null;
    }
  }, [flowId]);

  const unsaved = useCallback(() => JSON.stringify(read.current()) !== savedJson.current, []);

  // Leaving for another page saves first; only a failed save asks.
  useEffect(() => {
    setLeaveGuard(() =>
      flushBeforeLeave({ isDirty: unsaved, save: saveNow, confirm: () => window.confirm(t("leaveSaveFailed")) }),
    );
    return () => setLeaveGuard(null);
  }, [saveNow, setLeaveGuard, t, unsaved]);

  useEffect(() => {
    if (!active || save === "conflict" || docJson === savedJson.current) return;
    if (save === "saved") setSave("dirty");
    const timer = window.setTimeout(() => void saveNow(), 1000);
    return () => window.clearTimeout(timer);
  }, [docJson, active, save, saveNow]);

  useEffect(() => {
    const guard = (event: BeforeUnloadEvent) => {
      if (unsaved()) event.preventDefault();
    };
    window.addEventListener("beforeunload", guard);
    return () => window.removeEventListener("beforeunload", guard);
  }, [unsaved]);

  return { save, saveError, dirty: save !== "conflict" && docJson !== savedJson.current, saveNow, loaded };
}
