// The editor's top bar: back link, flow name, undo/redo, layout, save state, publish.
import { useApp } from "./context";
import type { FlowInfo } from "./types";
import type { SaveState } from "./useDraftSave";

export interface ToolbarProps {
  flow: FlowInfo;
  save: SaveState;
  saveError: string;
  dirty: boolean;
  canUndo: boolean;
  canRedo: boolean;
  frozen: boolean; // a diff is shown: nothing can be edited
  publishDisabled: boolean;
  publishWhy: string;
  onUndo: () => void;
  onRedo: () => void;
  onTidy: () => void;
  onReload: () => void;
  onPublish: () => void;
}

export function Toolbar(props: ToolbarProps) {
  const { t } = useApp();
  const { flow, save } = props;
  const state =
    save === "saving"
      ? t("saving")
      : save === "conflict"
        ? t("conflict")
        : save === "error"
          ? t("saveFailed", { error: props.saveError })
          : props.dirty
            ? t("unsaved")
            : t("saved");
  return (
    <div className="toolbar" role="toolbar" aria-label={flow.name}>
      <a href="#/flows">← {t("back")}</a>
      <h1 className="flow-name">{flow.name}</h1>
      <button type="button" onClick={props.onUndo} disabled={!props.canUndo || props.frozen} title="Ctrl+Z">
        {t("undo")}
      </button>
      <button type="button" onClick={props.onRedo} disabled={!props.canRedo || props.frozen} title="Ctrl+Shift+Z">
        {t("redo")}
      </button>
      <button type="button" onClick={props.onTidy} disabled={props.frozen}>
        {t("autoLayout")}
      </button>
      <span className={`save-state ${save}`} data-testid="save-state" role="status">
        {state}
      </span>
      {save === "conflict" ? (
        <button type="button" onClick={props.onReload}>
          {t("reload")}
        </button>
      ) : null}
      <span className="spacer" />
      <span className="muted">
        {flow.published_version ? t("published", { n: flow.published_version }) : t("notPublished")}
      </span>
      <span className="publish-wrap" title={props.publishWhy}>
        <button
          type="button"
          className="primary"
          disabled={props.publishDisabled}
          onClick={props.onPublish}
          aria-describedby="publish-why"
          data-testid="publish"
        >
          {t("publish")}
        </button>
        <span id="publish-why" className="why">
          {props.publishWhy}
        </span>
      </span>
    </div>
  );
}
