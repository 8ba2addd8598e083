/**
 * The dev console's script: plain browser JavaScript, no framework. It follows `/trace`
 * over server-sent events (the actor tree's FSM states, the message trace with filters
 * and a pause button, the waterfall of one transaction), polls `/console/api/state` and
 * `/console/api/actors`, and drives the action editor against the REST API. When
 * `/console/api/processes` names other processes of the cluster, it follows the merged
 * `/trace?merged=1` instead (this server fans in every process's trace; the "cluster"
 * box switches back to this process only), and tags each row with its process.
 */
"use strict";

const GUEST_KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:" +
  "123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
const MAX_EVENTS = 5000;
const MAX_ROWS = 500;
const SAMPLES = {
  "nodejs:20": 'function main(params) {\n  console.log("hello from the console");\n' +
    '  return { greeting: "Hello, " + (params.name || "world") };\n}\n',
  "python:3": 'def main(args):\n    print("hello from the console")\n' +
    '    return {"greeting": "Hello, " + args.get("name", "world")}\n',
  "deno:2": "export function main(params) {\n" +
    '  return { greeting: `Hello, ${params.name ?? "world"}` };\n}\n',
};

const $ = (id) => document.getElementById(id);
const events = []; // every trace event held, oldest first
let paused = false;
let unseen = 0; // events that arrived while paused
let selectedTid;
let rootPath = "";
let systemName = "";
let traceSource; // the open EventSource
let clusterAvailable = false;
const knownActors = new Set();
const sourceStates = new Map(); // process name → "open" | "error" | "local"

/** Creates an element with text and attributes; children may be nodes or strings. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    if (name === "class") node.className = value;
    // Through the CSSOM: the page's policy forbids inline style attributes.
    else if (name === "style") Object.assign(node.style, value);
    else if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

/** True for events of this process (merged streams tag the others with `source`). */
function isLocal(event) {
  return event.source === undefined || event.source === systemName;
}

function shortPath(path) {
  if (path === "") return "(bus)"; // delivered by the message bus bridge, not an actor
  if (path === rootPath) return "(system)";
  return rootPath && path.startsWith(rootPath) ? path.slice(rootPath.length) : path;
}

