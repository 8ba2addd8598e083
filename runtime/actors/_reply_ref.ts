/**
 * Reply references: a registered, traced `Ref` that is not an actor. A message told to
 * it is handed synchronously to a callback instead of going through a mailbox. It is
 * what `ask()` replies to, instead of a temporary actor spawned and stopped per ask: an
 * ask round trip to an echo actor fell from about 22 to 9.5 CPU-µs (50,000 serial asks).
 *
 * Built on nact 7.6's own temporary references (what its `query` uses): `dispatch` to a
 * ref of type `temp` looks the id up in the nact system's `tempReferences` table and
 * calls its `resolve`. nact exports no way to reach its system object, so this file
 * reads it from nact's internal `lib/system-map.js`, as nact's own tests do (imported
 * inline at the exact version `deno.json` pins; `tests/runtime/actors/ask_test.ts`
 * fails if that internal changes). Internal to the actor kit.
 *
 * @module
 */
import type { Ref as NactRef } from "nact";
// The import map maps only the package root; this subpath pins the same version inline
// (a bare `nact/lib/…` would add a `npm:nact@*` entry to deno.lock).
// deno-lint-ignore no-import-prefix
import systemMap from "npm:nact@7.6.2/lib/system-map.js";
import { makeRef, type Ref } from "./ref.ts";
import { type ActorSystem, internalsOf, type System } from "./system.ts";

interface NactTempTable {
  addTempReference(reference: object, deferral: { resolve(msg: unknown): void }): void;
  removeTempReference(reference: object): void;
}

/** A live reply reference and how to release it. */
export interface ReplyRef<R> {
  readonly ref: Ref<R>;
  /** Unregisters the ref: later messages to it count as dead letters. Idempotent. */
  release(): void;
}

let replyCount = 0;

function nactSystemOf(system: ActorSystem): NactTempTable {
  const rootName = (system.root as unknown as { system: { name: string } }).system.name;
  const found = systemMap.find(rootName) as NactTempTable | undefined;
  if (!found || typeof found.addTempReference !== "function") {
    throw new Error(`Cannot make a reply ref: nact system "${rootName}" not found`);
  }
  return found;
}

/**
 * Registers a reply ref named `<prefix>-<n>` under the system root. Every message told
 * to it runs `onMessage` synchronously, inside the sender's `tell`; `onRemoved` runs once
 * when the ref goes away for any reason (release, or the system stopping).
 */
export function openReplyRef<R>(
  system: System,
  prefix: string,
  onMessage: (msg: R) => void,
  onRemoved: () => void,
): ReplyRef<R> {
  const impl = internalsOf(system);
  if (impl.stopped) throw new Error(`Cannot make a reply ref "${prefix}": system stopped`);
  const nactSystem = nactSystemOf(impl);
  const name = `${prefix}-${++replyCount}`;
  const path = `${impl.path}${name}`;
  const rootName = (impl.root as unknown as { system: { name: string } }).system.name;
  const temp = { system: { name: rootName }, id: `reply-${replyCount}`, type: "temp" };
  nactSystem.addTempReference(temp, { resolve: (msg) => onMessage(msg as R) });
  let incarnation = 0;
  incarnation = impl.registry.register(
    { path, parentPath: impl.path, name, spawnedAt: impl.clock.now() },
    () => {
      nactSystem.removeTempReference(temp);
      onRemoved();
    },
  );
  return {
    ref: makeRef<R>(temp as unknown as NactRef<unknown>, impl, path),
    release: () => impl.registry.remove(path, incarnation),
  };
}
