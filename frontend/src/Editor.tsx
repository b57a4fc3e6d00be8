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
import { CanvasContext, useApp } from "./context";
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
import { copySelection, pasteClip, type Clip } from "./clipboard";
import { findingsByNode } from "./findings";
import { FlowNodeView } from "./FlowNodeView";
import { History } from "./history";
import { autoLayout } from "./layout";
import { rewire } from "./connections";
import { NodePanel } from "./NodePanel";
import { DRAG_TYPE, Palette } from "./Palette";
import { ProblemsPanel } from "./ProblemsPanel";
import { Simulator } from "./Simulator";
import { Toolbar } from "./Toolbar";
import { useDraftSave } from "./useDraftSave";
import { loadDiffView, type DiffView } from "./versionDiff";
import type { FlowInfo, NodeTypeInfo, Trace, ValidationResult, VersionInfo } from "./types";
import { Versions } from "./Versions";

interface Snapshot {
  nodes: FlowNode[];
  edges: Edge[];
  meta: Meta;
}

type Tab = "props" | "problems" | "simulator" | "versions";

const NODE_TYPES = { ivr: FlowNodeView };

function clean(nodes: FlowNode[]): FlowNode[] {
  return nodes.map(({ id, type, position, data }) => ({ id, type, position, data }));
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable);
}

function EditorCanvas({ flowId }: { flowId: number }) {
  const { t, lang } = useApp();
  const flowApi = useReactFlow();
  const [types, setTypes] = useState<NodeTypeInfo[]>([]);
  const [flow, setFlow] = useState<FlowInfo | null>(null);
  const [nodes, setNodes] = useState<FlowNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const [meta, setMeta] = useState<Meta>({ name: "", description: "", entry: "" });
  const [validation, setValidation] = useState<ValidationResult | null>(null);
  const [checking, setChecking] = useState(false);
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
  const clipboard = useRef<Clip | null>(null);

  const typeMap = useMemo(() => new Map(types.map((info) => [info.type, info])), [types]);
  const document = useMemo(() => graphToDocument(nodes, edges, meta), [nodes, edges, meta]);
  const docJson = useMemo(() => JSON.stringify(document), [document]);
  const logic = useMemo(() => logicKey(document), [document]);
  const {
    save,
    saveError,
    dirty,
    saveNow,
    loaded: loadedDraft,
  } = useDraftSave(
    flowId,
    () => graphToDocument(state.current.nodes, state.current.edges, state.current.meta),
    docJson,
    flow !== null,
    (revision) => setFlow((f) => (f ? { ...f, draft_revision: revision } : f)),
  );

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
    loadedDraft(graphToDocument(graph.nodes, graph.edges, graph.meta), loaded.draft_revision);
    history.current.reset({ nodes: graph.nodes, edges: graph.edges, meta: graph.meta });
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
    clipboard.current = copySelection(state.current.nodes, state.current.edges) ?? clipboard.current;
  };

  const paste = () => {
    if (clipboard.current) commit(pasteClip(state.current.nodes, state.current.edges, clipboard.current));
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
    setDiffView(await loadDiffView(flowId, from, to));
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

  const errors = validation?.errors ?? 0;
  const publishDisabled = !validation || errors > 0 || checking || save === "conflict";
  const publishWhy = errors > 0 ? t("publishBlocked", { n: errors }) : checking ? t("checking") : "";

  if (!flow || !types.length) return <p className="centre">{notice || t("loading")}</p>;

  return (
    <div className="editor">
      <Toolbar
        flow={flow}
        save={save}
        saveError={saveError}
        dirty={dirty}
        canUndo={history.current.canUndo}
        canRedo={history.current.canRedo}
        frozen={!!diffView}
        publishDisabled={publishDisabled}
        publishWhy={publishWhy}
        onUndo={undo}
        onRedo={redo}
        onTidy={tidy}
        onReload={() => void load()}
        onPublish={() => setPublishing(true)}
      />
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
        <Palette types={types} disabled={!!diffView} onAdd={(type) => addNode(type)} />
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
            {tab === "problems" ? <ProblemsPanel validation={validation} checking={checking} onJump={jumpTo} /> : null}
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
