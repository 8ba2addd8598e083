/**
 * The InvokerHealthManager's pure transition: Offline / Unhealthy / Healthy, judged
 * from a ring buffer of activation outcomes, with the health test action started while
 * unhealthy and the `InvokerResourceMessage` published on every change.
 *
 * Mirrors `core/invoker/.../containerpool/v2/InvokerHealthManager.scala`; differences:
 * `Enable` clears the buffer (stale failures from before a disable do not count), going
 * Offline also stops the test action, preparing the test action is piped back as a
 * message (retried after `prepareRetryMs` on failure), and the test proxy's events
 * arrive tagged with its run number so that a stale proxy's removal is ignored.
 *
 * @module
 */

import type { FunctionPullingContainerProxyEvent } from "../../protocols/function_pulling_container_proxy.ts";
import { type InvokerResourceMessage, sameInvokerResource } from "../../protocols/health.ts";
import {
  type Enable,
  type FailureMessage,
  type GetInvokerHealth,
  type GracefulShutdown,
  type HealthMessage,
  type HealthTestAction,
  type InvokerHealthSnapshot,
  type InvokerHealthStateName,
  type MemoryInfo,
  STATUS_OF_STATE,
} from "../../protocols/invoker_health_manager.ts";
import type { FsmEffect, Step } from "../../runtime/actors/fsm.ts";

/** An event of the test proxy started as run `run` (-1 when the sender is unknown). */
export interface TestProxyEvent {
  readonly type: "TestProxyEvent";
  readonly run: number;
  readonly event: FunctionPullingContainerProxyEvent;
}

/** The health manager's private messages. */
export type HealthInternal =
  | TestProxyEvent
  | { readonly type: "TestActionPrepared"; readonly testAction: HealthTestAction }
  | { readonly type: "TestActionPreparationFailed"; readonly error: string }
  | { readonly type: "RetryPreparation" };

/** What the pure transition handles. */
export type HealthInput =
  | Enable
  | GracefulShutdown
  | HealthMessage
  | FailureMessage
  | MemoryInfo
  | GetInvokerHealth
  | HealthInternal;

/** The health manager's own effects. */
export type HealthEffect =
  | { readonly type: "PrepareTestAction" }
  | {
    readonly type: "StartTestAction";
    readonly run: number;
    readonly testAction: HealthTestAction;
  }
  | { readonly type: "StopTestAction"; readonly run: number }
  | { readonly type: "Publish"; readonly value: InvokerResourceMessage };

/** Settings of the pure health manager. */
export interface HealthConfig {
  /** Ring buffer size (10). */
  readonly bufferSize: number;
  /** Failures in the buffer that make the invoker unhealthy (3). */
  readonly failureTolerance: number;
  readonly tags: readonly string[];
  readonly dedicatedNamespaces: readonly string[];
  readonly prepareRetryMs: number;
}

/** The health manager's state (upstream `InvokerInfo` plus the test action's progress). */
export interface HealthState {
  readonly name: InvokerHealthStateName;
  /** Outcomes, oldest first, at most `bufferSize`. */
  readonly buffer: readonly boolean[];
  readonly memory: MemoryInfo;
  readonly lastPublished?: InvokerResourceMessage;
  readonly testAction?: HealthTestAction;
  readonly preparing: boolean;
  /** The run number of the live test proxy. */
  readonly testRun?: number;
  readonly nextRun: number;
}

/** Offline, empty buffer, all of `userMemoryMb` free. */
export function initialHealthState(userMemoryMb: number): HealthState {
  return {
    name: "Offline",
    buffer: [],
    memory: { type: "MemoryInfo", freeMemory: userMemoryMb, busyMemory: 0, inProgressMemory: 0 },
    preparing: false,
    nextRun: 1,
  };
}

type Effects = (HealthEffect | FsmEffect<HealthInput>)[];
type HealthStep = Step<HealthState, HealthInput, HealthEffect>;

/** The value published for `state`. */
export function resourceOf(state: HealthState, config: HealthConfig): InvokerResourceMessage {
  return {
    status: STATUS_OF_STATE[state.name],
    freeMemory: state.memory.freeMemory,
    busyMemory: state.memory.busyMemory,
    inProgressMemory: state.memory.inProgressMemory,
    tags: config.tags,
    dedicatedNamespaces: config.dedicatedNamespaces,
  };
}

/** Appends a `Publish` when the value differs from the last one published. */
function published(state: HealthState, config: HealthConfig, effects: Effects = []): HealthStep {
  const value = resourceOf(state, config);
  if (state.lastPublished && sameInvokerResource(state.lastPublished, value)) {
    return { next: state, effects };
  }
  return {
    next: { ...state, lastPublished: value },
    effects: [...effects, { type: "Publish", value }],
  };
}

