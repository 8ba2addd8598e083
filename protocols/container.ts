/**
 * The container path's wire messages: `ContainerCreationMessage` and
 * `ContainerDeletionMessage` (scheduler → `invoker<N>`), `ContainerCreationAckMessage`
 * (invoker → `creationAck<sid>`), and upstream's container-creation error kinds.
 *
 * Mirrors `common/scala/.../core/connector/Message.scala` (`ContainerCreationMessage`,
 * `ContainerDeletionMessage`, `ContainerCreationAckMessage`); differences: the ack is a
 * union of success and failure (a failure always has an error and a reason). The error
 * kinds themselves (`ContainerCreationError`, every name parsing back, which upstream
 * fails at) are shared with the ContainerManager in `container_manager.ts`.
 *
 * @module
 */

import {
  type At,
  child,
  integer,
  invalid,
  nonEmptyString,
  object,
  optional,
  own,
  parseInput,
  root,
  string,
} from "./_decode.ts";
import {
  type ContainerCreationError,
  creationErrorMessage,
  parseCreationError,
} from "./container_manager.ts";
import { decodeFqnAt, encodeFqn, type FullyQualifiedEntityName } from "./entity_name.ts";
import {
  decodeInvokerInstanceAt,
  decodeSchedulerInstanceAt,
  encodeInstanceId,
  type InvokerInstanceId,
  type SchedulerInstanceId,
} from "./instance_id.ts";
import { decodeRevisionAt, type DocRevision, encodeRevision } from "./revision.ts";
import { decodeTransidAt, encodeTransid, type TransactionMetadata } from "./transaction_id.ts";
import {
  decodeActionMetaDataAt,
  encodeActionMetaData,
  type WhiskActionMetaData,
} from "./whisk_action.ts";

/** Fields every container message has. */
interface ContainerMessageBase {
  readonly transid: TransactionMetadata;
  readonly invocationNamespace: string;
  /** The action, with its version. */
  readonly action: FullyQualifiedEntityName;
  readonly revision: DocRevision;
}

/** Ask an invoker to create (or resume) a container for an action. */
export interface ContainerCreationMessage extends ContainerMessageBase {
  readonly type: "ContainerCreationMessage";
  readonly whiskActionMetaData: WhiskActionMetaData;
  readonly rootSchedulerIndex: SchedulerInstanceId;
  /** Where the container's activation client fetches from. */
  readonly schedulerHost: string;
  readonly rpcPort: number;
  readonly retryCount: number;
  /** 32 hex, fresh per request. */
  readonly creationId: string;
}

/** Ask an invoker to drop the containers of an action up to a revision. */
export interface ContainerDeletionMessage extends ContainerMessageBase {
  readonly type: "ContainerDeletionMessage";
  readonly whiskActionMetaData: WhiskActionMetaData;
}

interface AckBase extends ContainerMessageBase {
  readonly type: "ContainerCreationAckMessage";
  readonly creationId: string;
  readonly actionMetaData: WhiskActionMetaData;
  readonly rootInvokerIndex: InvokerInstanceId;
  readonly schedulerHost: string;
  readonly rpcPort: number;
  readonly retryCount: number;
}

/** An invoker's answer to a creation request: success, or a failure with its error and reason. */
export type ContainerCreationAckMessage =
  | (AckBase & { readonly success: true })
  | (AckBase & {
    readonly success: false;
    readonly error: ContainerCreationError;
    readonly reason: string;
  });

/** Every message on `invoker<N>`. */
export type InvokerMessage = ContainerCreationMessage | ContainerDeletionMessage;

function baseJson(m: ContainerMessageBase) {
  return {
    transid: encodeTransid(m.transid),
    invocationNamespace: m.invocationNamespace,
    action: encodeFqn(m.action),
    revision: encodeRevision(m.revision),
  };
}

function baseAt(rec: Readonly<Record<string, unknown>>, at: At) {
  return {
    transid: decodeTransidAt(own(rec, "transid"), child(at, "transid")),
    invocationNamespace: nonEmptyString(
      own(rec, "invocationNamespace"),
      child(at, "invocationNamespace"),
    ),
    action: decodeFqnAt(own(rec, "action"), child(at, "action")),
    revision: decodeRevisionAt(own(rec, "revision"), child(at, "revision")),
  };
}

const port = (v: unknown, at: At) => integer(v, at, 0);

/** Wire value of a creation message. */
export function encodeContainerCreationMessage(
  m: ContainerCreationMessage,
): Record<string, unknown> {
  return {
    ...baseJson(m),
    whiskActionMetaData: encodeActionMetaData(m.whiskActionMetaData),
    rootSchedulerIndex: encodeInstanceId(m.rootSchedulerIndex),
    schedulerHost: m.schedulerHost,
    rpcPort: m.rpcPort,
    retryCount: m.retryCount,
    creationId: m.creationId,
  };
}

