/**
 * Claiming an alarm tick across controllers: a create-only put (`putIfVersion(key, owner,
 * 0)`) of `whisk/alarms/<namespace>/<trigger>/<tick>`; the one controller whose put
 * happened fires the tick. The keys live under short leases of the claimer's own that
 * are never kept alive: a new lease is granted every half TTL, so each key survives at
 * least half the TTL (longer than any controller can be late for the same tick: the
 * service skips ticks later than that) and then vanishes, keeping etcd small. No
 * upstream counterpart: upstream's alarms provider has one active instance (its
 * `redis`-backed leader) instead.
 *
 * @module
 */
import type { Clock } from "../../../runtime/actors/clock.ts";
import type { KeyValueStore, LeaseId } from "../../../runtime/kv/key_value_store.ts";
import { LeaseLostError } from "../../../runtime/kv/kv_errors.ts";

/** Claims ticks. */
export interface TickClaims {
  /**
   * Creates `key` if absent.
   *
   * @returns true when this claimer created it (and so fires the tick)
   */
  claim(key: string): Promise<boolean>;
}

/** Options of {@link createTickClaims}. */
export interface TickClaimsOptions {
  /** The value written: who claimed (e.g. `controller0`), for operators. */
  readonly owner: string;
  /** TTL of the claim leases in seconds; a key lives between half of it and all of it. */
  readonly leaseTtlSeconds: number;
}

/**
 * Creates the claimer of one service.
 *
 * @example
 * ```ts
 * import { MemoryKv } from "../../../runtime/kv/memory_kv.ts";
 * import { ManualClock } from "../../../runtime/actors/clock.ts";
 * import { createTickClaims } from "./tick_claims.ts";
 * const clock = new ManualClock();
 * const kv = new MemoryKv({ clock });
 * const a = createTickClaims(kv, clock, { owner: "controller0", leaseTtlSeconds: 60 });
 * const b = createTickClaims(kv, clock, { owner: "controller1", leaseTtlSeconds: 60 });
 * console.assert(await a.claim("whisk/alarms/guest/t/1000") === true);
 * console.assert(await b.claim("whisk/alarms/guest/t/1000") === false);
 * await kv.close();
 * ```
 */
export function createTickClaims(
  kv: KeyValueStore,
  clock: Clock,
  options: TickClaimsOptions,
): TickClaims {
  const rotateMs = (options.leaseTtlSeconds * 1000) / 2;
  let current: { readonly lease: Promise<LeaseId>; readonly grantedAt: number } | undefined;

  const lease = (): Promise<LeaseId> => {
    const now = clock.now();
    if (!current || now - current.grantedAt >= rotateMs) {
      const granted = kv.grantLease(options.leaseTtlSeconds);
      const entry = { lease: granted, grantedAt: now };
      current = entry;
      granted.catch(() => {
        if (current === entry) current = undefined;
      });
    }
    return current.lease;
  };

  const put = async (key: string) =>
    kv.putIfVersion(key, options.owner, 0, { lease: await lease() });

  return {
    async claim(key) {
      try {
        return await put(key);
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        current = undefined; // the store lost the lease (an etcd restart): grant anew
        return await put(key);
      }
    },
  };
}