function clockTime(ts) {
  const d = new Date(ts);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.` +
    String(d.getMilliseconds()).padStart(3, "0");
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return await response.json();
}

// ---- actors ---------------------------------------------------------------------------

function actorItem(node) {
  const state = el("span", { class: "state" }, node.stateName ?? "");
  const item = el(
    "li",
    { "data-path": node.path },
    el("span", { class: "link", onclick: () => setFilter("filter-actor", node.path) }, node.name),
    state,
  );
  if (node.children.length > 0) item.append(el("ul", {}, ...node.children.map(actorItem)));
  return item;
}

async function refreshActors() {
  try {
    const body = await getJson("/console/api/actors");
    rootPath = body.root;
    systemName = body.system;
    $("system-name").textContent = body.system;
    knownActors.clear();
    for (const actor of body.actors) knownActors.add(actor.path);
    $("actor-tree").replaceChildren(...body.tree.map(actorItem));
    $("actor-count").textContent = `(${body.actors.length})`;
  } catch (error) {
    $("actor-count").textContent = `(${error.message})`;
  }
}

let actorRefresh;
/** One refresh 300 ms after the first unknown actor; later ones join it (no starvation). */
function refreshActorsSoon() {
  actorRefresh ??= setTimeout(() => {
    actorRefresh = undefined;
    refreshActors();
  }, 300);
}

function showTransition(event) {
  const item = document.querySelector(`li[data-path="${CSS.escape(event.actor)}"] > .state`);
  if (!item) return refreshActorsSoon();
  item.textContent = event.to;
  item.classList.add("changed");
  setTimeout(() => item.classList.remove("changed"), 600);
}

// ---- trace ----------------------------------------------------------------------------

function filters() {
  return {
    tid: $("filter-tid").value.trim(),
    actor: $("filter-actor").value.trim(),
    type: $("filter-type").value.trim(),
    activationsOnly: $("filter-activations").checked,
  };
}

/** True for messages of a user activation: a non-system tid, or an activation id. */
function aboutActivation(event) {
  return event.activationId !== undefined ||
    (event.tid !== undefined && !event.tid.startsWith("sid_"));
}

function passes(event, f) {
  if (f.activationsOnly && (event.kind === "transition" || !aboutActivation(event))) return false;
  if (f.tid && !(event.tid ?? "").includes(f.tid) && !(event.activationId ?? "").includes(f.tid)) {
    return false;
  }
  const paths = event.kind === "transition" ? [event.actor] : [event.from, event.to];
  if (f.actor && !paths.some((p) => p.includes(f.actor))) return false;
  const type = event.kind === "message" ? event.type ?? "" : `${event.kind} ${event.type ?? ""}`;
  return !f.type || type.includes(f.type);
}

function traceRow(event) {
  if (event.kind === "transition") {
    return el(
      "tr",
      { class: "transition", "data-kind": "transition" },
      el("td", {}, clockTime(event.ts)),
      el("td", {}, shortPath(event.actor)),
      el("td", {}, "⇒"),
      el("td", {}, `${event.from} ⇒ ${event.to}`),
      el("td", {}, "transition"),
      el("td"),
      el("td", { class: "dim" }, event.source ?? ""),
    );
  }
  const tid = event.tid
    ? el("span", { class: "link", onclick: () => selectTid(event.tid) }, event.tid)
    : "";
  return el(
    "tr",
    {
      "data-kind": event.kind,
      "data-tid": event.tid,
      "data-activation": event.activationId,
      "data-source": event.source,
      class: event.kind.replace("_", "-"),
      title: event.activationId ? `activation ${event.activationId}` : undefined,
    },
    el("td", {}, clockTime(event.ts)),
    el("td", { title: event.from }, shortPath(event.from)),
    el("td", {}, event.kind === "dead_letter" ? "✗" : "→"),
    el("td", { title: event.to }, shortPath(event.to)),
    el("td", {}, event.type ?? ""),
    el("td", {}, tid),
    el("td", { class: "dim" }, event.source ?? ""),
  );
}

/** Runs `change` on the trace list, keeping it scrolled to the newest row if it was. */
function followingTail(change) {
  const box = $("trace-list").closest(".scroll");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
  change();
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function renderTrace() {
  const f = filters();
  const shown = events.filter((e) => passes(e, f)).slice(-MAX_ROWS);
  pending = []; // every held event is rendered now; a later flush must not repeat them
  followingTail(() => $("trace-list").replaceChildren(...shown.map(traceRow)));
  $("trace-count").textContent = `(${shown.length} shown of ${events.length})`;
}

let pending = [];
let flushTimer;
function flushTrace() {
  flushTimer = undefined;
  const f = filters();
  const list = $("trace-list");
  followingTail(() => {
    for (const event of pending) if (passes(event, f)) list.append(traceRow(event));
    while (list.childElementCount > MAX_ROWS) list.firstElementChild.remove();
  });
  pending = [];
  $("trace-count").textContent = `(${list.childElementCount} shown of ${events.length})`;
  if (selectedTid) renderWaterfall();
}

function onTraceEvent(event) {
  events.push(event);
  if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
  if (isLocal(event)) {
    if (event.kind === "transition") showTransition(event);
    else if (!knownActors.has(event.to) && event.kind === "message") refreshActorsSoon();
  }
  if (paused) {
    unseen++;
    $("trace-pause").textContent = `Resume (${unseen} new)`;
    return;
  }
  pending.push(event);
  flushTimer ??= setTimeout(flushTrace, 50);
}

function togglePause() {
  paused = !paused;
  unseen = 0;
  $("trace-pause").textContent = paused ? "Resume" : "Pause";
  $("trace-pause").setAttribute("aria-pressed", String(paused));
  if (!paused) {
    pending = [];
    renderTrace();
  }
}

function setFilter(id, value) {
  $(id).value = value;
  renderTrace();
}

function showSources() {
  const parts = [...sourceStates].map(([name, state]) => state === "error" ? `${name} ✗` : name);
  $("trace-sources").textContent = parts.length > 1 ? parts.join(" · ") : "";
}

/** True when the trace follows the whole cluster (the merged stream). */
function followsCluster() {
  return clusterAvailable && $("trace-cluster").checked;
}

function connectTrace() {
  traceSource?.close();
  sourceStates.clear();
  showSources();
  const status = $("conn-status");
  const source = new EventSource(followsCluster() ? "/trace?merged=1" : "/trace");
  traceSource = source;
  source.addEventListener("source", (message) => {
    const info = JSON.parse(message.data);
    sourceStates.set(info.name, info.state);
    showSources();
  });
  source.onopen = () => {
    status.dataset.state = "open";
    status.textContent = "live";
    // A reconnect replays the ring buffer: start over rather than show events twice.
    events.length = 0;
    pending = [];
    renderTrace();
  };
  source.onerror = () => {
    status.dataset.state = source.readyState === EventSource.CLOSED ? "closed" : "connecting";
    status.textContent = source.readyState === EventSource.CLOSED ? "closed" : "reconnecting";
  };
  source.onmessage = (message) => onTraceEvent(JSON.parse(message.data));
}

/** Offers the cluster's merged trace when other processes are advertised. */
async function findProcesses() {
  try {
    const body = await getJson("/console/api/processes");
    const others = body.processes.filter((p) => p.name !== body.self);
    clusterAvailable = others.length > 0;
    $("trace-cluster-label").hidden = !clusterAvailable;
    $("trace-cluster-label").title = body.processes.map((p) => `${p.name} ${p.url}`).join("\n");
  } catch {
    clusterAvailable = false;
  }
}

// ---- waterfall ------------------------------------------------------------------------

function selectTid(tid) {
  selectedTid = tid;
  $("waterfall-tid").textContent = tid;
  renderWaterfall();
}

/**
 * The events of one transaction: those carrying `key` as their tid, plus the tid-less
 * hops of the activations seen under it (registration, result, finish). `key` may also
 * be an activation id: then its transaction, when one is held, or its own events.
 */
function transactionEvents(key) {
  const messages = events.filter((e) => e.kind !== "transition");
  const byTid = messages.filter((e) => e.tid === key);
  const tids = new Set([key]);
  if (byTid.length === 0) {
    for (const e of messages) if (e.activationId === key && e.tid) tids.add(e.tid);
  }
  const activations = new Set([key]);
  for (const e of messages) if (tids.has(e.tid) && e.activationId) activations.add(e.activationId);
  return messages.filter((e) => tids.has(e.tid) || activations.has(e.activationId));
}

/** Lanes of one transaction: each actor's first and last moment, and its messages. */
function lanesOf(tid) {
  const lanes = new Map();
  const touch = (path, ts, event, received) => {
    const lane = lanes.get(path) ?? { path, first: ts, last: ts, received: [] };
    lane.first = Math.min(lane.first, ts);
    lane.last = Math.max(lane.last, ts);
    if (received) lane.received.push(event);
    lanes.set(path, lane);
  };
  for (const event of transactionEvents(tid)) {
    touch(event.from, event.ts, event, false);
    touch(event.to, event.ts, event, true);
  }
  return [...lanes.values()].sort((a, b) => a.first - b.first);
}

function renderWaterfall() {
  const box = $("waterfall");
  const lanes = lanesOf(selectedTid);
  if (lanes.length === 0) {
    box.replaceChildren(el("p", { class: "dim" }, `no events held for ${selectedTid}`));
    return;
  }
  const t0 = Math.min(...lanes.map((l) => l.first));
  const span = Math.max(1, Math.max(...lanes.map((l) => l.last)) - t0);
  const pct = (ts) => `${((ts - t0) / span) * 100}%`;
  const rows = lanes.map((lane) => {
    const types = [...new Set(lane.received.map((e) => e.type ?? "?"))].join(", ");
    const track = el(
      "div",
      { class: "track" },
      el("div", {
        class: "bar",
        style: { left: pct(lane.first), width: `${((lane.last - lane.first) / span) * 100}%` },
        title: `${lane.last - lane.first} ms`,
      }),
      ...lane.received.map((e) =>
        el("div", {
          class: "tick",
          style: { left: pct(e.ts) },
          title: `${e.type ?? "?"} +${e.ts - t0} ms from ${shortPath(e.from)}`,
        })
      ),
    );
    return el(
      "div",
      { class: "lane", "data-path": lane.path },
      el("div", { class: "label", title: lane.path }, shortPath(lane.path)),
      track,
      el("div", { class: "types", title: types }, types ? `← ${types}` : ""),
    );
  });
  box.replaceChildren(
    ...rows,
    el("div", { class: "axis" }, el("span", {}, "0 ms"), el("span", {}, `${span} ms`)),
  );
}

// ---- invokers, queues, activations ------------------------------------------------------

function memoryBar(inv) {
  const total = Math.max(1, inv.freeMemoryMb + inv.busyMemoryMb + inv.inProgressMemoryMb);
  const part = (cls, mb) => el("div", { class: cls, style: { width: `${(mb / total) * 100}%` } });
  return el(
    "div",
    { class: "row" },
    el(
      "div",
      { class: "memory" },
      part("busy", inv.busyMemoryMb),
      part("progress", inv.inProgressMemoryMb),
    ),
    `${inv.freeMemoryMb} / ${inv.busyMemoryMb} / ${inv.inProgressMemoryMb}`,
  );
}

function statusClass(status) {
  return `status-${String(status).replaceAll(" ", "-")}`;
}

function renderState(state) {
  $("invokers").replaceChildren(...state.invokers.map((inv) =>
    el(
      "tr",
      { "data-invoker": inv.id },
      el("td", {}, inv.id),
      el("td", { class: statusClass(inv.status) }, inv.status),
      el("td", {}, memoryBar(inv)),
    )
  ));
  $("queues").replaceChildren(...state.queues.map((q) =>
    el(
      "tr",
      { "data-action": q.action },
      el("td", { title: `${q.invocationNamespace} ${q.action}@${q.revision}` }, q.action),
      el("td", {}, q.state),
      el("td", {}, String(q.size)),
      el("td", {}, `${q.containers.existing} (+${q.containers.creating})`),
      el("td", {}, q.inProgress === undefined ? "–" : String(q.inProgress)),
      el("td", {}, q.lastDecision ?? ""),
    )
  ));
  $("activations").replaceChildren(...state.activations.map((a) =>
    el(
      "tr",
      { "data-activation": a.activationId, "data-tid": a.tid },
      el(
        "td",
        {},
        el("span", {
          class: "link",
          onclick: () => selectTid(a.tid ?? a.activationId),
        }, a.activationId),
      ),
      el("td", {}, a.name),
      el("td", { class: statusClass(a.status) }, a.status),
      el("td", {}, clockTime(a.start)),
      el("td", {}, `${a.durationMs} ms`),
      el("td", {}, a.cold ? "cold" : "warm"),
      el("td", { class: `path-${a.path ?? "unknown"}` }, a.path ?? ""),
      el(
        "td",
        {},
        el(
          "details",
          {},
          el("summary", {}, JSON.stringify(a.result ?? null)),
          el("pre", {}, a.logs.join("\n")),
        ),
      ),
    )
  ));
  const errors = Object.entries(state.errors ?? {});
  if (errors.length > 0) console.warn("console sources failed:", Object.fromEntries(errors));
}

async function refreshState() {
  try {
    renderState(await getJson("/console/api/state?limit=30"));
  } catch (error) {
    console.warn(error);
  }
}

// ---- editor ---------------------------------------------------------------------------

function actionUrl(query) {
  const base = ($("editor-api").value.trim() || location.origin).replace(/\/$/, "");
  const name = $("editor-name").value.trim().split("/").map(encodeURIComponent).join("/");
  return `${base}/api/v1/namespaces/_/actions/${name}?${query}`;
}

async function callApi(method, query, body) {
  const response = await fetch(actionUrl(query), {
    method,
    headers: {
      "authorization": `Basic ${btoa($("editor-key").value.trim())}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, tid: response.headers.get("x-request-id"), json };
}

