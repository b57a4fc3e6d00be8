import { useEffect, useState, type KeyboardEvent } from "react";
import { api, ApiError, apiPage, query } from "../api";
import { useApp } from "../context";
import { formatDuration, formatWhen } from "./logic";
import { Alert, Page, Pager, Status, useLoad } from "./ui";

interface Person {
  id: number;
  name: string;
}
export interface InboxItem {
  id: number;
  box_id: number;
  box_name: string;
  caller: string;
  created_at: string;
  status: string;
  heard: boolean;
  duration_s?: number | null;
  transcription?: string | null;
  pages?: number | null;
  claimed_by: Person | null;
  claimed_at: string | null;
  handled_by: Person | null;
  handled_at: string | null;
}
type Kind = "voicemail" | "fax";
const BASE: Record<Kind, string> = { voicemail: "/api/voicemails", fax: "/api/faxes" };
const BOXES: Record<Kind, string> = { voicemail: "/api/voicemail-boxes", fax: "/api/fax-boxes" };
const STATES = ["open", "claimed", "handled", "all"] as const;
const KINDS = ["voicemail", "fax"] as const;
/** New messages show up without a reload. */
const REFRESH_MS = 30_000;

function Item({ kind, item, onChange, onError }: {
  kind: Kind;
  item: InboxItem;
  onChange: (item: InboxItem | null, message: string) => void;
  onError: (message: string) => void;
}) {
  const { t, lang } = useApp();
  const base = `${BASE[kind]}/${item.id}`;
  const [held, setHeld] = useState(false);
  const act = async (action: string, message: string, body?: unknown) => {
    setHeld(false);
    try {
      onChange(await api<InboxItem>("POST", `${base}/${action}`, body), message);
    } catch (e) {
      // Someone else holds it: an administrator may take it over (the server decides).
      if (action === "claim" && e instanceof ApiError && e.status === 409) setHeld(true);
      onError((e as Error).message);
    }
  };
  const remove = async () => {
    if (!window.confirm(t("confirmDeleteItem"))) return;
    try {
      await api("DELETE", base);
      onChange(null, t("deleted"));
    } catch (e) {
      onError((e as Error).message);
    }
  };
  const heard = () => {
    if (!item.heard) void api<InboxItem>("POST", `${base}/heard`).then((i) => onChange(i, ""), () => undefined);
  };
  const title = t("itemFrom", { caller: item.caller, when: formatWhen(item.created_at, lang) });
  return (
    <li className={`inbox-item${item.heard ? "" : " unheard"}${item.handled_at ? " handled" : ""}`} data-testid={`${kind}-${item.id}`}>
      <div className="inbox-head">
        <strong>{item.caller}</strong>
        <span className="muted">{item.box_name}</span>
        <span className="muted">{formatWhen(item.created_at, lang)}</span>
        {kind === "voicemail" ? <span>{formatDuration(item.duration_s)}</span> : <span>{t("pagesN", { n: item.pages ?? 0 })}</span>}
        {item.heard ? null : <span className="tag new">{t("unheard")}</span>}
        {item.status !== "ready" ? <span className="tag">{item.status}</span> : null}
      </div>
      {kind === "voicemail" ? (
        <audio controls preload="metadata" src={`${base}/audio`} aria-label={t("playItem", { title })} onPlay={heard} />
      ) : null}
      {item.transcription ? (
        <p className="transcription">
          <span className="muted">{t("transcription")}: </span>
          {item.transcription}
        </p>
      ) : null}
      <p className="who-line" data-testid="who">
        {item.claimed_by ? t("claimedBy", { name: item.claimed_by.name, when: formatWhen(item.claimed_at, lang) }) : null}
        {item.claimed_by && item.handled_by ? " · " : null}
        {item.handled_by ? t("handledBy", { name: item.handled_by.name, when: formatWhen(item.handled_at, lang) }) : null}
      </p>
      <div className="row actions">
        {kind === "voicemail" ? (
          <a className="button" href={`${base}/download`} download>
            {t("download")}
          </a>
        ) : (
          <a className="button" href={`${base}/document`} target="_blank" rel="noreferrer" onClick={heard}>
            {t("openPdf")}
          </a>
        )}
        {item.handled_at ? (
          <button type="button" onClick={() => act("reopen", t("reopened"))}>
            {t("reopen")}
          </button>
        ) : (
          <>
            {item.claimed_by ? (
              <button type="button" onClick={() => act("unclaim", t("unclaimed"))}>
                {t("unclaim")}
              </button>
            ) : (
              <button type="button" onClick={() => act("claim", t("claimed"))}>
                {t("claim")}
              </button>
            )}
            {held ? (
              <button type="button" onClick={() => act("claim", t("claimed"), { take_over: true })}>
                {t("takeOver")}
              </button>
            ) : null}
            <button type="button" className="primary" onClick={() => act("handled", t("markedHandled"))}>
              {t("markHandled")}
            </button>
          </>
        )}
        <button type="button" className="danger-inline" onClick={remove}>
          {t("delete")}
        </button>
      </div>
    </li>
  );
}

