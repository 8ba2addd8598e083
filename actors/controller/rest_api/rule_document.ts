/**
 * The rule document (`WhiskRule`): the trigger and the action it links, by fully
 * qualified name; its status lives in the trigger's `rules` map and is added to the API
 * form. Also how a rule body names its trigger and action (`"/_/t1"`, `"/guest/t1"`,
 * `"/ns/pkg/a"`, or a bare name in the caller's namespace). Mirrors
 * `common/scala/.../core/entity/WhiskRule.scala` (`WhiskRulePut`, `WhiskRuleResponse`)
 * and `Status.serdesRestricted`.
 *
 * @module
 */
import { isValidEntityName, parseFqn } from "../../../protocols/mod.ts";
import type { StoredEntity } from "../../../runtime/store/mod.ts";
import { encodeKeyValues, type EntityCommon, storedCommon } from "./entity_put.ts";
import { ApiError } from "./errors.ts";
import type { EntityFqn, RuleStatus } from "./trigger_document.ts";

/** A rule. */
export interface WhiskRule extends EntityCommon {
  readonly trigger: EntityFqn;
  readonly action: EntityFqn;
}

/** Upstream's messages about rules. */
export const RuleMessages = {
  needsTriggerAndAction: "rule requires a valid trigger and a valid action",
  missing: (kind: "trigger" | "action", fqn: EntityFqn) =>
    `${kind} /${fqn.path}/${fqn.name} does not exist`,
  onlyWithTrigger: "Only rules with existing triggers can be activated",
  badStatus: "status must be 'active' or 'inactive'",
} as const;

/** `path/name`, the id a trigger's `rules` map and the rule logs use. */
export function fqnId(fqn: EntityFqn): string {
  return `${fqn.path}/${fqn.name}`;
}

/**
 * Parses a rule body's trigger or action name; `_` becomes the caller's namespace.
 *
 * @returns the name, or undefined when the field is absent
 * @throws {ApiError} 400 when it is not a valid name
 *
 * @example
 * ```ts
 * import { parseRuleTarget } from "./rule_document.ts";
 * console.assert(parseRuleTarget("/_/t1", "guest")?.path === "guest");
 * ```
 */
export function parseRuleTarget(raw: unknown, callerNamespace: string): EntityFqn | undefined {
  if (raw === undefined || raw === null) return undefined;
  const invalid = () => new ApiError(400, RuleMessages.needsTriggerAndAction);
  if (typeof raw === "object" && !Array.isArray(raw)) {
    const { path, name } = raw as Record<string, unknown>;
    if (typeof path !== "string" || typeof name !== "string") throw invalid();
    return parseRuleTarget(`/${path}/${name}`, callerNamespace);
  }
  if (typeof raw !== "string") throw invalid();
  if (!raw.includes("/")) {
    if (!isValidEntityName(raw)) throw invalid();
    return { path: callerNamespace, name: raw };
  }
  const fqn = parseFqn(raw);
  if (!fqn) throw invalid();
  const [root, ...rest] = fqn.path.split("/");
  const namespace = root === "_" ? callerNamespace : root!;
  return { path: [namespace, ...rest].join("/"), name: fqn.name };
}

/** Parses the body of `POST /rules/{name}`: `{status: "active" | "inactive"}`. */
export function parseStatusRequest(body: Readonly<Record<string, unknown>>): RuleStatus {
  const status = body.status;
  if (status === "active" || status === "inactive") return status;
  throw new ApiError(400, RuleMessages.badStatus);
}

/** A stored rule, decoded with the store's `updated`; `undefined` when it does not decode. */
export function storedRule(entity: StoredEntity): WhiskRule | undefined {
  const doc = entity.doc;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  const rec = doc as Record<string, unknown>;
  const fqn = (value: unknown): EntityFqn | undefined => {
    const v = value as Record<string, unknown> | null;
    return typeof v?.path === "string" && typeof v?.name === "string"
      ? { path: v.path, name: v.name }
      : undefined;
  };
  const trigger = fqn(rec.trigger);
  const action = fqn(rec.action);
  if (!trigger || !action) return undefined;
  return { ...storedCommon(rec, entity.updated), trigger, action };
}

/** The rule as stored (no status). */
export function encodeRule(rule: WhiskRule): Record<string, unknown> {
  return {
    namespace: rule.namespace,
    name: rule.name,
    version: rule.version,
    publish: rule.publish,
    annotations: encodeKeyValues(rule.annotations),
    trigger: { ...rule.trigger },
    action: { ...rule.action },
    ...(rule.updated === undefined ? {} : { updated: rule.updated }),
  };
}

/** The rule as the API shows it, with its status. */
export function apiRule(rule: WhiskRule, status: RuleStatus): Record<string, unknown> {
  const { trigger, action, updated, ...rest } = encodeRule(rule);
  return { ...rest, status, trigger, action, ...(updated === undefined ? {} : { updated }) };
}
