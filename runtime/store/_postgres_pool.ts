/**
 * A small typed facade over the `pg` driver's connection pool: plain queries, write
 * transactions on one pooled connection, and the session's `search_path` pinned to the
 * store's schema. Plays the role of the HTTP client pool of upstream's
 * `CouchDbRestClient`; no `pg` type appears outside this file.
 *
 * @module
 */

import pg from "pg";

/** The rows of one statement and how many rows it touched. */
export interface QueryResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}

/** Runs one statement with positional parameters (`$1`, `$2`, ...). */
export type Query = (text: string, values?: readonly unknown[]) => Promise<QueryResult>;

interface PgClient {
  query(text: string, values?: readonly unknown[]): Promise<QueryResult>;
  release(destroy?: boolean): void;
}

interface PgPool {
  connect(): Promise<PgClient>;
  query(text: string, values?: readonly unknown[]): Promise<QueryResult>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): void;
}

type PgPoolConstructor = new (config: Record<string, unknown>) => PgPool;

/** Options of {@link openPool}. */
export interface PoolOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** A plain lower-case identifier; every session's `search_path`. */
  readonly schema: string;
  /** At most this many connections. */
  readonly size: number;
  /** How long a call waits to connect before failing. */
  readonly connectTimeoutMs: number;
  /** Told when an idle pooled connection breaks (the pool drops it and reconnects later). */
  readonly onIdleError: (error: Error) => void;
}

/** A plain lower-case SQL identifier that needs no quoting. */
export const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The pool of one store. */
export class Pool {
  readonly #pool: PgPool;

  constructor(options: PoolOptions) {
    if (!IDENTIFIER.test(options.schema)) {
      throw new TypeError(
        `Invalid schema "${options.schema}": expected a lower-case SQL identifier`,
      );
    }
    const PgPoolClass = (pg as unknown as { Pool: PgPoolConstructor }).Pool;
    this.#pool = new PgPoolClass({
      connectionString: options.url,
      max: options.size,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
      application_name: `whisk-store:${options.schema}`,
      options: `-c search_path=${options.schema}`,
    });
    // Without a listener an idle connection's error (server restart) would crash us.
    this.#pool.on("error", options.onIdleError);
  }

  /** One statement on any pooled connection (autocommit). */
  readonly query: Query = (text, values) => this.#pool.query(text, values);

  /** Runs `body` inside `BEGIN … COMMIT` on one connection; rolls back when it throws. */
  async transaction<R>(body: (query: Query) => Promise<R>): Promise<R> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await body((text, values) => client.query(text, values));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      // A connection that cannot even roll back is dropped rather than reused.
      await client.query("ROLLBACK").catch(() => broken = true);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Closes every connection. */
  end(): Promise<void> {
    return this.#pool.end();
  }
}
