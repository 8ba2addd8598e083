/**
 * The caller's identity as it travels in every `ActivationMessage`: subject,
 * namespace, auth key, rights and the namespace's limits.
 *
 * Mirrors `common/scala/.../core/entity/Identity.scala` (`Identity`, `UserLimits`,
 * `Namespace`), `BasicAuthenticationAuthKey.scala` and `core/entitlement/Privilege.scala`;
 * differences: only basic-auth keys; the ByteSize limits are kept as their strings.
 *
 * @module
 */

import {
  array,
  type At,
  boolean,
  child,
  integer,
  invalid,
  object,
  oneOf,
  opt,
  optional,
  own,
  string,
} from "./_decode.ts";

/** Upstream's privileges. */
export const PRIVILEGES = ["READ", "PUT", "DELETE", "ACTIVATE", "REJECT"] as const;

/** A privilege. */
export type Privilege = typeof PRIVILEGES[number];

/** Every privilege a normal subject holds (upstream `Privilege.ALL`). */
export const ALL_RIGHTS: readonly Privilege[] = ["READ", "PUT", "DELETE", "ACTIVATE"];

/** A namespace's limits; absent fields fall back to the system defaults. */
export interface UserLimits {
  readonly invocationsPerMinute?: number;
  /** The namespace concurrency limit (FPC `namespaceLimit`). */
  readonly concurrentInvocations?: number;
  readonly firesPerMinute?: number;
  readonly allowedKinds?: readonly string[];
  readonly storeActivations?: boolean;
  readonly minActionMemory?: number;
  readonly maxActionMemory?: number;
  readonly minActionLogs?: number;
  readonly maxActionLogs?: number;
  readonly minActionTimeout?: number;
  readonly maxActionTimeout?: number;
  readonly minActionConcurrency?: number;
  readonly maxActionConcurrency?: number;
  readonly maxParameterSize?: string;
  readonly maxPayloadSize?: string;
  readonly truncationSize?: string;
  readonly warmedContainerKeepingCount?: number;
  /** A duration string such as `"10 minutes"`. */
  readonly warmedContainerKeepingTimeout?: string;
  readonly maxActionInstances?: number;
}

/** A basic-auth key: the subject's UUID and its 64-character secret. */
export interface AuthKey {
  readonly uuid: string;
  readonly key: string;
}

/** A namespace: name and UUID. */
export interface Namespace {
  readonly name: string;
  readonly uuid: string;
}

/** Who is calling. */
export interface Identity {
  readonly subject: string;
  readonly namespace: Namespace;
  readonly authkey: AuthKey;
  readonly rights: readonly Privilege[];
  readonly limits: UserLimits;
}

/** The `uuid:key` string form of an auth key. */
export function authKeyString(k: AuthKey): string {
  return `${k.uuid}:${k.key}`;
}

/** Parses `uuid:key`; `undefined` when there is no colon. */
export function parseAuthKey(s: string): AuthKey | undefined {
  const colon = s.indexOf(":");
  return colon <= 0 ? undefined : { uuid: s.slice(0, colon), key: s.slice(colon + 1) };
}

/** The namespace concurrency limit of `identity`, or `fallback` (the system default). */
export function namespaceConcurrencyLimit(identity: Identity, fallback: number): number {
  return identity.limits.concurrentInvocations ?? fallback;
}

/** Wire form of an identity (`authkey` as `{"api_key": "uuid:key"}`). */
export function encodeIdentity(i: Identity): Record<string, unknown> {
  return {
    subject: i.subject,
    namespace: { name: i.namespace.name, uuid: i.namespace.uuid },
    authkey: { api_key: authKeyString(i.authkey) },
    rights: [...i.rights],
    limits: { ...i.limits },
  };
}

const INT_LIMITS = [
  "invocationsPerMinute",
  "concurrentInvocations",
  "firesPerMinute",
  "minActionMemory",
  "maxActionMemory",
  "minActionLogs",
  "maxActionLogs",
  "minActionTimeout",
  "maxActionTimeout",
  "minActionConcurrency",
  "maxActionConcurrency",
  "warmedContainerKeepingCount",
  "maxActionInstances",
] as const;

const STRING_LIMITS = [
  "maxParameterSize",
  "maxPayloadSize",
  "truncationSize",
  "warmedContainerKeepingTimeout",
] as const;

const nonNegativeInteger = (value: unknown, at: At) => integer(value, at, 0);

/** Decodes `UserLimits` (unknown fields ignored). */
export function decodeUserLimitsAt(value: unknown, at: At): UserLimits {
  const rec = object(value, at);
  const out: Record<string, unknown> = {};
  for (const key of INT_LIMITS) {
    const v = optional(rec, at, key, nonNegativeInteger);
    if (v !== undefined) out[key] = v;
  }
  for (const key of STRING_LIMITS) {
    const v = optional(rec, at, key, string);
    if (v !== undefined) out[key] = v;
  }
  const kinds = optional(rec, at, "allowedKinds", (x, a) => array(x, a, string));
  const store = optional(rec, at, "storeActivations", boolean);
  return { ...out, ...opt("allowedKinds", kinds), ...opt("storeActivations", store) };
}

function authKeyAt(value: unknown, at: At): AuthKey {
  const rec = object(value, at);
  const apiKey = own(rec, "api_key");
  if (apiKey !== undefined) {
    return parseAuthKey(string(apiKey, child(at, "api_key"))) ??
      invalid(child(at, "api_key"), 'must be "uuid:key"');
  }
  return {
    uuid: string(own(rec, "uuid"), child(at, "uuid")),
    key: string(own(rec, "key"), child(at, "key")),
  };
}

/** Decodes an identity inside a message. */
export function decodeIdentityAt(value: unknown, at: At): Identity {
  const rec = object(value, at);
  const nsAt = child(at, "namespace");
  const ns = object(own(rec, "namespace"), nsAt);
  return {
    subject: string(own(rec, "subject"), child(at, "subject")),
    namespace: {
      name: string(own(ns, "name"), child(nsAt, "name")),
      uuid: string(own(ns, "uuid"), child(nsAt, "uuid")),
    },
    authkey: authKeyAt(own(rec, "authkey"), child(at, "authkey")),
    rights: optional(rec, at, "rights", (v, a) => array(v, a, (x, b) => oneOf(x, b, PRIVILEGES))) ??
      [],
    limits: optional(rec, at, "limits", decodeUserLimitsAt) ?? {},
  };
}