export function InboxPage() {
  const { t } = useApp();
  const [kind, setKind] = useState<Kind>("voicemail");
  const [box, setBox] = useState("");
  const [state, setState] = useState<(typeof STATES)[number]>("open");
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const boxes = useLoad(() => api<{ id: number; name: string }[]>("GET", BOXES[kind]), [kind]);
  const list = useLoad(
    () => apiPage<InboxItem>(`${BASE[kind]}${query({ box_id: box, state, page, per_page: 20 })}`),
    [kind, box, state, page],
  );
  const { reload } = list;
  useEffect(() => {
    const timer = window.setInterval(reload, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  const choose = (k: Kind) => {
    setKind(k);
    setBox("");
    setPage(1);
  };
  // Arrow keys move between the tabs (the WAI-ARIA tabs pattern).
  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    event.preventDefault();
    const next = KINDS[(KINDS.indexOf(kind) + 1) % KINDS.length];
    choose(next);
    document.getElementById(`inbox-tab-${next}`)?.focus();
  };
  const change = (next: InboxItem | null, id: number, message: string) => {
    if (message) setStatus(message);
    setActionError(null);
    if (!list.data) return;
    const items = next === null ? list.data.items.filter((i) => i.id !== id) : list.data.items.map((i) => (i.id === id ? next : i));
    list.setData({ ...list.data, items });
  };
  return (
    <Page title={t("navInbox")} wide>
      <div className="tabs inline" role="tablist" aria-label={t("navInbox")}>
        {KINDS.map((k) => (
          <button
            key={k}
            id={`inbox-tab-${k}`}
            type="button"
            role="tab"
            aria-selected={kind === k}
            aria-controls="inbox-panel"
            tabIndex={kind === k ? 0 : -1}
            className={kind === k ? "active" : ""}
            onClick={() => choose(k)}
            onKeyDown={onTabKey}
          >
            {t(k === "voicemail" ? "voicemails" : "faxes")}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="inbox-panel" aria-labelledby={`inbox-tab-${kind}`}>
      <div className="row filters">
        <label>
          {t("box")}
          <select value={box} onChange={(e) => (setBox(e.target.value), setPage(1))}>
            <option value="">{t("allBoxes")}</option>
            {(boxes.data ?? []).map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("state")}
          <select value={state} onChange={(e) => (setState(e.target.value as (typeof STATES)[number]), setPage(1))}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {t(`state_${s}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={list.reload}>
          {t("refresh")}
        </button>
      </div>
      <Status text={status} testId="inbox-status" />
      <Alert text={list.error ?? actionError} />
      {list.data === null ? (
        list.error ? null : <p>{t("loading")}</p>
      ) : list.data.items.length === 0 ? (
        <p className="muted">{t("inboxEmpty")}</p>
      ) : (
        <>
          <ul className="inbox">
            {list.data.items.map((item) => (
              <Item
                key={item.id}
                kind={kind}
                item={item}
                onChange={(next, message) => change(next, item.id, message)}
                onError={setActionError}
              />
            ))}
          </ul>
          <Pager pagination={list.data.pagination} onPage={setPage} />
        </>
      )}
      </div>
    </Page>
  );
}
