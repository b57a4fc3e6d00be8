// Read-only logs: the audit log and the call log with each call's step trace.
import { useState, type FormEvent } from "react";
import { api, apiPage, query } from "../api";
import { useApp } from "../context";
import { formatWhen } from "./logic";
import { Alert, Page, Pager, useLoad } from "./ui";

interface AuditEntry {
  id: number;
  created_at: string;
  actor_id: number | null;
  actor_email: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  ip_address: string | null;
}

const day = (value: string, end: boolean) => (value ? `${value}T${end ? "23:59:59" : "00:00:00"}+00:00` : "");

export function AuditPage() {
  const { t, lang } = useApp();
  const [draft, setDraft] = useState({ action: "", object_type: "", since: "", until: "" });
  const [filter, setFilter] = useState(draft);
  const [page, setPage] = useState(1);
  const list = useLoad(
    () =>
      apiPage<AuditEntry>(
        `/api/audit${query({
          action: filter.action,
          object_type: filter.object_type,
          since: day(filter.since, false),
          until: day(filter.until, true),
          page,
          page_size: 25,
        })}`,
      ),
    [filter, page],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
    setPage(1);
  };
  return (
    <Page title={t("navAudit")} wide>
      <form className="row filters" onSubmit={submit} aria-label={t("filter")}>
        <label>
          {t("action")}
          <input value={draft.action} placeholder="create" onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
        </label>
        <label>
          {t("objectType")}
          <input value={draft.object_type} placeholder="users" onChange={(e) => setDraft({ ...draft, object_type: e.target.value })} />
        </label>
        <label>
          {t("since")}
          <input type="date" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} />
        </label>
        <label>
          {t("until")}
          <input type="date" value={draft.until} onChange={(e) => setDraft({ ...draft, until: e.target.value })} />
        </label>
        <button type="submit">{t("filter")}</button>
      </form>
      <Alert text={list.error} />
      {list.data === null ? null : list.data.items.length === 0 ? (
        <p className="muted">{t("nothingFound")}</p>
      ) : (
        <>
          <table className="grid" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t("when")}</th>
                <th scope="col">{t("actor")}</th>
                <th scope="col">{t("action")}</th>
                <th scope="col">{t("object")}</th>
                <th scope="col">{t("details")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatWhen(entry.created_at, lang)}</td>
                  <td>{entry.actor_email ?? (entry.actor_id ? `#${entry.actor_id}` : t("system"))}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>
                    {entry.object_type} {entry.object_id ? `#${entry.object_id}` : ""}
                  </td>
                  <td>
                    {entry.before || entry.after ? (
                      <details>
                        <summary>{t("showChange")}</summary>
                        <pre className="json">{JSON.stringify({ before: entry.before, after: entry.after }, null, 1)}</pre>
                      </details>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager pagination={list.data.pagination} onPage={setPage} />
        </>
      )}
    </Page>
  );
}

interface Call {
  id: number;
  call_sid: string;
  caller: string;
  called: string;
  started_at: string;
  ended_at: string | null;
  outcome: string;
  duration_s: number | null;
}
interface CallStep {
  seq: number;
  at: string;
  flow_name: string;
  node_id: string;
  node_type: string;
  input: string | null;
  port: string | null;
  ended: string | null;
  duration_ms: number | null;
}

function CallTrace({ id }: { id: number }) {
  const { t, lang } = useApp();
  const call = useLoad(() => api<Call & { steps: CallStep[] }>("GET", `/api/calls/${id}`), [id]);
  if (call.error) return <Alert text={call.error} />;
  if (!call.data) return <p>{t("loading")}</p>;
  return (
    <section className="trace-panel" aria-label={t("callTrace", { id })} data-testid="call-trace">
      <h2>{t("callTrace", { id })}</h2>
      <p className="muted">
        {call.data.caller} → {call.data.called} · {formatWhen(call.data.started_at, lang)} · {call.data.outcome}
      </p>
      {call.data.steps.length === 0 ? (
        <p className="muted">{t("noSteps")}</p>
      ) : (
        <ol className="steps">
          {call.data.steps.map((step) => (
            <li key={step.seq}>
              <code>{step.node_id}</code> <span className="muted">({step.node_type}, {step.flow_name})</span>
              {step.input ? <span> · {t("pressedKey", { key: step.input })}</span> : null}
              {step.port ? <span> · {t("portTaken", { port: step.port })}</span> : null}
              {step.ended ? <span> · {t("callEnd", { end: step.ended })}</span> : null}
              {step.duration_ms !== null ? <span className="muted"> · {step.duration_ms} ms</span> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const OUTCOMES = ["", "in_progress", "answered", "voicemail", "fax", "abandoned", "failed"];

export function CallsPage() {
  const { t, lang } = useApp();
  const [number, setNumber] = useState("");
  const [outcome, setOutcome] = useState("");
  const [filter, setFilter] = useState({ number: "", outcome: "" });
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const list = useLoad(
    () => apiPage<Call>(`/api/calls${query({ number: filter.number, outcome: filter.outcome, page, page_size: 25 })}`),
    [filter, page],
  );
  return (
    <Page title={t("navCalls")} wide>
      <form
        className="row filters"
        aria-label={t("filter")}
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ number, outcome });
          setPage(1);
        }}
      >
        <label>
          {t("number")}
          <input value={number} onChange={(e) => setNumber(e.target.value)} />
        </label>
        <label>
          {t("callOutcome")}
          <select value={outcome} onChange={(e) => setOutcome(e.target.value)}>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o || t("any")}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t("filter")}</button>
      </form>
      <Alert text={list.error} />
      <div className="split">
        <div>
          {list.data === null ? null : list.data.items.length === 0 ? (
            <p className="muted">{t("nothingFound")}</p>
          ) : (
            <>
              <table className="grid">
                <thead>
                  <tr>
                    <th scope="col">{t("when")}</th>
                    <th scope="col">{t("caller")}</th>
                    <th scope="col">{t("number")}</th>
                    <th scope="col">{t("callOutcome")}</th>
                    <th scope="col">{t("duration")}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((call) => (
                    <tr key={call.id} className={open === call.id ? "selected" : ""}>
                      <td>
                        <button type="button" className="link" aria-pressed={open === call.id} onClick={() => setOpen(call.id)}>
                          {formatWhen(call.started_at, lang)}
                        </button>
                      </td>
                      <td>{call.caller}</td>
                      <td>{call.called}</td>
                      <td>{call.outcome}</td>
                      <td>{call.duration_s ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager pagination={list.data.pagination} onPage={setPage} />
            </>
          )}
        </div>
        {open !== null ? <CallTrace id={open} /> : null}
      </div>
    </Page>
  );
}
