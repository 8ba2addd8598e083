/**
 * What the dev console shows, read from the running platform: invoker health and
 * memory from the `whisk/invokers/*` keys, queues from the QueueManagers' `GetState`,
 * recent activations from the entity store. A composition-root helper: it joins the
 * roles, which never import each other.
 *
 * Activation records carry no transaction id (upstream's do not either), so an
 * activation's `tid` comes from the process's trace: the first traced message that
 * names both the activation id and a user transaction id (`PublishActivation`, the
 * `ActivationMessage` hops). A queue's latest scheduling decision is shown when its
 * status reports one (`lastDecision`, optional: today's `QueueStatus` has none). An
 * activation's path is `lean` when its record carries the LeanBalancer's annotation
 * `{key: "balancer", value: "lean"}`, `fpc` otherwise. The cluster's processes (for the
 * merged `/trace`) come from etcd through `trace_discovery.ts`.
 *
 * @module
 */
import {
  decodeActivation,
  decodeInvokerResourceMessage,
  invokersPrefix,
  parseInvokerKey,
} from "../protocols/mod.ts";
import type { QueueStatus } from "../protocols/memory_queue.ts";
import type { QueueManagerCommand, QueueStates } from "../protocols/queue_manager.ts";
import { ask, type Ref, type System, type TraceEvent } from "../runtime/actors/mod.ts";
import type {
  ActivationStatus,
  ActivationView,
  ConsoleSources,
  InvokerView,
  ProcessView,
  QueueView,
} from "../runtime/console/mod.ts";
import type { KeyValueStore } from "../runtime/kv/key_value_store.ts";
import type { EntityStore } from "../runtime/store/mod.ts";
import { discoverProcesses } from "./trace_discovery.ts";

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

/** A decision as a queue may report it: upstream `DecisionResults(kind, num)` and when. */
interface ReportedDecision {
  readonly type: string;
  readonly num?: number;
  readonly at?: number;
}

/**
 * Maps activation ids to the user transaction ids the trace saw them under; system
 * transactions (`sid_…`) are skipped so a health or creation id never wins.
 */
export function transactionsByActivation(events: readonly TraceEvent[]): Map<string, string> {
  const tids = new Map<string, string>();
  for (const event of events) {
    if (event.kind === "transition" || !event.activationId || !event.tid) continue;
    if (event.tid.startsWith("sid_") || tids.has(event.activationId)) continue;
    tids.set(event.activationId, event.tid);
  }
  return tids;
}

/** The queue's latest decision in words (`AddContainer 2`), when its status has one. */
function decisionOf(status: QueueStatus): { lastDecision?: string; lastDecisionAt?: number } {
  const reported = (status as QueueStatus & { lastDecision?: ReportedDecision }).lastDecision;
  if (!reported || typeof reported.type !== "string") return {};
  const words = reported.num === undefined ? reported.type : `${reported.type} ${reported.num}`;
  return {
    lastDecision: words,
    ...(typeof reported.at === "number" ? { lastDecisionAt: reported.at } : {}),
  };
}

function queueView(q: QueueStatus): QueueView {
  return {
    invocationNamespace: q.invocationNamespace,
    action: q.action,
    revision: q.revision ?? "",
    state: q.stateName,
    size: q.waitingActivation.length,
    containers: { existing: q.containers, creating: q.creationIds },
    ...decisionOf(q),
  };
}

/** Builds the console's sources over the platform's adapters and actors. */
export function consoleSources(deps: ConsoleSourceDeps): ConsoleSources {
  return {
    async invokers(): Promise<InvokerView[]> {
      const entries = await deps.kv.getPrefix(invokersPrefix(deps.cluster));
      return entries.flatMap(({ key, value }) => {
        try {
          const resource = decodeInvokerResourceMessage(value);
          const instance = parseInvokerKey(key, deps.cluster)?.instance;
          return [{
            id: instance === undefined ? key : `invoker${instance}`,
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
      return states.flatMap((s) => s.queues.map(queueView));
    },
    async activations(limit: number): Promise<ActivationView[]> {
      const subjects = await deps.store.listSubjects();
      const namespaces = [...new Set(subjects.flatMap((s) => s.namespaces.map((n) => n.name)))];
      const lists = await Promise.all(
        namespaces.map((ns) => deps.store.listActivations(ns, { limit, skip: 0, docs: true })),
      );
      const tids = transactionsByActivation(deps.system.tracer.recent());
      return lists.flat().flatMap((doc): ActivationView[] => {
        try {
          const a = decodeActivation(doc);
          const annotation = (key: string) => a.annotations.find((kv) => kv.key === key)?.value;
          const tid = tids.get(a.activationId);
          return [{
            activationId: a.activationId,
            name: `${a.namespace}/${a.name}`,
            status: STATUS_TEXT[a.response.statusCode] ?? "whisk internal error",
            durationMs: a.duration ?? 0,
            start: a.start,
            cold: annotation("initTime") !== undefined,
            result: a.response.result,
            logs: a.logs,
            ...(tid === undefined ? {} : { tid }),
            path: annotation("balancer") === "lean" ? "lean" : "fpc",
          }];
        } catch {
          return [];
        }
      }).sort((x, y) => y.start - x.start).slice(0, limit);
    },
    processes(): Promise<ProcessView[]> {
      return discoverProcesses(deps.kv, deps.cluster);
    },
  };
}
