/**
 * Query-parameter parsing of the REST API with upstream's rules and messages: list
 * paging (`limit` default 30, at most 200, 0 meaning 200; `skip` ≥ 0), booleans, epoch
 * times. Mirrors `core/controller/.../RestAPIs.scala` (`ListLimit`, `ListSkip`) and
 * `entitlement/Collection.scala`.
 *
 * @module
 */
import { ApiError } from "./errors.ts";

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
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new ApiError(400, `The value '${raw}' is not an integer for ${collection}.`);
  }
  return Number(raw);
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
      throw new ApiError(
        400,
        `The value '${rawSkip}' is not a positive integer for ${collection}.`,
      );
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
  if (!/^\d+$/.test(raw.trim())) {
    throw new ApiError(400, `The request has an invalid value '${raw}' for parameter '${name}'.`);
  }
  return Number(raw);
}
