/**
 * The ContainerManager's pure placement rules: which invokers are usable for a batch,
 * warm reuse of paused containers first, then `selectInvokers` for the rest; and which
 * invokers hold old containers of an action for a deletion. Mirrors `createContainer`,
 * `filterWarmedCreations`, `getAvailableInvokers` and `getInvokersWithOldContainer` of
 * `core/scheduler/.../container/ContainerManager.scala` (reference `openwhisk-fpc.md`
 * §2.3 steps 4–6, §2.5 step 4, §4.7).
 *
 * Differences from upstream, on purpose:
 * - The invokers come from a watch-fed cache, not an etcd read per batch; a value that
 *   does not parse was already skipped (and logged) when it arrived (reference §9.14).
 * - Deletion compares revisions by generation and keeps keys of the exact action, not
 *   `dropWhile` over lexicographic keys (`10-x` before `2-x`, reference §9.4), nor the
 *   actions of a package named like the action.
 * - A warm reuse deducts memory from the working list too, so the cold placements of
 *   the same batch see it.
 *
 * @module
 */

import type { ContainerCreationMessage } from "../../protocols/container.ts";
import type {
  ContainerCreationError,
  ContainerDeletion,
  CreationRequest,
  InvokerCandidate,
  InvokerSelectionConfig,
} from "../../protocols/container_manager.ts";
import { fqnString } from "../../protocols/entity_name.ts";
import {
  parseExistingContainerKey,
  parseWarmedContainerKey,
  warmedContainerRevisionPrefix,
} from "../../protocols/etcd_keys.ts";
import { compareRevisions } from "../../protocols/revision.ts";
import { annotationValue, type WhiskActionMetaData } from "../../protocols/whisk_action.ts";
import { deductMemory, selectInvokers } from "./invoker_selection.ts";

/** One creation message placed on an invoker. */
export interface CreationPlacement {
  readonly msg: ContainerCreationMessage;
  readonly invokerId: number;
  /** The warmed-container key reserved for it, for a warm reuse. */
  readonly warmedKey?: string;
}

/** One creation message no invoker can take. */
export interface CreationFailure {
  readonly msg: ContainerCreationMessage;
  readonly error: ContainerCreationError;
}

/** The outcome of placing one batch. */
export interface BatchPlacement {
  readonly placed: readonly CreationPlacement[];
  readonly failed: readonly CreationFailure[];
}

/** What a batch is placed against. */
export interface PlacementInput {
  readonly msgs: readonly ContainerCreationMessage[];
  readonly actionMemoryMb: number;
  readonly invocationNamespace: string;
  /** Every cached invoker (any status). */
  readonly invokers: readonly InvokerCandidate[];
  /** Every cached warmed-container key. */
  readonly warmed: ReadonlySet<string>;
  /** Warmed keys already reserved for a creation in progress. */
  readonly reserved: ReadonlySet<string>;
  readonly cluster: string;
  readonly selection: InvokerSelectionConfig;
}

/**
 * Invokers that may take a container of `memoryMb` for `namespace` (upstream
 * `getAvailableInvokers`): up, with the memory free, and not dedicated elsewhere.
 */
export function usableInvokers(
  invokers: readonly InvokerCandidate[],
  memoryMb: number,
  namespace: string,
): InvokerCandidate[] {
  return invokers.filter((c) =>
    c.status === "up" && c.freeMemoryMb >= memoryMb &&
    (c.dedicatedNamespaces.length === 0 || c.dedicatedNamespaces.includes(namespace))
  );
}

/**
 * Places a batch: when no invoker is usable every message fails with
 * `NoAvailableInvokersError`; otherwise each message takes an unreserved warmed
 * container of its revision on a usable invoker when there is one, and the rest go
 * through {@link selectInvokers}.
 *
 * @example
 * ```ts
 * import { placeCreations } from "./container_manager_placement.ts";
 * const result = placeCreations({
 *   msgs: [], actionMemoryMb: 256, invocationNamespace: "guest", invokers: [],
 *   warmed: new Set(), reserved: new Set(), cluster: "whisk",
 *   selection: { managedFraction: 0.9, blackboxFraction: 0.1, minMemoryMb: 128, random: () => 0 },
 * });
 * console.assert(result.placed.length === 0 && result.failed.length === 0);
 * ```
 */
