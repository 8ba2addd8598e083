/**
 * The shell-side directory of a parent's container proxies: pool-local ids to refs
 * and back, and the container each proxy reported, so that a crashed parent can
 * destroy every container it owned. Pure FSMs key their sets by these ids; only the
 * shell sees refs.
 *
 * No upstream counterpart: upstream pools key their maps by `ActorRef` and learn the
 * sender from Pekko.
 *
 * @module
 */

import type { Container } from "../../protocols/container_runtime.ts";
import type { AnyRef } from "../../runtime/actors/mod.ts";

/** Ids ↔ refs, plus the last container each proxy reported. */
export class ProxyDirectory<Id extends string | number = string, R extends AnyRef = AnyRef> {
  readonly #refs = new Map<Id, R>();
  readonly #ids = new Map<string, Id>();
  readonly #containers = new Map<string, Container>();

  /** Records a freshly spawned proxy. */
  add(id: Id, ref: R): void {
    this.#refs.set(id, ref);
    this.#ids.set(ref.path, id);
  }

  /** The ref of `id`, when it is known. */
  refOf(id: Id): R | undefined {
    return this.#refs.get(id);
  }

  /** The id of the proxy at `ref.path`, when it is known. */
  idOf(ref: AnyRef): Id | undefined {
    return this.#ids.get(ref.path);
  }

  /** Remembers the container a proxy reported (for crash cleanup). */
  noteContainer(ref: AnyRef, container: Container): void {
    if (this.#ids.has(ref.path)) this.#containers.set(ref.path, container);
  }

  /** Forgets `id` and its container. */
  remove(id: Id): void {
    const ref = this.#refs.get(id);
    this.#refs.delete(id);
    if (!ref) return;
    this.#ids.delete(ref.path);
    this.#containers.delete(ref.path);
  }

  /** Forgets everything; returns the containers that were known. */
  clear(): Container[] {
    const containers = [...this.#containers.values()];
    this.#refs.clear();
    this.#ids.clear();
    this.#containers.clear();
    return containers;
  }

  /** Number of known proxies. */
  get size(): number {
    return this.#refs.size;
  }
}
