import { useEffect, useState } from "react";
import { api } from "./api";
import { useApp } from "./context";
import type { VersionInfo as BaseVersionInfo } from "./types";

/** A version as the API lists it: the author's name is null once the user is deleted. */
type VersionInfo = BaseVersionInfo & { author_name?: string | null };

export function Versions({
  flowId,
  refresh,
  onRolledBack,
  onDiff,
}: {
  flowId: number;
  refresh: number;
  onRolledBack: (number: number) => void;
  onDiff: (from: number, to: number) => void;
}) {
  const { t, lang } = useApp();
  const [versions, setVersions] = useState<VersionInfo[]>([]);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<VersionInfo[]>("GET", `/api/flows/${flowId}/versions`).then(
      (list) => {
        const sorted = [...list].sort((a, b) => b.number - a.number);
        setVersions(sorted);
        setTo(sorted[0]?.number ?? null);
        setFrom(sorted[1]?.number ?? sorted[0]?.number ?? null);
      },
      (e: Error) => setError(e.message),
    );
  }, [flowId, refresh]);

  const rollback = async (number: number) => {
    if (!window.confirm(t("rollbackConfirm", { n: number }))) return;
    try {
      const version = await api<VersionInfo>("POST", `/api/flows/${flowId}/versions/${number}/publish`);
      onRolledBack(version.number);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!versions.length) return <p>{t("noVersions")}</p>;
  return (
    <div className="versions">
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <fieldset>
        <legend>{t("compare")}</legend>
        <div className="row">
          <label>
            {t("compareFrom")}
            <select value={from ?? ""} onChange={(e) => setFrom(Number(e.target.value))}>
              {versions.map((v) => (
                <option key={v.number} value={v.number}>
                  v{v.number}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("compareTo")}
            <select value={to ?? ""} onChange={(e) => setTo(Number(e.target.value))}>
              {versions.map((v) => (
                <option key={v.number} value={v.number}>
                  v{v.number}
                </option>
              ))}
            </select>
          </label>
          <button type="button" disabled={from === null || to === null} onClick={() => onDiff(from!, to!)}>
            {t("showDiff")}
          </button>
        </div>
      </fieldset>
      <h4>{t("history")}</h4>
      <ol className="history" data-testid="versions">
        {versions.map((v) => (
          <li key={v.number}>
            <strong>{t("version", { n: v.number })}</strong>{" "}
            <time dateTime={v.created_at}>{new Date(v.created_at).toLocaleString(lang === "da" ? "da-DK" : "en-GB")}</time>{" "}
            {v.author_name ? (
              <span className="muted" data-testid={`author-${v.number}`}>
                {t("authorName", { name: v.author_name })}
              </span>
            ) : v.author_id ? (
              <span className="muted">{t("author", { id: v.author_id })}</span>
            ) : null}
            <div className="message">{v.message}</div>
            {v.number !== versions[0].number ? (
              <button type="button" className="small" onClick={() => rollback(v.number)}>
                {t("rollback")} (v{v.number})
              </button>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