export function placeCreations(input: PlacementInput): BatchPlacement {
  const { msgs, actionMemoryMb, invocationNamespace } = input;
  let pool: readonly InvokerCandidate[] = usableInvokers(
    input.invokers,
    actionMemoryMb,
    invocationNamespace,
  );
  if (pool.length === 0) {
    return { placed: [], failed: msgs.map((msg) => ({ msg, error: "NoAvailableInvokersError" })) };
  }
  // `all` keeps every invoker for selectInvokers, which draws its partitions from them.
  let all = input.invokers;
  const minMemoryMb = input.selection.minMemoryMb;
  const placed: CreationPlacement[] = [];
  const cold: ContainerCreationMessage[] = [];
  const reserved = new Set(input.reserved);
  for (const msg of msgs) {
    const warm = findWarmed(msg, pool, actionMemoryMb, input.warmed, reserved, input.cluster);
    if (warm === undefined) {
      cold.push(msg);
      continue;
    }
    reserved.add(warm.key);
    placed.push({ msg, invokerId: warm.invokerId, warmedKey: warm.key });
    pool = deductMemory(pool, warm.invokerId, actionMemoryMb, minMemoryMb);
    all = deductMemory(all, warm.invokerId, actionMemoryMb, minMemoryMb);
  }
  const byId = new Map(cold.map((msg) => [msg.creationId, msg]));
  const requests = cold.map((msg) => creationRequest(msg, actionMemoryMb));
  const selected = selectInvokers(requests, all, input.selection);
  for (const p of selected.placed) {
    placed.push({ msg: byId.get(p.request.creationId)!, invokerId: p.invokerId });
  }
  const failed = selected.failed.map((f) => ({
    msg: byId.get(f.request.creationId)!,
    error: f.error,
  }));
  return { placed, failed };
}

/** The first unreserved warmed key of the message's revision on an invoker of `pool`. */
function findWarmed(
  msg: ContainerCreationMessage,
  pool: readonly InvokerCandidate[],
  memoryMb: number,
  warmed: ReadonlySet<string>,
  reserved: ReadonlySet<string>,
  cluster: string,
): { key: string; invokerId: number } | undefined {
  const prefix = warmedContainerRevisionPrefix(
    msg.invocationNamespace,
    msg.action,
    msg.revision,
    cluster,
  );
  for (const key of [...warmed].sort()) {
    if (!key.startsWith(prefix) || reserved.has(key)) continue;
    const parsed = parseWarmedContainerKey(key, cluster);
    if (parsed === undefined || parsed.revision !== msg.revision) continue;
    if (fqnString(parsed.action) !== fqnString(msg.action)) continue;
    const invoker = pool.find((c) => c.id === parsed.invoker);
    if (invoker !== undefined && invoker.freeMemoryMb >= memoryMb) {
      return { key, invokerId: invoker.id };
    }
  }
  return undefined;
}

/** The selection-relevant facts of a creation message. */
export function creationRequest(
  msg: ContainerCreationMessage,
  memoryMb: number,
): CreationRequest {
  const meta = msg.whiskActionMetaData;
  return {
    creationId: msg.creationId,
    invocationNamespace: msg.invocationNamespace,
    action: fqnString(msg.action),
    memoryMb,
    isBlackbox: meta.exec.kind === "blackbox",
    resourceTags: resourceTags(meta),
    strictTags: strictTagPolicy(meta),
  };
}

/** The `invoker-resources` annotation: the tags an invoker must hold (strings only). */
export function resourceTags(meta: WhiskActionMetaData): string[] {
  const value = annotationValue(meta.annotations, "invoker-resources");
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
}

/** The `invoker-resources-strict-policy` annotation (default true; `"false"` reads false). */
export function strictTagPolicy(meta: WhiskActionMetaData): boolean {
  const value = annotationValue(meta.annotations, "invoker-resources-strict-policy");
  return !(value === false || value === "false");
}

/**
 * The invokers holding containers of the deleted action at its revision or older,
 * from existing-container and warmed-container keys (reference §2.5 step 4). Ids are
 * unique and ascending.
 */
export function deletionInvokers(
  keys: readonly string[],
  deletion: ContainerDeletion,
  cluster: string,
): number[] {
  const ids = new Set<number>();
  const action = fqnString(deletion.action);
  for (const key of keys) {
    const parsed = parseExistingContainerKey(key, cluster) ?? parseWarmedContainerKey(key, cluster);
    if (parsed === undefined || parsed.invocationNamespace !== deletion.invocationNamespace) {
      continue;
    }
    if (fqnString(parsed.action) !== action) continue;
    if (compareRevisions(parsed.revision, deletion.revision) <= 0) ids.add(parsed.invoker);
  }
  return [...ids].sort((a, b) => a - b);
}
