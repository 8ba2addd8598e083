/**
 * Protocol of LeaseKeepAlive, the owner of a process's etcd lease. Mirrors upstream's
 * `common/.../core/service/LeaseKeepAliveService.scala` (`GetLease`, `Lease`, states
 * `Ready`/`Active`); differences: lease changes are also published as `LeaseChanged` to
 * subscribers (so DataManagementService swaps its cached lease without waiting for a
 * "lease not found"), and the grant, marker and keep-alive steps are explicit states.
 *
 * Sections in upstream's order: received, sent, states, internal messages (STYLE
 * practice 5: the internal union is for the actor alone; refs handed out are typed to
 * {@link LeaseKeepAliveCommand}).
 *
 * Note: `Ref` is a type-only import from the actor kit; reply addresses are part of
 * these messages (STYLE practices 3-4), and the kit owns the `Ref` brand.
 *
 * @module
 */
import type { Ref } from "./ref.ts";

/** An etcd lease id as a decimal string. */
export type LeaseIdString = string;

// ---------------------------------------------------------------------------
// Received
// ---------------------------------------------------------------------------

/** Asks for the current lease; answered with {@link Lease} once one is active. */
export interface GetLease {
  readonly type: "GetLease";
  readonly replyTo: Ref<Lease>;
}

/** Subscribes to {@link LeaseChanged}; the current lease, if any, is sent at once. */
export interface SubscribeLease {
  readonly type: "SubscribeLease";
  readonly subscriber: Ref<LeaseChanged>;
}

/** What LeaseKeepAlive accepts from other actors. */
export type LeaseKeepAliveCommand = GetLease | SubscribeLease;

// ---------------------------------------------------------------------------
// Sent
// ---------------------------------------------------------------------------

/** The answer to {@link GetLease}. */
export interface Lease {
  readonly type: "Lease";
  readonly leaseId: LeaseIdString;
  readonly ttlSeconds: number;
}

/** Told to every subscriber when a (new) lease becomes active. */
export interface LeaseChanged {
  readonly type: "LeaseChanged";
  readonly leaseId: LeaseIdString;
}

/** What LeaseKeepAlive sends. */
export type LeaseKeepAliveEvent = Lease | LeaseChanged;

// ---------------------------------------------------------------------------
// States
// ---------------------------------------------------------------------------

/**
 * - `Ready`: no lease, nothing in flight (at start, and while waiting to retry a grant);
 * - `Granting`: a grant is in flight;
 * - `Registering`: the marker watch and put under the new lease are in flight;
 * - `Active`: the lease is kept alive and handed out.
 */
export type LeaseKeepAliveStateName = "Ready" | "Granting" | "Registering" | "Active";

// ---------------------------------------------------------------------------
// Internal (told by the actor to itself; never handed out)
// ---------------------------------------------------------------------------

/** Upstream's `GrantLease`; also delivered as the `Ready` state timeout. */
export interface GrantLease {
  readonly type: "GrantLease";
}

/** The state timeout of `Ready` (the kit's message), handled like {@link GrantLease}. */
export interface LeaseStateTimeout {
  readonly type: "StateTimeout";
}

/** The grant answered (upstream's `SetLease`). */
export interface LeaseGranted {
  readonly type: "LeaseGranted";
  readonly leaseId: LeaseIdString;
}

/** The grant failed; retried after the retry interval. */
export interface LeaseGrantFailed {
  readonly type: "LeaseGrantFailed";
  readonly error: unknown;
}

/** The marker key is watched and put under the lease (upstream's `SetWatcher`). */
export interface MarkerRegistered {
  readonly type: "MarkerRegistered";
  readonly leaseId: LeaseIdString;
}

/** Watching or putting the marker failed. */
export interface MarkerRegistrationFailed {
  readonly type: "MarkerRegistrationFailed";
  readonly leaseId: LeaseIdString;
  readonly error: unknown;
}

/** The marker key of `leaseId` was deleted: the lease is gone. */
export interface MarkerDeleted {
  readonly type: "MarkerDeleted";
  readonly leaseId: LeaseIdString;
}

/** Time for a keep-alive (periodic timer). */
export interface KeepAliveTick {
  readonly type: "KeepAliveTick";
}

/** A keep-alive of `leaseId` succeeded. */
export interface KeepAliveDone {
  readonly type: "KeepAliveDone";
  readonly leaseId: LeaseIdString;
}

/** A keep-alive of `leaseId` failed (upstream sends itself `RegrantLease`). */
export interface KeepAliveFailed {
  readonly type: "KeepAliveFailed";
  readonly leaseId: LeaseIdString;
  readonly error: unknown;
}

/** Messages LeaseKeepAlive sends itself. */
export type LeaseKeepAliveInternal =
  | GrantLease
  | LeaseStateTimeout
  | LeaseGranted
  | LeaseGrantFailed
  | MarkerRegistered
  | MarkerRegistrationFailed
  | MarkerDeleted
  | KeepAliveTick
  | KeepAliveDone
  | KeepAliveFailed;
