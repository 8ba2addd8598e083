/**
 * The ActivationClientProxy's effects, performed: create a client (to a given endpoint
 * or to the queue leader read from etcd), fetch, reschedule, close, and "close safely"
 * (a last fetch with `alive = false`, then close), every outcome piped back as a message.
 *
 * Mirrors the gRPC calls of `core/invoker/.../containerpool/v2/ActivationClientProxy.scala`
 * (`createActivationClient`, `fetchActivation`, `rescheduleActivation`, `safelyClose`);
 * differences: the client is an injected `ActivationClient` factory (HTTP, or in-process
 * in standalone) instead of a gRPC stub, and the leader lookup is an injected function.
 *
 * @module
 */

import type { ActivationClient } from "../../protocols/activation_client.ts";
import type { FullyQualifiedEntityName } from "../../protocols/entity_name.ts";
import type { SchedulerEndpoints } from "../../protocols/health.ts";
import type { DocRevision } from "../../protocols/revision.ts";
import type { ActorContext } from "../../runtime/actors/mod.ts";
import type { ClientEffect, ClientMsg } from "./activation_client_proxy_fsm.ts";

/** What the client proxy needs from the outside. */
export interface ActivationClientProxyDeps {
  /** Connects to a scheduler's ActivationService. */
  createClient(endpoint: SchedulerEndpoints): Promise<ActivationClient>;
  /** Reads the queue leader's endpoint (etcd `queue/<ns>/<fqn>/leader`); undefined when none. */
  lookupQueueLeader(
    invocationNamespace: string,
    fqn: FullyQualifiedEntityName,
  ): Promise<SchedulerEndpoints | undefined>;
}

/** Which queue the client pulls from, for which container. */
export interface ActivationClientProxyOptions {
  readonly invocationNamespace: string;
  readonly fqn: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly containerId: string;
  readonly schedulerHost: string;
  readonly rpcPort: number;
  /** Actor name (unique among the parent's children); default `activation-client`. */
  readonly name?: string;
}

/** A named error for a missing queue leader. */
export class QueueLeaderNotFoundError extends Error {
  override readonly name = "QueueLeaderNotFoundError";
  readonly retryable = true;
}

/** Performs one effect of the client proxy for `options`' queue and container. */
export function performClientEffect(
  effect: ClientEffect,
  ctx: ActorContext<ClientMsg>,
  deps: ActivationClientProxyDeps,
  options: ActivationClientProxyOptions,
): void {
  const ignore = () => {};
  switch (effect.type) {
    case "createClient": {
      const connect = async () => {
        const endpoint = effect.endpoint ??
          await deps.lookupQueueLeader(options.invocationNamespace, options.fqn);
        if (!endpoint) {
          throw new QueueLeaderNotFoundError(
            `no queue leader for ${options.invocationNamespace}/${options.fqn.path}/${options.fqn.name}`,
          );
        }
        return await deps.createClient(endpoint);
      };
      return ctx.pipeToSelf(
        connect(),
        (client) => ({ type: "ClientReady", client, pollAfter: effect.pollAfter }),
        (error) => ({ type: "ClientCreateFailed", error: asError(error) }),
      );
    }
    case "fetch":
      return ctx.pipeToSelf(
        effect.client.fetch({
          type: "FetchRequest",
          invocationNamespace: options.invocationNamespace,
          action: options.fqn,
          revision: options.revision,
          containerId: options.containerId,
          warmed: effect.warmed,
          ...(effect.lastDuration === undefined ? {} : { lastDuration: effect.lastDuration }),
          alive: true,
        }),
        (response) => ({ type: "FetchAnswered", response }),
        (error) => ({ type: "FetchFailed", error: asError(error) }),
      );
    case "reschedule":
      return ctx.pipeToSelf(
        effect.client.reschedule({
          type: "RescheduleRequest",
          invocationNamespace: effect.msg.invocationNamespace,
          action: effect.msg.fqn,
          revision: effect.msg.revision,
          activation: effect.msg.msg,
        }),
        (response) => ({ type: "Rescheduled", response }),
        () => ({
          type: "Rescheduled",
          response: { type: "RescheduleResponse", isRescheduled: false },
        }),
      );
    case "close":
      return void effect.client.close().catch(ignore);
    case "closeSafely": {
      const last = effect.client.fetch({
        type: "FetchRequest",
        invocationNamespace: options.invocationNamespace,
        action: options.fqn,
        revision: options.revision,
        containerId: options.containerId,
        warmed: effect.warmed,
        alive: false,
      });
      const done = last.then(ignore, ignore).then(() => effect.client.close()).catch(ignore);
      return ctx.pipeToSelf(
        done,
        () => ({ type: "ClientShutDown" }),
        () => ({ type: "ClientShutDown" }),
      );
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
