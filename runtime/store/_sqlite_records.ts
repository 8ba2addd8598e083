/**
 * The non-entity half of the SQLite store: subjects and their keys, activation records
 * (insert-if-absent) and namespace limits. Mirrors upstream's `subjects` database
 * (`Identity.scala`, the `subjects.v2.0.0` views) and `activations` database
 * (`ArtifactActivationStore.scala`, the `whisks-filters.v2.1.1/activations` view).
 *
 * @module
 */

import type { SQLInputValue } from "node:sqlite";
import { summarizeActivation } from "./activation_index.ts";
import type {
  ActivationFilter,
  ActivationIndexFields,
  ActivationSummary,
  Identity,
  Paging,
  SubjectRecord,
} from "./entity_store.ts";
import { pageSql, type Sql } from "./_sqlite_entities.ts";
import { activationRowValues, parseJson, sameSecret } from "./_store_rules.ts";
import { ConflictError } from "./store_errors.ts";

/** Replaces a subject and its keys; a key owned by another subject conflicts. */
export function writeSubject(sql: Sql, record: SubjectRecord): void {
  for (const ns of record.namespaces) {
    const owner = sql("SELECT subject FROM subject_keys WHERE uuid = ?").get(ns.uuid);
    if (owner && owner.subject !== record.subject) throw new ConflictError("exists", ns.uuid);
  }
  sql("DELETE FROM subject_keys WHERE subject = ?").run(record.subject);
  for (const ns of record.namespaces) {
    sql("INSERT INTO subject_keys (uuid, key, subject, namespace) VALUES (?, ?, ?, ?)")
      .run(ns.uuid, ns.key, record.subject, ns.name);
  }
  sql("INSERT OR REPLACE INTO subjects (subject, doc) VALUES (?, ?)")
    .run(record.subject, JSON.stringify(record));
}

/** The identity of a basic-auth credential (the key compared in constant time). */
export function selectIdentity(sql: Sql, uuid: string, key: string): Identity | undefined {
  const row = sql("SELECT subject, namespace, key FROM subject_keys WHERE uuid = ?").get(uuid);
  if (!row || typeof row.key !== "string" || !sameSecret(row.key, key)) return undefined;
  return { subject: String(row.subject), namespace: String(row.namespace), uuid, key: row.key };
}

/** One subject, or every subject by name. */
export function selectSubjects(sql: Sql, subject?: string): SubjectRecord[] {
  const rows = subject === undefined
    ? sql("SELECT doc FROM subjects ORDER BY subject").all()
    : sql("SELECT doc FROM subjects WHERE subject = ?").all(subject);
  return rows.map((row) => parseJson<SubjectRecord>(row.doc));
}

/** Inserts the record unless its id is stored; true when this call inserted it. */
export function insertActivation(sql: Sql, record: ActivationIndexFields): boolean {
  const values = activationRowValues(record);
  const { changes } = sql(
    `INSERT INTO activations (activation_id, namespace, filter_name, start, doc)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT (activation_id) DO NOTHING`,
  ).run(...values);
  return Number(changes) > 0;
}

/** One record of the namespace, or undefined. */
export function selectActivation<T>(sql: Sql, namespace: string, id: string): T | undefined {
  const row = sql("SELECT doc FROM activations WHERE activation_id = ? AND namespace = ?")
    .get(id, namespace);
  return row ? parseJson<T>(row.doc) : undefined;
}

function where(namespace: string, filter: ActivationFilter) {
  const params: SQLInputValue[] = [namespace];
  const clauses = ["namespace = ?"];
  const add = (clause: string, value: SQLInputValue | undefined) => {
    if (value !== undefined) clauses.push(clause), params.push(value);
  };
  add("filter_name = ?", filter.name);
  add("start >= ?", filter.since);
  add("start <= ?", filter.upto);
  return { clause: `WHERE ${clauses.join(" AND ")}`, params };
}

/** A page of records (or their summaries), newest first by `start`. */
export function selectActivations(
  sql: Sql,
  namespace: string,
  options: Paging & ActivationFilter & { readonly docs?: boolean },
): ActivationIndexFields[] | ActivationSummary[] {
  const { clause, params } = where(namespace, options);
  const query = `SELECT doc FROM activations ${clause}
    ORDER BY start DESC, rowid DESC${pageSql(options)}`;
  const docs = sql(query).all(...params).map((row) => parseJson<ActivationIndexFields>(row.doc));
  return options.docs ? docs : docs.map(summarizeActivation);
}

/** How many records match. */
export function countActivationRows(sql: Sql, namespace: string, filter: ActivationFilter) {
  const { clause, params } = where(namespace, filter);
  return Number(sql(`SELECT count(*) AS n FROM activations ${clause}`).get(...params)?.n ?? 0);
}

/** The namespace's limits document, or undefined. */
export function selectNamespaceLimits<T>(sql: Sql, namespace: string): T | undefined {
  const row = sql("SELECT doc FROM namespace_limits WHERE namespace = ?").get(namespace);
  return row ? parseJson<T>(row.doc) : undefined;
}

/** Replaces the namespace's limits document. */
export function writeNamespaceLimits(sql: Sql, namespace: string, limits: unknown): void {
  sql("INSERT OR REPLACE INTO namespace_limits (namespace, doc) VALUES (?, ?)")
    .run(namespace, JSON.stringify(limits) ?? "null");
}
