/**
 * Protocol of the controller's LeanBalancer (lean mode): it answers the pool
 * balancer's protocol (`PublishActivation`, `ActivationFinished`, `GetInvokerHealth`,
 * `GetClusterView`), so `invoke()` and the completions actor work unchanged, plus its
 * own drain and status messages. Where the FPC pool balancer publishes to a
 * scheduler's queue, the LeanBalancer reads the full action and pushes `Run` straight
 * to the in-process ContainerPool.
 *
 * Mirrors the `LoadBalancer` SPI as `core/controller/.../loadBalancer/LeanBalancer.scala`
 * implements it (`publish`, `invokerHealth` answering the one local invoker);
 * differences: no lean message queue and no `InvokerReactive` between the balancer
 * and the pool: the `Run` is told to the pool's actor directly.
 *
 * Lives beside the actor rather than in `protocols/` because only the controller's
 * lean composition speaks it (the other roles never see it).
 *
 * Sections: received, sent.
 *
 * @module
 */
import type { Ref } from "../../protocols/ref.ts";
import type { KeyValue } from "../../protocols/whisk_action.ts";
import type { WhiskActivation } from "../../protocols/whisk_activation.ts";
import type { PoolBalancerCommand } from "../../protocols/pool_balancer.ts";

/**
 * The annotation key every record of an activation the lean path ran carries, with
 * value {@link LEAN_BALANCER}. Records of the FPC path do not carry it (its absence
 * means the FPC path), so FPC records stay exactly upstream's.
 */
export const BALANCER_ANNOTATION = "balancer";

/** The value of {@link BALANCER_ANNOTATION} on lean records. */
export const LEAN_BALANCER = "lean";

/** The `sid` of a `Published` answer: the activation went to no scheduler. */
export const LEAN_SID = "lean";

// ---------------------------------------------------------------------------
// Received
// ---------------------------------------------------------------------------

/** Stop taking activations (publishes are rejected 503); those in flight go on. */
export interface DrainLeanBalancer {
  readonly type: "DrainLeanBalancer";
}

/** Asks for a {@link LeanBalancerStatus}. */
export interface GetLeanBalancerStatus {
  readonly type: "GetLeanBalancerStatus";
  readonly replyTo: Ref<LeanBalancerStatus>;
}

/** What the LeanBalancer accepts: the pool balancer's protocol and its own. */
export type LeanBalancerCommand = PoolBalancerCommand | DrainLeanBalancer | GetLeanBalancerStatus;

// ---------------------------------------------------------------------------
// Sent
// ---------------------------------------------------------------------------

/** The answer to {@link GetLeanBalancerStatus}. */
export interface LeanBalancerStatus {
  readonly type: "LeanBalancerStatus";
  readonly state: "Running" | "Draining";
  /** Activations pushed to the pool and not finished (completion ack or forced). */
  readonly inFlight: number;
  /** Activations pushed since start. */
  readonly pushed: number;
}

/** Whether `annotations` mark a record of the lean path. */
export function ranOnLeanPath(annotations: readonly KeyValue[]): boolean {
  return annotations.some((a) => a.key === BALANCER_ANNOTATION && a.value === LEAN_BALANCER);
}

/**
 * `record` with the `balancer: "lean"` annotation (appended once).
 *
 * @example
 * ```ts
 * import { leanRecord, ranOnLeanPath } from "./lean_balancer_protocol.ts";
 * const r = leanRecord({
 *   namespace: "guest", name: "a", subject: "guest", activationId: "0".repeat(32),
 *   start: 1, end: 2, response: { statusCode: 0 }, logs: [], annotations: [],
 *   version: "0.0.1", publish: false,
 * });
 * console.assert(ranOnLeanPath(r.annotations));
 * ```
 */
export function leanRecord(record: WhiskActivation): WhiskActivation {
  if (ranOnLeanPath(record.annotations)) return record;
  return {
    ...record,
    annotations: [...record.annotations, { key: BALANCER_ANNOTATION, value: LEAN_BALANCER }],
  };
}
