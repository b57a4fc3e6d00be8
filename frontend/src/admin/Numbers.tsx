import { useState } from "react";
import { api, fieldErrors } from "../api";
import { useApp } from "../context";
import { Alert, Page, Status, useLoad } from "./ui";

interface PhoneNumber {
  id: number;
  e164: string;
  label: string;
  voice_flow_id: number | null;
  voice_flow_name: string | null;
  fax_box_id: number | null;
}
interface Named {
  id: number;
  name: string;
}

function NumberRow({ number, flows, faxBoxes, onSaved }: {
  number: PhoneNumber;
  flows: Named[];
  faxBoxes: Named[];
  onSaved: (n: PhoneNumber) => void;
}) {
  const { t } = useApp();
  const [flow, setFlow] = useState(number.voice_flow_id ? String(number.voice_flow_id) : "");
  const [fax, setFax] = useState(number.fax_box_id ? String(number.fax_box_id) : "");
  const [error, setError] = useState<string | null>(null);
  const dirty = flow !== String(number.voice_flow_id ?? "") || fax !== String(number.fax_box_id ?? "");
  const save = async () => {
    setError(null);
    try {
      onSaved(
        await api<PhoneNumber>("PATCH", `/api/numbers/${number.id}`, {
          voice_flow_id: flow ? Number(flow) : null,
          fax_box_id: fax ? Number(fax) : null,
        }),
      );
    } catch (e) {
      const fields = fieldErrors(e);
      setError(Object.values(fields)[0] ?? (e as Error).message);
    }
  };
  const id = `number-${number.id}`;
  return (
    <tr data-testid={id}>
      <th scope="row">
        {number.e164}
        <div className="muted">{number.label}</div>
      </th>
      <td>
        <select aria-label={t("voiceFlowFor", { number: number.e164 })} value={flow} onChange={(e) => setFlow(e.target.value)}>
          <option value="">{t("none")}</option>
          {flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </td>
      <td>
        <select aria-label={t("faxBoxFor", { number: number.e164 })} value={fax} onChange={(e) => setFax(e.target.value)}>
          <option value="">{t("none")}</option>
          {faxBoxes.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </td>
      <td>
        <button type="button" className="primary" disabled={!dirty} onClick={save}>
          {t("save")}
        </button>
        <Alert text={error} />
      </td>
    </tr>
  );
}

export function NumbersPage() {
  const { t } = useApp();
  const [status, setStatus] = useState<string | null>(null);
  const { data, error, setData } = useLoad(
    () =>
      Promise.all([
        api<PhoneNumber[]>("GET", "/api/numbers"),
        api<Named[]>("GET", "/api/flows"),
        api<Named[]>("GET", "/api/fax-boxes"),
      ]),
    [],
  );
  return (
    <Page title={t("navNumbers")} wide>
      <p className="muted">{t("numbersIntro")}</p>
      <Alert text={error} />
      <Status text={status} />
      {data === null ? (
        <p>{t("loading")}</p>
      ) : data[0].length === 0 ? (
        <p>{t("noNumbers")}</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">{t("number")}</th>
              <th scope="col">{t("voiceFlow")}</th>
              <th scope="col">{t("faxBox")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data[0].map((number) => (
              <NumberRow
                key={`${number.id}-${number.voice_flow_id}-${number.fax_box_id}`}
                number={number}
                flows={data[1]}
                faxBoxes={data[2]}
                onSaved={(saved) => {
                  setStatus(t("savedNumber", { number: saved.e164 }));
                  setData([data[0].map((n) => (n.id === saved.id ? saved : n)), data[1], data[2]]);
                }}
              />
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
