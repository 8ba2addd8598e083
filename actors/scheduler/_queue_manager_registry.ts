/**
 * The QueueManager shell's registry of its MemoryQueues, which outlives a restart of the
 * manager: the queues live under a sibling group actor (nact stops an actor's children
 * when it restarts), and a restarted manager asks each registered queue for its status
 * to rebuild its pool (`QueuesAdopted`). It also keeps what a crashed incarnation held
 * (activations waiting for a leader read or a metadata fetch, the shutdown flag) so the
 * next incarnation can route them again. No upstream counterpart: upstream's manager
 * loses its queues when it restarts.
 *
 * @module
 */

import type { ActivationMessage } from "../../protocols/activation.ts";
import type { MemoryQueueCommand, QueueStatus } from "../../protocols/memory_queue.ts";
import { ask } from "../../runtime/actors/ask.ts";
import type { Ref } from "../../runtime/actors/ref.ts";
import type { System } from "../../runtime/actors/system.ts";
import type { PoolEntry, QueueManagerData, QueuesAdopted } from "./_queue_manager_model.ts";

/** One registered queue: its ref and the entry it was spawned with. */
export interface RegisteredQueue {
  readonly ref: Ref<MemoryQueueCommand>;
  readonly entry: PoolEntry;
}

/** What a crashed incarnation held, kept for the next one. */
interface Salvage {
  reroute: ActivationMessage[];
  abandon: ActivationMessage[];
  shuttingDown: boolean;
}

const DYING = new Set(["Removing", "Removed"]);

/** The queues of one manager and what its last crash left behind. */
export class QueueRegistry {
  readonly #queues = new Map<string, RegisteredQueue>();
  #salvage: Salvage = { reroute: [], abandon: [], shuttingDown: false };
  /** Ids salvaged at the previous crash: held again at the next one, they are ended. */
  #salvagedBefore = new Set<string>();

  /** Registers a freshly spawned queue. */
  add(entry: PoolEntry, ref: Ref<MemoryQueueCommand>): void {
    this.#queues.set(entry.id, { ref, entry });
  }

  /** The ref of queue `id`, if registered. */
  refOf(id: string): Ref<MemoryQueueCommand> | undefined {
    return this.#queues.get(id)?.ref;
  }

  /** Forgets queue `id` (it left the pool for good). */
  remove(id: string): void {
    this.#queues.delete(id);
  }

  /** How many queues are registered. */
  get size(): number {
    return this.#queues.size;
  }

  /**
   * Called by the supervision policy when the manager crashes: keeps the activations the
   * last committed state held (those already held at the previous crash are to be ended,
   * so a poisonous activation cannot crash the manager forever) and the shutdown flag.
   */
  salvage(data: QueueManagerData): void {
    const held = [...data.leaderReads.values(), ...data.fetches.values()].flat();
    const twice = (m: ActivationMessage) => this.#salvagedBefore.has(m.activationId);
    this.#salvage = {
      reroute: [...this.#salvage.reroute, ...held.filter((m) => !twice(m))],
      abandon: [...this.#salvage.abandon, ...held.filter(twice)],
      shuttingDown: this.#salvage.shuttingDown || data.shuttingDown,
    };
    this.#salvagedBefore = new Set(this.#salvage.reroute.map((m) => m.activationId));
  }

  /**
   * Asks every live registered queue for its status (each gets `timeoutMs`), drops the
   * ones that are gone or silent, and resolves with the `QueuesAdopted` answer, handing
   * over (and clearing) the salvage.
   */
  async adopt(system: System, timeoutMs: number): Promise<QueuesAdopted> {
    const alive = new Set(system.actors().map((a) => a.path));
    const registered = [...this.#queues.values()];
    const answers = await Promise.allSettled(
      registered.map(({ ref }) =>
        alive.has(ref.path)
          ? ask<QueueStatus, MemoryQueueCommand>(
            system,
            ref,
            (replyTo) => ({ type: "GetState", replyTo }),
            timeoutMs,
          )
          : Promise.reject(new Error("not alive"))
      ),
    );
    const queues: PoolEntry[] = [];
    for (const [i, { entry }] of registered.entries()) {
      const answer = answers[i];
      if (answer?.status === "fulfilled") {
        queues.push({ ...entry, leader: !DYING.has(answer.value.stateName) });
      } else this.#queues.delete(entry.id);
    }
    const { reroute, abandon, shuttingDown } = this.#salvage;
    this.#salvage = { reroute: [], abandon: [], shuttingDown: false };
    return { type: "QueuesAdopted", queues, reroute, abandon, shuttingDown };
  }
}
