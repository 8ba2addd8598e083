/**
 * Test fixtures for the protocol tests: the example JSON values shown in the
 * reference sheets (copied as given; placeholders such as `N` or `MB` replaced by
 * numbers), upstream-shaped messages composed from the field lists there, and one
 * valid in-memory message per wire type.
 *
 * @module
 */

import {
  controllerInstance,
  fqn,
  type Identity,
  invokerInstance,
  schedulerInstance,
  startTransaction,
  transactionId,
  type WhiskActionMetaData,
  type WireMessage,
} from "../../protocols/mod.ts";

// --- Values shown in reference/openwhisk-fpc.md §3 and §6 -------------------------

/** §3 key 1 (`N` → 3). */
export const SCHEDULER_STATES_JSON =
  `{"sid":{"asString":"0"},"queueSize":3,"endpoints":{"host":"h","rpcPort":13001,"pekkoPort":17355}}`;
/** §3 key 2. */
export const SCHEDULER_ENDPOINTS_JSON = `{"host":"h","rpcPort":13001,"pekkoPort":17355}`;
/** §3 key 8, once per status (`MB` → numbers, `[..]` → lists). */
export const INVOKER_RESOURCE_JSONS = ["up", "unhealthy", "down"].map((s) =>
  `{"status":"${s}","freeMemory":1024,"busyMemory":256,"inProgressMemory":128,"tags":["gpu"],"dedicatedNamespaces":["guest"]}`
);
/** §6.1 FullyQualifiedEntityName. */
export const FQN_JSON = `{"path":"ns/pkg","name":"act","version":"0.0.1","binding":"ns2/pkg"}`;
/** §6.1 ControllerInstanceId. */
export const CONTROLLER_INSTANCE_JSON = `{"asString":"0","instanceType":"controller"}`;
/** §6.1 SchedulerInstanceId. */
export const SCHEDULER_INSTANCE_JSON = `{"asString":"0"}`;
/** §6.1 InvokerInstanceId (optional fields present). */
export const INVOKER_INSTANCE_JSON =
  `{"instance":0,"userMemory":"1024 MB","busyMemory":"256 MB","instanceType":"invoker","tags":[],"dedicatedNamespaces":[],"uniqueName":"u0","displayedName":"d0"}`;
/** §6.2 the three fetch errors, as upstream writes them. */
export const FETCH_ERROR_JSONS = [
  `{"noActivationMessage":"no activation message exist","type":"NoActivationMessage"}`,
  `{"noMemoryQueue":"no memory queue exist","type":"NoMemoryQueue"}`,
  `{"actionMisMatch":"action version does not match","type":"ActionMismatch"}`,
];
/** §6.1 TransactionId forms. */
export const TRANSID_JSONS = [
  `["abc",1700000000000]`,
  `["abc",1700000000000,true]`,
  `["abc",1700000000000,["parent",1699999999000]]`,
  `["abc",1700000000000,true,["parent",1699999999000,true]]`,
];

// --- Values shown in reference/openwhisk-api-and-runtimes.md §2 -------------------

/** §2.1 action document example (verbatim). */
export const ACTION_JSON =
  `{"namespace":"guest","name":"hello","exec":{"kind":"nodejs:20","code":"function main(p){...}","binary":false},"parameters":[{"key":"name","value":"x"}],"limits":{"concurrency":1,"logs":10,"memory":256,"timeout":60000},"version":"0.0.1","publish":false,"annotations":[{"key":"provide-api-key","value":false},{"key":"exec","value":"nodejs:20"}],"updated":1700000000000}`;

/** §2.3 activation record, as the API serves it (status/success, no statusCode). */
export const ACTIVATION_API_JSON =
  `{"namespace":"guest","name":"hello","subject":"guest","activationId":"0123456789abcdef0123456789abcdef","start":1700000000000,"end":1700000000042,"duration":42,"response":{"status":"application error","success":false,"result":{"error":"boom"},"size":16},"logs":["2024-05-01T10:00:00.123456789Z stdout: hello from stdout"],"annotations":[{"key":"path","value":"guest/hello"},{"key":"waitTime","value":5},{"key":"kind","value":"nodejs:20"},{"key":"timeout","value":false},{"key":"limits","value":{"concurrency":1,"logs":10,"memory":256,"timeout":60000}},{"key":"initTime","value":30}],"version":"0.0.1","publish":false}`;