function startTest(state: HealthState): { state: HealthState; effects: Effects } {
  if (!state.testAction) {
    return { state: { ...state, preparing: true }, effects: [{ type: "PrepareTestAction" }] };
  }
  const run = state.nextRun;
  return {
    state: { ...state, testRun: run, nextRun: run + 1 },
    effects: [{ type: "StartTestAction", run, testAction: state.testAction }],
  };
}

function stopTest(state: HealthState): { state: HealthState; effects: Effects } {
  if (state.testRun === undefined) return { state, effects: [] };
  const { testRun, ...rest } = state;
  return { state: rest, effects: [{ type: "StopTestAction", run: testRun }] };
}

/** Moves to `name`, with upstream's on-transition actions, then publishes. */
function goTo(state: HealthState, name: InvokerHealthStateName, config: HealthConfig): HealthStep {
  if (name === state.name) return { next: state, effects: [] };
  const moved = { ...state, name };
  const side = name === "Unhealthy" && state.name === "Healthy"
    ? startTest(moved)
    : name === "Unhealthy"
    ? { state: moved, effects: [] }
    : stopTest(name === "Offline" ? { ...moved, preparing: false } : moved);
  const cancel: Effects = name === "Offline" ? [{ type: "cancelTimer", key: "prepare-retry" }] : [];
  return published(side.state, config, [...cancel, ...side.effects]);
}

function healthSample(state: HealthState, ok: boolean, config: HealthConfig): HealthStep {
  const buffer = [...state.buffer, ok].slice(-config.bufferSize);
  const failures = buffer.filter((b) => !b).length;
  return goTo(
    { ...state, buffer },
    failures < config.failureTolerance ? "Healthy" : "Unhealthy",
    config,
  );
}

function snapshot(state: HealthState): InvokerHealthSnapshot {
  return {
    type: "InvokerHealthSnapshot",
    state: state.name,
    status: STATUS_OF_STATE[state.name],
    enabled: state.name !== "Offline",
    memory: state.memory,
  };
}

/** Builds the transition for `config`. */
export function healthTransition(config: HealthConfig) {
  return (state: HealthState, msg: HealthInput, _now: number): HealthStep => {
    switch (msg.type) {
      case "Enable": {
        if (state.name !== "Offline") return { next: state, effects: [] };
        const step = goTo({ ...state, buffer: [], preparing: true }, "Unhealthy", config);
        return { next: step.next, effects: [{ type: "PrepareTestAction" }, ...step.effects] };
      }
      case "GracefulShutdown":
        return goTo(state, "Offline", config);
      case "HealthMessage":
        return state.name === "Offline"
          ? { next: state, effects: [] }
          : healthSample(state, msg.ok, config);
      case "FailureMessage":
        return state.name === "Healthy"
          ? goTo(state, "Unhealthy", config)
          : { next: state, effects: [] };
      case "MemoryInfo":
        return published({ ...state, memory: msg }, config);
      case "GetInvokerHealth":
        return { next: state, effects: [{ type: "send", to: msg.replyTo, msg: snapshot(state) }] };
      case "TestActionPrepared":
        return prepared(state, msg.testAction);
      case "TestActionPreparationFailed":
        return state.name === "Unhealthy" && state.preparing
          ? {
            next: state,
            effects: [{
              type: "startTimer",
              key: "prepare-retry",
              msg: { type: "RetryPreparation" },
              ms: config.prepareRetryMs,
            }],
          }
          : { next: { ...state, preparing: false }, effects: [] };
      case "RetryPreparation":
        return state.name === "Unhealthy" && state.preparing
          ? { next: state, effects: [{ type: "PrepareTestAction" }] }
          : { next: state, effects: [] };
      case "TestProxyEvent":
        return testProxyEvent(state, msg);
    }
  };
}

function prepared(state: HealthState, testAction: HealthTestAction): HealthStep {
  const next = { ...state, testAction, preparing: false };
  if (state.name !== "Unhealthy" || !state.preparing || state.testRun !== undefined) {
    return { next, effects: [] };
  }
  const started = startTest(next);
  return { next: started.state, effects: started.effects };
}

function testProxyEvent(state: HealthState, msg: TestProxyEvent): HealthStep {
  const current = msg.run === state.testRun;
  if (msg.event.type !== "ContainerRemoved") return { next: state, effects: [] };
  if (!current) return { next: state, effects: [] };
  const { testRun: _gone, ...rest } = state;
  if (state.name !== "Unhealthy") return { next: rest, effects: [] };
  // The test proxy died while the invoker is unhealthy: start a new one.
  const started = startTest(rest);
  return { next: started.state, effects: started.effects };
}
