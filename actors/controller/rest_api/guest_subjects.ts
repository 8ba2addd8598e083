/**
 * Seeds upstream's well-known subjects when absent: `guest` (the default key of
 * `ansible/files/auth.guest` and the standalone controller) and `whisk.system` (the
 * system namespace, whose key also guards the internal routes). Mirrors the
 * `wskadmin`/standalone bootstrap of `core/standalone/.../StandaloneOpenWhisk.scala`.
 *
 * @module
 */
import type { EntityStore, SubjectRecord } from "../../../runtime/store/mod.ts";

/** The guest subject, namespace `guest`. */
export const GUEST_SUBJECT: SubjectRecord = {
  subject: "guest",
  namespaces: [{
    name: "guest",
    uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502",
    key: "123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP",
  }],
};

/** The system subject, namespace `whisk.system`. */
export const SYSTEM_SUBJECT: SubjectRecord = {
  subject: "whisk.system",
  namespaces: [{
    name: "whisk.system",
    uuid: "789c46b1-71f6-4ed5-8c54-816aa4f8c502",
    key: "abczO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP",
  }],
};

/** The `uuid:key` string of a subject's first namespace (what clients take as `api_key`). */
export function apiKeyOf(subject: SubjectRecord): string {
  const ns = subject.namespaces[0];
  return ns ? `${ns.uuid}:${ns.key}` : "";
}

/**
 * Creates the guest and whisk.system subjects unless they exist (an existing subject
 * is left as it is, so a changed key survives restarts).
 *
 * @returns the subjects it created
 * @example
 * ```ts
 * import { ensureGuestSubject } from "./guest_subjects.ts";
 * import { openSqliteStore } from "../../../runtime/store/mod.ts";
 * import { silentLogger } from "../../../runtime/log.ts";
 * const store = openSqliteStore({ path: ":memory:", logger: silentLogger });
 * console.assert((await ensureGuestSubject(store)).length === 2);
 * console.assert((await ensureGuestSubject(store)).length === 0);
 * await store.close();
 * ```
 */
export async function ensureGuestSubject(store: EntityStore): Promise<string[]> {
  const created: string[] = [];
  for (const subject of [GUEST_SUBJECT, SYSTEM_SUBJECT]) {
    if (await store.getSubject(subject.subject)) continue;
    await store.putSubject(subject);
    created.push(subject.subject);
  }
  return created;
}
