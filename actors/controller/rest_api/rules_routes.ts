/**
 * The `/namespaces/{ns}/rules` routes: list, get (with the status its trigger keeps),
 * create/update (`overwrite`; the trigger and the action must exist, else 400; the rule
 * is linked into the trigger's `rules` map, active on create, keeping its status on
 * update and moving when the trigger changes), delete (unlinks it) and enable/disable
 * (`POST` with `{status}`). Mirrors `core/controller/.../Rules.scala`; differences:
 * enable/disable answers the rule with its new status.
 *
 * @module
 */
import { readJsonObject } from "../../../runtime/http/body.ts";
import { NotFoundError } from "../../../runtime/store/mod.ts";
import { refOfFqn, resolveAction } from "./action_resolution.ts";
import { announceEntity } from "./entity_changes.ts";
import { parsePackageName } from "./entity_names.ts";
import { putKeyValues, putPublish, putVersion } from "./entity_put.ts";
import { ApiError, Messages } from "./errors.ts";
import { parseBoolean, parsePaging } from "./query.ts";
import {
  type Caller,
  jsonResponse,
  type RequestContext,
  resolveNamespace,
} from "./request_context.ts";
import type { Params, Router } from "./router.ts";
import {
  apiRule,
  encodeRule,
  fqnId,
  parseRuleTarget,
  parseStatusRequest,
  RuleMessages,
  storedRule,
  type WhiskRule,
} from "./rule_document.ts";
import {
  addRule,
  apiTrigger,
  type EntityFqn,
  removeRule,
  type RuleStatus,
  type WhiskTrigger,
} from "./trigger_document.ts";
import { readTrigger } from "./triggers_routes.ts";

const RULES = "/api/v1/namespaces/:ns/rules";

async function target(ctx: RequestContext, params: Params) {
  const caller = await ctx.caller();
  const namespace = resolveNamespace(params.ns ?? "", caller);
  return { caller, namespace, name: parsePackageName(params.name ?? "") };
}

async function readRule(ctx: RequestContext, namespace: string, name: string) {
  const entity = await ctx.deps.store.getEntity("rules", namespace, name);
  const rule = entity && storedRule(entity);
  return entity && rule ? { rule, revision: entity.revision } : undefined;
}

function statusIn(trigger: WhiskTrigger | undefined, ruleId: string): RuleStatus {
  return trigger?.rules?.[ruleId]?.status ?? "inactive";
}

async function triggerOf(ctx: RequestContext, fqn: EntityFqn) {
  return fqn.path.includes("/") ? undefined : await readTrigger(ctx, fqn.path, fqn.name);
}

async function writeTrigger(
  ctx: RequestContext,
  found: { trigger: WhiskTrigger; revision: string },
  next: WhiskTrigger,
): Promise<void> {
  const revision = await ctx.deps.store.putEntity(
    "triggers",
    next.namespace,
    next.name,
    apiTrigger(next),
    { expectRevision: found.revision, updated: next.updated ?? 0 },
  );
  announceEntity(ctx, "trigger", `${next.namespace}/${next.name}`, revision);
}

/** Checks that the rule's trigger (in the caller's namespace) and action exist. */
async function checkTargets(
  ctx: RequestContext,
  caller: Caller,
  trigger: EntityFqn,
  action: EntityFqn,
) {
  if (trigger.path !== caller.namespace) throw new ApiError(403, Messages.notAuthorized);
  const foundTrigger = await triggerOf(ctx, trigger);
  if (!foundTrigger) throw new ApiError(400, RuleMessages.missing("trigger", trigger));
  const ref = refOfFqn(`/${fqnId(action)}`, caller.namespace);
  const resolved = ref && await resolveAction(ctx, caller.namespace, ref).catch((error) => {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  });
  if (!resolved) throw new ApiError(400, RuleMessages.missing("action", action));
  return foundTrigger;
}

