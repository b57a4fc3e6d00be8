import { useState, type FormEvent } from "react";
import { api, fieldErrors } from "../api";
import { useApp } from "../context";
import { checkDays, retentionChanges, type RetentionRow } from "./logic";
import { Alert, Page, Status, useLoad } from "./ui";

export function RetentionPage() {
  const { t } = useApp();
  const rows = useLoad(() => api<RetentionRow[]>("GET", "/api/retention"), []);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const data = rows.data ?? [];
  const localError = (row: RetentionRow): string | undefined => {
    const text = drafts[row.data_class];
    if (text === undefined) return undefined;
    const checked = checkDays(row, text);
    if ("value" in checked) return undefined;
    return checked.error === "whole" ? t("wholeDays") : t("outOfBounds", { min: row.min_days, max: row.max_days });
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    setError(null);
    setErrors({});
    if (data.some((row) => localError(row))) {
      setError(t("fixFields"));
      return;
    }
    const body = retentionChanges(data, drafts);
    if (Object.keys(body).length === 0) {
      setStatus(t("nothingChanged"));
      return;
    }
    try {
      const saved = await api<RetentionRow[]>("PUT", "/api/retention", body);
      rows.setData(Array.isArray(saved) ? saved : await api<RetentionRow[]>("GET", "/api/retention"));
      setDrafts({});
      setStatus(t("retentionSaved"));
    } catch (e) {
      const fields = fieldErrors(e);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError((e as Error).message);
    }
  };
  return (
    <Page title={t("navRetention")}>
      <p className="muted">{t("retentionIntro")}</p>
      <Alert text={rows.error ?? error} />
      <form onSubmit={submit} noValidate aria-label={t("navRetention")}>
        {data.map((row) => {
          const problem = errors[row.data_class] ?? localError(row);
          const id = `retention-${row.data_class}`;
          return (
            <div key={row.data_class} className={`field retention${problem ? " has-problem" : ""}`}>
              <label htmlFor={id}>{t(`class_${row.data_class as "voicemail"}`)}</label>
              <div className="row">
                <input
                  id={id}
                  type="number"
                  inputMode="numeric"
                  min={row.min_days}
                  max={row.max_days}
                  value={drafts[row.data_class] ?? String(row.days)}
                  aria-describedby={`${id}-bounds${problem ? ` ${id}-error` : ""}`}
                  aria-invalid={problem ? true : undefined}
                  onChange={(e) => setDrafts({ ...drafts, [row.data_class]: e.target.value })}
                />
                <span className="muted">{t("days")}</span>
              </div>
              <span id={`${id}-bounds`} className="hint">
                {t("bounds", { min: row.min_days, max: row.max_days, def: row.default_days })}
              </span>
              {problem ? (
                <span id={`${id}-error`} className="field-problem" data-testid={`${id}-error`}>
                  {problem}
                </span>
              ) : null}
            </div>
          );
        })}
        <button type="submit" className="primary">
          {t("save")}
        </button>
      </form>
      <Status text={status} />
    </Page>
  );
}
