/**
 * Test harness of the REST API: `createRestApi` over an in-memory SQLite store with the
 * guest subject, a manual clock, capturing logs, and scripted `invoke`/`checkThrottle`
 * doubles that record their calls.
 *
 * @module
 */
import {
  createRestApi,
  ensureGuestSubject,
  type EntityChange,
  GUEST_SUBJECT,
  type InvokeOptions,
  type InvokeOutcome,
  type InvokeParams,
  type RestApiOptions,
  type ThrottleDecision,
} from "../../../../actors/controller/rest_api/mod.ts";
import { EntityCache } from "../../../../actors/controller/entity_cache.ts";
import type {
  Identity,
  JsonValue,
  WhiskAction,
  WhiskActivation,
} from "../../../../protocols/mod.ts";
import { ManualClock } from "../../../../runtime/actors/clock.ts";
import { capturingLogger, silentLogger } from "../../../../runtime/log.ts";
import { MetricsRegistry } from "../../../../runtime/metrics.ts";
import { type EntityStore, openSqliteStore } from "../../../../runtime/store/mod.ts";

export const GUEST_AUTH = "Basic " +
  btoa(`${GUEST_SUBJECT.namespaces[0]!.uuid}:${GUEST_SUBJECT.namespaces[0]!.key}`);

/** One recorded invocation. */
export interface InvokeCall {
  readonly identity: Identity;
  readonly action: WhiskAction;
  readonly params: InvokeParams;
  readonly options: InvokeOptions;
}

/** Options of {@link restHarness}. */
export interface HarnessOptions {
  readonly options?: RestApiOptions;
  /** Answers invocations (default: Accepted with the given id). */
  readonly invoke?: (call: InvokeCall) => Promise<InvokeOutcome>;
  readonly throttle?: () => ThrottleDecision;
}

/** A parsed answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export async function restHarness(h: HarnessOptions = {}) {
  const store: EntityStore = openSqliteStore({ path: ":memory:", logger: silentLogger });
  await ensureGuestSubject(store);
  const clock = new ManualClock(1_700_000_000_000);
  const logs = capturingLogger();
  const metrics = new MetricsRegistry();
  const announced: EntityChange[] = [];
  const invocations: InvokeCall[] = [];
  const actionCache = new EntityCache<WhiskAction>({ clock });
  const handler = createRestApi({
    store,
    clock,
    logger: logs,
    metrics,
    actionCache,
    announceChange: (change) => {
      announced.push(change);
    },
    checkThrottle: () => h.throttle?.() ?? { type: "Allowed" },
    invoke: (identity, action, params, options) => {
      const call = { identity, action, params, options };
      invocations.push(call);
      return h.invoke?.(call) ??
        Promise.resolve({ type: "Accepted", activationId: options.activationId });
    },
  }, h.options);

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; raw?: string; auth?: string | null; headers?: Record<string, string> } =
      {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    const auth = init.auth === undefined ? GUEST_AUTH : init.auth;
    if (auth !== null) headers.authorization = auth;
    const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    const response = await handler(
      new Request(`http://localhost${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      }),
    );
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch { /* plain text */ }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  return {
    handler,
    store,
    clock,
    logs,
    metrics,
    announced,
    invocations,
    actionCache,
    call,
    async [Symbol.asyncDispose]() {
      await store.close();
    },
  };
}

/** A finished activation record for `action` with the given status code and result. */
export function activationOf(
  action: WhiskAction,
  activationId: string,
  statusCode: 0 | 1 | 2 | 3,
  result: JsonValue,
  start = 1_700_000_000_000,
): WhiskActivation {
  return {
    namespace: "guest",
    name: action.name,
    subject: "guest",
    activationId,
    start,
    end: start + 5,
    duration: 5,
    response: { statusCode, result },
    logs: [],
    annotations: [
      { key: "path", value: `${action.namespace}/${action.name}` },
      { key: "waitTime", value: 1 },
      { key: "kind", value: action.exec.kind },
      { key: "timeout", value: false },
      { key: "limits", value: { ...action.limits } },
    ],
    version: action.version,
    publish: false,
  };
}

export const HELLO = "function main(p) { return { greeting: 'hi ' + p.name }; }";
