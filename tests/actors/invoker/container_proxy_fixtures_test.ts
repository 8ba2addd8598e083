/**
 * Fixtures of the classic container proxy and pool tests: runs of guest actions and
 * runtime answers. It registers no test (importing modules would run it again); its
 * name only keeps it within the files this test area owns. Kept apart from
 * `_proxy_fixtures.ts`, which the FunctionPullingContainerProxy tests shape for themselves.
 */
import type { Run } from "../../../protocols/container_proxy.ts";
import { decodeActivationMessage, decodeWhiskAction } from "../../../protocols/mod.ts";
import type { WhiskAction } from "../../../protocols/whisk_action.ts";
import type { CallResult } from "../../../runtime/containers/container_factory.ts";

const USER = {
  subject: "guest",
  namespace: { name: "guest", uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502" },
  authkey: { api_key: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:secret" },
  rights: ["READ", "PUT", "DELETE", "ACTIVATE"],
  limits: {},
};

/** Options of {@link runOf}. */
export interface RunOptions {
  /** Action name (default `hello`). */
  readonly name?: string;
  readonly concurrency?: number;
  readonly memory?: number;
  readonly kind?: string;
  /** Invoking namespace (default `guest`). */
  readonly namespace?: string;
  readonly revision?: string;
}

/** The 32-hex activation id of number `n`. */
export function activationId(n: number): string {
  return n.toString(16).padStart(32, "0");
}

/** The action guest/`name`. */
export function actionOf(o: RunOptions = {}): WhiskAction {
  return decodeWhiskAction({
    namespace: "guest",
    name: o.name ?? "hello",
    exec: { kind: o.kind ?? "nodejs:20", code: "function main(p){return p}", binary: false },
    limits: { concurrency: o.concurrency ?? 1, logs: 10, memory: o.memory ?? 256, timeout: 60000 },
    version: "0.0.1",
    publish: false,
  });
}

/** Run number `n` (its activation id is `activationId(n)`). */
export function runOf(n: number, o: RunOptions = {}): Run {
  const action = actionOf(o);
  const msg = decodeActivationMessage({
    transid: ["tid" + n, 1000],
    action: { path: "guest", name: action.name, version: "0.0.1" },
    revision: o.revision ?? "1-abc",
    user: { ...USER, namespace: { ...USER.namespace, name: o.namespace ?? "guest" } },
    activationId: activationId(n),
    rootControllerIndex: { asString: "0", instanceType: "controller" },
    blocking: true,
    content: { name: "x" },
    initArgs: [],
    lockedArgs: {},
  });
  return { type: "Run", action, msg };
}

/** A 200 answer. */
export function ok(body: unknown, durationMs = 5): CallResult {
  return { ok: true, status: 200, body, sizeBytes: JSON.stringify(body).length, durationMs };
}

/** A short label of a run: its number. */
export function runNumber(run: Run): number {
  return Number.parseInt(run.msg.activationId, 16);
}
