/**
 * Announcing an entity write on `cacheInvalidation` without waiting for the bus (a
 * failure is logged, never answered). Mirrors the `CacheChangeNotification` calls of
 * `core/controller/.../ApiUtils.scala` (`putEntity`, `deleteEntity`).
 *
 * @module
 */
import type { CachedEntityType } from "../../../protocols/mod.ts";
import type { RequestContext } from "./request_context.ts";

/**
 * Announces that `mainId` (`guest/pkg`) changed; `revision` is absent on delete.
 *
 * @example
 * ```ts ignore
 * announceEntity(ctx, "trigger", "guest/t1", "2-abc");
 * ```
 */
export function announceEntity(
  ctx: RequestContext,
  entityType: CachedEntityType,
  mainId: string,
  revision?: string,
): void {
  const warn = (error: unknown) =>
    ctx.logger.warn("cache invalidation not announced", { mainId, error });
  try {
    Promise.resolve(ctx.deps.announceChange({
      entityType,
      mainId,
      ...(revision === undefined ? {} : { secondaryId: revision }),
    })).catch(warn);
  } catch (error) {
    warn(error);
  }
}
