import { useEffect, useState } from "react";
import { api } from "./api";
import { useApp } from "./context";
import { valueLabel } from "./i18n";

interface Asset {
  id: number;
  key: string;
  name: string;
  status: string;
  rights_kind: string | null;
  rights_valid_until: string | null;
}

interface Named {
  key?: string;
  name: string;
}

const cache = new Map<string, Promise<unknown>>();

function load<T>(path: string): Promise<T> {
  if (!cache.has(path)) cache.set(path, api<T>("GET", path).catch(() => []));
  return cache.get(path) as Promise<T>;
}

export function forgetPickerCache(): void {
  cache.clear();
}

interface PickerProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
}

export function AudioPicker({ id, value, onChange }: PickerProps) {
  const { t, lang } = useApp();
  const [assets, setAssets] = useState<Asset[]>([]);
  useEffect(() => {
    load<Asset[]>("/api/audio").then(setAssets);
  }, []);
  const chosen = assets.find((a) => a.key === value);
  return (
    <div className="picker">
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t("none")}</option>
        {value && !chosen ? <option value={value}>{value}</option> : null}
        {assets.map((a) => (
          <option key={a.id} value={a.key}>
            {a.key} — {a.name} ({a.status})
          </option>
        ))}
      </select>
      {chosen ? (
        <div className="asset">
          <span className={`rights ${chosen.rights_kind ? "ok" : "missing"}`}>
            {chosen.rights_kind ? t("rights", { r: valueLabel(lang, "rights_", chosen.rights_kind) }) : t("noRights")}
          </span>
          {chosen.status === "ready" ? (
            <audio controls preload="none" src={`/api/audio/${chosen.id}/file`} aria-label={`${t("play")} ${chosen.key}`} />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export function NamedPicker({ id, value, onChange, path }: PickerProps & { path: string }) {
  const { t } = useApp();
  const [items, setItems] = useState<Named[]>([]);
  useEffect(() => {
    load<Named[]>(path).then(setItems);
  }, [path]);
  const keyOf = (item: Named) => item.key ?? item.name;
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t("none")}</option>
      {value && !items.some((i) => keyOf(i) === value) ? <option value={value}>{value}</option> : null}
      {items.map((item) => (
        <option key={keyOf(item)} value={keyOf(item)}>
          {item.key ? `${item.key} — ${item.name}` : item.name}
        </option>
      ))}
    </select>
  );
}
