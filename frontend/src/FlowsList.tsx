import { useEffect, useState, type FormEvent } from "react";
import { api } from "./api";
import { useApp } from "./context";
import type { FlowInfo } from "./types";

export function FlowsList() {
  const { t } = useApp();
  const [flows, setFlows] = useState<FlowInfo[] | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<FlowInfo[]>("GET", "/api/flows").then(setFlows, (e: Error) => setError(e.message));
  }, []);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const flow = await api<FlowInfo>("POST", "/api/flows", { name: name.trim() });
      window.location.hash = `#/flows/${flow.id}`;
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section className="card flows">
      <h1>{t("flows")}</h1>
      <form className="row" onSubmit={create}>
        <label>
          {t("newFlowName")}
          <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          {t("createFlow")}
        </button>
      </form>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {flows === null ? (
        <p>{t("loading")}</p>
      ) : flows.length === 0 ? (
        <p>{t("noFlows")}</p>
      ) : (
        <ul className="flow-list">
          {flows.map((flow) => (
            <li key={flow.id}>
              <a href={`#/flows/${flow.id}`}>{flow.name}</a>
              <span className="muted">
                {flow.published_version ? t("published", { n: flow.published_version }) : t("notPublished")}
              </span>
              <span className="muted">{flow.description}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
