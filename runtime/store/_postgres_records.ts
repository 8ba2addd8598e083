/**
 * The non-entity half of the PostgreSQL store: subjects and their keys, activation
 * records (insert-if-absent) and namespace limits, the same semantics as
 * `_sqlite_records.ts`. Mirrors upstream's `subjects` database (`Identity.scala`, the
 * `subjects.v2.0.0` views) and `activations` database (`ArtifactActivationStore.scala`,
 * the `whisks-filters.v2.1.1/activations` view).
 *
 * @module
 */

import { summarizeActivation } from "./activation_index.ts";
import type {
  ActivationFilter,
  ActivationIndexFields,
  ActivationSummary,
  Identity,
  Paging,
  SubjectRecord,
} from "./entity_store.ts";
import type { Query } from "./_postgres_pool.ts";
import { pageSql } from "./_postgres_entities.ts";
import { advisoryLock } from "./_postgres_schema.ts";
import { activationRowValues, parseJson, sameSecret } from "./_store_rules.ts";
import { ConflictError } from "./store_errors.ts";

/**
 * Replaces a subject and its keys; a key owned by another subject conflicts. Runs in a
 * transaction; subject writers of one schema (`scope`) take turns.
 */
export async function writeSubject(query: Query, scope: string, record: SubjectRecord) {
  await advisoryLock(query, `whisk-store-subjects:${scope}`);
  for (const ns of record.namespaces) {
    const { rows } = await query("SELECT subject FROM subject_keys WHERE uuid = $1", [ns.uuid]);
    const owner = rows[0];
    if (owner && owner.subject !== record.subject) throw new ConflictError("exists", ns.uuid);
  }
  await query("DELETE FROM subject_keys WHERE subject = $1", [record.subject]);
  for (const ns of record.namespaces) {
    await query(
      "INSERT INTO subject_keys (uuid, key, subject, namespace) VALUES ($1, $2, $3, $4)",
      [ns.uuid, ns.key, record.subject, ns.name],
    );
  }
  await query(
    `INSERT INTO subjects (subject, doc) VALUES ($1, $2)
     ON CONFLICT (subject) DO UPDATE SET doc = excluded.doc`,
    [record.subject, JSON.stringify(record)],
  );
}

/** The identity of a basic-auth credential (the key compared in constant time). */
export async function selectIdentity(
  query: Query,
  uuid: string,
  key: string,
): Promise<Identity | undefined> {
  const { rows } = await query(
    "SELECT subject, namespace, key FROM subject_keys WHERE uuid = $1",
    [uuid],
  );
  const row = rows[0];
  if (!row || typeof row.key !== "string" || !sameSecret(row.key, key)) return undefined;
  return { subject: String(row.subject), namespace: String(row.namespace), uuid, key: row.key };
}

/** One subject, or every subject by name (byte order, as the SQLite store). */
export async function selectSubjects(query: Query, subject?: string): Promise<SubjectRecord[]> {
  const { rows } = subject === undefined
    ? await query(`SELECT doc FROM subjects ORDER BY subject COLLATE "C"`)
    : await query("SELECT doc FROM subjects WHERE subject = $1", [subject]);
  return rows.map((row) => parseJson<SubjectRecord>(row.doc));
}

/** Inserts the record unless its id is stored; true when this call inserted it. */
export async function insertActivation(
  query: Query,
  record: ActivationIndexFields,
): Promise<boolean> {
  const values = activationRowValues(record);
  const { rowCount } = await query(
    `INSERT INTO activations (activation_id, namespace, filter_name, start, doc)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (activation_id) DO NOTHING`,
    values,
  );
  return (rowCount ?? 0) > 0;
}

/** One record of the namespace, or undefined. */
export async function selectActivation<T>(
  query: Query,
  namespace: string,
  id: string,
): Promise<T | undefined> {
  const { rows } = await query(
    "SELECT doc FROM activations WHERE activation_id = $1 AND namespace = $2",
    [id, namespace],
  );
  return rows[0] ? parseJson<T>(rows[0].doc) : undefined;
}

function where(namespace: string, filter: ActivationFilter) {
  const params: unknown[] = [namespace];
  const clauses = ["namespace = $1"];
  const add = (op: string, value: unknown) => {
    if (value !== undefined) params.push(value), clauses.push(`${op} $${params.length}`);
  };
  add("filter_name =", filter.name);
  add("start >=", filter.since);
  add("start <=", filter.upto);
  return { clause: `WHERE ${clauses.join(" AND ")}`, params };
}

/** A page of records (or their summaries), newest first by `start`. */
export async function selectActivations(
  query: Query,
  namespace: string,
  options: Paging & ActivationFilter & { readonly docs?: boolean },
): Promise<ActivationIndexFields[] | ActivationSummary[]> {
  const { clause, params } = where(namespace, options);
  const sql = `SELECT doc FROM activations ${clause}
    ORDER BY start DESC, seq DESC${pageSql(options, params)}`;
  const { rows } = await query(sql, params);
  const docs = rows.map((row) => parseJson<ActivationIndexFields>(row.doc));
  return options.docs ? docs : docs.map(summarizeActivation);
}

/** How many records match. */
export async function countActivationRows(
  query: Query,
  namespace: string,
  filter: ActivationFilter,
): Promise<number> {
  const { clause, params } = where(namespace, filter);
  const { rows } = await query(`SELECT count(*) AS n FROM activations ${clause}`, params);
  return Number(rows[0]?.n ?? 0);
}

/** The namespace's limits document, or undefined. */
export async function selectNamespaceLimits<T>(
  query: Query,
  namespace: string,
): Promise<T | undefined> {
  const { rows } = await query("SELECT doc FROM namespace_limits WHERE namespace = $1", [
    namespace,
  ]);
  return rows[0] ? parseJson<T>(rows[0].doc) : undefined;
}

/** Replaces the namespace's limits document. */
export async function writeNamespaceLimits(
  query: Query,
  namespace: string,
  limits: unknown,
): Promise<void> {
  await query(
    `INSERT INTO namespace_limits (namespace, doc) VALUES ($1, $2)
     ON CONFLICT (namespace) DO UPDATE SET doc = excluded.doc`,
    [namespace, JSON.stringify(limits) ?? "null"],
  );
}
