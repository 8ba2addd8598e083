/**
 * Document revisions in upstream's CouchDB form `N-<hash>`: `N` counts the writes of a
 * document id (deletes included, so a re-created entity continues past its old
 * revisions), the hash is the MD5 of the stored JSON. Mirrors `DocRevision` in
 * `common/scala/.../core/entity/DocInfo.scala`; differences: the hash covers only the
 * content, not CouchDB's revision tree.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * The integer before the first `-`; an empty or malformed revision counts as 0, so it
 * sorts first. Compare revisions by this number, never as strings ("9-…" > "10-…").
 */
export function revisionNumber(revision: string): number {
  const dash = revision.indexOf("-");
  const digits = dash < 0 ? revision : revision.slice(0, dash);
  if (!/^\d+$/.test(digits)) return 0;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : 0;
}

/** The revision of the write that follows write number `previous` with this content. */
export function nextRevision(previous: number, contentJson: string): string {
  return `${previous + 1}-${createHash("md5").update(contentJson).digest("hex")}`;
}
