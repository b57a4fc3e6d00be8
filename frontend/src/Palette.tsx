// The palette: node types grouped under the server's category headings.
import { useMemo } from "react";
import { useApp } from "./context";
import type { NodeTypeInfo } from "./types";

export const DRAG_TYPE = "application/x-ivr-node-type";

export function Palette({ types, disabled, onAdd }: { types: NodeTypeInfo[]; disabled: boolean; onAdd: (type: string) => void }) {
  const { t } = useApp();
  const categories = useMemo(() => {
    const groups = new Map<string, NodeTypeInfo[]>();
    for (const info of types) groups.set(info.category, [...(groups.get(info.category) ?? []), info]);
    return [...groups.entries()];
  }, [types]);
  return (
    <aside className="palette" aria-label={t("palette")}>
      <h2>{t("palette")}</h2>
      <p className="hint">{t("paletteHint")}</p>
      {categories.map(([category, infos]) => (
        <div key={category} className="palette-group">
          <h3>{infos[0].category_label ?? category}</h3>
          {infos.map((info) => (
            <button
              type="button"
              key={info.type}
              className={`palette-item cat-${info.category}`}
              draggable
              disabled={disabled}
              title={info.description}
              data-testid={`palette-${info.type}`}
              onDragStart={(e) => {
                e.dataTransfer.setData(DRAG_TYPE, info.type);
                e.dataTransfer.effectAllowed = "move";
              }}
              onClick={() => onAdd(info.type)}
            >
              {info.label}
            </button>
          ))}
        </div>
      ))}
    </aside>
  );
}
