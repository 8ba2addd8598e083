/**
 * The entity store's error classes: a conflict (HTTP 409), a missing document (404) and
 * an unavailable store (retryable). Mirrors upstream's `DocumentConflictException`,
 * `NoDocumentException` and the CouchDB connection failures of
 * `common/scala/.../core/database/ArtifactStore.scala`.
 *
 * @module
 */

/** Why a write conflicted. */
export type ConflictReason =
  /** The document exists and the write did not ask to overwrite it. */
  | "exists"
  /** The caller's expected revision is not the current one (a concurrent update). */
  | "revision"
  /** The name is taken by an entity of another collection in the same namespace. */
  | "collection";

const CONFLICT_MESSAGES: Record<ConflictReason, string> = {
  exists: "resource already exists",
  revision: "Concurrent modification to resource detected.",
  collection: "Resource by this name exists but is not in this collection.",
};

/**
 * A write that conflicts with the stored document (409 semantics).
 *
 * @example
 * ```ts
 * import { ConflictError } from "./store_errors.ts";
 * const e = new ConflictError("exists", "guest/hello");
 * console.assert(e.message === "resource already exists");
 * ```
 */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
  /** A conflict never resolves by retrying the same write. */
  readonly retryable = false;

  /**
   * @param reason why the write conflicted
   * @param docId the document's `namespace/name`
   */
  constructor(readonly reason: ConflictReason, readonly docId: string) {
    super(CONFLICT_MESSAGES[reason]);
  }
}

/** The document does not exist (404 semantics). */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
  readonly retryable = false;

  /** @param docId the document's `namespace/name` */
  constructor(readonly docId: string) {
    super(`document '${docId}' does not exist`);
  }
}

/** The store cannot serve the call now (locked too long, closed, I/O failure); retry later. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  readonly retryable = true;

  /**
   * @param message what failed
   * @param options the underlying driver error as `cause`
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
