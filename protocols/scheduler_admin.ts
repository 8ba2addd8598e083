/**
 * The cluster's internal credential (Basic auth with the `whisk.system` subject's key)
 * that guards the scheduler's ActivationService and admin routes, and the JSON the
 * admin routes answer. Mirrors the basic-auth check and routes of
 * `core/scheduler/.../FPCSchedulerServer.scala` (`/state`, `/disable`, `/queue/total`,
 * `/queue/status`); differences: the credential is the `whisk.system` subject's key
 * (ARCHITECTURE) rather than a separate `scheduler.user`/`scheduler.pass`, and it also
 * guards the ActivationService, which upstream serves over plain gRPC.
 *
 * @module
 */

/** A subject's Basic credentials: `uuid:key`. */
export interface InternalCredential {
  readonly uuid: string;
  readonly key: string;
}

/** The `whisk.system` subject's default credential (upstream's `auth.whisk.system`). */
export const DEFAULT_INTERNAL_CREDENTIAL: InternalCredential = {
  uuid: "789c46b1-71f6-4ed5-8c54-816aa4f8c502",
  key: "abczO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP",
};

/**
 * The `Authorization` header value of a credential.
 *
 * @example
 * ```ts
 * import { basicAuthorization } from "./scheduler_admin.ts";
 * basicAuthorization({ uuid: "u", key: "k" }); // "Basic dTpr"
 * ```
 */
export function basicAuthorization(credential: InternalCredential): string {
  const bytes = new TextEncoder().encode(`${credential.uuid}:${credential.key}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * Whether an `Authorization` header carries exactly `credential` (scheme matched
 * without regard to case; the comparison takes the same time wherever it differs).
 */
export function isInternalCredential(
  header: string | null | undefined,
  credential: InternalCredential,
): boolean {
  if (typeof header !== "string") return false;
  const expected = basicAuthorization(credential).slice("Basic ".length);
  const match = /^basic\s+(\S+)\s*$/i.exec(header);
  if (!match) return false;
  const given = match[1]!;
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) {
    diff |= expected.charCodeAt(i) ^ (given.charCodeAt(i) || 0);
  }
  return diff === 0;
}

/** `GET /queue/total`: how many queues the scheduler holds. */
export interface QueueTotal {
  /** Every queue in the pool (leaders and outdated ones still draining). */
  readonly total: number;
  /** The queues this scheduler leads. */
  readonly leaders: number;
}
