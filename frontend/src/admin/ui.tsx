// Small building blocks shared by the admin pages.
import { useCallback, useEffect, useState, type ReactNode } from "react";
import type { Pagination } from "../api";
import { useApp } from "../context";

export function Page({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  return (
    <section className={`card admin${wide ? " wide" : ""}`} aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {children}
    </section>
  );
}

export function Alert({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}

export function Status({ text, testId }: { text: string | null; testId?: string }) {
  return (
    <p role="status" className="status-line" data-testid={testId}>
      {text ?? ""}
    </p>
  );
}

/** A labelled control with its server-side field error right under it. */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <label className={`field${error ? " has-problem" : ""}`}>
      {label}
      {children}
      {hint ? <span className="hint">{hint}</span> : null}
      {error ? <span className="field-problem">{error}</span> : null}
    </label>
  );
}

export function Pager({ pagination, onPage }: { pagination: Pagination; onPage: (page: number) => void }) {
  const { t } = useApp();
  const last = Math.max(1, pagination.total_pages);
  return (
    <nav className="pager" aria-label={t("pages")}>
      <button type="button" disabled={pagination.page <= 1} onClick={() => onPage(pagination.page - 1)}>
        {t("previous")}
      </button>
      <span>{t("pageOf", { page: pagination.page, pages: last, total: pagination.total })}</span>
      <button type="button" disabled={pagination.page >= last} onClick={() => onPage(pagination.page + 1)}>
        {t("next")}
      </button>
    </nav>
  );
}

/** Loads with ``loader`` whenever ``deps`` change; ``reload`` runs it again. */
export function useLoad<T>(loader: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(loader, deps);
  const reload = useCallback(() => {
    run().then(
      (value) => {
        setData(value);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [run]);
  useEffect(reload, [reload]);
  return { data, error, reload, setData };
}
