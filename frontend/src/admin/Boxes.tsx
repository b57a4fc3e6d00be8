import { useState, type FormEvent } from "react";
import { api, fieldErrors } from "../api";
import { useApp } from "../context";
import { Alert, Field, Page, Status, useLoad } from "./ui";

export interface Listener {
  id: number;
  name: string;
  email: string;
}
export interface Box {
  id: number;
  key: string;
  name: string;
  listeners: Listener[];
  max_length_s?: number;
}
interface UserRow {
  id: number;
  name: string;
  email: string;
  active: boolean;
}
type Kind = "voicemail" | "fax";
const PATHS: Record<Kind, string> = { voicemail: "/api/voicemail-boxes", fax: "/api/fax-boxes" };

function BoxCard({ kind, box, users, onChange }: {
  kind: Kind;
  box: Box;
  users: UserRow[];
  onChange: (box: Box | null) => void;
}) {
  const { t } = useApp();
  const [adding, setAdding] = useState("");
  const [error, setError] = useState<string | null>(null);
  const setListeners = async (ids: number[]) => {
    setError(null);
    try {
      onChange(await api<Box>("PATCH", `${PATHS[kind]}/${box.id}`, { listener_ids: ids }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async () => {
    if (!window.confirm(t("confirmDeleteBox", { name: box.name }))) return;
    try {
      await api("DELETE", `${PATHS[kind]}/${box.id}`);
      onChange(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const current = new Set(box.listeners.map((l) => l.id));
  const candidates = users.filter((u) => u.active && !current.has(u.id));
  return (
    <article className="box-card" data-testid={`box-${box.key}`} aria-labelledby={`box-${kind}-${box.id}`}>
      <h3 id={`box-${kind}-${box.id}`}>
        {box.name} <code>{box.key}</code>
      </h3>
      <h4>{t("listeners")}</h4>
      {box.listeners.length === 0 ? <p className="muted">{t("noListeners")}</p> : null}
      <ul className="plain">
        {box.listeners.map((l) => (
          <li key={l.id}>
            {l.name} <span className="muted">{l.email}</span>{" "}
            <button
              type="button"
              className="small"
              aria-label={t("removeListener", { name: l.name, box: box.name })}
              onClick={() => setListeners(box.listeners.filter((x) => x.id !== l.id).map((x) => x.id))}
            >
              {t("remove")}
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <label>
          {t("addListener")}
          <select value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">{t("none")}</option>
            {candidates.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.email})
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!adding}
          onClick={() => {
            void setListeners([...current, Number(adding)]);
            setAdding("");
          }}
        >
          {t("add")}
        </button>
        <button type="button" className="danger-inline" onClick={remove}>
          {t("deleteBox")}
        </button>
      </div>
      <Alert text={error} />
    </article>
  );
}

function NewBox({ kind, onCreated }: { kind: Kind; onCreated: (box: Box) => void }) {
  const { t } = useApp();
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    try {
      onCreated(await api<Box>("POST", PATHS[kind], { key: key.trim(), name: name.trim() }));
      setKey("");
      setName("");
    } catch (e) {
      setErrors(fieldErrors(e));
      setError((e as Error).message);
    }
  };
  return (
    <form className="row" onSubmit={submit} aria-label={t(kind === "voicemail" ? "newVoicemailBox" : "newFaxBox")}>
      <Field label={t("boxKey")} error={errors.key}>
        <input required value={key} onChange={(e) => setKey(e.target.value)} pattern="[a-z0-9_\-]{1,64}" />
      </Field>
      <Field label={t("boxName")} error={errors.name}>
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <button type="submit">{t(kind === "voicemail" ? "newVoicemailBox" : "newFaxBox")}</button>
      {Object.keys(errors).length === 0 ? <Alert text={error} /> : null}
    </form>
  );
}

export function BoxesPage() {
  const { t } = useApp();
  const [status, setStatus] = useState<string | null>(null);
  const { data, error, setData } = useLoad(
    () =>
      Promise.all([
        api<Box[]>("GET", PATHS.voicemail),
        api<Box[]>("GET", PATHS.fax),
        api<UserRow[]>("GET", "/api/users"),
      ]),
    [],
  );
  if (data === null) return <Page title={t("navBoxes")}>{error ? <Alert text={error} /> : <p>{t("loading")}</p>}</Page>;
  const [voicemail, fax, users] = data;
  const update = (kind: Kind, id: number, box: Box | null) => {
    const list = kind === "voicemail" ? voicemail : fax;
    const next = box === null ? list.filter((b) => b.id !== id) : list.map((b) => (b.id === id ? box : b));
    setStatus(box === null ? t("deleted") : t("savedBox", { name: box.name }));
    setData(kind === "voicemail" ? [next, fax, users] : [voicemail, next, users]);
  };
  const section = (kind: Kind, boxes: Box[]) => (
    <section aria-labelledby={`h-${kind}`}>
      <h2 id={`h-${kind}`}>{t(kind === "voicemail" ? "voicemailBoxes" : "faxBoxes")}</h2>
      {boxes.length === 0 ? <p className="muted">{t("noBoxes")}</p> : null}
      {boxes.map((box) => (
        <BoxCard key={box.id} kind={kind} box={box} users={users} onChange={(b) => update(kind, box.id, b)} />
      ))}
      <NewBox
        kind={kind}
        onCreated={(box) => {
          setStatus(t("savedBox", { name: box.name }));
          setData(kind === "voicemail" ? [[...voicemail, box], fax, users] : [voicemail, [...fax, box], users]);
        }}
      />
    </section>
  );
  return (
    <Page title={t("navBoxes")} wide>
      <Status text={status} />
      <Alert text={error} />
      {section("voicemail", voicemail)}
      {section("fax", fax)}
    </Page>
  );
}
