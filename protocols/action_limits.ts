/**
 * Action limits (timeout, memory, logs, intra-container concurrency, instances): the
 * upstream defaults and ranges, a validator that answers upstream's 400 messages, and
 * the decoder for stored documents.
 *
 * Mirrors `common/scala/.../core/entity/Limits.scala`, `TimeLimit.scala`,
 * `MemoryLimit.scala`, `LogLimit.scala`, `IntraConcurrencyLimit.scala`,
 * `InstanceConcurrencyLimit.scala` and `Messages` in `http/ErrorResponse.scala`;
 * differences: one validator returns a value instead of throwing per field.
 *
 * @module
 */

import { type At, child, integer, object, opt, optional, own } from "./_decode.ts";

/** An action's limits. Units: timeout ms, memory and logs MB. */
export interface ActionLimits {
  readonly timeout: number;
  readonly memory: number;
  readonly logs: number;
  readonly concurrency: number;
  /** FPC only: max containers for the action; the namespace limit when absent. */
  readonly instances?: number;
}

/** An inclusive range. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** The allowed ranges of each limit (namespace defaults, upstream `application.conf`). */
export interface LimitBounds {
  readonly timeout: Range;
  readonly memory: Range;
  readonly logs: Range;
  readonly concurrency: Range;
}

/** Upstream defaults: 60 s, 256 MB, 10 MB of logs, one activation per container. */
export const DEFAULT_ACTION_LIMITS: ActionLimits = {
  timeout: 60_000,
  memory: 256,
  logs: 10,
  concurrency: 1,
};

/** Upstream ranges: timeout 100 ms..5 min, memory 128..512 MB, logs 0..10 MB, concurrency 1..1. */
export const DEFAULT_LIMIT_BOUNDS: LimitBounds = {
  timeout: { min: 100, max: 300_000 },
  memory: { min: 128, max: 512 },
  logs: { min: 0, max: 10 },
  concurrency: { min: 1, max: 1 },
};

/** Result of {@link validateActionLimits}. */
export type LimitsValidation =
  | { readonly ok: true; readonly limits: ActionLimits }
  | { readonly ok: false; readonly message: string };

/** Options of {@link validateActionLimits}. */
export interface ValidateLimitsOptions {
  /** Values for fields the input leaves out (the old limits on update). Default: upstream's. */
  readonly base?: ActionLimits;
  /** Allowed ranges. Default: upstream's. */
  readonly bounds?: LimitBounds;
  /** The namespace's concurrent-invocations limit, the ceiling of `instances`. */
  readonly namespaceConcurrency?: number;
}

type Checked = { value: number } | { message: string };

function whole(value: unknown, what: string): Checked {
  if (typeof value !== "number" || !Number.isFinite(value)) return { message: `${what} malformed` };
  if (!Number.isInteger(value)) return { message: `${what} must be whole number` };
  return { value };
}

function sized(field: string, v: number, r: Range): string | undefined {
  if (v > r.max) return `${field} size ${v} MB exceeds allowed threshold of ${r.max} MB`;
  if (v < r.min) return `${field} size ${v} MB below allowed threshold of ${r.min} MB`;
  return undefined;
}

function timed(v: number, r: Range): string | undefined {
  if (v > r.max) {
    return `duration ${v} milliseconds exceeds allowed threshold of ${r.max} milliseconds`;
  }
  if (v < r.min) {
    return `duration ${v} milliseconds below allowed threshold of ${r.min} milliseconds`;
  }
  return undefined;
}

function concurrent(v: number, r: Range): string | undefined {
  if (v > r.max) return `concurrency ${v} exceeds allowed threshold of ${r.max}`;
  if (v < r.min) return `concurrency ${v} below allowed threshold of ${r.min}`;
  return undefined;
}

function instancesCheck(v: number, namespaceConcurrency: number | undefined): string | undefined {
  if (v < 1) return "Action container concurrency must be greater than or equal to 1.";
  if (namespaceConcurrency !== undefined && v > namespaceConcurrency) {
    return `Max action instance concurrency must not exceed your namespace concurrency of ${namespaceConcurrency}.`;
  }
  return undefined;
}

/**
 * Validates a `limits` object from a request (any subset of the fields), filling the
 * rest from `base`.
 *
 * @returns the complete limits, or upstream's 400 message for the first violation
 * @example
 * ```ts
 * import { validateActionLimits } from "./mod.ts";
 * validateActionLimits({ memory: 1024 });
 * // { ok: false, message: "memory size 1024 MB exceeds allowed threshold of 512 MB" }
 * ```
 */
export function validateActionLimits(
  input: unknown,
  options: ValidateLimitsOptions = {},
): LimitsValidation {
  const base = options.base ?? DEFAULT_ACTION_LIMITS;
  const bounds = options.bounds ?? DEFAULT_LIMIT_BOUNDS;
  if (input === undefined || input === null) return { ok: true, limits: base };
  if (typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, message: "no valid json object passed" };
  }
  const rec = input as Record<string, unknown>;
  const specs = [
    ["timeout", "time limit", (v: number) => timed(v, bounds.timeout)],
    ["memory", "memory limit", (v: number) => sized("memory", v, bounds.memory)],
    ["logs", "log limit", (v: number) => sized("log", v, bounds.logs)],
    ["concurrency", "intra concurrency limit", (v: number) => concurrent(v, bounds.concurrency)],
    [
      "instances",
      "instance concurrency limit",
      (v: number) => instancesCheck(v, options.namespaceConcurrency),
    ],
  ] as const;
  const out: Record<string, number> = {};
  for (const [key, what, check] of specs) {
    const raw = own(rec, key);
    if (raw === undefined || raw === null) continue;
    const parsed = whole(raw, what);
    if ("message" in parsed) return { ok: false, message: parsed.message };
    const message = check(parsed.value);
    if (message !== undefined) return { ok: false, message };
    out[key] = parsed.value;
  }
  const instances = out.instances ?? base.instances;
  return {
    ok: true,
    limits: {
      timeout: out.timeout ?? base.timeout,
      memory: out.memory ?? base.memory,
      logs: out.logs ?? base.logs,
      concurrency: out.concurrency ?? base.concurrency,
      ...opt("instances", instances),
    },
  };
}

/**
 * Decodes stored limits: `timeout` and `memory` required, `logs` and `concurrency`
 * defaulted, `instances` optional. Ranges are not re-checked (a stored action
 * keeps the limits it was created with).
 */
export function decodeActionLimitsAt(value: unknown, at: At): ActionLimits {
  const rec = object(value, at);
  return {
    timeout: integer(own(rec, "timeout"), child(at, "timeout"), 0),
    memory: integer(own(rec, "memory"), child(at, "memory"), 0),
    logs: optional(rec, at, "logs", (v, a) => integer(v, a, 0)) ?? DEFAULT_ACTION_LIMITS.logs,
    concurrency: optional(rec, at, "concurrency", (v, a) => integer(v, a, 1)) ??
      DEFAULT_ACTION_LIMITS.concurrency,
    ...opt("instances", optional(rec, at, "instances", (v, a) => integer(v, a, 1))),
  };
}
