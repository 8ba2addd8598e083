/**
 * The in-process `ActivationClient` of standalone mode: the container's client calls
 * the scheduler's ActivationService functions directly, no HTTP hop. This is the one
 * in-process adapter: the scheduler role wraps its `fetchActivation` and
 * `rescheduleActivation` with it, and tests wrap scripted functions, so both run the
 * same client.
 *
 * Mirrors nothing upstream (upstream always goes through gRPC); it follows
 * ARCHITECTURE's "the same `ActivationClient` interface has an in-process adapter".
 * Unlike the HTTP adapter, `close()` does not abort a call already in flight: a long
 * poll that has taken an activation off its queue still delivers it (in process there
 * is no connection to lose it on); only later calls are refused.
 *
 * @module
 */

import {
  type ActivationClient,
  ActivationClientClosedError,
} from "../../protocols/activation_client.ts";
import type {
  FetchRequest,
  FetchResponse,
  RescheduleRequest,
  RescheduleResponse,
} from "../../protocols/activation_service.ts";
import type { SchedulerEndpoints } from "../../protocols/health.ts";

/** The service side, as functions. */
export interface InProcessActivationService {
  fetch(request: FetchRequest): Promise<FetchResponse>;
  /** Default: nothing is rescheduled. */
  reschedule?(request: RescheduleRequest): Promise<RescheduleResponse>;
}

/**
 * An `ActivationClient` calling `service` directly.
 *
 * @param endpoint the scheduler it stands for (what the container proxy compares)
 * @param service the service's functions (or a fetch function alone)
 * @returns a client whose calls after `close()` throw `ActivationClientClosedError`
 *
 * @example
 * ```ts
 * import { inProcessActivationClient } from "./mod.ts";
 * const client = inProcessActivationClient(
 *   { host: "local", rpcPort: 0 },
 *   { fetch: () => Promise.resolve({ type: "NoActivation" }) },
 * );
 * await client.close();
 * ```
 */
export function inProcessActivationClient(
  endpoint: SchedulerEndpoints,
  service: InProcessActivationService | ((request: FetchRequest) => Promise<FetchResponse>),
): ActivationClient {
  const svc: InProcessActivationService = typeof service === "function"
    ? { fetch: service }
    : service;
  let closed = false;
  const open = () => {
    if (closed) throw new ActivationClientClosedError();
  };
  return {
    endpoint,
    async fetch(request) {
      open();
      return await svc.fetch(request);
    },
    async reschedule(request) {
      open();
      return svc.reschedule
        ? await svc.reschedule(request)
        : { type: "RescheduleResponse", isRescheduled: false };
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
