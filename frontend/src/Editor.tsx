import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { api, ApiError, numbersOfFlowOrg, type NumberChoice } from "./api";
import { CanvasContext, useApp, type DiffStatus } from "./context";
import {
  documentToGraph,
  edgeId,
  graphToDocument,
  initialProps,
  logicKey,
  newNodeId,
  type FlowNode,
  type Meta,
} from "./convert";
import { findingsByNode } from "./findings";
import { FlowNodeView } from "./FlowNodeView";
import { History } from "./history";
import { flushBeforeLeave } from "./leaveGuard";
import { autoLayout } from "./layout";
import { rewire } from "./connections";
import { NodePanel } from "./NodePanel";
import { Simulator } from "./Simulator";
import type { FlowDocument, FlowInfo, NodeTypeInfo, Trace, ValidationResult, VersionInfo } from "./types";
import { Versions } from "./Versions";

interface Snapshot {
  nodes: FlowNode[];
  edges: Edge[];
  meta: Meta;
}

type SaveState = "saved" | "dirty" | "saving" | "conflict" | "error";
type Tab = "props" | "problems" | "simulator" | "versions";

const NODE_TYPES = { ivr: FlowNodeView };
const DRAG_TYPE = "application/x-ivr-node-type";

function clean(nodes: FlowNode[]): FlowNode[] {
  return nodes.map(({ id, type, position, data }) => ({ id, type, position, data }));
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable);
}

interface DiffView {
  from: number;
  to: number;
  nodes: FlowNode[];
  edges: Edge[];
  status: Map<string, DiffStatus>;
}

