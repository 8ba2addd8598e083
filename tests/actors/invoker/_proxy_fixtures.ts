/**
 * Test fixtures for the container proxy and its activation client: an activation, an
 * action, a scripted in-memory `Container`.
 */
import {
  controllerInstance,
  decodeActivationMessage,
  decodeWhiskAction,
  type WhiskAction,
} from "../../../protocols/mod.ts";
import type { ActivationMessage } from "../../../protocols/activation.ts";
import type { CallResult, Container } from "../../../runtime/containers/container_factory.ts";

const USER = {
  subject: "guest",
  namespace: { name: "guest", uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502" },
  authkey: { api_key: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:secret" },
  rights: ["READ", "PUT", "DELETE", "ACTIVATE"],
  limits: {},
};

/** An activation of guest/hello at revision 1-abc. */
export function activation(
  id = "0123456789abcdef0123456789abcdef",
  overrides: Record<string, unknown> = {},
): ActivationMessage {
  return decodeActivationMessage({
    transid: ["tid123", 1000],
    action: { path: "guest", name: "hello", version: "0.0.1" },
    revision: "1-abc",
    user: USER,
    activationId: id,
    rootControllerIndex: { asString: "0", instanceType: "controller" },
    blocking: true,
    content: { name: "x", secret: "s" },
    initArgs: ["secret"],
    lockedArgs: {},
    ...overrides,
  });
}

/** guest/hello, nodejs:20, with `limits` overrides. */
export function action(
  limits: Record<string, number> = {},
  annotations: unknown[] = [],
): WhiskAction {
  return decodeWhiskAction({
    namespace: "guest",
    name: "hello",
    exec: { kind: "nodejs:20", code: "function main(p){return p}", binary: false },
    parameters: [{ key: "p", value: 1, init: true }],
    limits: { concurrency: 1, logs: 10, memory: 256, timeout: 60000, ...limits },
    version: "0.0.1",
    publish: false,
    annotations,
  });
}

/** The controller of the fixtures. */
export const CONTROLLER = controllerInstance(0);

/** A 200 answer. */
export function ok(body: unknown, durationMs = 5): CallResult {
  return { ok: true, status: 200, body, sizeBytes: JSON.stringify(body).length, durationMs };
}

/** A scripted container: answers come from the queues, calls are recorded. */
export interface FakeContainer extends Container {
  readonly calls: string[];
  readonly initAnswers: CallResult[];
  readonly runAnswers: CallResult[];
  logLines: string[] | Error;
}

let seq = 0;

/** A fresh fake container. */
export function fakeContainer(kind = "nodejs:20"): FakeContainer {
  const calls: string[] = [];
  const initAnswers: CallResult[] = [];
  const runAnswers: CallResult[] = [];
  const c: FakeContainer = {
    id: `wsk0_fake${++seq}`,
    kind,
    calls,
    initAnswers,
    runAnswers,
    logLines: [],
    exited: false,
    initialize(body) {
      calls.push(`init ${JSON.stringify(body)}`);
      return Promise.resolve(initAnswers.shift() ?? ok({ OK: true }));
    },
    run(body) {
      calls.push(`run ${JSON.stringify(body)}`);
      return Promise.resolve(runAnswers.shift() ?? ok({ done: true }));
    },
    logMark: () => ({ stdout: 0, stderr: 0 }),
    logs() {
      calls.push("logs");
      return c.logLines instanceof Error ? Promise.reject(c.logLines) : Promise.resolve(c.logLines);
    },
    pause() {
      calls.push("pause");
      return Promise.resolve();
    },
    resume() {
      calls.push("resume");
      return Promise.resolve();
    },
    destroy() {
      calls.push("destroy");
      return Promise.resolve();
    },
  };
  return c;
}
