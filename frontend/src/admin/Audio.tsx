import { useEffect, useReducer, useRef, useState, type FormEvent } from "react";
import { api, fieldErrors, upload } from "../api";
import { useApp } from "../context";
import { forgetPickerCache } from "../pickers";
import { expiryOf, formatBytes, formatDuration, uploadReducer, type Expiry } from "./logic";
import { Alert, Field, Page, Status, useLoad } from "./ui";

export interface Asset {
  id: number;
  key: string;
  name: string;
  use: string;
  kind: string;
  status: string;
  failure_reason: string | null;
  duration_s: number | null;
  rights_kind: string | null;
  rights_valid_until: string | null;
  agreement_id: number | null;
  is_music: boolean;
  is_default: boolean;
}
interface Agreement {
  id: number;
  number: string;
  lines_covered: number;
  valid_from: string;
  valid_until: string;
}
const USES = ["prompt", "queue_message", "hold_music"] as const;
const RIGHTS = ["own_recording", "royalty_free", "public_domain", "koda_gramex"] as const;
const POLL_MS = 1500;

function ExpiryTag({ expiry }: { expiry: Expiry }) {
  const { t } = useApp();
  if (expiry.level === "none") return null;
  return (
    <span className={`tag ${expiry.level}`} role="note">
      {expiry.level === "expired" ? t("rightsExpired", { on: expiry.on }) : t("rightsExpireSoon", { days: expiry.days, on: expiry.on })}
    </span>
  );
}