/** The stored form of a record (statusCode only, no end: e.g. a trigger activation). */
export const ACTIVATION_STORED_JSON =
  `{"namespace":"guest","name":"t1","subject":"guest","activationId":"fedcba9876543210fedcba9876543210","start":1700000000000,"response":{"statusCode":0,"result":{}},"logs":[],"annotations":[],"version":"0.0.1","publish":false}`;

// --- Upstream-shaped messages composed from §6 field lists ------------------------

const USER_JSON =
  `{"subject":"guest","namespace":{"name":"guest","uuid":"23bc46b1-71f6-4ed5-8c54-816aa4f8c502"},"authkey":{"api_key":"23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP"},"rights":["READ","PUT","DELETE","ACTIVATE"],"limits":{"concurrentInvocations":30}}`;

/** §6.2 ActivationMessage with every field. */
export const ACTIVATION_MESSAGE_JSON =
  `{"transid":["tid123",1700000000000],"action":{"path":"guest","name":"hello","version":"0.0.1"},"revision":"1-abc","user":${USER_JSON},"activationId":"0123456789abcdef0123456789abcdef","rootControllerIndex":{"asString":"0","instanceType":"controller"},"blocking":true,"content":{"name":"x"},"initArgs":["name"],"lockedArgs":{},"cause":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","traceContext":{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}`;

const META_JSON =
  `{"namespace":"guest","name":"hello","exec":{"kind":"nodejs:20","binary":false},"parameters":[],"limits":{"concurrency":1,"logs":10,"memory":256,"timeout":60000},"version":"0.0.1","publish":false,"annotations":[{"key":"exec","value":"nodejs:20"}],"updated":1700000000000}`;

/** §6.4 ContainerCreationMessage. */
export const CREATION_JSON =
  `{"transid":["tid123",1700000000000],"invocationNamespace":"guest","action":{"path":"guest","name":"hello","version":"0.0.1"},"revision":"1-abc","whiskActionMetaData":${META_JSON},"rootSchedulerIndex":{"asString":"0"},"schedulerHost":"127.0.0.1","rpcPort":13001,"retryCount":0,"creationId":"c0ffeec0ffeec0ffeec0ffeec0ffee00"}`;

/** §6.4 ContainerDeletionMessage. */
export const DELETION_JSON =
  `{"transid":["tid123",1700000000000],"invocationNamespace":"guest","action":{"path":"guest","name":"hello","version":"0.0.1"},"revision":"1-abc","whiskActionMetaData":${META_JSON}}`;

/** §6.4 ContainerCreationAckMessage, success (neither error nor reason). */
export const ACK_SUCCESS_JSON =
  `{"transid":["tid123",1700000000000],"creationId":"c0ffeec0ffeec0ffeec0ffeec0ffee00","invocationNamespace":"guest","action":{"path":"guest","name":"hello","version":"0.0.1"},"revision":"1-abc","actionMetaData":${META_JSON},"rootInvokerIndex":${INVOKER_INSTANCE_JSON},"schedulerHost":"127.0.0.1","rpcPort":13001,"retryCount":0}`;

/** §6.4 ContainerCreationAckMessage, failure. */
export const ACK_FAILURE_JSON = ACK_SUCCESS_JSON.replace(
  `"retryCount":0}`,
  `"retryCount":2,"error":"ResourceNotEnoughError","reason":"invoker(s) have not enough resources"}`,
);

/** §6.5 the three acknowledgements. */
export const COMBINED_JSON =
  `{"transid":["tid123",1700000000000],"response":${ACTIVATION_API_JSON},"isSystemError":false,"instance":${INVOKER_INSTANCE_JSON}}`;
export const COMBINED_SHRUNK_JSON =
  `{"transid":["tid123",1700000000000],"response":"0123456789abcdef0123456789abcdef","isSystemError":false,"instance":${INVOKER_INSTANCE_JSON}}`;
export const COMPLETION_JSON =
  `{"transid":["tid123",1700000000000],"activationId":"0123456789abcdef0123456789abcdef","isSystemError":false,"instance":${INVOKER_INSTANCE_JSON}}`;
export const RESULT_JSON =
  `{"transid":["tid123",1700000000000],"response":${ACTIVATION_STORED_JSON}}`;

