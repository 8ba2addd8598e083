/**
 * What the dev console shows, read from the running platform: invoker health and
 * memory from the `whisk/invokers/*` keys, queues from the QueueManagers' `GetState`,
 * recent activations from the entity store. A composition-root helper: it joins the
 * roles, which never import each other.
 *
 * @module
 */
import {
  decodeActivation,
  decodeInvokerResourceMessage,
  invokersPrefix,
  parseInvokerKey,
} from "../protocols/mod.ts";
import type { QueueManagerCommand, QueueStates } from "../protocols/queue_manager.ts";
import { ask, type Ref, type System } from "../runtime/actors/mod.ts";
import type {
  ActivationStatus,
  ActivationView,
  ConsoleSources,
  InvokerView,
  QueueView,
} from "../runtime/console/mod.ts";
import type { KeyValueStore } from "../runtime/kv/key_value_store.ts";
import type { EntityStore } from "../runtime/store/mod.ts";

/** Where the console's figures come from. */
export interface ConsoleSourceDeps {
  readonly system: System;
  readonly kv: KeyValueStore;
  readonly store: EntityStore;
  readonly queueManagers: readonly Ref<QueueManagerCommand>[];
  readonly cluster: string;
}

const STATUS_TEXT: Record<number, ActivationStatus> = {
  0: "success",
  1: "application error",
  2: "action developer error",
  3: "whisk internal error",
};

/** Builds the console's sources over the platform's adapters and actors. */
export function consoleSources(deps: ConsoleSourceDeps): ConsoleSources {
  return {
    async invokers(): Promise<InvokerView[]> {
      const entries = await deps.kv.getPrefix(invokersPrefix(deps.cluster));
      return entries.flatMap(({ key, value }) => {
        try {
          const resource = decodeInvokerResourceMessage(value);
          const id = parseInvokerKey(key, deps.cluster)?.instance ?? key;
          return [{
            id: String(id),
            status: resource.status,
            freeMemoryMb: resource.freeMemory,
            busyMemoryMb: resource.busyMemory,
            inProgressMemoryMb: resource.inProgressMemory,
            tags: resource.tags,
          }];
        } catch {
          return [];
        }
      });
    },
    async queues(): Promise<QueueView[]> {
      const states = await Promise.all(
        deps.queueManagers.map((qm) =>
          ask<QueueStates, QueueManagerCommand>(
            deps.system,
            qm,
            (replyTo) => ({ type: "GetState", replyTo }),
            6_000,
          ).catch(() => ({ type: "QueueStates", queues: [] }) as QueueStates)
        ),
      );
      return states.flatMap((s) =>
        s.queues.map((q) => ({
          invocationNamespace: q.invocationNamespace,
          action: q.action,
          revision: q.revision ?? "",
          state: q.stateName,
          size: q.waitingActivation.length,
          containers: { existing: q.containers, creating: q.creationIds },
          inProgress: q.creationIds,
        }))
      );
    },
    async activations(limit: number): Promise<ActivationView[]> {
      const subjects = await deps.store.listSubjects();
      const namespaces = [...new Set(subjects.flatMap((s) => s.namespaces.map((n) => n.name)))];
      const lists = await Promise.all(
        namespaces.map((ns) => deps.store.listActivations(ns, { limit, skip: 0, docs: true })),
      );
      return lists.flat().flatMap((doc) => {
        try {
          const a = decodeActivation(doc);
          const annotation = (key: string) => a.annotations.find((kv) => kv.key === key)?.value;
          return [{
            activationId: a.activationId,
            name: `${a.namespace}/${a.name}`,
            status: STATUS_TEXT[a.response.statusCode] ?? "whisk internal error",
            durationMs: a.duration ?? 0,
            start: a.start,
            cold: annotation("initTime") !== undefined,
            result: a.response.result,
            logs: a.logs,
          }];
        } catch {
          return [];
        }
      }).sort((x, y) => y.start - x.start).slice(0, limit);
    },
  };
}
