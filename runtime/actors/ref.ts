/**
 * Typed actor references: a branded wrapper over a nact ref that carries the actor's
 * path (the type itself lives in `protocols/ref.ts`). Mirrors the role of Pekko's typed `ActorRef[T]`; nact 7.x refs are untyped, so
 * the message type lives only in the compiler (a phantom member), and the nact ref and
 * owning system are kept off the object in a private side table.
 *
 * @module
 */
import type { Ref as NactRef } from "nact";

import type { AnyRef, Ref } from "../../protocols/ref.ts";

export type { AnyRef, Ref } from "../../protocols/ref.ts";

interface RefInternals {
  readonly nact: NactRef<unknown>;
  readonly system: object;
}

const internals = new WeakMap<object, RefInternals>();

/** Wraps a nact ref. Internal to the actor kit. */
export function makeRef<M>(nact: NactRef<unknown>, system: object, path: string): Ref<M> {
  const ref = Object.freeze({ path }) as unknown as Ref<M>;
  internals.set(ref, { nact, system });
  return ref;
}

function lookup(ref: AnyRef): RefInternals {
  const found = internals.get(ref);
  if (!found) {
    throw new TypeError(`Cannot use "${String(ref?.path)}": not a ref made by the actor kit`);
  }
  return found;
}

/** The nact ref behind `ref`. Internal to the actor kit. */
export function nactRefOf(ref: AnyRef): NactRef<unknown> {
  return lookup(ref).nact;
}

/** The system `ref` belongs to. Internal to the actor kit. */
export function systemObjectOf(ref: AnyRef): object {
  return lookup(ref).system;
}
