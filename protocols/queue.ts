/**
 * Queue creation: `CreateQueue` (controller → `scheduler<sid>`, with `reply-to` and
 * `correlation-id` headers) and its answer `CreateQueueResponse` (→ `completed<cid>`).
 *
 * Mirrors `CreateQueue` / `CreateQueueResponse` in
 * `core/scheduler/.../queue/QueueManager.scala`; differences: they travel over Kafka
 * as JSON with upstream's field names instead of a Pekko remote ask with Kryo.
 *
 * @module
 */

import { boolean, child, nonEmptyString, object, own, parseInput, root } from "./_decode.ts";
import { decodeFqnAt, encodeFqn, type FullyQualifiedEntityName } from "./entity_name.ts";
import { decodeRevisionAt, type DocRevision, encodeRevision } from "./revision.ts";
import {
  decodeActionMetaDataAt,
  encodeActionMetaData,
  type WhiskActionMetaData,
} from "./whisk_action.ts";

/** Ask a scheduler to host (or elect a leader for) the queue of an action. */
export interface CreateQueue {
  readonly type: "CreateQueue";
  readonly invocationNamespace: string;
  /** The action, with its version. */
  readonly fqn: FullyQualifiedEntityName;
  readonly revision: DocRevision;
  readonly whiskActionMetaData: WhiskActionMetaData;
}

/** The scheduler's answer. */
export interface CreateQueueResponse {
  readonly type: "CreateQueueResponse";
  readonly invocationNamespace: string;
  readonly fqn: FullyQualifiedEntityName;
  readonly success: boolean;
}

/** Wire value of `CreateQueue`. */
export function encodeCreateQueue(m: CreateQueue): Record<string, unknown> {
  return {
    invocationNamespace: m.invocationNamespace,
    fqn: encodeFqn(m.fqn),
    revision: encodeRevision(m.revision),
    whiskActionMetaData: encodeActionMetaData(m.whiskActionMetaData),
  };
}

/** Decodes `CreateQueue`. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeCreateQueue(input: unknown): CreateQueue {
  const at = root("CreateQueue");
  const rec = object(parseInput(at.what, input), at);
  return {
    type: "CreateQueue",
    invocationNamespace: nonEmptyString(
      own(rec, "invocationNamespace"),
      child(at, "invocationNamespace"),
    ),
    fqn: decodeFqnAt(own(rec, "fqn"), child(at, "fqn")),
    revision: decodeRevisionAt(own(rec, "revision"), child(at, "revision")),
    whiskActionMetaData: decodeActionMetaDataAt(
      own(rec, "whiskActionMetaData"),
      child(at, "whiskActionMetaData"),
    ),
  };
}

/** Wire value of `CreateQueueResponse`. */
export function encodeCreateQueueResponse(m: CreateQueueResponse): Record<string, unknown> {
  return { invocationNamespace: m.invocationNamespace, fqn: encodeFqn(m.fqn), success: m.success };
}

/** Decodes `CreateQueueResponse`. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeCreateQueueResponse(input: unknown): CreateQueueResponse {
  const at = root("CreateQueueResponse");
  const rec = object(parseInput(at.what, input), at);
  return {
    type: "CreateQueueResponse",
    invocationNamespace: nonEmptyString(
      own(rec, "invocationNamespace"),
      child(at, "invocationNamespace"),
    ),
    fqn: decodeFqnAt(own(rec, "fqn"), child(at, "fqn")),
    success: boolean(own(rec, "success"), child(at, "success")),
  };
}