function showResult(label, outcome) {
  $("editor-status").textContent = `${label}: HTTP ${outcome.status}`;
  $("editor-result").textContent = JSON.stringify(outcome.json, null, 2);
}

async function save() {
  const outcome = await callApi("PUT", "overwrite=true", {
    exec: { kind: $("editor-kind").value, code: $("editor-code").value },
  });
  showResult("saved", outcome);
  return outcome.status < 300;
}

async function saveAndInvoke() {
  let params;
  try {
    params = JSON.parse($("editor-params").value || "{}");
  } catch (error) {
    $("editor-status").textContent = `params are not JSON: ${error.message}`;
    return;
  }
  if (!(await save())) return;
  $("editor-status").textContent = "invoking ...";
  const outcome = await callApi("POST", "blocking=true", params);
  showResult("invoked", outcome);
  if (outcome.tid) selectTid(outcome.tid);
  refreshState();
}

function guarded(fn) {
  return () =>
    fn().catch((error) => {
      $("editor-status").textContent = `failed: ${error.message}`;
    });
}

// ---- start ----------------------------------------------------------------------------

function start() {
  $("editor-key").value = GUEST_KEY;
  $("editor-code").value = SAMPLES["nodejs:20"];
  $("editor-kind").addEventListener("change", () => {
    const code = $("editor-code");
    if (Object.values(SAMPLES).includes(code.value)) code.value = SAMPLES[$("editor-kind").value];
  });
  $("editor-save").addEventListener("click", guarded(save));
  $("editor-run").addEventListener("click", guarded(saveAndInvoke));
  $("trace-pause").addEventListener("click", togglePause);
  $("trace-clear").addEventListener("click", () => {
    events.length = 0;
    renderTrace();
  });
  for (const id of ["filter-tid", "filter-actor", "filter-type", "filter-activations"]) {
    $(id).addEventListener("input", renderTrace);
  }
  $("trace-filters").addEventListener("submit", (e) => e.preventDefault());
  $("editor").addEventListener("submit", (e) => e.preventDefault());
  $("trace-cluster").addEventListener("change", connectTrace);
  refreshActors().then(findProcesses).then(connectTrace);
  refreshState();
  setInterval(refreshActors, 3000);
  setInterval(refreshState, 2000);
}

start();
