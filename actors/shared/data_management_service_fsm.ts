/**
 * The pure transition of DataManagementService. Mirrors upstream's
 * `common/.../core/service/DataManagementService.scala` and the retry rules of
 * `core/etcd/EtcdWorker.scala` (reference §1.1): at most one write per key in flight,
 * later ones queued per key (different keys run concurrently); a new put or delete
 * drops queued puts, deletes and initial puts of that key (the last write wins);
 * failover re-creates a watched key from the deletion event's previous value,
 * create-only and without a new watch, and ignores prefix removals; `UnregisterData`
 * unwatches first and deletes on the `WatcherClosed` feedback; `UpdateDataOnChange`
 * writes only changed values, the first with failover; every failure is retried after
 * the retry interval, and "lease not found" drops the cached lease and asks for a new
 * one. Differences: the worker is an effect whose outcome returns as `WorkDone` (an
 * `attempt` number discards stale outcomes); a lease that changed while a write was in
 * flight is used at once rather than after the retry interval; a request waiting for a
 * lease asks again every retry interval, so a lost `GetLease` cannot stall it.
 *
 * @module
 */
import type { FsmEffect, Step } from "../../runtime/actors/mod.ts";
import { send } from "../../runtime/actors/mod.ts";
import type {
  DataManagementCommand,
  DataManagementInternal,
  EtcdOperation,
  WorkDone,
} from "../../protocols/data_management_service.ts";
import { assertNever } from "../../protocols/_assert_never.ts";

/** Every message DataManagementService handles. */
export type DataManagementMsg = DataManagementCommand | DataManagementInternal;

/** A key's current write: running, waiting for a lease, or waiting to retry. */
export interface Job {
  readonly op: EtcdOperation;
  readonly attempt: number;
  readonly status: "running" | "waitingLease" | "backoff";
}

/** What the service tracks while running. */
export interface Running {
  readonly name: "Running";
  /** The cached process lease. */
  readonly lease: string | undefined;
  /** When the lease was last asked for (`now`), to ask at most once per retry interval. */
  readonly leaseRequestedAt: number | undefined;
  readonly jobs: ReadonlyMap<string, Job>;
  readonly queues: ReadonlyMap<string, readonly EtcdOperation[]>;
  /** Last values written through `UpdateDataOnChange`. */
  readonly dataCache: ReadonlyMap<string, string>;
  readonly nextAttempt: number;
}

/** The states: `Starting` until the shell has reset, then `Running`. */
export type DataManagementState = { readonly name: "Starting" } | Running;

/** The effects the shell performs. */
export type DataManagementEffect =
  /** Drop every outcome still in flight from an earlier incarnation. */
  | { readonly type: "reset" }
  | { readonly type: "subscribeLease" }
  | { readonly type: "requestLease" }
  /** Watch `key` for deletion (failover). */
  | { readonly type: "watchKey"; readonly key: string }
  /** Stop watching `key`, with `WatcherClosed` feedback. */
  | { readonly type: "unwatchKey"; readonly key: string }
  | {
    readonly type: "runWork";
    readonly op: EtcdOperation;
    readonly lease: string | undefined;
    readonly attempt: number;
  };

type Effect = FsmEffect<DataManagementMsg> | DataManagementEffect;
type Out = Step<DataManagementState, DataManagementMsg, DataManagementEffect>;
type Result = { readonly next: Running; readonly effects: readonly Effect[] };

/** The state at spawn and after a restart: nothing is kept. */
export const initialDataManagementState: DataManagementState = { name: "Starting" };

/** `Starting` times out at once: that is how a restarted incarnation starts. */
export function dataManagementStateTimeout(state: DataManagementState): number | undefined {
  return state.name === "Starting" ? 0 : undefined;
}

/** The timer key of a key's retry. */
export function retryTimer(key: string): string {
  return `retry:${key}`;
}

/** A fresh `Running` state. */
export function runningState(): Running {
  return {
    name: "Running",
    lease: undefined,
    leaseRequestedAt: undefined,
    jobs: new Map(),
    queues: new Map(),
    dataCache: new Map(),
    nextAttempt: 1,
  };
}

