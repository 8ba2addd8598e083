/**
 * Index values derived from an activation record: the name the `name=` list filter
 * matches and the list summary. Mirrors upstream's CouchDB views
 * `whisks-filters.v2.1.1/activations` (`pathFilter`) and `whisks.v2.1.0/activations`
 * (`summarize`) in `ansible/files/`; every store implementation uses these.
 *
 * @module
 */

import type { ActivationIndexFields, ActivationSummary } from "./entity_store.ts";

function annotation(record: ActivationIndexFields, key: string): unknown {
  return record.annotations?.find((a) => a.key === key)?.value;
}

/**
 * The name the activation list's `name` filter matches: `pkg/name` for an action in a
 * package (or invoked through a binding `ns/pkg`), the plain name otherwise.
 *
 * @example
 * ```ts
 * import { activationFilterName } from "./activation_index.ts";
 * const record = {
 *   activationId: "a".repeat(32), namespace: "guest", name: "hello", start: 1,
 *   annotations: [{ key: "path", value: "guest/pkg/hello" }],
 * };
 * console.assert(activationFilterName(record) === "pkg/hello");
 * ```
 */
export function activationFilterName(record: ActivationIndexFields): string {
  const binding = annotation(record, "binding");
  if (typeof binding === "string" && binding.includes("/")) {
    return `${binding.split("/")[1]}/${record.name}`;
  }
  const path = annotation(record, "path");
  if (typeof path === "string") {
    const parts = path.split("/");
    if (parts.length === 3) return `${parts[1]}/${record.name}`;
  }
  return record.name;
}

function field(doc: object, key: string): unknown {
  return (doc as Record<string, unknown>)[key];
}

/**
 * Upstream's list entry of an activation (`docs=false`): no logs, no result, and a
 * top-level `statusCode` only when the activation ended.
 *
 * @param doc a stored activation record (with `response.statusCode` as stored)
 * @returns the summary, with absent fields left out
 */
export function summarizeActivation(doc: ActivationIndexFields): ActivationSummary {
  const rawEnd = field(doc, "end");
  const end = typeof rawEnd === "number" && rawEnd !== 0 ? rawEnd : undefined;
  const response = field(doc, "response");
  const statusCode = typeof response === "object" && response !== null
    ? field(response, "statusCode")
    : undefined;
  const summary: Record<string, unknown> = {
    namespace: doc.namespace,
    name: doc.name,
    version: field(doc, "version"),
    publish: field(doc, "publish"),
    annotations: doc.annotations,
    activationId: doc.activationId,
    start: doc.start,
    end,
    duration: end === undefined ? undefined : end - doc.start,
    cause: field(doc, "cause"),
    statusCode: end !== undefined && typeof statusCode === "number" ? statusCode : undefined,
  };
  for (const [key, value] of Object.entries(summary)) {
    if (value === undefined) delete summary[key];
  }
  return summary as unknown as ActivationSummary;
}