/** Decodes a creation message. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeContainerCreationMessage(input: unknown): ContainerCreationMessage {
  const at = root("ContainerCreationMessage");
  const rec = object(parseInput(at.what, input), at);
  return {
    type: "ContainerCreationMessage",
    ...baseAt(rec, at),
    whiskActionMetaData: decodeActionMetaDataAt(
      own(rec, "whiskActionMetaData"),
      child(at, "whiskActionMetaData"),
    ),
    rootSchedulerIndex: decodeSchedulerInstanceAt(
      own(rec, "rootSchedulerIndex"),
      child(at, "rootSchedulerIndex"),
    ),
    schedulerHost: string(own(rec, "schedulerHost"), child(at, "schedulerHost")),
    rpcPort: port(own(rec, "rpcPort"), child(at, "rpcPort")),
    retryCount: optional(rec, at, "retryCount", (v, a) => integer(v, a, 0)) ?? 0,
    creationId: nonEmptyString(own(rec, "creationId"), child(at, "creationId")),
  };
}

/** Wire value of a deletion message. */
export function encodeContainerDeletionMessage(
  m: ContainerDeletionMessage,
): Record<string, unknown> {
  return { ...baseJson(m), whiskActionMetaData: encodeActionMetaData(m.whiskActionMetaData) };
}

/** Decodes a deletion message. @throws {SyntaxError} bad JSON; {TypeError} bad shape */
export function decodeContainerDeletionMessage(input: unknown): ContainerDeletionMessage {
  const at = root("ContainerDeletionMessage");
  const rec = object(parseInput(at.what, input), at);
  return {
    type: "ContainerDeletionMessage",
    ...baseAt(rec, at),
    whiskActionMetaData: decodeActionMetaDataAt(
      own(rec, "whiskActionMetaData"),
      child(at, "whiskActionMetaData"),
    ),
  };
}

/** Decodes either message on `invoker<N>`, told apart by `creationId` as upstream does. */
export function decodeInvokerMessage(input: unknown): InvokerMessage {
  const parsed = parseInput("InvokerMessage", input);
  const rec = object(parsed, root("InvokerMessage"));
  return own(rec, "creationId") !== undefined
    ? decodeContainerCreationMessage(rec)
    : decodeContainerDeletionMessage(rec);
}

/** Wire value of an ack (`error`/`reason` only on failure). */
export function encodeContainerCreationAckMessage(
  m: ContainerCreationAckMessage,
): Record<string, unknown> {
  return {
    ...baseJson(m),
    creationId: m.creationId,
    actionMetaData: encodeActionMetaData(m.actionMetaData),
    rootInvokerIndex: encodeInstanceId(m.rootInvokerIndex),
    schedulerHost: m.schedulerHost,
    rpcPort: m.rpcPort,
    retryCount: m.retryCount,
    ...(m.success ? {} : { error: m.error, reason: m.reason }),
  };
}

/** An error name, matched as upstream does (ignoring case); every name parses back. */
function errorAt(value: unknown, at: At): ContainerCreationError {
  const name = string(value, at);
  try {
    return parseCreationError(name);
  } catch {
    return invalid(at, `must be a container creation error name, got "${name}"`);
  }
}

/** Decodes an ack; a failure without `reason` gets the error's default message. */
export function decodeContainerCreationAckMessage(input: unknown): ContainerCreationAckMessage {
  const at = root("ContainerCreationAckMessage");
  const rec = object(parseInput(at.what, input), at);
  const base: AckBase = {
    type: "ContainerCreationAckMessage",
    ...baseAt(rec, at),
    creationId: nonEmptyString(own(rec, "creationId"), child(at, "creationId")),
    actionMetaData: decodeActionMetaDataAt(own(rec, "actionMetaData"), child(at, "actionMetaData")),
    rootInvokerIndex: decodeInvokerInstanceAt(
      own(rec, "rootInvokerIndex"),
      child(at, "rootInvokerIndex"),
    ),
    schedulerHost: string(own(rec, "schedulerHost"), child(at, "schedulerHost")),
    rpcPort: port(own(rec, "rpcPort"), child(at, "rpcPort")),
    retryCount: optional(rec, at, "retryCount", (v, a) => integer(v, a, 0)) ?? 0,
  };
  const error = optional(rec, at, "error", errorAt);
  if (error === undefined) return { ...base, success: true };
  const reason = optional(rec, at, "reason", string) ?? creationErrorMessage(error);
  return { ...base, success: false, error, reason };
}
