// Telegram bot and chats, webhook endpoints with test-send and delivery log, dead letters.
import { useState, type FormEvent } from "react";
import { api, fieldErrors } from "../api";
import { useApp } from "../context";
import { formatWhen, parseEvents } from "./logic";
import { Alert, Field, Status, useLoad } from "./ui";

interface Bot {
  configured: boolean;
  bot_username: string | null;
  webhook_url: string | null;
  webhook_set_at: string | null;
}
interface Named {
  id: number;
  name: string;
}
interface Chat {
  id: number;
  chat_type: string;
  title: string;
  user: Named | null;
  voicemail_box: Named | null;
  fax_box: Named | null;
  active: boolean;
  linked_at: string;
}
interface DeepLink {
  deep_link: string;
  expires_at: string;
}
interface Endpoint {
  id: number;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_at: string | null;
  disabled_reason: string | null;
  consecutive_failures: number;
  created_at: string;
  secret?: string;
}
interface TestResult {
  outcome: string;
  status_code: number | null;
  reason: string | null;
  duration_ms: number | null;
}
interface Attempt {
  id: number;
  attempted_at: string;
  event: string;
  outcome: string;
  status_code: number | null;
  reason: string;
  duration_ms: number | null;
  test: boolean;
}
interface Delivery {
  id: number;
  event: string;
  channel: string;
  target: string;
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

export function DeepLinkView({ link }: { link: DeepLink | null }) {
  const { t, lang } = useApp();
  if (!link) return null;
  return (
    <p className="deep-link" role="status">
      <a href={link.deep_link} target="_blank" rel="noreferrer">
        {link.deep_link}
      </a>{" "}
      <span className="muted">{t("expires", { when: formatWhen(link.expires_at, lang) })}</span>
    </p>
  );
}

function TelegramSection() {
  const { t, lang } = useApp();
  const bot = useLoad(() => api<Bot>("GET", "/api/telegram/bot"), []);
  const chats = useLoad(() => api<Chat[]>("GET", "/api/telegram/chats"), []);
  const boxes = useLoad(
    () =>
      Promise.all([
        api<{ id: number; name: string }[]>("GET", "/api/voicemail-boxes"),
        api<{ id: number; name: string }[]>("GET", "/api/fax-boxes"),
      ]),
    [],
  );
  const [token, setToken] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [links, setLinks] = useState<Record<string, DeepLink>>({});
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    try {
      bot.setData(await api<Bot>("PUT", "/api/telegram/bot", { token: token.trim() }));
      setToken("");
      setStatus(t("botSaved"));
    } catch (e) {
      setErrors(fieldErrors(e));
      setError((e as Error).message);
    }
  };
  const removeBot = async () => {
    if (!window.confirm(t("confirmRemoveBot"))) return;
    try {
      await api("DELETE", "/api/telegram/bot");
      bot.reload();
      setStatus(t("botRemoved"));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const unlink = async (chat: Chat) => {
    try {
      await api("DELETE", `/api/telegram/chats/${chat.id}`);
      chats.setData((list) => (list ?? []).filter((c) => c.id !== chat.id));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const groupLink = async (kind: "voicemail" | "fax", id: number) => {
    try {
      const link = await api<DeepLink>("POST", `/api/${kind}-boxes/${id}/telegram-link`);
      setLinks({ ...links, [`${kind}-${id}`]: link });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="tg-title">
      <h2 id="tg-title">{t("telegram")}</h2>
      {bot.error ? <Alert text={t("notAvailable", { error: bot.error })} /> : null}
      {bot.data ? (
        <p data-testid="bot-state">
          {bot.data.configured
            ? t("botConfigured", { name: bot.data.bot_username ?? "?", when: formatWhen(bot.data.webhook_set_at, lang) })
            : t("botNotConfigured")}
        </p>
      ) : null}
      <form className="row" onSubmit={save}>
        <Field label={t("botToken")} error={errors.token} hint={t("botTokenHint")}>
          <input type="password" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} />
        </Field>
        <button type="submit" className="primary">
          {t("saveBot")}
        </button>
        {bot.data?.configured ? (
          <button type="button" className="danger-inline" onClick={removeBot}>
            {t("removeBot")}
          </button>
        ) : null}
      </form>
      {Object.keys(errors).length === 0 ? <Alert text={error} /> : null}
      <Status text={status} />
      <h3>{t("groupLinks")}</h3>
      <p className="muted">{t("groupLinksIntro")}</p>
      <ul className="plain">
        {(["voicemail", "fax"] as const).flatMap((kind) =>
          (boxes.data?.[kind === "voicemail" ? 0 : 1] ?? []).map((box) => (
            <li key={`${kind}-${box.id}`}>
              {box.name} <span className="muted">({t(kind === "voicemail" ? "voicemailBoxes" : "faxBoxes")})</span>{" "}
              <button type="button" className="small" onClick={() => groupLink(kind, box.id)}>
                {t("makeGroupLink")}
              </button>
              <DeepLinkView link={links[`${kind}-${box.id}`] ?? null} />
            </li>
          )),
        )}
      </ul>
      <h3>{t("linkedChats")}</h3>
      {chats.error ? <p className="muted">{t("notAvailable", { error: chats.error })}</p> : null}
      {chats.data && chats.data.length === 0 ? <p className="muted">{t("noChats")}</p> : null}
      <ul className="plain">
        {(chats.data ?? []).map((chat) => (
          <li key={chat.id}>
            {chat.title || `#${chat.id}`}{" "}
            <span className="muted">
              {chat.user ? t("chatOfUser", { name: chat.user.name }) : null}
              {chat.voicemail_box ? t("chatOfBox", { name: chat.voicemail_box.name }) : null}
              {chat.fax_box ? t("chatOfBox", { name: chat.fax_box.name }) : null} · {formatWhen(chat.linked_at, lang)}
            </span>{" "}
            <button type="button" className="small" onClick={() => unlink(chat)}>
              {t("unlink")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function EndpointCard({ endpoint, onChange }: { endpoint: Endpoint; onChange: (e: Endpoint | null) => void }) {
  const { t, lang } = useApp();
  const [result, setResult] = useState<TestResult | null>(null);
  const [log, setLog] = useState<Attempt[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/webhook-endpoints/${endpoint.id}`;
  const run = async (action: () => Promise<void>) => {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <article className="box-card" data-testid={`endpoint-${endpoint.id}`} aria-label={endpoint.url}>
      <h3>
        <code>{endpoint.url}</code>{" "}
        <span className={`tag ${endpoint.enabled ? "ok" : "expired"}`}>{t(endpoint.enabled ? "enabled" : "disabled")}</span>
      </h3>
      {endpoint.description ? <p>{endpoint.description}</p> : null}
      <p className="muted">
        {t("events")}: {endpoint.events.join(", ")}
      </p>
      {!endpoint.enabled && endpoint.disabled_reason ? (
        <p className="error">{t("disabledBecause", { reason: endpoint.disabled_reason, when: formatWhen(endpoint.disabled_at, lang) })}</p>
      ) : null}
      {endpoint.consecutive_failures > 0 ? <p className="muted">{t("failuresInRow", { n: endpoint.consecutive_failures })}</p> : null}
      <div className="row actions">
        <button type="button" onClick={() => run(async () => setResult(await api<TestResult>("POST", `${base}/test`)))}>
          {t("testSend")}
        </button>
        <button type="button" onClick={() => run(async () => setLog(await api<Attempt[]>("GET", `${base}/deliveries`)))}>
          {t("deliveryLog")}
        </button>
        {endpoint.enabled ? (
          <button type="button" onClick={() => run(async () => onChange(await api<Endpoint>("PATCH", base, { enabled: false })))}>
            {t("disable")}
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => run(async () => onChange(await api<Endpoint>("POST", `${base}/enable`)))}>
            {t("enable")}
          </button>
        )}
        <button
          type="button"
          className="danger-inline"
          onClick={() =>
            window.confirm(t("confirmDeleteEndpoint")) &&
            run(async () => {
              await api("DELETE", base);
              onChange(null);
            })
          }
        >
          {t("delete")}
        </button>
      </div>
      <Alert text={error} />
      {result ? (
        <p role="status" className={result.outcome === "delivered" ? "ok" : "error"} data-testid="test-result">
          {t("testResult", { outcome: result.outcome, code: result.status_code ?? "—", ms: result.duration_ms ?? "—" })}
          {result.reason ? ` · ${result.reason}` : ""}
        </p>
      ) : null}
      {log ? (
        log.length === 0 ? (
          <p className="muted">{t("nothingFound")}</p>
        ) : (
          <table className="grid small">
            <thead>
              <tr>
                <th scope="col">{t("when")}</th>
                <th scope="col">{t("events")}</th>
                <th scope="col">{t("result")}</th>
                <th scope="col">{t("duration")}</th>
              </tr>
            </thead>
            <tbody>
              {log.map((a) => (
                <tr key={a.id}>
                  <td>{formatWhen(a.attempted_at, lang)}</td>
                  <td>
                    <code>{a.event}</code> {a.test ? <span className="tag">{t("test")}</span> : null}
                  </td>
                  <td className={a.outcome === "delivered" ? "ok" : "error"}>
                    {a.outcome} {a.status_code ?? ""} {a.reason}
                  </td>
                  <td>{a.duration_ms ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </article>
  );
}

function WebhooksSection() {
  const { t } = useApp();
  const endpoints = useLoad(() => api<Endpoint[]>("GET", "/api/webhook-endpoints"), []);
  // What an endpoint may subscribe to comes from the server (integrations/notify EVENT_TYPES).
  const eventTypes = useLoad(() => api<{ name: string }[]>("GET", "/api/webhook-endpoints/events"), []);
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<string[]>(["voicemail.created"]);
  const [secret, setSecret] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    try {
      const created = await api<Endpoint>("POST", "/api/webhook-endpoints", { url: url.trim(), description, events });
      setSecret(created.secret ?? null);
      const { secret: _drop, ...shown } = created;
      void _drop;
      endpoints.setData((list) => [...(list ?? []), shown]);
      setUrl("");
      setDescription("");
    } catch (e) {
      setErrors(fieldErrors(e));
      setError((e as Error).message);
    }
  };
  const toggle = (name: string, on: boolean) =>
    setEvents(on ? parseEvents([...events, name].join(",")) : events.filter((e) => e !== name));
  return (
    <section aria-labelledby="wh-title">
      <h2 id="wh-title">{t("webhooks")}</h2>
      {endpoints.error ? <Alert text={t("notAvailable", { error: endpoints.error })} /> : null}
      {(endpoints.data ?? []).map((endpoint) => (
        <EndpointCard
          key={endpoint.id}
          endpoint={endpoint}
          onChange={(next) =>
            endpoints.setData((list) =>
              next === null ? (list ?? []).filter((e) => e.id !== endpoint.id) : (list ?? []).map((e) => (e.id === next.id ? next : e)),
            )
          }
        />
      ))}
      <form onSubmit={submit} aria-labelledby="new-endpoint-title" className="new-endpoint">
        <h3 id="new-endpoint-title">{t("newEndpoint")}</h3>
        <div className="grid-form">
          <Field label={t("endpointUrl")} error={errors.url}>
            <input type="url" required value={url} placeholder="https://" onChange={(e) => setUrl(e.target.value)} />
          </Field>
          <Field label={t("description")} error={errors.description}>
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
        </div>
        <fieldset>
          <legend>{t("events")}</legend>
          {(eventTypes.data ?? []).map(({ name }) => (
            <label key={name} className="check">
              <input type="checkbox" checked={events.includes(name)} onChange={(e) => toggle(name, e.target.checked)} />
              <code>{name}</code>
            </label>
          ))}
          {errors.events ? <span className="field-problem">{errors.events}</span> : null}
        </fieldset>
        {Object.keys(errors).length === 0 ? <Alert text={error} /> : null}
        <button type="submit" className="primary">
          {t("createEndpoint")}
        </button>
      </form>
      {secret ? (
        <div className="secret" role="status" data-testid="endpoint-secret">
          <p>{t("secretOnce")}</p>
          <code>{secret}</code>{" "}
          <button type="button" className="small" onClick={() => setSecret(null)}>
            {t("secretStored")}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function DeadLetters() {
  const { t, lang } = useApp();
  const [status, setStatus] = useState("dead");
  const list = useLoad(() => api<Delivery[]>("GET", `/api/deliveries?status=${status}&page_size=100`), [status]);
  const [message, setMessage] = useState<string | null>(null);
  const retry = async (delivery: Delivery) => {
    try {
      await api("POST", `/api/deliveries/${delivery.id}/retry`);
      setMessage(t("retryQueued", { id: delivery.id }));
      list.reload();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="dl-title">
      <h2 id="dl-title">{t("deliveries")}</h2>
      <label className="inline-label">
        {t("state")}
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          {["dead", "pending", "delivered", "all"].map((s) => (
            <option key={s} value={s}>
              {t(`delivery_${s as "dead"}`)}
            </option>
          ))}
        </select>
      </label>
      <Status text={message} />
      {list.error ? <p className="muted">{t("notAvailable", { error: list.error })}</p> : null}
      {list.data && list.data.length === 0 ? <p className="muted">{t("nothingFound")}</p> : null}
      {list.data && list.data.length > 0 ? (
        <table className="grid small">
          <thead>
            <tr>
              <th scope="col">{t("when")}</th>
              <th scope="col">{t("events")}</th>
              <th scope="col">{t("target")}</th>
              <th scope="col">{t("state")}</th>
              <th scope="col">{t("lastError")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((d) => (
              <tr key={d.id}>
                <td>{formatWhen(d.created_at, lang)}</td>
                <td>
                  <code>{d.event}</code>
                </td>
                <td>
                  {d.channel}: {d.target}
                </td>
                <td>
                  {d.status} ({t("attemptsN", { n: d.attempts })})
                </td>
                <td>{d.last_error ?? ""}</td>
                <td>
                  {d.status === "dead" ? (
                    <button type="button" className="small" onClick={() => retry(d)}>
                      {t("retry")}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function IntegrationsPage() {
  const { t } = useApp();
  return (
    <section className="card admin wide" aria-labelledby="page-title">
      <h1 id="page-title">{t("navIntegrations")}</h1>
      <TelegramSection />
      <WebhooksSection />
      <DeadLetters />
    </section>
  );
}