/**
 * Builds the transition; `retryIntervalMs` spaces retries (upstream default 1 s).
 *
 * @example
 * ```ts
 * import { dataManagementTransition, runningState } from "./data_management_service_fsm.ts";
 * const transition = dataManagementTransition(1000);
 * const running = { ...runningState(), lease: "7" };
 * const { effects } = transition(running, { type: "RegisterData", key: "k", value: "v" }, 0);
 * console.assert(effects.map((e) => e.type).join() === "watchKey,runWork");
 * ```
 */
export function dataManagementTransition(retryIntervalMs: number) {
  return (state: DataManagementState, msg: DataManagementMsg, now: number): Out => {
    switch (state.name) {
      case "Starting":
        return starting(state, msg);
      case "Running":
        return running(state, msg, now, retryIntervalMs);
      default:
        return assertNever(state, "DataManagementService state");
    }
  };
}

function starting(state: DataManagementState, msg: DataManagementMsg): Out {
  switch (msg.type) {
    case "Start":
    case "StateTimeout":
      return {
        next: runningState(),
        effects: [{ type: "reset" }, { type: "subscribeLease" }, { type: "unstashAll" }],
      };
    case "WorkDone":
    case "RetryWork": // outcomes and timers of an earlier incarnation
      return { next: state, effects: [] };
    default:
      return { next: state, effects: [{ type: "stash" }] };
  }
}

function running(state: Running, msg: DataManagementMsg, now: number, retryMs: number): Out {
  const ctx = { now, retryMs };
  switch (msg.type) {
    case "ElectLeader":
      return request(state, { kind: "elect", ...pick(msg), replyTo: msg.replyTo }, false, ctx);
    case "RegisterData":
      return withFailover(
        msg.failoverEnabled ?? true,
        msg.key,
        () => request(state, { kind: "put", ...pick(msg) }, true, ctx),
      );
    case "RegisterInitialData": {
      const replyTo = msg.replyTo === undefined ? {} : { replyTo: msg.replyTo };
      return withFailover(
        msg.failoverEnabled ?? true,
        msg.key,
        () => request(state, { kind: "putInitial", ...pick(msg), ...replyTo }, false, ctx),
      );
    }
    case "UnregisterData": {
      const dataCache = new Map(state.dataCache);
      dataCache.delete(msg.key);
      return { next: { ...state, dataCache }, effects: [{ type: "unwatchKey", key: msg.key }] };
    }
    case "WatcherClosed":
      return msg.isPrefix
        ? { next: state, effects: [{ type: "unhandled" }] }
        : request(state, { kind: "delete", key: msg.key }, true, ctx);
    case "UpdateDataOnChange":
      return updateOnChange(state, msg, ctx);
    case "WatchEndpointRemoved": // failover: re-create, create-only, the watch stays
      return msg.isPrefix
        ? { next: state, effects: [] }
        : request(state, { kind: "putInitial", key: msg.key, value: msg.prevValue }, false, ctx);
    case "Lease":
    case "LeaseChanged":
      return leaseArrived(state, msg.leaseId);
    case "WorkDone":
      return workDone(state, msg, ctx);
    case "RetryWork": {
      const job = state.jobs.get(msg.key);
      return job && job.status !== "running"
        ? start(state, job.op, ctx)
        : { next: state, effects: [] };
    }
    case "WatchEndpointInserted":
      return { next: state, effects: [{ type: "unhandled" }] };
    case "Start":
    case "StateTimeout":
      return { next: state, effects: [] };
    default:
      return assertNever(msg, "DataManagementService message");
  }
}

interface Ctx {
  readonly now: number;
  readonly retryMs: number;
}

const pick = (msg: { key: string; value: string }) => ({ key: msg.key, value: msg.value });

function withFailover(enabled: boolean, key: string, then: () => Result): Result {
  const step = then();
  return enabled
    ? { next: step.next, effects: [{ type: "watchKey", key }, ...step.effects] }
    : step;
}

function updateOnChange(
  state: Running,
  msg: Extract<DataManagementMsg, { type: "UpdateDataOnChange" }>,
  ctx: Ctx,
): Result {
  const cached = state.dataCache.get(msg.key);
  if (cached === msg.value) return { next: state, effects: [] };
  const dataCache = new Map(state.dataCache);
  dataCache.set(msg.key, msg.value);
  const failover = cached === undefined; // later writes: the watch already exists
  return withFailover(
    failover,
    msg.key,
    () => request({ ...state, dataCache }, { kind: "put", ...pick(msg) }, true, ctx),
  );
}