function UploadForm({ agreements, onDone }: { agreements: Agreement[]; onDone: (asset: Asset) => void }) {
  const { t } = useApp();
  const [state, dispatch] = useReducer(uploadReducer, { phase: "idle" });
  const [file, setFile] = useState<File | null>(null);
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [use, setUse] = useState<string>("prompt");
  const [rights, setRights] = useState<string>("own_recording");
  const [source, setSource] = useState("");
  const [licence, setLicence] = useState("");
  const [until, setUntil] = useState("");
  const [agreement, setAgreement] = useState("");
  const [music, setMusic] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const done = useRef(onDone);
  done.current = onDone;

  useEffect(() => {
    if (state.phase !== "processing") return;
    const timer = window.setInterval(() => {
      api<Asset>("GET", `/api/audio/${state.assetId}`).then((asset) => {
        dispatch({ type: "polled", status: asset.status, failure: asset.failure_reason });
        if (asset.status !== "processing") done.current(asset);
      }, () => undefined);
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [state]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const form = new FormData();
    form.set("file", file);
    form.set("key", key.trim());
    if (name.trim()) form.set("name", name.trim());
    form.set("use", use);
    form.set("rights_kind", rights);
    if (source.trim()) form.set("rights_source", source.trim());
    if (rights === "royalty_free" && licence.trim()) form.set("rights_licence_text", licence.trim());
    if (rights === "royalty_free" && until) form.set("rights_valid_until", until);
    if (rights === "koda_gramex" && agreement) form.set("agreement_id", agreement);
    form.set("declared_music", music || rights === "koda_gramex" ? "true" : "false");
    dispatch({ type: "start", total: file.size });
    try {
      const asset = await upload<Asset>("/api/audio", form, (loaded, total) => dispatch({ type: "progress", loaded, total }));
      dispatch({ type: "progress", loaded: file.size, total: file.size });
      dispatch({ type: "uploaded", assetId: asset.id, status: asset.status, failure: asset.failure_reason });
      onDone(asset);
      if (asset.status !== "failed") {
        setKey("");
        setName("");
        setFile(null);
        if (fileInput.current) fileInput.current.value = "";
      }
    } catch (e) {
      dispatch({ type: "error", error: (e as Error).message, fields: fieldErrors(e) });
    }
  };
  const errors = state.phase === "failed" ? state.fields : {};
  const busy = state.phase === "uploading";
  return (
    <form className="upload" onSubmit={submit} aria-labelledby="upload-title">
      <h2 id="upload-title">{t("uploadAudio")}</h2>
      <div className="grid-form">
        <Field label={t("audioFile")} error={errors.file} hint={file ? `${file.name} · ${formatBytes(file.size)}` : undefined}>
          <input ref={fileInput} type="file" accept="audio/*,.wav,.mp3,.ogg,.m4a,.flac" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </Field>
        <Field label={t("audioKey")} error={errors.key} hint={t("audioKeyHint")}>
          <input required value={key} pattern="[a-z0-9_\-]{1,64}" onChange={(e) => setKey(e.target.value)} />
        </Field>
        <Field label={t("audioName")} error={errors.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label={t("audioUse")} error={errors.use}>
          <select value={use} onChange={(e) => setUse(e.target.value)}>
            {USES.map((u) => (
              <option key={u} value={u}>
                {t(`use_${u}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <fieldset>
        <legend>{t("rightsDeclaration")}</legend>
        <div className="grid-form">
          <Field label={t("rightsKind")} error={errors.rights_kind}>
            <select value={rights} onChange={(e) => setRights(e.target.value)}>
              {RIGHTS.map((r) => (
                <option key={r} value={r}>
                  {t(`rights_${r}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("rightsSource")} error={errors.rights_source}>
            <input value={source} onChange={(e) => setSource(e.target.value)} />
          </Field>
          {rights === "royalty_free" ? (
            <>
              <Field label={t("licenceText")} error={errors.rights_licence_text}>
                <textarea value={licence} onChange={(e) => setLicence(e.target.value)} />
              </Field>
              <Field label={t("licenceUntil")} error={errors.rights_valid_until}>
                <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
              </Field>
            </>
          ) : null}
          {rights === "koda_gramex" ? (
            <Field label={t("agreement")} error={errors.agreement_id}>
              <select required value={agreement} onChange={(e) => setAgreement(e.target.value)}>
                <option value="">{t("none")}</option>
                {agreements.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.number} ({a.valid_from} – {a.valid_until})
                  </option>
                ))}
              </select>
            </Field>
          ) : (
            <label className="check">
              <input type="checkbox" checked={music} onChange={(e) => setMusic(e.target.checked)} />
              {t("declaredMusic")}
            </label>
          )}
        </div>
      </fieldset>
      <div className="row">
        <button type="submit" className="primary" disabled={busy || !file}>
          {t("upload")}
        </button>
        {state.phase === "uploading" ? (
          <label className="progress-wrap">
            {t("uploading", { percent: state.percent })}
            <progress data-testid="upload-progress" max={100} value={state.percent} />
          </label>
        ) : null}
        <span role="status" data-testid="upload-state" className="status-line">
          {state.phase === "processing" ? t("processing") : state.phase === "ready" ? t("uploadReady") : ""}
        </span>
      </div>
      {state.phase === "failed" && Object.keys(state.fields).length === 0 ? <Alert text={state.error} /> : null}
      {state.phase === "failed" && Object.keys(state.fields).length > 0 ? <Alert text={t("fixFields")} /> : null}
    </form>
  );
}

function Agreements({ agreements, onCreated }: { agreements: Agreement[]; onCreated: (a: Agreement) => void }) {
  const { t } = useApp();
  const [number, setNumber] = useState("");
  const [lines, setLines] = useState("1");
  const [from, setFrom] = useState("");
  const [until, setUntil] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const today = new Date();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    try {
      onCreated(
        await api<Agreement>("POST", "/api/music-agreements", {
          number: number.trim(),
          lines_covered: Number(lines),
          valid_from: from,
          valid_until: until,
        }),
      );
      setNumber("");
    } catch (e) {
      const fields = fieldErrors(e);
      setErrors(Object.keys(fields).length ? fields : { number: (e as Error).message });
    }
  };
  return (
    <section aria-labelledby="agreements-title">
      <h2 id="agreements-title">{t("agreements")}</h2>
      <p className="muted">{t("agreementsIntro")}</p>
      <ul className="plain">
        {agreements.map((a) => (
          <li key={a.id}>
            <strong>{a.number}</strong> · {t("linesCovered", { n: a.lines_covered })} · {a.valid_from} – {a.valid_until}{" "}
            <ExpiryTag expiry={expiryOf(a.valid_until, today)} />
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={submit} aria-label={t("newAgreement")}>
        <Field label={t("agreementNumber")} error={errors.number}>
          <input required value={number} onChange={(e) => setNumber(e.target.value)} />
        </Field>
        <Field label={t("lines")} error={errors.lines_covered}>
          <input type="number" min={1} required value={lines} onChange={(e) => setLines(e.target.value)} />
        </Field>
        <Field label={t("validFrom")} error={errors.valid_from}>
          <input type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label={t("validUntil")} error={errors.valid_until}>
          <input type="date" required value={until} onChange={(e) => setUntil(e.target.value)} />
        </Field>
        <button type="submit">{t("newAgreement")}</button>
      </form>
    </section>
  );
}

export function AudioPage() {
  const { t } = useApp();
  const [status, setStatus] = useState<string | null>(null);
  const assets = useLoad(() => api<Asset[]>("GET", "/api/audio"), []);
  const agreements = useLoad(() => api<Agreement[]>("GET", "/api/music-agreements"), []);
  const today = new Date();
  const { setData: setAssets } = assets;
  const current = assets.data;
  const onDone = (asset: Asset) => {
    forgetPickerCache(); // the flow editor's audio picker lists it from now on
    setStatus(t("savedAsset", { key: asset.key, status: t(`status_${asset.status as "ready"}`) }));
    setAssets((list) => [asset, ...(list ?? []).filter((a) => a.id !== asset.id)]);
  };
  const remove = async (asset: Asset) => {
    if (!window.confirm(t("confirmDeleteAsset", { key: asset.key }))) return;
    try {
      await api("DELETE", `/api/audio/${asset.id}`);
      setAssets((list) => (list ?? []).filter((a) => a.id !== asset.id));
      setStatus(t("deleted"));
    } catch (e) {
      setStatus((e as Error).message);
    }
  };
  return (
    <Page title={t("navAudio")} wide>
      <UploadForm agreements={agreements.data ?? []} onDone={onDone} />
      <Status text={status} />
      <Alert text={assets.error} />
      <h2>{t("library")}</h2>
      {current === null ? (
        <p>{t("loading")}</p>
      ) : (
        <table className="grid" data-testid="audio-table">
          <thead>
            <tr>
              <th scope="col">{t("audioKey")}</th>
              <th scope="col">{t("audioUse")}</th>
              <th scope="col">{t("state")}</th>
              <th scope="col">{t("rightsKind")}</th>
              <th scope="col">{t("play")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {current.map((asset) => (
              <tr key={asset.id} data-testid={`asset-${asset.key}`}>
                <th scope="row">
                  <code>{asset.key}</code>
                  <div className="muted">
                    {asset.name} {formatDuration(asset.duration_s)}
                  </div>
                </th>
                <td>{t(`use_${asset.use as "prompt"}`)}</td>
                <td>
                  <span className={`tag status-${asset.status}`}>{t(`status_${asset.status as "ready"}`)}</span>
                  {asset.failure_reason ? <div className="error">{asset.failure_reason}</div> : null}
                </td>
                <td>
                  {asset.rights_kind ? t(`rights_${asset.rights_kind as "own_recording"}`) : <span className="rights missing">{t("noRights")}</span>}{" "}
                  <ExpiryTag expiry={expiryOf(asset.rights_valid_until, today, asset.status)} />
                </td>
                <td>
                  {asset.status === "ready" || asset.kind === "tts" ? (
                    <audio controls preload="none" src={`/api/audio/${asset.id}/file`} aria-label={t("playAsset", { key: asset.key })} />
                  ) : null}
                </td>
                <td>
                  {asset.is_default ? null : (
                    <button type="button" className="small" aria-label={t("deleteAsset", { key: asset.key })} onClick={() => remove(asset)}>
                      {t("delete")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Agreements
        agreements={agreements.data ?? []}
        onCreated={(a) => {
          setStatus(t("savedAgreement", { number: a.number }));
          agreements.setData((list) => [...(list ?? []), a]);
        }}
      />
    </Page>
  );
}
