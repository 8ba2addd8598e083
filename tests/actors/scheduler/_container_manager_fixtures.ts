/**
 * Fixtures shared by the ContainerManager and CreationJobManager tests: creation
 * messages, acks, invoker values and a selection config with a fixed random source.
 *
 * @module
 */

import {
  type ContainerCreationAckMessage,
  type ContainerCreationError,
  type ContainerCreationMessage,
  decodeContainerCreationAckMessage,
  decodeContainerCreationMessage,
  type InvokerSelectionConfig,
  schedulerInstance,
  type WhiskActionMetaData,
} from "../../../protocols/mod.ts";
import { ACK_SUCCESS_JSON, CREATION_JSON } from "../../protocols/_fixtures.ts";

/** The base creation message: guest/hello at revision 1-abc, 256 MB. */
export const BASE_CREATION: ContainerCreationMessage = decodeContainerCreationMessage(
  CREATION_JSON,
);

/** This scheduler. */
export const SID = schedulerInstance(0);

/** A creation message with a given id and optional overrides. */
export function creation(
  creationId: string,
  overrides: Partial<ContainerCreationMessage> = {},
): ContainerCreationMessage {
  return { ...BASE_CREATION, creationId, ...overrides };
}

/** The base action metadata with some fields replaced. */
export function meta(overrides: Partial<WhiskActionMetaData>): WhiskActionMetaData {
  return { ...BASE_CREATION.whiskActionMetaData, ...overrides };
}

/** Blackbox metadata. */
export const BLACKBOX_META: WhiskActionMetaData = meta({
  exec: { kind: "blackbox", image: "user/image", binary: false },
});

/** An ack for `msg`: success without `error`, failure with it. */
export function ack(
  msg: ContainerCreationMessage,
  error?: ContainerCreationError,
  reason = "boom",
): ContainerCreationAckMessage {
  const base = decodeContainerCreationAckMessage(ACK_SUCCESS_JSON);
  const common = {
    ...base,
    creationId: msg.creationId,
    invocationNamespace: msg.invocationNamespace,
    action: msg.action,
    revision: msg.revision,
    actionMetaData: msg.whiskActionMetaData,
    retryCount: msg.retryCount,
  };
  return error === undefined
    ? { ...common, success: true }
    : { ...common, success: false, error, reason };
}

/** The JSON value of `whisk/invokers/<id>`. */
export function invokerValue(
  options: {
    status?: "up" | "unhealthy" | "down";
    freeMemory?: number;
    tags?: string[];
    dedicatedNamespaces?: string[];
  } = {},
): string {
  return JSON.stringify({
    status: options.status ?? "up",
    freeMemory: options.freeMemory ?? 1024,
    busyMemory: 0,
    inProgressMemory: 0,
    tags: options.tags ?? [],
    dedicatedNamespaces: options.dedicatedNamespaces ?? [],
  });
}

/** Selection with a fixed random source (first candidate). */
export const SELECTION: InvokerSelectionConfig = {
  managedFraction: 0.9,
  blackboxFraction: 0.1,
  minMemoryMb: 128,
  random: () => 0,
};