function EditorCanvas({ flowId }: { flowId: number }) {
  const { t, lang, setLeaveGuard } = useApp();
  const flowApi = useReactFlow();
  const [types, setTypes] = useState<NodeTypeInfo[]>([]);
  const [flow, setFlow] = useState<FlowInfo | null>(null);
  const [nodes, setNodes] = useState<FlowNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const [meta, setMeta] = useState<Meta>({ name: "", description: "", entry: "" });
  const [validation, setValidation] = useState<ValidationResult | null>(null);
  const [checking, setChecking] = useState(false);
  const [save, setSave] = useState<SaveState>("saved");
  const [saveError, setSaveError] = useState("");
  const [tab, setTab] = useState<Tab>("props");
  const [trace, setTrace] = useState<Trace | null>(null);
  const [step, setStep] = useState(0);
  const [diffView, setDiffView] = useState<DiffView | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [message, setMessage] = useState("");
  const [notice, setNotice] = useState("");
  const [versionsRefresh, setVersionsRefresh] = useState(0);
  const [, setHistoryTick] = useState(0);
  const [numbers, setNumbers] = useState<NumberChoice[]>([]);
  const [draftNote, setDraftNote] = useState("");

  const state = useRef<Snapshot>({ nodes: [], edges: [], meta });
  state.current = { nodes, edges, meta };
  const history = useRef(new History<Snapshot>({ nodes: [], edges: [], meta }));
  const revision = useRef(0);
  const savedJson = useRef("");
  const inflight = useRef<Promise<boolean> | null>(null);
  const clipboard = useRef<Snapshot | null>(null);

  const typeMap = useMemo(() => new Map(types.map((info) => [info.type, info])), [types]);
  const document = useMemo(() => graphToDocument(nodes, edges, meta), [nodes, edges, meta]);
  const docJson = useMemo(() => JSON.stringify(document), [document]);
  const logic = useMemo(() => logicKey(document), [document]);
  const dirty = save !== "conflict" && docJson !== savedJson.current;

  // The React Flow instance is kept in a ref: its identity changes once the store is
  // ready, and reloading the flow then would drop what the user did meanwhile.
  const flowApiRef = useRef(flowApi);
  flowApiRef.current = flowApi;
  const load = useCallback(async () => {
    const loaded = await api<FlowInfo>("GET", `/api/flows/${flowId}`);
    const graph = documentToGraph(loaded.draft!);
    setFlow(loaded);
    setNodes(graph.nodes);
    setEdges(graph.edges);
    setMeta(graph.meta);
    revision.current = loaded.draft_revision;
    savedJson.current = JSON.stringify(graphToDocument(graph.nodes, graph.edges, graph.meta));
    history.current.reset({ nodes: graph.nodes, edges: graph.edges, meta: graph.meta });
    setSave("saved");
    setHistoryTick((n) => n + 1);
    window.setTimeout(() => flowApiRef.current.fitView({ padding: 0.2 }), 50);
  }, [flowId]);

  useEffect(() => {
    load().catch((e: Error) => setNotice(e.message));
  }, [load]);

  // Node types' texts come from the server in the UI language: asked again on a switch.
  useEffect(() => {
    let live = true;
    api<NodeTypeInfo[]>("GET", `/api/node-types?lang=${lang}`).then(
      (info) => live && setTypes(info),
      (e: Error) => live && setNotice(e.message),
    );
    return () => {
      live = false;
    };
  }, [lang]);

  // The org's own numbers, for caller-ID pickers; without them the picker offers "caller".
  useEffect(() => {
    let live = true;
    numbersOfFlowOrg(flowId).then(
      (list) => live && setNumbers(list),
      () => live && setNumbers([]),
    );
    return () => {
      live = false;
    };
  }, [flowId]);

  const record = useCallback((coalesce: string | null = null) => {
    const { nodes: n, edges: e, meta: m } = state.current;
    history.current.push({ nodes: clean(n), edges: e, meta: m }, coalesce);
    setHistoryTick((x) => x + 1);
  }, []);

  const commit = useCallback(
    (next: Partial<Snapshot>, coalesce: string | null = null) => {
      const merged = { ...state.current, ...next };
      state.current = merged;
      if (next.nodes) setNodes(next.nodes);
      if (next.edges) setEdges(next.edges);
      if (next.meta) setMeta(next.meta);
      record(coalesce);
    },
    [record],
  );

  const restore = (found: Snapshot | undefined) => {
    if (!found) return;
    // Undo restores the flow, not the selection: the step being edited stays selected.
    const chosen = new Set(state.current.nodes.filter((n) => n.selected).map((n) => n.id));
    const snapshot = { ...found, nodes: found.nodes.map((n) => (chosen.has(n.id) ? { ...n, selected: true } : n)) };
    state.current = snapshot;
    setNodes(snapshot.nodes);
    setEdges(snapshot.edges);
    setMeta(snapshot.meta);
    setHistoryTick((x) => x + 1);
  };
  const undo = () => restore(history.current.undo());
  const redo = () => restore(history.current.redo());

  // Live validation of what the canvas shows, ~300 ms after the last logic change.
  const validationSeq = useRef(0);
  const loaded = flow !== null;
  useEffect(() => {
    if (!loaded) return;
    const seq = ++validationSeq.current;
    setChecking(true);
    const timer = window.setTimeout(() => {
      api<ValidationResult>("POST", `/api/flows/${flowId}/validate-document`, { document })
        .then((result) => seq === validationSeq.current && setValidation(result))
        .catch((e: ApiError) => {
          if (seq !== validationSeq.current) return;
          setValidation({
            findings: [{ severity: "error", code: "document", message: e.message }],
            errors: 1,
            warnings: 0,
            publishable: false,
          });
        })
        .finally(() => seq === validationSeq.current && setChecking(false));
    }, 300);
    return () => window.clearTimeout(timer);
  }, [logic, loaded, flowId]);

  // Autosave of the draft, a second after the last change; a stale revision is a 409.
  // A save asked for while one is running waits for it, then saves what is left.
  const saveNow = useCallback(async (): Promise<boolean> => {
    while (inflight.current) await inflight.current;
    const json = JSON.stringify(graphToDocument(state.current.nodes, state.current.edges, state.current.meta));
    if (json === savedJson.current) return true;
    const run = (async () => {
      setSave("saving");
      try {
        const saved = await api<FlowInfo>("PUT", `/api/flows/${flowId}/draft`, {
          document: JSON.parse(json) as FlowDocument,
          draft_revision: revision.current,
        });
        revision.current = saved.draft_revision;
        savedJson.current = json;
        setFlow((f) => (f ? { ...f, draft_revision: saved.draft_revision } : f));
        setSave("saved");
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) setSave("conflict");
        else {
          setSave("error");
          setSaveError((e as Error).message);
        }
        return false;
      }
    })();
    inflight.current = run;
    try {
      return await run;
    } finally {
      inflight.current = null;
    }
  }, [flowId]);

  const unsaved = useCallback(
    () => JSON.stringify(graphToDocument(state.current.nodes, state.current.edges, state.current.meta)) !== savedJson.current,
    [],
  );

  // Leaving for another page saves first; only a failed save asks.
  useEffect(() => {
    setLeaveGuard(() =>
      flushBeforeLeave({ isDirty: unsaved, save: saveNow, confirm: () => window.confirm(t("leaveSaveFailed")) }),
    );
    return () => setLeaveGuard(null);
  }, [saveNow, setLeaveGuard, t, unsaved]);

  useEffect(() => {
    if (!flow || save === "conflict" || docJson === savedJson.current) return;
    if (save === "saved") setSave("dirty");
    const timer = window.setTimeout(() => void saveNow(), 1000);
    return () => window.clearTimeout(timer);
  }, [docJson, flow, save, saveNow]);

  useEffect(() => {
    const guard = (event: BeforeUnloadEvent) => {
      if (unsaved()) event.preventDefault();
    };
    window.addEventListener("beforeunload", guard);
    return () => window.removeEventListener("beforeunload", guard);
  }, [unsaved]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const next = applyNodeChanges(changes, state.current.nodes);
      state.current = { ...state.current, nodes: next };
      setNodes(next);
      if (changes.some((c) => c.type === "remove")) {
        const gone = new Set(changes.flatMap((c) => (c.type === "remove" ? [c.id] : [])));
        const keptEdges = state.current.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target));
        state.current = { ...state.current, edges: keptEdges };
        setEdges(keptEdges);
        record();
      } else if (changes.some((c) => c.type === "position" && c.dragging === false)) record();
    },
    [record],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const next = applyEdgeChanges(changes, state.current.edges);
      state.current = { ...state.current, edges: next };
      setEdges(next);
      if (changes.some((c) => c.type === "remove")) record(`edges-${Math.floor(Date.now() / 250)}`);
    },
    [record],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      if (!connection.sourceHandle) return;
      const id = edgeId(connection.source, connection.sourceHandle);
      const others = state.current.edges.filter((e) => e.id !== id);
      commit({ edges: addEdge({ ...connection, id, targetHandle: "in" }, others) });
    },
    [commit],
  );

  const addNode = useCallback(
    (type: string, position?: { x: number; y: number }) => {
      const info = typeMap.get(type);
      if (!info) return;
      const current = state.current;
      const id = newNodeId(type, current.nodes.map((n) => n.id));
      let at = position;
      if (!at) {
        const box = window.document.querySelector(".canvas")?.getBoundingClientRect();
        const centre = flowApi.screenToFlowPosition({
          x: (box?.left ?? 0) + (box?.width ?? 600) / 2,
          y: (box?.top ?? 0) + (box?.height ?? 400) / 3,
        });
        at = { x: centre.x + (current.nodes.length % 5) * 30, y: centre.y + (current.nodes.length % 5) * 30 };
      }
      const node: FlowNode = { id, type: "ivr", position: at, data: { type, props: initialProps(info) }, selected: true };
      commit({
        nodes: [...current.nodes.map((n) => ({ ...n, selected: false })), node],
        meta: current.meta.entry ? current.meta : { ...current.meta, entry: id },
      });
      setTab("props");
    },
    [commit, flowApi, typeMap],
  );

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    const type = event.dataTransfer.getData(DRAG_TYPE);
    if (type) addNode(type, flowApi.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
  };

  const tidy = () => {
    commit({ nodes: autoLayout(state.current.nodes, state.current.edges) });
    window.setTimeout(() => flowApi.fitView({ padding: 0.1, maxZoom: 1 }), 50);
  };

  const copy = () => {
    const chosen = state.current.nodes.filter((n) => n.selected);
    if (!chosen.length) return;
    const ids = new Set(chosen.map((n) => n.id));
    clipboard.current = {
      nodes: clean(chosen),
      edges: state.current.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
      meta: state.current.meta,
    };
  };

  const paste = () => {
    const source = clipboard.current;
    if (!source) return;
    const taken = state.current.nodes.map((n) => n.id);
    const rename = new Map<string, string>();
    for (const node of source.nodes) {
      const id = newNodeId(node.data.type, [...taken, ...rename.values()]);
      rename.set(node.id, id);
    }
    const pasted = source.nodes.map((n) => ({
      ...n,
      id: rename.get(n.id)!,
      position: { x: n.position.x + 40, y: n.position.y + 40 },
      data: structuredClone(n.data),
      selected: true,
    }));
    const pastedEdges = source.edges.map((e) => {
      const from = rename.get(e.source)!;
      return { ...e, id: edgeId(from, e.sourceHandle!), source: from, target: rename.get(e.target)! };
    });
    commit({
      nodes: [...state.current.nodes.map((n) => ({ ...n, selected: false })), ...pasted],
      edges: [...state.current.edges, ...pastedEdges],
    });
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target) || diffView) return;
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey) undo();
      else if ((key === "z" && event.shiftKey) || key === "y") redo();
      else if (key === "c") copy();
      else if (key === "v") paste();
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const selected = nodes.filter((n) => n.selected);
  const focus = selected.length === 1 ? selected[0] : null;
  const focusInfo = focus ? typeMap.get(focus.data.type) : undefined;
  const findings = useMemo(() => findingsByNode(validation?.findings ?? []), [validation]);

  const updateProps = (props: Record<string, unknown>, field: string) => {
    if (!focus) return;
    commit(
      { nodes: state.current.nodes.map((n) => (n.id === focus.id ? { ...n, data: { ...n.data, props } } : n)) },
      `${focus.id}.${field}`,
    );
  };

  const jumpTo = (nodeId: string) => {
    const node = state.current.nodes.find((n) => n.id === nodeId);
    if (!node) return;
    setNodes(state.current.nodes.map((n) => ({ ...n, selected: n.id === nodeId })));
    flowApi.setCenter(node.position.x + 120, node.position.y + 60, { zoom: 1, duration: 300 });
    setTab("props");
  };

  const publish = async () => {
    setNotice("");
    if (!(await saveNow())) return;
    try {
      const version = await api<VersionInfo>("POST", `/api/flows/${flowId}/publish`, { message });
      setPublishing(false);
      setMessage("");
      setNotice(t("publishedOk", { n: version.number }));
      setDraftNote("");
      setFlow((f) => (f ? { ...f, published_version: version.number } : f));
      setVersionsRefresh((n) => n + 1);
    } catch (e) {
      setNotice((e as Error).message);
    }
  };

  // A rollback publishes an old version but keeps the draft: say so when they differ,
  // or the next publish would quietly undo the rollback.
  const compareDraftWithLive = async (live: number) => {
    setDraftNote("");
    try {
      if (!(await saveNow())) return;
      const diff = await api<{ changes: { logic_changed?: boolean } }>(
        "GET",
        `/api/flows/${flowId}/diff?from=published&to=draft`,
      );
      if (diff.changes.logic_changed) setDraftNote(t("draftDiffersFromLive", { n: live }));
    } catch (e) {
      setDraftNote((e as Error).message);
    }
  };

  const showDiff = async (from: number, to: number) => {
    const [a, b, diff] = await Promise.all([
      api<VersionInfo>("GET", `/api/flows/${flowId}/versions/${from}`),
      api<VersionInfo>("GET", `/api/flows/${flowId}/versions/${to}`),
      api<{ changes: Record<string, { node: string }[]> }>("GET", `/api/flows/${flowId}/diff?from=${from}&to=${to}`),
    ]);
    const before = documentToGraph(a.document!);
    const after = documentToGraph(b.document!);
    const status = new Map<string, DiffStatus>();
    for (const c of diff.changes.nodes_changed ?? []) status.set(c.node, "changed");
    for (const c of diff.changes.ports ?? []) if (!status.has(c.node)) status.set(c.node, "changed");
    for (const c of diff.changes.nodes_added ?? []) status.set(c.node, "added");
    for (const c of diff.changes.nodes_removed ?? []) status.set(c.node, "removed");
    const removed = before.nodes.filter((n) => status.get(n.id) === "removed");
    setDiffView({ from, to, nodes: [...after.nodes, ...removed], edges: after.edges, status });
    window.setTimeout(() => flowApi.fitView({ padding: 0.2 }), 50);
  };

  const simNodes = useMemo(() => {
    const steps = trace?.steps.slice(0, step + 1).filter((s) => s.flow === meta.name) ?? [];
    return { visited: new Set(steps.map((s) => s.node)), current: trace?.steps[step]?.node ?? null, steps };
  }, [trace, step, meta.name]);

  const shownEdges = useMemo(() => {
    const source = diffView ? diffView.edges : edges;
    const walked = diffView ? [] : simNodes.steps.slice(0, -1);
    const taken = new Set(walked.flatMap((s) => (s.port ? [edgeId(s.node, s.port)] : [])));
    const portLabel = (e: Edge) => {
      const info = typeMap.get((diffView ? diffView.nodes : nodes).find((n) => n.id === e.source)?.data.type ?? "");
      return info?.ports.find((p) => p.name === e.sourceHandle)?.label ?? e.sourceHandle ?? "";
    };
    return source.map((e) => ({
      ...e,
      label: portLabel(e),
      className: taken.has(e.id) ? "taken" : undefined,
      animated: taken.has(e.id),
    }));
  }, [diffView, edges, nodes, simNodes, typeMap]);

  const canvasState = useMemo(
    () => ({
      types: typeMap,
      findings: diffView ? new Map() : findings,
      entry: meta.entry,
      visited: diffView ? new Set<string>() : simNodes.visited,
      current: diffView ? null : simNodes.current,
      diff: diffView?.status ?? null,
    }),
    [typeMap, findings, meta.entry, simNodes, diffView],
  );

  const categories = useMemo(() => {
    const groups = new Map<string, NodeTypeInfo[]>();
    for (const info of types) groups.set(info.category, [...(groups.get(info.category) ?? []), info]);
    return [...groups.entries()];
  }, [types]);

  const errors = validation?.errors ?? 0;
  const publishDisabled = !validation || errors > 0 || checking || save === "conflict";
  const publishWhy = errors > 0 ? t("publishBlocked", { n: errors }) : checking ? t("checking") : "";

  if (!flow || !types.length) return <p className="centre">{notice || t("loading")}</p>;

  return (
    <div className="editor">
      <div className="toolbar" role="toolbar" aria-label={flow.name}>
        <a href="#/flows">
          ← {t("back")}
        </a>
        <h1 className="flow-name">{flow.name}</h1>
        <button type="button" onClick={undo} disabled={!history.current.canUndo || !!diffView} title="Ctrl+Z">
          {t("undo")}
        </button>
        <button type="button" onClick={redo} disabled={!history.current.canRedo || !!diffView} title="Ctrl+Shift+Z">
          {t("redo")}
        </button>
        <button type="button" onClick={tidy} disabled={!!diffView}>
          {t("autoLayout")}
        </button>
        <span className={`save-state ${save}`} data-testid="save-state" role="status">
          {save === "saving"
            ? t("saving")
            : save === "conflict"
              ? t("conflict")
              : save === "error"
                ? t("saveFailed", { error: saveError })
                : dirty
                  ? t("unsaved")
                  : t("saved")}
        </span>
        {save === "conflict" ? (
          <button type="button" onClick={() => void load()}>
            {t("reload")}
          </button>
        ) : null}
        <span className="spacer" />
        <span className="muted">
          {flow.published_version ? t("published", { n: flow.published_version }) : t("notPublished")}
        </span>
        <span className="publish-wrap" title={publishWhy}>
          <button
            type="button"
            className="primary"
            disabled={publishDisabled}
            onClick={() => setPublishing(true)}
            aria-describedby="publish-why"
            data-testid="publish"
          >
            {t("publish")}
          </button>
          <span id="publish-why" className="why">
            {publishWhy}
          </span>
        </span>
      </div>
      {notice ? (
        <p className="notice" role="status" data-testid="notice">
          {notice}
        </p>
      ) : null}
      {draftNote ? (
        <p className="notice draft-note" role="status" data-testid="draft-differs">
          {draftNote}{" "}
          <button type="button" className="small" onClick={() => setDraftNote("")} aria-label={t("dismiss")}>
            ✕
          </button>
        </p>
      ) : null}
      {publishing ? (
        <form
          className="publish-dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void publish();
          }}
        >
          <label>
            {t("publishMessage")}
            <input autoFocus value={message} maxLength={2000} onChange={(e) => setMessage(e.target.value)} />
          </label>
          <button type="submit" className="primary" disabled={publishDisabled}>
            {t("publishNow")}
          </button>
          <button type="button" onClick={() => setPublishing(false)}>
            {t("cancel")}
          </button>
        </form>
      ) : null}
      {diffView ? (
        <div className="diff-banner" role="status">
          {t("diffShowing", { a: diffView.from, b: diffView.to })}
          <button type="button" onClick={() => setDiffView(null)}>
            {t("closeDiff")}
          </button>
        </div>
      ) : null}
      <div className="workspace">
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
                  disabled={!!diffView}
                  title={info.description}
                  data-testid={`palette-${info.type}`}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DRAG_TYPE, info.type);
                    e.dataTransfer.effectAllowed = "move";
                  }}
                  onClick={() => addNode(info.type)}
                >
                  {info.label}
                </button>
              ))}
            </div>
          ))}
        </aside>
        <div className="canvas" onDrop={onDrop} onDragOver={(e) => e.preventDefault()}>
          <CanvasContext.Provider value={canvasState}>
            <ReactFlow
              nodes={diffView ? diffView.nodes : nodes}
              edges={shownEdges}
              nodeTypes={NODE_TYPES}
              onNodesChange={diffView ? undefined : onNodesChange}
              onEdgesChange={diffView ? undefined : onEdgesChange}
              onConnect={diffView ? undefined : onConnect}
              nodesDraggable={!diffView}
              nodesConnectable={!diffView}
              deleteKeyCode={diffView ? null : ["Delete", "Backspace"]}
              connectionRadius={30}
              minZoom={0.2}
              fitView
            >
              <Background gap={20} />
              <Controls />
              <MiniMap pannable zoomable ariaLabel="minimap" />
            </ReactFlow>
          </CanvasContext.Provider>
          {nodes.length === 0 && !diffView ? <p className="empty-hint">{t("emptyCanvas")}</p> : null}
        </div>
        <aside className="side">
          <div className="tabs" role="tablist">
            {(["props", "problems", "simulator", "versions"] as Tab[]).map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                aria-selected={tab === name}
                className={tab === name ? "active" : ""}
                onClick={() => setTab(name)}
                data-testid={`tab-${name}`}
              >
                {name === "props"
                  ? t("properties")
                  : name === "problems"
                    ? `${t("problems")} (${validation ? validation.errors + validation.warnings : "…"})`
                    : t(name)}
              </button>
            ))}
          </div>
          <div className="tab-body" role="tabpanel">
            {tab === "props" ? (
              focus && focusInfo ? (
                <NodePanel
                  node={focus}
                  info={focusInfo}
                  isEntry={meta.entry === focus.id}
                  nodes={nodes}
                  edges={edges}
                  types={typeMap}
                  findings={findings.get(focus.id)}
                  numbers={numbers}
                  onMakeEntry={() => commit({ meta: { ...meta, entry: focus.id } })}
                  onPropsChange={updateProps}
                  onRewire={(port, target) => commit({ edges: rewire(state.current.edges, focus.id, port, target) })}
                  onDelete={() => onNodesChange([{ type: "remove", id: focus.id }])}
                />
              ) : (
                <div className="props">
                  <p>{t("selectNode")}</p>
                  <label>
                    {t("description")}
                    <textarea
                      value={meta.description}
                      maxLength={2000}
                      onChange={(e) => commit({ meta: { ...meta, description: e.target.value } }, "description")}
                    />
                  </label>
                </div>
              )
            ) : null}
            {tab === "problems" ? (
              <div className="problems">
                <p aria-live="polite">
                  {checking
                    ? t("checking")
                    : validation && validation.findings.length === 0
                      ? t("noFindings")
                      : validation
                        ? t("errorsWarnings", { e: validation.errors, w: validation.warnings })
                        : ""}
                </p>
                <ul className="finding-list" data-testid="findings">
                  {(validation?.findings ?? []).map((f, i) => (
                    <li key={i} className={f.severity}>
                      <button type="button" className="link" onClick={() => f.node && jumpTo(f.node)} disabled={!f.node}>
                        <strong>{f.node ?? t("flowLevel")}</strong>
                        {f.port ? ` · ${f.port}` : ""}
                        {f.field ? ` · ${f.field}` : ""}: {f.message}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            {tab === "simulator" ? (
              <Simulator flowId={flowId} document={document} onTrace={setTrace} step={step} setStep={setStep} />
            ) : null}
            {tab === "versions" ? (
              <Versions
                flowId={flowId}
                refresh={versionsRefresh}
                onDiff={(a, b) => void showDiff(a, b)}
                onRolledBack={(n) => {
                  setNotice(t("rolledBack", { n }));
                  setFlow((f) => (f ? { ...f, published_version: n } : f));
                  setVersionsRefresh((x) => x + 1);
                  void compareDraftWithLive(n);
                }}
              />
            ) : null}
          </div>
        </aside>
      </div>
    </div>
  );
}

export function Editor({ flowId }: { flowId: number }) {
  return (
    <ReactFlowProvider>
      <EditorCanvas flowId={flowId} />
    </ReactFlowProvider>
  );
}
