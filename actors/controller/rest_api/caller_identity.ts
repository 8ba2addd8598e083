/**
 * Who is calling: Basic credentials looked up in the store's subjects, completed with
 * the namespace's limits into the `Identity` every activation carries. Mirrors
 * `core/controller/.../BasicAuthenticationDirective.scala` (`validateCredentials`) and
 * `core/entity/Identity.scala` (`Identity.get` with the namespace's limits document).
 *
 * @module
 */
import {
  ALL_RIGHTS,
  decodeUserLimitsAt,
  type Identity,
  type UserLimits,
} from "../../../protocols/mod.ts";
import type { Logger } from "../../../runtime/log.ts";
import type { EntityStore } from "../../../runtime/store/mod.ts";
import { authenticate } from "./auth.ts";
import type { Caller } from "./request_context.ts";

/** The namespace's limits document, decoded (empty when absent or malformed). */
export async function namespaceLimits(
  store: EntityStore,
  namespace: string,
  logger: Logger,
): Promise<UserLimits> {
  const raw = await store.getNamespaceLimits(namespace);
  if (raw === undefined || raw === null) return {};
  try {
    return decodeUserLimitsAt(raw, { what: "UserLimits", path: "" });
  } catch (error) {
    logger.warn("ignoring a malformed namespace limits document", { namespace, error });
    return {};
  }
}

/**
 * Authenticates the request's `Authorization` header against the store.
 *
 * @throws {ApiError} 401 with upstream's messages when credentials are missing or unknown
 */
export async function authenticateCaller(
  authorization: string | null,
  store: EntityStore,
  logger: Logger,
): Promise<Caller> {
  const found = await authenticate(
    authorization,
    (credentials) => store.getIdentityByKey(credentials.uuid, credentials.key),
  );
  const identity: Identity = {
    subject: found.subject,
    namespace: { name: found.namespace, uuid: found.uuid },
    authkey: { uuid: found.uuid, key: found.key },
    rights: ALL_RIGHTS,
    limits: await namespaceLimits(store, found.namespace, logger),
  };
  return { identity, namespace: found.namespace };
}

/**
 * The identity owning `namespace` (a web action runs as its owner), or undefined when
 * no subject has that namespace.
 */
export async function identityOfNamespace(
  store: EntityStore,
  namespace: string,
  logger: Logger,
): Promise<Identity | undefined> {
  for (const subject of await store.listSubjects()) {
    const found = subject.namespaces.find((ns) => ns.name === namespace);
    if (!found) continue;
    return {
      subject: subject.subject,
      namespace: { name: found.name, uuid: found.uuid },
      authkey: { uuid: found.uuid, key: found.key },
      rights: ALL_RIGHTS,
      limits: await namespaceLimits(store, found.name, logger),
    };
  }
  return undefined;
}
