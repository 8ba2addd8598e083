/**
 * Fixtures of the programming-model tests (packages, triggers, rules, sequences, web
 * actions): a second subject, a scripted balancer whose results are computed from the
 * parameters (so sequence chaining is real), and a poll helper for work the API
 * finishes after answering.
 *
 * @module
 */
import type { InvokeOutcome } from "../../../../actors/controller/rest_api/mod.ts";
import type { JsonObject, JsonValue, WhiskActivation } from "../../../../protocols/mod.ts";
import { encodeActivation } from "../../../../protocols/mod.ts";
import type { EntityStore, SubjectRecord } from "../../../../runtime/store/mod.ts";
import type { InvokeCall } from "./_harness.ts";

/** A second subject with its own namespace. */
export const OTHER_SUBJECT: SubjectRecord = {
  subject: "other",
  namespaces: [{
    name: "other.ns",
    uuid: "0a0b0c0d-1111-4222-8333-444455556666",
    key: "Zz".repeat(32),
  }],
};

/** The Basic header of {@link OTHER_SUBJECT}. */
export const OTHER_AUTH = "Basic " +
  btoa(`${OTHER_SUBJECT.namespaces[0]!.uuid}:${OTHER_SUBJECT.namespaces[0]!.key}`);

/** An action exec the tests create. */
export const JS = { kind: "nodejs:default", code: "function main(p) { return p; }" };

function resultOf(name: string, params: JsonObject): { code: 0 | 1 | 2; result: JsonValue } {
  const n = typeof params.n === "number" ? params.n : 0;
  switch (name) {
    case "inc":
      return { code: 0, result: { n: n + 1 } };
    case "double":
      return { code: 0, result: { n: n * 2 } };
    case "fail":
      return { code: 1, result: { error: `failed at ${n}` } };
    case "crash":
      return { code: 2, result: { error: "The action did not produce a valid response." } };
    default:
      return { code: 0, result: params };
  }
}

/** The record the scripted balancer produces for a call. */
export function recordOf(call: InvokeCall, start = 1_700_000_000_000): WhiskActivation {
  const { action, options, identity } = call;
  const params = Array.isArray(call.params) ? {} : call.params as JsonObject;
  const { code, result } = resultOf(action.name, params);
  return {
    namespace: identity.namespace.name,
    name: action.name,
    subject: identity.subject,
    activationId: options.activationId,
    start,
    end: start + 7,
    duration: 7,
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    response: { statusCode: code, result },
    logs: [],
    annotations: [
      { key: "path", value: `${action.namespace}/${action.name}` },
      { key: "kind", value: action.exec.kind },
      { key: "limits", value: { ...action.limits } },
      ...(options.binding === undefined ? [] : [{ key: "binding", value: options.binding }]),
    ],
    version: action.version,
    publish: false,
  };
}

/**
 * A balancer double computing results from parameters: `inc` adds 1 to `n`, `double`
 * doubles it, `fail` is an application error, `crash` a developer error, anything else
 * echoes its parameters. Records are stored when a store is given.
 */
export function computedInvoke(store?: () => EntityStore) {
  return async (call: InvokeCall): Promise<InvokeOutcome> => {
    const activation = recordOf(call);
    await store?.().putActivation(encodeActivation(activation) as never);
    return call.options.blocking
      ? { type: "Completed", activation }
      : { type: "Accepted", activationId: call.options.activationId };
  };
}

/** Polls `probe` (yielding to timers between tries) until it gives a value. */
export async function eventually<T>(probe: () => Promise<T | undefined>, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error("eventually(): the condition never held");
}
