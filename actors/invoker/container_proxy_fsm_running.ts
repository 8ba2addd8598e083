/**
 * The working states of the classic ContainerProxy's pure transition: Running (runs in
 * flight and the run buffer), Ready (idle, pause-grace), Pausing, Paused
 * (idle-container) and Removing.
 *
 * Mirrors `when(Running)`, `when(Ready)`, `when(Pausing)`, `when(Paused)`,
 * `when(Removing)`, `requestWork` and `processBuffer` of
 * `core/invoker/.../containerpool/ContainerProxy.scala`; differences:
 * - `NeedWork(WarmedData)` goes to the pool after every successful run, so the pool's
 *   count of a container's activations stays exact (upstream skips it when a buffered
 *   run takes the slot);
 * - resuming a paused container is its own step (`ResumeCompleted`/`ResumeFailed`);
 * - a failed run with others in flight tells the pool at once and hands the buffered
 *   runs back, then destroys the container when the last run ended (upstream waits in
 *   Removing without destroying);
 * - Removing hands a late `Run` back as `RescheduleJob`.
 *
 * @module
 */

import type { Run, WarmedData } from "../../protocols/container_proxy.ts";
import { errorResponse } from "../../protocols/whisk_activation.ts";
import { send } from "../../runtime/actors/mod.ts";
import {
  abnormalRun,
  containerOf,
  type ContainerProxyEnv,
  type ContainerProxyMsg,
  type ContainerProxyState,
  delay,
  type Effect,
  maxConcurrent,
  type ProxyStep,
  remove,
  removedEvent,
  rescheduleEvent,
  type RunningState,
  sameRun,
  stay,
  unhandled,
} from "./container_proxy_fsm_common.ts";

type State<N extends ContainerProxyState["name"]> = Extract<ContainerProxyState, { name: N }>;

/** Starts buffered runs up to the action's concurrency (upstream `processBuffer`). */
function processBuffer(
  state: RunningState & { data: WarmedData },
): { next: RunningState; effects: Effect[] } {
  const free = maxConcurrent(state.data) - state.running.length;
  const started = state.buffer.slice(0, Math.max(0, free));
  const effects: Effect[] = started.map((run) => ({
    type: "runJob",
    run,
    container: state.data.container,
    initialize: false,
  }));
  const next = {
    ...state,
    running: [...state.running, ...started],
    buffer: state.buffer.slice(started.length),
  };
  return { next, effects };
}

function accept(state: RunningState, run: Run): ProxyStep {
  const { data } = state;
  const working = data.type === "WarmedData" && !state.resuming;
  if (!working || state.running.length >= maxConcurrent(data)) {
    return stay({ ...state, buffer: [...state.buffer, run] });
  }
  return {
    next: { ...state, running: [...state.running, run] },
    effects: [{ type: "runJob", run, container: data.container, initialize: false }],
  };
}

/** Running: runs in flight, the buffer beyond concurrency or during init and resume. */
export function running(
  state: RunningState,
  msg: ContainerProxyMsg,
  env: ContainerProxyEnv,
  now: number,
): ProxyStep {
  const { data } = state;
  switch (msg.type) {
    case "Run":
      return accept(state, msg);
    case "PreWarmCompleted": {
      const first = state.running[0];
      if (data.type !== "WarmingColdData" || first === undefined) return unhandled(state);
      return {
        next: { ...state, data: { ...data, type: "WarmingData", container: msg.container } },
        effects: [{ type: "runJob", run: first, container: msg.container, initialize: true }],
      };
    }
    case "ContainerStartFailed": {
      const [first, ...rest] = state.running;
      const response = errorResponse(msg.statusCode, msg.message);
      return {
        next: { name: "Removing", data, running: [], destroying: false },
        effects: [
          { type: "abortRuns", runs: first ? [first] : [], response },
          { type: "abortRuns", runs: [...rest, ...state.buffer], response: abnormalRun() },
          removedEvent(env, true),
          { type: "stop" },
        ],
      };
    }
    case "InitCompleted": {
      if (data.type !== "WarmingData") return stay(state);
      const warmed: WarmedData = { ...data, type: "WarmedData", lastUsed: now };
      return processBuffer({ ...state, data: warmed });
    }
    case "ResumeCompleted": {
      if (data.type !== "WarmedData" || !state.resuming) return unhandled(state);
      const resumed: Effect[] = state.running.map((run) => ({
        type: "runJob",
        run,
        container: data.container,
        initialize: false,
      }));
      const step = processBuffer({ ...state, data, resuming: false });
      return { next: step.next, effects: [...resumed, ...step.effects] };
    }
    case "ResumeFailed":
      return remove(data, {
        notices: [rescheduleEvent(env, [...state.running, ...state.buffer])],
        resumeFirst: true,
      });
    case "RunCompleted":
      return completed(state, msg.run, msg.outcome, env, now);
    case "Remove":
      return delay(state);
    case "HealthPingEnabled":
    case "HealthPingTick":
      return stay(state);
    default:
      return unhandled(state);
  }
}

