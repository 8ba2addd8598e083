/**
 * The trigger document (`WhiskTrigger`): parameters, empty limits, and the `rules` map
 * that links each rule (`"guest/r1"`) to its action and status; its stored and API
 * forms and the pure part of `PUT /triggers/{name}` (fields not sent keep their values,
 * the rules map always survives an update). Mirrors
 * `common/scala/.../core/entity/WhiskTrigger.scala` (`ReducedRule`, `addRule`,
 * `removeRule`) and `create` / `update` / `validateTriggerFeed` of
 * `core/controller/.../Triggers.scala`.
 *
 * @module
 */
import { type KeyValue, parseFqn } from "../../../protocols/mod.ts";
import type { StoredEntity } from "../../../runtime/store/mod.ts";
import {
  encodeKeyValues,
  type EntityCommon,
  putKeyValues,
  putPublish,
  putVersion,
  storedCommon,
} from "./entity_put.ts";
import { ApiError } from "./errors.ts";

/** A rule's status. */
export type RuleStatus = "active" | "inactive";

/** A fully qualified name in its wire form. */
export interface EntityFqn {
  /** `guest` or `guest/pkg`. */
  readonly path: string;
  readonly name: string;
}

/** What a trigger keeps of each rule linked to it. */
export interface ReducedRule {
  readonly action: EntityFqn;
  readonly status: RuleStatus;
}

/** A trigger. */
export interface WhiskTrigger extends EntityCommon {
  readonly parameters: readonly KeyValue[];
  /** Rule id (`guest/r1`) → linked action and status; absent until a rule links. */
  readonly rules?: Readonly<Record<string, ReducedRule>>;
}

function fqnAt(value: unknown): EntityFqn | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { path, name } = value as Record<string, unknown>;
  return typeof path === "string" && typeof name === "string" ? { path, name } : undefined;
}

function rulesAt(value: unknown): Record<string, ReducedRule> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, ReducedRule> = {};
  for (const [id, raw] of Object.entries(value)) {
    const rec = raw as Record<string, unknown> | null;
    const action = fqnAt(rec?.action);
    const status = rec?.status;
    if (action && (status === "active" || status === "inactive")) out[id] = { action, status };
  }
  return out;
}

/** A stored trigger, decoded with the store's `updated`; `undefined` when it does not decode. */
export function storedTrigger(entity: StoredEntity): WhiskTrigger | undefined {
  const doc = entity.doc;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  const rec = doc as Record<string, unknown>;
  try {
    const rules = rulesAt(rec.rules);
    return {
      ...storedCommon(rec, entity.updated),
      parameters: putKeyValues("trigger", "parameters", rec.parameters, []),
      ...(rules ? { rules } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The trigger document as the API shows it. */
export function apiTrigger(trigger: WhiskTrigger): Record<string, unknown> {
  return {
    namespace: trigger.namespace,
    name: trigger.name,
    version: trigger.version,
    publish: trigger.publish,
    annotations: encodeKeyValues(trigger.annotations),
    parameters: encodeKeyValues(trigger.parameters),
    limits: {},
    ...(trigger.rules === undefined ? {} : { rules: structuredClone(trigger.rules) }),
    ...(trigger.updated === undefined ? {} : { updated: trigger.updated }),
  };
}

/** The trigger with rule `ruleId` linked (or relinked) to `link`. */
export function addRule(trigger: WhiskTrigger, ruleId: string, link: ReducedRule): WhiskTrigger {
  return { ...trigger, rules: { ...trigger.rules, [ruleId]: link } };
}

/** The trigger without rule `ruleId`. */
export function removeRule(trigger: WhiskTrigger, ruleId: string): WhiskTrigger {
  const { [ruleId]: _gone, ...rules } = trigger.rules ?? {};
  return { ...trigger, rules };
}

/** What {@link buildTriggerForPut} needs. */
export interface TriggerPutInput {
  readonly namespace: string;
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly existing?: WhiskTrigger;
  readonly now: number;
  readonly maxParameterBytes: number;
}

/**
 * Builds the trigger a PUT writes.
 *
 * @throws {ApiError} 400 on a malformed field or feed name, 413 when parameters are too large
 *
 * @example
 * ```ts
 * import { buildTriggerForPut } from "./trigger_document.ts";
 * const t = buildTriggerForPut({ namespace: "guest", name: "t1", body: {}, now: 1, maxParameterBytes: 1024 });
 * console.assert(t.version === "0.0.1" && t.rules === undefined);
 * ```
 */
export function buildTriggerForPut(input: TriggerPutInput): WhiskTrigger {
  const { body, existing } = input;
  const annotations = putKeyValues(
    "trigger",
    "annotations",
    body.annotations,
    existing?.annotations,
  );
  const feed = annotations.find((kv) => kv.key === "feed")?.value;
  if (feed !== undefined && (typeof feed !== "string" || !validFeedName(feed))) {
    throw new ApiError(400, "Feed name is not valid");
  }
  return {
    namespace: input.namespace,
    name: input.name,
    version: putVersion("trigger", body.version, existing?.version),
    publish: putPublish("trigger", body.publish, existing?.publish),
    annotations,
    parameters: putKeyValues(
      "trigger",
      "parameters",
      body.parameters,
      existing?.parameters,
      input.maxParameterBytes,
    ),
    ...(existing?.rules === undefined ? {} : { rules: existing.rules }),
    updated: input.now,
  };
}

function validFeedName(feed: string): boolean {
  const parts = (feed.startsWith("/") ? feed.slice(1) : feed).split("/");
  return parts.length <= 3 && (parts.length === 1 ? parseFqn(`_/${parts[0]}`) : parseFqn(feed)) !==
      undefined;
}
