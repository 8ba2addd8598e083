/**
 * Query-parameter parsing of the REST API with upstream's rules and messages: list
 * paging (`limit` default 30, at most 200, 0 meaning 200; `skip` ≥ 0), booleans, epoch
 * times. Mirrors `core/controller/.../RestAPIs.scala` (`ListLimit`, `ListSkip`) and
 * `entitlement/Collection.scala`.
 *
 * @module
 */
import { ApiError, Messages } from "./errors.ts";

/** Upstream's default and maximum page size. */
export const LIST_LIMIT_DEFAULT = 30;
export const LIST_LIMIT_MAX = 200;

/** A page request. */
export interface Paging {
  readonly limit: number;
  readonly skip: number;
  readonly count: boolean;
}

function integer(raw: string, collection: string): number {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
    throw new ApiError(400, Messages.argumentNotInteger(collection, raw));
  }
  return value;
}

/**
 * Parses `limit`, `skip` and `count` for a list of `collection`.
 *
 * @throws {ApiError} 400 with upstream's message on a bad value
 *
 * @example
 * ```ts
 * import { parsePaging } from "./query.ts";
 * const paging = parsePaging(new URLSearchParams("limit=0&skip=5"), "actions");
 * console.assert(paging.limit === 200 && paging.skip === 5 && !paging.count);
 * ```
 */
export function parsePaging(query: URLSearchParams, collection: string): Paging {
  const rawLimit = query.get("limit");
  let limit = LIST_LIMIT_DEFAULT;
  if (rawLimit !== null && rawLimit !== "") {
    limit = integer(rawLimit, collection);
    if (limit < 0 || limit > LIST_LIMIT_MAX) {
      throw new ApiError(
        400,
        `The value '${rawLimit}' is not in the range of 0 to ${LIST_LIMIT_MAX} for ${collection}.`,
      );
    }
    if (limit === 0) limit = LIST_LIMIT_MAX;
  }
  const rawSkip = query.get("skip");
  let skip = 0;
  if (rawSkip !== null && rawSkip !== "") {
    skip = integer(rawSkip, collection);
    if (skip < 0) {
      throw new ApiError(400, Messages.listSkipOutOfRange(collection, rawSkip));
    }
  }
  return { limit, skip, count: parseBoolean(query, "count", false) };
}

/**
 * Parses a boolean query parameter (`true`/`false`, case-insensitive).
 *
 * @throws {ApiError} 400 when present with another value
 */
export function parseBoolean(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  const lower = raw.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  throw new ApiError(400, `The request has an invalid value '${raw}' for parameter '${name}'.`);
}

/**
 * Parses an optional non-negative integer query parameter (epoch ms for `since`/`upto`).
 *
 * @throws {ApiError} 400 when present and not a non-negative integer
 */
export function parseOptionalInteger(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
    throw new ApiError(400, `The request has an invalid value '${raw}' for parameter '${name}'.`);
  }
  return value;
}

/**
 * Parses the blocking wait `timeout` (milliseconds, 1..`maxMs`; absent means `maxMs`).
 *
 * @throws {ApiError} 400 "Timeout must be number of milliseconds up to N." otherwise
 *
 * @example
 * ```ts
 * import { parseWaitTimeout } from "./query.ts";
 * console.assert(parseWaitTimeout(new URLSearchParams("timeout=500"), 60000) === 500);
 * ```
 */
export function parseWaitTimeout(query: URLSearchParams, maxMs: number): number {
  const raw = query.get("timeout");
  if (raw === null || raw === "") return maxMs;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1 || value > maxMs) {
    throw new ApiError(400, Messages.invalidTimeout(maxMs));
  }
  return value;
}
