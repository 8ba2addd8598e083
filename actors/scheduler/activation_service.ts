/**
 * The ActivationService: how a container's activation client fetches the next
 * activation of its action (a long poll of at most about 1 s) and hands one back.
 * Served over HTTP (`POST /activations/fetch`, `POST /activations/reschedule`, guarded
 * by the internal credential) and, in standalone, in process through the same
 * `ActivationClient` interface. Mirrors
 * `core/scheduler/.../grpc/ActivationServiceImpl.scala` (reference `openwhisk-fpc.md`
 * §6.2, §8.6 item 69).
 *
 * Differences from upstream:
 * - JSON over HTTP instead of gRPC; the queue lookup is a `GetQueue` ask to the
 *   QueueManager instead of a read of a process-global pool.
 * - Reschedule tells the queue the activation (a queue never answers it); upstream
 *   asked, leaving a 5 s ask timeout behind each call (reference §9.11).
 * - The queue owns the long poll and answers `NoActivation` when it ends; the service
 *   gives up after the poll plus `graceMs` and answers `NoActivation` itself, so a
 *   busy or dying queue never holds a client longer.
 * - An activation the queue hands to a fetch that has already given up (a queue whose
 *   mailbox ran late under load) is told back to that queue, never dropped: the late
 *   answer used to be a dead letter and the activation ended only by the controller's
 *   forced completion, minutes later.
 *
 * @module
 */

import { ask, type Ref, type System, tell } from "../../runtime/actors/mod.ts";
import { errorResponse, HttpError } from "../../runtime/http/http_error.ts";
import { readJsonBody } from "../../runtime/http/body.ts";
import type { Logger } from "../../runtime/log.ts";
import {
  type ActivationClient,
  ActivationClientClosedError,
} from "../../protocols/activation_client.ts";
import {
  decodeFetchRequest,
  decodeRescheduleRequest,
  encodeFetchResponse,
  encodeRescheduleResponse,
  type FetchRequest,
  type FetchResponse,
  type RescheduleRequest,
  type RescheduleResponse,
} from "../../protocols/activation_service.ts";
import { fqnString } from "../../protocols/entity_name.ts";
import type { SchedulerEndpoints } from "../../protocols/health.ts";
import type { GetActivation } from "../../protocols/memory_queue.ts";
import type { QueueLookup, QueueManagerCommand } from "../../protocols/queue_manager.ts";
import { type InternalCredential, isInternalCredential } from "../../protocols/scheduler_admin.ts";

/** What the ActivationService needs. */
export interface ActivationServiceDeps {
  /** The actor system the asks run in (its clock times them). */
  readonly system: System;
  /** Answers `GetQueue` with the queue of the fetch's exact revision. */
  readonly queueManager: Ref<QueueManagerCommand>;
  /** The internal credential every HTTP call must carry. */
  readonly credential: InternalCredential;
  readonly logger: Logger;
}

/** Timings of the ActivationService. */
export interface ActivationServiceOptions {
  /** The queue's long poll (1 s). */
  readonly longPollMs?: number;
  /** Extra wait for the queue's own `NoActivation` before answering it here (500 ms). */
  readonly graceMs?: number;
  /** How long the QueueManager may take to answer `GetQueue` (5 s, upstream's ask timeout). */
  readonly lookupTimeoutMs?: number;
  /** Largest accepted request body (1 MB plus the largest activation, 50 MB). */
  readonly maxBodyBytes?: number;
  /**
   * How long after giving up on a poll an activation the queue still sends is handed
   * back to it (60 s: far beyond any queue's own 1 s poll; later, it is a dead letter).
   */
  readonly lateReplyMs?: number;
}

/** The action whose fetches are never served (upstream's warm-up action). */
export const WARM_UP_ACTION_NAME = "whisk.system/warmUp";

const NO_ACTIVATION: FetchResponse = { type: "NoActivation" };

function timings(options: ActivationServiceOptions) {
  return {
    longPollMs: options.longPollMs ?? 1_000,
    graceMs: options.graceMs ?? 500,
    lookupTimeoutMs: options.lookupTimeoutMs ?? 5_000,
    maxBodyBytes: options.maxBodyBytes ?? 51 * 1024 * 1024,
    lateReplyMs: options.lateReplyMs ?? 60_000,
  };
}

/** Asks the QueueManager for the queue of exactly this revision. */
function lookupQueue(
  deps: ActivationServiceDeps,
  r: Pick<FetchRequest, "invocationNamespace" | "action" | "revision">,
  timeoutMs: number,
): Promise<QueueLookup> {
  return ask<QueueLookup, QueueManagerCommand>(deps.system, deps.queueManager, (replyTo) => ({
    type: "GetQueue",
    invocationNamespace: r.invocationNamespace,
    action: r.action,
    revision: r.revision,
    replyTo,
  }), timeoutMs);
}

/**
 * Serves one fetch: the warm-up action gets `NoActivation`; otherwise the queue of the
 * exact revision is asked with `GetActivation`, and its answer (an activation, or
 * `NoActivation` after the long poll) is returned. `NoMemoryQueue` and
 * `ActionMismatch` come from the lookup. A lookup or poll that fails or times out
 * answers `NoActivation`: the client simply polls again. An activation that comes after
 * the poll gave up, or once `abandoned` is aborted (the HTTP client went away, the
 * in-process client was closed), is handed back to its queue.
 */