async function put(request: Request, ctx: RequestContext, params: Params): Promise<Response> {
  const { caller, namespace, name } = await target(ctx, params);
  const body = await readJsonObject(request, ctx.options.maxRequestBytes);
  const overwrite = parseBoolean(ctx.url.searchParams, "overwrite", false);
  const stored = await readRule(ctx, namespace, name);
  if (stored && !overwrite) throw new ApiError(409, Messages.conflict);
  const old = stored?.rule;
  const trigger = parseRuleTarget(body.trigger, caller.namespace) ?? old?.trigger;
  const action = parseRuleTarget(body.action, caller.namespace) ?? old?.action;
  if (!trigger || !action) throw new ApiError(400, RuleMessages.needsTriggerAndAction);
  const ruleId = `${namespace}/${name}`;
  const oldTrigger = old && await triggerOf(ctx, old.trigger);
  const status = old ? statusIn(oldTrigger?.trigger, ruleId) : "active";
  const newTrigger = await checkTargets(ctx, caller, trigger, action);
  const rule: WhiskRule = {
    namespace,
    name,
    version: putVersion("rule", body.version, old?.version),
    publish: putPublish("rule", body.publish, old?.publish),
    annotations: putKeyValues("rule", "annotations", body.annotations, old?.annotations),
    trigger,
    action,
    updated: ctx.deps.clock.now(),
  };
  const revision = await ctx.deps.store.putEntity(
    "rules",
    namespace,
    name,
    encodeRule(rule),
    stored
      ? { expectRevision: stored.revision, updated: rule.updated ?? 0 }
      : { overwrite: false, updated: rule.updated ?? 0 },
  );
  announceEntity(ctx, "rule", ruleId, revision);
  if (oldTrigger && fqnId(old!.trigger) !== fqnId(trigger)) {
    await writeTrigger(ctx, oldTrigger, removeRule(oldTrigger.trigger, ruleId));
  }
  await writeTrigger(ctx, newTrigger, addRule(newTrigger.trigger, ruleId, { action, status }));
  return jsonResponse(200, apiRule(rule, status));
}

async function get(ctx: RequestContext, params: Params): Promise<Response> {
  const { namespace, name } = await target(ctx, params);
  const found = await readRule(ctx, namespace, name);
  if (!found) throw new ApiError(404, Messages.resourceDoesNotExist);
  const trigger = await triggerOf(ctx, found.rule.trigger);
  return jsonResponse(200, apiRule(found.rule, statusIn(trigger?.trigger, `${namespace}/${name}`)));
}

async function remove(ctx: RequestContext, params: Params): Promise<Response> {
  const { namespace, name } = await target(ctx, params);
  const found = await readRule(ctx, namespace, name);
  if (!found) throw new ApiError(404, Messages.resourceDoesNotExist);
  const ruleId = `${namespace}/${name}`;
  const trigger = await triggerOf(ctx, found.rule.trigger);
  if (trigger?.trigger.rules?.[ruleId]) {
    await writeTrigger(ctx, trigger, removeRule(trigger.trigger, ruleId));
  }
  await ctx.deps.store.deleteEntity("rules", namespace, name).catch((error) => {
    if (error instanceof NotFoundError) throw new ApiError(404, Messages.resourceDoesNotExist);
    throw error;
  });
  announceEntity(ctx, "rule", ruleId);
  return jsonResponse(200, apiRule(found.rule, "inactive"));
}

async function setStatus(request: Request, ctx: RequestContext, params: Params): Promise<Response> {
  const { namespace, name } = await target(ctx, params);
  const status = parseStatusRequest(await readJsonObject(request, ctx.options.maxRequestBytes));
  const found = await readRule(ctx, namespace, name);
  if (!found) throw new ApiError(404, Messages.resourceDoesNotExist);
  const ruleId = `${namespace}/${name}`;
  const trigger = await triggerOf(ctx, found.rule.trigger);
  if (!trigger) throw new ApiError(404, RuleMessages.onlyWithTrigger);
  if (statusIn(trigger.trigger, ruleId) !== status) {
    const link = { action: found.rule.action, status };
    await writeTrigger(ctx, trigger, addRule(trigger.trigger, ruleId, link));
  }
  return jsonResponse(200, apiRule(found.rule, status));
}

async function list(ctx: RequestContext, params: Params): Promise<Response> {
  const namespace = resolveNamespace(params.ns ?? "", await ctx.caller());
  const paging = parsePaging(ctx.url.searchParams, "rules");
  if (paging.count) {
    return jsonResponse(200, { rules: await ctx.deps.store.countEntities("rules", namespace) });
  }
  const entities = await ctx.deps.store.listEntities("rules", namespace, {
    limit: paging.limit,
    skip: paging.skip,
  });
  return jsonResponse(200, entities.map(storedRule).flatMap((r) => r ? [encodeRule(r)] : []));
}

/**
 * Adds the rule routes to `router`.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * import { addRuleRoutes } from "./rules_routes.ts";
 * const router = addRuleRoutes(new Router());
 * console.assert(router.match("POST", "/api/v1/namespaces/_/rules/r1") !== undefined);
 * ```
 */
export function addRuleRoutes(router: Router<RequestContext>): Router<RequestContext> {
  return router
    .on("GET", RULES, (_r, p, ctx) => list(ctx, p))
    .on("GET", `${RULES}/:name`, (_r, p, ctx) => get(ctx, p))
    .on("PUT", `${RULES}/:name`, (r, p, ctx) => put(r, ctx, p))
    .on("DELETE", `${RULES}/:name`, (_r, p, ctx) => remove(ctx, p))
    .on("POST", `${RULES}/:name`, (r, p, ctx) => setStatus(r, ctx, p));
}
