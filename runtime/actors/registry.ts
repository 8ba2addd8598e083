/**
 * The live-actor registry: which actors exist right now, keyed by path. nact 7.x has no
 * public "is alive" check and drops a dispatch to a stopped actor without a trace, so
 * `tell()` consults this registry to report dead letters (STYLE practice 18), and the
 * dev console lists it.
 *
 * @module
 */

/** What the registry knows about one live actor. */
export interface ActorInfo {
  readonly path: string;
  /** The parent's path; the system's root path for top-level actors. */
  readonly parentPath: string;
  readonly name: string;
  /** The current state name, for actors that have one (FSMs). */
  readonly stateName?: string;
  /** `clock.now()` when the actor was spawned. */
  readonly spawnedAt: number;
}

interface Entry {
  info: ActorInfo;
  readonly incarnation: number;
  readonly onRemoved: () => void;
}

/** Paths of live actors and the hook to run when each goes away. Internal to the kit. */
export class ActorRegistry {
  #entries = new Map<string, Entry>();
  #incarnations = 0;

  /** Adds an actor; returns its incarnation number (paths can be reused after a stop). */
  register(info: ActorInfo, onRemoved: () => void): number {
    const incarnation = ++this.#incarnations;
    this.#entries.set(info.path, { info, incarnation, onRemoved });
    return incarnation;
  }

  /** True when an actor lives at `path`. */
  has(path: string): boolean {
    return this.#entries.has(path);
  }

  /** Records the current state name of the actor at `path`. */
  setStateName(path: string, stateName: string | undefined): void {
    const entry = this.#entries.get(path);
    if (!entry || entry.info.stateName === stateName) return;
    const { stateName: _old, ...rest } = entry.info;
    entry.info = stateName === undefined ? rest : { ...rest, stateName };
  }

  /** Removes the actor at `path` if it is still the given incarnation (or any, if omitted). */
  remove(path: string, incarnation?: number): void {
    const entry = this.#entries.get(path);
    if (!entry || (incarnation !== undefined && entry.incarnation !== incarnation)) return;
    this.#entries.delete(path);
    entry.onRemoved();
  }

  /** Removes every descendant of `path`, and `path` itself unless `childrenOnly`. */
  removeSubtree(path: string, childrenOnly = false): void {
    const prefix = path.endsWith("/") ? path : `${path}/`;
    for (const p of [...this.#entries.keys()]) {
      if (p.startsWith(prefix) || (!childrenOnly && p === path)) this.remove(p);
    }
  }

  /** Snapshots of every live actor, in spawn order. */
  list(): ActorInfo[] {
    return [...this.#entries.values()].map((e) => e.info);
  }
}
