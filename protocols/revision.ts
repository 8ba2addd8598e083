/**
 * Document revisions in upstream's CouchDB form `N-<hash>`: parsing, ordering and a
 * generator for the next revision.
 *
 * Mirrors `DocRevision` in `common/scala/.../core/entity/DocInfo.scala`: revisions are
 * ordered by the integer before the first `-`, and an empty revision sorts before any
 * other. Differences: a revision whose prefix is not an integer counts as generation 0
 * (upstream would throw while comparing), and on the wire an empty revision is `null`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { type At, fail } from "./_decode.ts";

/** A document revision, `""` when the document has none yet. */
export type DocRevision = string;

/** The empty revision (upstream's `DocRevision.empty`). */
export const EMPTY_REVISION: DocRevision = "";

/** A parsed revision. */
export interface ParsedRevision {
  /** The integer before the first `-` (0 for the empty or a malformed revision). */
  readonly generation: number;
  /** Everything after the first `-` (`""` when there is none). */
  readonly hash: string;
}

/**
 * Splits a revision into its generation and hash.
 *
 * @example
 * ```ts
 * import { parseRevision } from "./mod.ts";
 * parseRevision("12-9f0c"); // { generation: 12, hash: "9f0c" }
 * ```
 */
export function parseRevision(rev: DocRevision): ParsedRevision {
  const dash = rev.indexOf("-");
  const head = dash < 0 ? rev : rev.slice(0, dash);
  const hash = dash < 0 ? "" : rev.slice(dash + 1);
  const generation = /^\d+$/.test(head) ? Number(head) : 0;
  return { generation: Number.isSafeInteger(generation) ? generation : 0, hash };
}

/** Whether `rev` is the empty revision. */
export function isEmptyRevision(rev: DocRevision): boolean {
  return rev === "";
}

/**
 * Orders revisions as upstream does: empty first, then by generation; revisions of
 * the same generation compare equal.
 *
 * @returns negative when `a` is older, 0 when equal, positive when `a` is newer
 * @example
 * ```ts
 * import { compareRevisions } from "./mod.ts";
 * ["10-a", "", "2-b"].sort(compareRevisions); // ["", "2-b", "10-a"]
 * ```
 */
export function compareRevisions(a: DocRevision, b: DocRevision): number {
  if (a === "" || b === "") return (a === "" ? 0 : 1) - (b === "" ? 0 : 1);
  return Math.sign(parseRevision(a).generation - parseRevision(b).generation);
}

/**
 * The revision a write of `content` over `prev` gets: the next generation and the
 * MD5 hex of the content, CouchDB style.
 *
 * @example
 * ```ts
 * import { nextRevision } from "./mod.ts";
 * nextRevision("", "{}").startsWith("1-"); // true
 * ```
 */
export function nextRevision(prev: DocRevision, content: string | Uint8Array): DocRevision {
  const generation = prev === "" ? 1 : parseRevision(prev).generation + 1;
  const hash = createHash("md5").update(content).digest("hex");
  return `${generation}-${hash}`;
}

/** Wire form: `null` for the empty revision, the string otherwise. */
export function encodeRevision(rev: DocRevision): string | null {
  return rev === "" ? null : rev;
}

/** Decodes a required revision field (`null` → empty; absent is an error). */
export function decodeRevisionAt(value: unknown, at: At): DocRevision {
  if (value === null) return EMPTY_REVISION;
  return typeof value === "string" ? value : fail(at, "a string or null", value);
}