export async function fetchActivation(
  deps: ActivationServiceDeps,
  request: FetchRequest,
  options: ActivationServiceOptions = {},
  abandoned?: AbortSignal,
): Promise<FetchResponse> {
  if (fqnString(request.action) === WARM_UP_ACTION_NAME) return NO_ACTIVATION;
  const t = timings(options);
  try {
    const lookup = await lookupQueue(deps, request, t.lookupTimeoutMs);
    if (lookup.type !== "Queue") return lookup;
    const queue = lookup.ref;
    const handBack = (late: FetchResponse) => {
      if (late.type !== "Activation") return;
      deps.logger.warn("a fetch was given up before its activation came; handed it back", {
        action: fqnString(request.action),
        containerId: request.containerId,
        activationId: late.activation.activationId,
      });
      tell(deps.system, queue, late.activation);
    };
    const answer = await ask<FetchResponse, GetActivation>(
      deps.system,
      queue,
      (replyTo) => ({
        type: "GetActivation",
        invocationNamespace: request.invocationNamespace,
        action: request.action,
        revision: request.revision,
        containerId: request.containerId,
        warmed: request.warmed,
        ...(request.lastDuration === undefined ? {} : { lastDuration: request.lastDuration }),
        alive: request.alive,
        replyTo,
      }),
      t.longPollMs + t.graceMs,
      { onLateReply: handBack, lateReplyWindowMs: t.lateReplyMs },
    );
    if (answer.type !== "Activation" || !abandoned?.aborted) return answer;
    handBack(answer); // the caller went away while the queue chose this activation
    return NO_ACTIVATION;
  } catch (error) {
    deps.logger.warn("fetch got no answer; answering NoActivation", {
      action: fqnString(request.action),
      containerId: request.containerId,
      error: error instanceof Error ? error.message : String(error),
    });
    return NO_ACTIVATION;
  }
}

/**
 * Hands an activation back to the queue of its exact revision, with a tell.
 *
 * @returns `isRescheduled` true when that queue exists here (upstream semantics)
 */
export async function rescheduleActivation(
  deps: ActivationServiceDeps,
  request: RescheduleRequest,
  options: ActivationServiceOptions = {},
): Promise<RescheduleResponse> {
  let lookup: QueueLookup;
  try {
    lookup = await lookupQueue(deps, request, timings(options).lookupTimeoutMs);
  } catch {
    return { type: "RescheduleResponse", isRescheduled: false };
  }
  if (lookup.type !== "Queue") {
    deps.logger.warn("cannot reschedule: no queue of this revision here", {
      action: fqnString(request.action),
      revision: request.revision,
      activationId: request.activation.activationId,
      lookup: lookup.type,
    });
    return { type: "RescheduleResponse", isRescheduled: false };
  }
  // A tell from the edge: the queue enqueues it and never answers.
  tell(deps.system, lookup.ref, request.activation);
  return { type: "RescheduleResponse", isRescheduled: true };
}

/**
 * The HTTP handler of `POST /activations/fetch` and `POST /activations/reschedule`.
 * Answers 401 without the internal credential, 400 for a body that does not decode
 * (a bad action name or revision included), 404/405 for other paths and methods.
 */
export function createActivationServiceHandler(
  deps: ActivationServiceDeps,
  options: ActivationServiceOptions = {},
): (request: Request) => Promise<Response> {
  const t = timings(options);
  return async (request) => {
    const tid = request.headers.get("x-request-id") ?? "sid_scheduler";
    const path = new URL(request.url).pathname;
    if (path !== "/activations/fetch" && path !== "/activations/reschedule") {
      return errorResponse(404, "The requested resource does not exist.", tid);
    }
    if (request.method !== "POST") {
      return errorResponse(405, "HTTP method not allowed, supported methods: POST", tid, {
        allow: "POST",
      });
    }
    if (!isInternalCredential(request.headers.get("authorization"), deps.credential)) {
      return errorResponse(401, "The supplied authentication is invalid", tid, {
        "www-authenticate": 'Basic realm="OpenWhisk internal"',
      });
    }
    try {
      const body = await readJsonBody(request, t.maxBodyBytes);
      const answer = path === "/activations/fetch"
        ? encodeFetchResponse(
          await fetchActivation(deps, decodeFetchRequest(body), options, request.signal),
        )
        : encodeRescheduleResponse(
          await rescheduleActivation(deps, decodeRescheduleRequest(body), options),
        );
      return Response.json(answer);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error.status, error.message, tid);
      if (error instanceof TypeError || error instanceof SyntaxError) {
        return errorResponse(400, `The request content was malformed:\n${error.message}`, tid);
      }
      throw error;
    }
  };
}

/**
 * An in-process `ActivationClient` (standalone): the same calls without the HTTP hop.
 *
 * @param endpoint the scheduler it stands for (what the container proxy compares)
 */
export function inProcessActivationClient(
  deps: ActivationServiceDeps,
  endpoint: SchedulerEndpoints,
  options: ActivationServiceOptions = {},
): ActivationClient {
  let closed = false;
  const closing = new AbortController();
  const open = () => {
    if (closed) throw new ActivationClientClosedError();
  };
  return {
    endpoint,
    fetch: async (request) => {
      open();
      return await fetchActivation(deps, request, options, closing.signal);
    },
    reschedule: async (request) => {
      open();
      return await rescheduleActivation(deps, request, options);
    },
    close: () => {
      closed = true;
      closing.abort();
      return Promise.resolve();
    },
  };
}
