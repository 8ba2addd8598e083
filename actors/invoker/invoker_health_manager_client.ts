/**
 * The invoker health test action and its in-process activation client: the action
 * document `whisk.system/invokerHealthTestAction<id>`, the health `ActivationMessage`,
 * and `HealthActivationClient`, which hands a fresh health activation to every live
 * fetch until it is shut down.
 *
 * Mirrors `InvokerHealthManager.prepare`, `healthAction` and
 * `HealthActivationServiceClient` of `core/invoker/.../containerpool/v2/InvokerHealthManager.scala`;
 * differences: the client implements our `ActivationClient` seam, so a normal
 * ActivationClientProxy drives it (no special proxy), and the last fetch of a
 * closing client (`alive = false`) answers `NoActivation`.
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import {
  type ActivationClient,
  ActivationClientClosedError,
} from "../../protocols/activation_client.ts";
import type {
  FetchRequest,
  FetchResponse,
  RescheduleResponse,
} from "../../protocols/activation_service.ts";
import type { SchedulerEndpoints } from "../../protocols/health.ts";
import { controllerInstance } from "../../protocols/instance_id.ts";
import type { HealthTestAction } from "../../protocols/invoker_health_manager.ts";
import { sid_invokerHealthActivation, startTransaction } from "../../protocols/transaction_id.ts";
import { actionFqn, type WhiskAction } from "../../protocols/whisk_action.ts";
import { newActivationId } from "../../protocols/whisk_activation.ts";

/** The namespace of the health test action. */
export const HEALTH_ACTION_NAMESPACE = "whisk.system";

/** The test action's name for invoker `invokerId`. */
export function healthActionName(invokerId: number): string {
  return `invokerHealthTestAction${invokerId}`;
}

/**
 * The test action document: `nodejs:20`, code returning its parameters, 128 MB,
 * no logs (what `ensureTestAction()` should create or update).
 *
 * @example
 * ```ts
 * import { healthTestActionDocument } from "./invoker_health_manager_client.ts";
 * healthTestActionDocument(0).name; // "invokerHealthTestAction0"
 * ```
 */
export function healthTestActionDocument(invokerId: number): WhiskAction {
  return {
    namespace: HEALTH_ACTION_NAMESPACE,
    name: healthActionName(invokerId),
    exec: { kind: "nodejs:20", code: "function main(params) { return params; }", binary: false },
    parameters: [],
    limits: { timeout: 60_000, memory: 128, logs: 0, concurrency: 1 },
    version: "0.0.1",
    publish: false,
    annotations: [],
  };
}

/** A fresh non-blocking health activation of the prepared test action. */
export function healthActivation(test: HealthTestAction, now: number): ActivationMessage {
  return {
    type: "ActivationMessage",
    transid: startTransaction(sid_invokerHealthActivation, now),
    action: actionFqn(test.action),
    revision: test.revision,
    user: test.identity,
    activationId: newActivationId(),
    rootControllerIndex: controllerInstance("health"),
    blocking: false,
    content: {},
    initArgs: [],
    lockedArgs: {},
  };
}

/** Where the health client claims to fetch from (nothing listens there). */
export const HEALTH_ENDPOINT: SchedulerEndpoints = { host: "invoker-health", rpcPort: 0 };

/** The in-process client of the health test proxy. */
export class HealthActivationClient implements ActivationClient {
  readonly endpoint: SchedulerEndpoints = HEALTH_ENDPOINT;
  #shutDown = false;
  #closed = false;
  #handedOut = 0;

  /** @param next builds the next health activation */
  constructor(private readonly next: () => ActivationMessage) {}

  /** A fresh activation per live fetch; closed after {@link gracefulShutdown} or {@link close}. */
  fetch(request: FetchRequest): Promise<FetchResponse> {
    if (this.#closed) return Promise.reject(new ActivationClientClosedError());
    if (!request.alive) return Promise.resolve({ type: "NoActivation" });
    if (this.#shutDown) {
      return Promise.reject(new ActivationClientClosedError("the health client was shut down"));
    }
    this.#handedOut++;
    return Promise.resolve({ type: "Activation", activation: this.next() });
  }

  /** Health activations are never handed back. */
  reschedule(): Promise<RescheduleResponse> {
    if (this.#closed) return Promise.reject(new ActivationClientClosedError());
    return Promise.resolve({ type: "RescheduleResponse", isRescheduled: false });
  }

  /** The next live fetch answers "closed" (upstream: `GracefulShutdown` → `ClientClosed`). */
  gracefulShutdown(): void {
    this.#shutDown = true;
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** How many activations were handed out. */
  get handedOut(): number {
    return this.#handedOut;
  }
}
