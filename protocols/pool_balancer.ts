/**
 * Protocol of the controller's pool balancer: publish an activation to the scheduler
 * that hosts (or will host) its queue, ask schedulers to create queues, and answer
 * invoker health from the watch-fed cluster view.
 *
 * Mirrors the `LoadBalancer` SPI of `core/controller/.../loadBalancer/FPCPoolBalancer.scala`
 * (`publish`, `invokerHealth`, the `CreateQueue` ask, the etcd watches); differences:
 * `publish` is a message answered with a {@link PublishOutcome} value instead of a
 * future that fails; the `CreateQueue` ask is a Kafka message on `scheduler<sid>` whose
 * {@link CreateQueueResponse} comes back on `completed<cid>` addressed to
 * {@link POOL_BALANCER_ACTOR}; in-flight activations are counted per queue leader key
 * (told by the completions actor) so a vanished leader with work in flight gets its
 * queue recreated.
 *
 * Sections: received, sent, internal (STYLE practice 5).
 *
 * @module
 */

import type { Ref } from "./ref.ts";
import type { ActivationMessage } from "./activation.ts";
import type { SchedulerEndpoints } from "./health.ts";
import type { CreateQueueResponse } from "./queue.ts";
import type { WhiskActionMetaData } from "./whisk_action.ts";

/** The `to` header of messages for the pool balancer (`CreateQueueResponse`). */
export const POOL_BALANCER_ACTOR = "pool-balancer";

/** The `to` header the pool balancer addresses on `scheduler<sid>`. */
export const QUEUE_MANAGER_ACTOR = "queue-manager";

/** The topic a scheduler consumes: `scheduler<sid>`. */
export function schedulerTopic(sid: string): string {
  return `scheduler${sid}`;
}

/** The topic a controller consumes (acks, queue-creation answers): `completed<cid>`. */
export function completedTopic(controllerId: string): string {
  return `completed${controllerId}`;
}

// ---------------------------------------------------------------------------
// Received
// ---------------------------------------------------------------------------

/** Publish `activation` of `action` to the scheduler hosting its queue. */
export interface PublishActivation {
  readonly type: "PublishActivation";
  readonly activation: ActivationMessage;
  /** The action's metadata, sent along when a queue must be created. */
  readonly action: WhiskActionMetaData;
  readonly replyTo: Ref<PublishOutcome>;
}

/** An activation published for the queue `leaderKey` ended (completion ack or forced). */
export interface ActivationFinished {
  readonly type: "ActivationFinished";
  readonly activationId: string;
  readonly leaderKey: string;
}

/** Asks for the invokers' health (upstream `invokerHealth()`). */
export interface GetInvokerHealth {
  readonly type: "GetInvokerHealth";
  readonly replyTo: Ref<InvokerHealthReport>;
}

/** Asks for the cached cluster view (schedulers, leaders, creations in progress). */
export interface GetClusterView {
  readonly type: "GetClusterView";
  readonly replyTo: Ref<ClusterViewReport>;
}

/** What the pool balancer accepts. `CreateQueueResponse` arrives from the bridge. */
export type PoolBalancerCommand =
  | PublishActivation
  | ActivationFinished
  | CreateQueueResponse
  | GetInvokerHealth
  | GetClusterView;

// ---------------------------------------------------------------------------
// Sent
// ---------------------------------------------------------------------------

/** The answer to {@link PublishActivation}. */
export type PublishOutcome =
  | { readonly type: "Published"; readonly activationId: string; readonly sid: string }
  | {
    readonly type: "PublishRejected";
    readonly activationId: string;
    readonly status: 503;
    readonly message: string;
  };

/** Upstream's invoker states as `invokerHealth()` reports them. */
export type InvokerHealthStatus = "Healthy" | "Unhealthy" | "Offline";

/** One invoker in {@link InvokerHealthReport}. */
export interface InvokerHealth {
  readonly id: number;
  readonly status: InvokerHealthStatus;
  /** Free memory in MB, when the invoker published a readable value. */
  readonly freeMemory?: number;
}

/** The answer to {@link GetInvokerHealth}: ids 0..max, gaps filled `Offline`. */
export interface InvokerHealthReport {
  readonly type: "InvokerHealthReport";
  readonly invokers: readonly InvokerHealth[];
}

/** A known scheduler as the pool balancer sees it. */
export interface SchedulerView {
  readonly sid: string;
  /** Queues it reported leading (`queueSize` of `whisk/scheduler/<sid>`). */
  readonly queueSize: number;
  /** Queues this controller asked it to create that its report may not count yet. */
  readonly unreportedQueues: number;
  readonly endpoints: SchedulerEndpoints;
}

/** The answer to {@link GetClusterView}. */
export interface ClusterViewReport {
  readonly type: "ClusterView";
  readonly schedulers: readonly SchedulerView[];
  /** Leader key → endpoints. */
  readonly leaders: Readonly<Record<string, SchedulerEndpoints>>;
  /** Leader key → the scheduler currently asked to create it. */
  readonly creating: Readonly<Record<string, string>>;
  /** Leader key → activations published and not finished. */
  readonly inFlight: Readonly<Record<string, number>>;
}