/** Upstream's CacheInvalidationMessage. */
export const CACHE_INVALIDATION_JSON =
  `{"key":{"mainId":"guest/hello","secondaryId":"2-def"},"instanceId":"controller0"}`;

// --- Valid in-memory messages -----------------------------------------------------

/** A caller identity. */
export const USER: Identity = {
  subject: "guest",
  namespace: { name: "guest", uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502" },
  authkey: { uuid: "23bc46b1-71f6-4ed5-8c54-816aa4f8c502", key: "k".repeat(64) },
  rights: ["READ", "PUT", "DELETE", "ACTIVATE"],
  limits: { concurrentInvocations: 30 },
};

/** Action metadata. */
export const META: WhiskActionMetaData = {
  namespace: "guest",
  name: "hello",
  exec: { kind: "deno:2", binary: false, main: "handler" },
  parameters: [{ key: "a", value: 1, init: true }],
  limits: { timeout: 1000, memory: 128, logs: 0, concurrency: 1, instances: 3 },
  version: "0.0.2",
  publish: false,
  annotations: [{ key: "exec", value: "deno:2" }],
  updated: 1,
  binding: "guest/b",
};

const transid = { ...startTransaction(transactionId("t1"), 1000, true) };
const child = {
  id: transactionId("t2"),
  start: 1001,
  extraLogging: false,
  parent: transid,
};
const action = fqn("guest/pkg", "hello", "0.0.2");

/** One valid message of every wire type (several for unions with variants). */
export const WIRE_SAMPLES: readonly WireMessage[] = [
  {
    type: "ActivationMessage",
    transid: child,
    action,
    revision: "2-x",
    user: USER,
    activationId: "a".repeat(32),
    rootControllerIndex: controllerInstance(0),
    blocking: false,
    initArgs: [],
    lockedArgs: { p: "aes-256" },
  },
  {
    type: "CreateQueue",
    invocationNamespace: "guest",
    fqn: action,
    revision: "",
    whiskActionMetaData: META,
  },
  { type: "CreateQueueResponse", invocationNamespace: "guest", fqn: action, success: true },
  {
    type: "ContainerCreationMessage",
    transid,
    invocationNamespace: "guest",
    action,
    revision: "2-x",
    whiskActionMetaData: META,
    rootSchedulerIndex: schedulerInstance(1),
    schedulerHost: "127.0.0.1",
    rpcPort: 13002,
    retryCount: 1,
    creationId: "c".repeat(32),
  },
  {
    type: "ContainerDeletionMessage",
    transid,
    invocationNamespace: "guest",
    action,
    revision: "2-x",
    whiskActionMetaData: META,
  },
  {
    type: "ContainerCreationAckMessage",
    transid,
    creationId: "c".repeat(32),
    invocationNamespace: "guest",
    action,
    revision: "2-x",
    actionMetaData: META,
    rootInvokerIndex: invokerInstance(3, 2048),
    schedulerHost: "127.0.0.1",
    rpcPort: 13002,
    retryCount: 0,
    success: false,
    error: "ShuttingDownError",
    reason: "shutting down error happens",
  },
  {
    type: "CombinedCompletionAndResultMessage",
    transid,
    response: "b".repeat(32),
    isSystemError: true,
    instance: invokerInstance(0),
  },
  {
    type: "CompletionMessage",
    transid,
    activationId: "b".repeat(32),
    instance: controllerInstance(2),
  },
  {
    type: "ResultMessage",
    transid,
    response: {
      namespace: "guest",
      name: "hello",
      subject: "guest",
      activationId: "b".repeat(32),
      start: 5,
      end: 9,
      duration: 4,
      cause: "c".repeat(32),
      response: { statusCode: 3, result: { error: "whisk internal error" } },
      logs: ["line"],
      annotations: [{ key: "path", value: "guest/pkg/hello" }],
      version: "0.0.2",
      publish: false,
    },
  },
  {
    type: "CacheInvalidationMessage",
    mainId: "guest/hello",
    instanceId: "controller0",
    entityType: "action",
  },
  {
    type: "DeadLetter",
    reason: "Cannot decode ActivationMessage: value must be an object, got number",
    originalTopic: "scheduler0",
    originalPartition: 0,
    originalOffset: "42",
    headers: { type: "ActivationMessage", to: "queue-manager" },
    valueBase64: "NDI=",
    at: 1700000000000,
  },
];