function completed(
  state: RunningState,
  run: Run,
  outcome: Extract<ContainerProxyMsg, { type: "RunCompleted" }>["outcome"],
  env: ContainerProxyEnv,
  now: number,
): ProxyStep {
  const { data } = state;
  const left = state.running.filter((r) => !sameRun(r, run));
  switch (outcome.type) {
    case "ok": {
      if (data.type !== "WarmedData") return completed(state, run, { type: "failed" }, env, now);
      const { resumeRun: _done, ...rest } = data;
      const warmed: WarmedData = { ...rest, lastUsed: now };
      const needWork = send(env.parent, { type: "NeedWork", proxy: env.self, data: warmed });
      const step = processBuffer({ ...state, data: warmed, running: left });
      const next = step.next;
      if (next.running.length === 0 && next.buffer.length === 0) {
        return {
          next: { name: "Ready", data: warmed },
          effects: [needWork, { type: "unstashAll" }],
        };
      }
      return { next, effects: [needWork, ...step.effects] };
    }
    case "initFailed":
      return remove(data, {
        notices: [removedEvent(env, true)],
        extra: [{ type: "abortRuns", runs: state.buffer, response: outcome.response }],
        running: left,
      });
    case "failed": {
      const handBack = data.type === "WarmedData" && state.buffer.length > 0;
      return remove(data, {
        notices: [
          removedEvent(env, true),
          ...(handBack ? [rescheduleEvent(env, state.buffer)] : []),
        ],
        extra: handBack || state.buffer.length === 0
          ? []
          : [{ type: "abortRuns", runs: state.buffer, response: abnormalRun() }],
        running: left,
      });
    }
    case "reschedule":
      return remove(data, {
        notices: [rescheduleEvent(env, [run, ...state.buffer])],
        running: left,
      });
  }
}

/** Running with `msg` as its only run, from a warm container (Ready, or Paused and resuming). */
function runningFrom(
  data: State<"Ready">["data"],
  msg: Extract<ContainerProxyMsg, { type: "Run" }>,
  now: number,
  resuming: boolean,
): State<"Running"> {
  return {
    name: "Running",
    data: { ...data, resumeRun: msg, lastUsed: now },
    resuming,
    running: [msg],
    buffer: [],
  };
}

/** Ready: idle and unpaused until `pause-grace` passes. */
export function ready(
  state: State<"Ready">,
  msg: ContainerProxyMsg,
  env: ContainerProxyEnv,
  now: number,
): ProxyStep {
  const { data } = state;
  switch (msg.type) {
    case "Run":
      return {
        next: runningFrom(data, msg, now, false),
        effects: [{ type: "runJob", run: msg, container: data.container, initialize: false }],
      };
    case "StateTimeout":
      return {
        next: { name: "Pausing", data },
        effects: [{ type: "suspendContainer", container: data.container }],
      };
    case "Remove":
      return remove(data, { notices: [removedEvent(env, true)] });
    case "HealthPingEnabled":
    case "HealthPingTick":
      return stay(state);
    default:
      return unhandled(state);
  }
}

/** Pausing: the suspend is under way; everything else waits. */
export function pausing(
  state: State<"Pausing">,
  msg: ContainerProxyMsg,
  env: ContainerProxyEnv,
): ProxyStep {
  const { data } = state;
  switch (msg.type) {
    case "SuspendCompleted":
      return {
        next: { name: "Paused", data },
        effects: [
          send(env.parent, { type: "ContainerPaused", proxy: env.self, data }),
          { type: "unstashAll" },
        ],
      };
    case "SuspendFailed":
      return remove(data, { notices: [removedEvent(env, true)], resumeFirst: true });
    case "Run":
    case "Remove":
    case "HealthPingEnabled":
      return delay(state);
    default:
      return unhandled(state);
  }
}

/** Paused: resumed by the next run, removed after `idle-container`. */
export function paused(
  state: State<"Paused">,
  msg: ContainerProxyMsg,
  env: ContainerProxyEnv,
  now: number,
): ProxyStep {
  const { data } = state;
  switch (msg.type) {
    case "Run":
      return {
        next: runningFrom(data, msg, now, true),
        effects: [{ type: "resumeContainer", container: data.container }],
      };
    // Upstream signals RescheduleJob here so that the pool does not count the removal twice.
    case "StateTimeout":
    case "Remove":
      return remove(data, { notices: [rescheduleEvent(env, [])], resumeFirst: true });
    case "HealthPingEnabled":
    case "HealthPingTick":
      return stay(state);
    default:
      return unhandled(state);
  }
}

/** Removing: the parent knows; late runs go back, the container goes once runs ended. */
export function removing(
  state: State<"Removing">,
  msg: ContainerProxyMsg,
  env: ContainerProxyEnv,
): ProxyStep {
  switch (msg.type) {
    case "Run":
      return stay(state, [rescheduleEvent(env, [msg])]);
    case "RunCompleted": {
      const running = state.running.filter((r) => !sameRun(r, msg.run));
      const effects: Effect[] = msg.outcome.type === "reschedule"
        ? [rescheduleEvent(env, [msg.run])]
        : [];
      return destroyWhenIdle({ ...state, running }, effects);
    }
    case "DestroyCompleted":
      return state.running.length === 0 ? stay(state, [{ type: "stop" }]) : stay(state);
    case "StateTimeout": {
      const container = containerOf(state.data);
      const destroy: Effect[] = !state.destroying && container
        ? [{ type: "destroyContainer", container, resumeFirst: true }]
        : [];
      return stay(state, [...destroy, { type: "stop" }]);
    }
    default:
      return stay(state);
  }
}

function destroyWhenIdle(state: State<"Removing">, effects: Effect[]): ProxyStep {
  if (state.running.length > 0 || state.destroying) return stay(state, effects);
  const container = containerOf(state.data);
  if (!container) return stay(state, [...effects, { type: "stop" }]);
  return stay({ ...state, destroying: true }, [
    ...effects,
    { type: "destroyContainer", container, resumeFirst: false },
  ]);
}
