/**
 * Reading actions for the routes: through the action cache (dropped on every local
 * write and every `cacheInvalidation` message), and the default parameters of the
 * package an action lives in. Mirrors `WhiskAction.get` with the entity cache
 * (`core/entity/WhiskAction.scala`, `database/MultipleReadersSingleWriterCache.scala`)
 * and the package parameter inheritance of `Actions.scala` (`mergeActionWithPackageAndDispatch`).
 *
 * @module
 */
import { decodeKeyValuesAt, type KeyValue, type WhiskAction } from "../../../protocols/mod.ts";
import type { CacheEntry } from "../entity_cache.ts";
import { storedAction } from "./api_json.ts";
import type { ActionRef } from "./entity_names.ts";
import type { RequestContext } from "./request_context.ts";

/** The action named by `ref` with its revision, or undefined when absent (or unreadable). */
export function loadAction(
  ctx: RequestContext,
  ref: ActionRef,
): Promise<CacheEntry<WhiskAction> | undefined> {
  return ctx.deps.actionCache.getOrLoad(ref.docId, async () => {
    const entity = await ctx.deps.store.getEntity("actions", ref.namespace, ref.storeName);
    if (!entity) return undefined;
    const action = storedAction(entity);
    if (!action) {
      ctx.logger.warn("stored action does not decode", { docId: ref.docId });
      return undefined;
    }
    return { value: action, revision: entity.revision };
  });
}

/** The default parameters of the action's package (none outside a package). */
export async function loadPackageParameters(
  ctx: RequestContext,
  ref: ActionRef,
): Promise<readonly KeyValue[]> {
  if (ref.packageName === undefined) return [];
  const entity = await ctx.deps.store.getEntity("packages", ref.namespace, ref.packageName);
  const doc = entity?.doc;
  if (typeof doc !== "object" || doc === null) return [];
  try {
    return decodeKeyValuesAt((doc as Record<string, unknown>).parameters, {
      what: "WhiskPackage",
      path: "parameters",
    });
  } catch {
    ctx.logger.warn("package parameters do not decode", { package: ref.packageName });
    return [];
  }
}
