import { useEffect, useState, type FormEvent } from "react";
import { api, numbersOfFlowOrg, simulateNumber, type NumberChoice, type NumberTrace } from "./api";
import { useApp } from "./context";
import { valueLabel } from "./i18n";
import type { FlowDocument, Trace } from "./types";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const OUTCOMES = ["answered", "no-answer", "busy", "failed", "overflow", "full", "hangup", "recorded"];

function localNow(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

export function Simulator({
  flowId,
  document,
  onTrace,
  step,
  setStep,
}: {
  flowId: number;
  document: FlowDocument;
  onTrace: (trace: Trace | null) => void;
  step: number;
  setStep: (i: number) => void;
}) {
  const { t, lang } = useApp();
  const outcomeLabel = (o: string) => valueLabel(lang, "outcome_", o);
  const [at, setAt] = useState(localNow);
  const [caller, setCaller] = useState("+4512345678");
  const [digits, setDigits] = useState<string[]>([]);
  const [outcomes, setOutcomes] = useState<string[]>([]);
  const [nextOutcome, setNextOutcome] = useState("answered");
  const [trace, setTrace] = useState<Trace | null>(null);
  const [error, setError] = useState<string | null>(null);
  // "" simulates this flow's unsaved draft; otherwise the id of the number called.
  const [target, setTarget] = useState("");
  const [numbers, setNumbers] = useState<NumberChoice[]>([]);
  const [routed, setRouted] = useState<NumberTrace | null>(null);

  useEffect(() => {
    let live = true;
    numbersOfFlowOrg(flowId).then(
      (list) => live && setNumbers(list),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [flowId]);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const script = { at: `${at}:00`, caller, digits, outcomes };
    try {
      if (target) {
        const result = await simulateNumber(Number(target), script);
        setTrace(result);
        setRouted(result);
        // The canvas shows this flow: it can only light up a path through it.
        onTrace(result.flow_id === flowId ? result : null);
      } else {
        const result = await api<Trace>("POST", `/api/flows/${flowId}/simulate`, { document, ...script });
        setTrace(result);
        setRouted(null);
        onTrace(result);
      }
      setStep(0);
    } catch (e) {
      setTrace(null);
      setRouted(null);
      onTrace(null);
      setError((e as Error).message);
    }
  };

  const current = trace?.steps[step];
  return (
    <div className="simulator">
      <form onSubmit={run}>
        <label>
          {t("simTarget")}
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="sim-target">
            <option value="">{t("simThisFlow")}</option>
            {numbers.length ? (
              <optgroup label={t("simNumbers")}>
                {numbers.map((n) => (
                  <option key={n.id} value={String(n.id)} disabled={n.voice_flow_id === null}>
                    {n.e164}
                    {n.label ? ` (${n.label})` : ""} → {n.voice_flow_name ?? t("simNoFlow")}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </label>
        <label>
          {t("when")}
          <input type="datetime-local" required value={at} onChange={(e) => setAt(e.target.value)} data-testid="sim-at" />
        </label>
        <label>
          {t("caller")}
          <input value={caller} onChange={(e) => setCaller(e.target.value)} />
        </label>
        <fieldset>
          <legend>{t("keypad")}</legend>
          <output className="digits" data-testid="sim-digits" aria-live="polite">
            {digits.join(" ") || "—"}
          </output>
          <div className="keypad">
            {KEYS.map((key) => (
              <button type="button" key={key} onClick={() => setDigits([...digits, key])} aria-label={`key ${key}`}>
                {key}
              </button>
            ))}
          </div>
          <button type="button" className="small" onClick={() => setDigits([])}>
            {t("clear")}
          </button>
        </fieldset>
        <fieldset>
          <legend>{t("outcomes")}</legend>
          <output className="digits">{outcomes.map(outcomeLabel).join(", ") || "—"}</output>
          <div className="row">
            <select aria-label={t("outcomeAdd")} value={nextOutcome} onChange={(e) => setNextOutcome(e.target.value)}>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {outcomeLabel(o)}
                </option>
              ))}
            </select>
            <button type="button" className="small" onClick={() => setOutcomes([...outcomes, nextOutcome])}>
              {t("outcomeAdd")}
            </button>
            <button type="button" className="small" onClick={() => setOutcomes([])}>
              {t("clear")}
            </button>
          </div>
        </fieldset>
        <button type="submit" className="primary">
          {t("run")}
        </button>
      </form>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {trace && current ? (
        <div className="trace" data-testid="sim-trace">
          {routed ? (
            <p data-testid="sim-route">
              {t("simRoute", { number: routed.called, flow: routed.flow_name, n: routed.version })}
              {routed.flow_id !== flowId ? (
                <>
                  {" "}
                  {t("simOtherFlow")} <a href={`#/flows/${routed.flow_id}`}>{t("simOpenFlow", { flow: routed.flow_name })}</a>
                </>
              ) : null}
            </p>
          ) : null}
          <div className="row">
            <button type="button" disabled={step === 0} onClick={() => setStep(step - 1)}>
              {t("previous")}
            </button>
            <span data-testid="sim-step">{t("step", { i: step + 1, n: trace.steps.length })}</span>
            <button type="button" disabled={step >= trace.steps.length - 1} onClick={() => setStep(step + 1)}>
              {t("next")}
            </button>
          </div>
          <ol className="path">
            {trace.steps.map((s, i) => (
              <li key={i} className={i === step ? "current" : i < step ? "done" : ""}>
                <button type="button" className="link" onClick={() => setStep(i)}>
                  {s.node}
                </button>
                {s.port ? ` → ${s.port}` : ""}
              </li>
            ))}
          </ol>
          <h4>{t("heard")}</h4>
          <ul className="heard" data-testid="sim-heard">
            {current.heard.length ? current.heard.map((h, i) => <li key={i}>{h}</li>) : <li>{t("silence")}</li>}
          </ul>
          {current.pressed !== null ? <p>{t("pressedKey", { key: current.pressed || "—" })}</p> : null}
          {current.outcome ? <p>{t("outcome", { o: outcomeLabel(current.outcome) })}</p> : null}
          {current.port ? <p>{t("portTaken", { port: current.port })}</p> : null}
          <details>
            <summary>{t("twiml")}</summary>
            <pre className="twiml">{current.twiml}</pre>
          </details>
          {step === trace.steps.length - 1 ? (
            <p className="end" data-testid="sim-end">
              {t("callEnd", { end: trace.end })}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