/** Runs `op` now when its key is idle, else queues it (dropping superseded writes). */
function request(state: Running, op: EtcdOperation, supersedes: boolean, ctx: Ctx): Result {
  if (!state.jobs.has(op.key)) return start(state, op, ctx);
  const queued = state.queues.get(op.key) ?? [];
  const kept = supersedes ? queued.filter((q) => q.kind === "elect") : queued;
  const queues = new Map(state.queues);
  queues.set(op.key, [...kept, op]);
  return { next: { ...state, queues }, effects: [] };
}

/** Starts (or restarts) the job of `op.key`: run with the lease, or wait for one. */
function start(state: Running, op: EtcdOperation, ctx: Ctx): Result {
  const jobs = new Map(state.jobs);
  const attempt = state.nextAttempt;
  if (op.kind === "delete" || state.lease !== undefined) {
    jobs.set(op.key, { op, attempt, status: "running" });
    return {
      next: { ...state, jobs, nextAttempt: attempt + 1 },
      effects: [{ type: "runWork", op, lease: state.lease, attempt }],
    };
  }
  jobs.set(op.key, { op, attempt, status: "waitingLease" });
  const ask = state.leaseRequestedAt === undefined ||
    ctx.now - state.leaseRequestedAt >= ctx.retryMs;
  return {
    next: {
      ...state,
      jobs,
      nextAttempt: attempt + 1,
      leaseRequestedAt: ask ? ctx.now : state.leaseRequestedAt,
    },
    effects: [
      ...(ask ? [{ type: "requestLease" } as const] : []),
      retryLater(op.key, ctx),
    ],
  };
}

function retryLater(key: string, ctx: Ctx): Effect {
  return {
    type: "startTimer",
    key: retryTimer(key),
    msg: { type: "RetryWork", key },
    ms: ctx.retryMs,
  };
}

function leaseArrived(state: Running, leaseId: string): Result {
  let next: Running = { ...state, lease: leaseId, leaseRequestedAt: undefined };
  const effects: Effect[] = [];
  for (const job of state.jobs.values()) {
    if (job.status !== "waitingLease") continue;
    const step = start(next, job.op, { now: 0, retryMs: 0 }); // a lease is known: runs now
    next = step.next;
    effects.push({ type: "cancelTimer", key: retryTimer(job.op.key) }, ...step.effects);
  }
  return { next, effects };
}

function workDone(state: Running, msg: WorkDone, ctx: Ctx): Result {
  const job = state.jobs.get(msg.key);
  if (!job || job.attempt !== msg.attempt) return { next: state, effects: [] };
  const { outcome } = msg;
  switch (outcome.type) {
    case "done":
      return finish(state, job.op, outcome.created, ctx);
    case "leaseLost": {
      if (state.lease !== undefined && state.lease !== outcome.leaseId) {
        return start(state, job.op, ctx); // a newer lease is known already
      }
      return backoff({ ...state, lease: undefined }, job, ctx);
    }
    case "failed":
      return backoff(state, job, ctx);
    default:
      return assertNever(outcome, "EtcdOutcome");
  }
}

function backoff(state: Running, job: Job, ctx: Ctx): Result {
  const jobs = new Map(state.jobs);
  jobs.set(job.op.key, { ...job, status: "backoff" });
  return { next: { ...state, jobs }, effects: [retryLater(job.op.key, ctx)] };
}

/** Answers the requester, then starts the next queued write of the key (`FinishWork`). */
function finish(state: Running, op: EtcdOperation, created: boolean, ctx: Ctx): Result {
  const replies: Effect[] = [];
  if (op.kind === "elect") {
    replies.push(send(op.replyTo, { type: "ElectionResult", key: op.key, leader: created }));
  } else if (op.kind === "putInitial" && op.replyTo) {
    const result = created ? "Done" : "AlreadyExist";
    replies.push(send(op.replyTo, { type: "InitialDataStorageResults", key: op.key, result }));
  }
  const jobs = new Map(state.jobs);
  jobs.delete(op.key);
  const queues = new Map(state.queues);
  const [next, ...rest] = queues.get(op.key) ?? [];
  if (rest.length > 0) queues.set(op.key, rest);
  else queues.delete(op.key);
  const idle: Running = { ...state, jobs, queues };
  if (!next) return { next: idle, effects: replies };
  const step = start(idle, next, ctx);
  return { next: step.next, effects: [...replies, ...step.effects] };
}
