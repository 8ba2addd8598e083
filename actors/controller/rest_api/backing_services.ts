/**
 * Failures of the services behind the REST API (entity store, pool balancer,
 * entitlement, cache-invalidation bus) made into one retryable error that answers 503,
 * so an outage never surfaces as a 500. Mirrors the `LoadBalancerException` →
 * `ServiceUnavailable` mapping of `core/controller/.../Actions.scala` and the database
 * failure handling of `ApiUtils.scala`; differences: store failures answer 503 too.
 *
 * @module
 */
import {
  ConflictError,
  type EntityStore,
  NotFoundError,
  StoreUnavailableError,
} from "../../../runtime/store/mod.ts";

/** A backing service failed; the request may succeed later. */
export class BackingServiceError extends Error {
  override readonly name = "BackingServiceError";
  readonly retryable = true;

  /**
   * @param service which service failed (`store`, `invoke`, `throttle`)
   * @param options the original error as `cause`
   */
  constructor(readonly service: string, options?: { cause?: unknown }) {
    super(`the ${service} is unavailable`, options);
  }
}

/**
 * Runs a call to a backing service, turning whatever it throws into
 * {@link BackingServiceError}.
 *
 * @example
 * ```ts
 * import { BackingServiceError, callBacking } from "./backing_services.ts";
 * const failed = await callBacking("invoke", () => { throw new Error("bus down"); })
 *   .catch((e) => e);
 * console.assert(failed instanceof BackingServiceError);
 * ```
 */
export async function callBacking<T>(service: string, call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof BackingServiceError ? error : new BackingServiceError(service, {
      cause: error,
    });
  }
}

/**
 * Wraps a store so that any failure other than a conflict or a missing document
 * becomes a {@link StoreUnavailableError} (503), whatever the driver threw.
 */
export function guardStore(store: EntityStore): EntityStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          if (
            error instanceof ConflictError || error instanceof NotFoundError ||
            error instanceof StoreUnavailableError
          ) throw error;
          throw new StoreUnavailableError(`store call ${String(property)} failed`, {
            cause: error,
          });
        }
      };
    },
  });
}
