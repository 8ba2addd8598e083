/**
 * Tests of the CreationJobManager's retry rules (reference §2.3 step 12, §8.5 #68) and
 * of the container-creation error names they read (reference §6.4, §9.1), which live
 * in `protocols/container_manager.ts`.
 */

import assert from "node:assert/strict";
import {
  creationJobTimeoutMs,
  creationRetry,
  type CreationRetryDecision,
  creationTimeoutReason,
  DEFAULT_CREATION_RETRY_POLICY,
} from "../../../actors/scheduler/creation_retry.ts";
import {
  CONTAINER_CREATION_ERRORS,
  type ContainerCreationError,
  creationErrorMessage,
  isWhiskError,
  parseCreationError,
} from "../../../protocols/container_manager.ts";

// ---------------------------------------------------------------------------
// Backoff table
// ---------------------------------------------------------------------------

const BACKOFF: readonly [retryCount: number, expected: CreationRetryDecision][] = [
  [0, { type: "retry", delayMs: 100, retryCount: 1 }],
  [1, { type: "retry", delayMs: 200, retryCount: 2 }],
  [2, { type: "retry", delayMs: 400, retryCount: 3 }],
  [3, { type: "retry", delayMs: 800, retryCount: 4 }],
  [4, { type: "retry", delayMs: 1600, retryCount: 5 }],
  [5, { type: "fail", reason: "retryLimitReached" }],
  [6, { type: "fail", reason: "retryLimitReached" }],
];

for (const [retryCount, expected] of BACKOFF) {
  Deno.test(`creationRetry() after attempt ${retryCount} of a whisk error → ${expected.type}`, () => {
    assert.deepEqual(creationRetry(retryCount, "ResourceNotEnoughError"), expected);
  });
}

Deno.test("creationRetry() waits 3.1 s in total over the five retries", () => {
  let total = 0;
  let count = 0;
  for (;;) {
    const d = creationRetry(count, "NoAvailableInvokersError");
    if (d.type === "fail") break;
    total += d.delayMs;
    count = d.retryCount;
  }
  assert.equal(count, DEFAULT_CREATION_RETRY_POLICY.retryLimit);
  assert.equal(total, 3100);
});

Deno.test("creationRetry() retries every whisk error and fails every other error at once", () => {
  for (const error of CONTAINER_CREATION_ERRORS) {
    const decision = creationRetry(0, error);
    if (isWhiskError(error)) {
      assert.deepEqual(decision, { type: "retry", delayMs: 100, retryCount: 1 }, error);
    } else {
      assert.deepEqual(decision, { type: "fail", reason: "notRetryable" }, error);
    }
  }
});

Deno.test("creationRetry() reports a non-whisk error as notRetryable even past the limit", () => {
  assert.deepEqual(creationRetry(9, "BlackBoxError"), { type: "fail", reason: "notRetryable" });
});

Deno.test("creationRetry() follows a custom policy", () => {
  const policy = { retryLimit: 2, baseDelayMs: 10 };
  assert.deepEqual(creationRetry(1, "TimeoutError", policy), {
    type: "retry",
    delayMs: 20,
    retryCount: 2,
  });
  assert.deepEqual(creationRetry(2, "TimeoutError", policy), {
    type: "fail",
    reason: "retryLimitReached",
  });
});

Deno.test("creationRetry() throws RangeError on a negative or fractional retry count", () => {
  assert.throws(() => creationRetry(-1, "WhiskError"), RangeError);
  assert.throws(() => creationRetry(0.5, "WhiskError"), /non-negative integer/);
});

// ---------------------------------------------------------------------------
// Job timeout
// ---------------------------------------------------------------------------

const TIMEOUTS = { inProgressJobRetentionMs: 20_000, blackboxMultiple: 15 };

Deno.test("creationJobTimeoutMs() is 20 s for managed actions and 300 s for blackbox ones", () => {
  assert.equal(creationJobTimeoutMs(false, TIMEOUTS), 20_000);
  assert.equal(creationJobTimeoutMs(true, TIMEOUTS), 300_000);
});

Deno.test("creationTimeoutReason() names the action, the creation id and the timeout", () => {
  assert.equal(
    creationTimeoutReason("guest/hello", "cid1", 20_000),
    "[guest/hello] timeout waiting for the ack of cid1 after 20000 ms",
  );
});

// ---------------------------------------------------------------------------
// Error names (reference §6.4 and §9.1)
// ---------------------------------------------------------------------------

Deno.test("parseCreationError() parses every error name back to itself", () => {
  assert.equal(CONTAINER_CREATION_ERRORS.length, 13);
  for (const name of CONTAINER_CREATION_ERRORS) {
    assert.equal(parseCreationError(name), name);
    assert.equal(parseCreationError(JSON.parse(JSON.stringify(name))), name);
  }
});

Deno.test("parseCreationError() reads the two names upstream could not parse", () => {
  assert.equal(parseCreationError("NonExecutableActionError"), "NonExecutableActionError");
  assert.equal(parseCreationError("ShuttingDownError"), "ShuttingDownError");
});

Deno.test("parseCreationError() ignores case, as upstream's parser does", () => {
  assert.equal(parseCreationError("NOAVAILABLEINVOKERSERROR"), "NoAvailableInvokersError");
  assert.equal(parseCreationError("zeronamespacelimit"), "ZeroNamespaceLimit");
});

Deno.test("parseCreationError() throws TypeError on an unknown name or a non-string", () => {
  assert.throws(() => parseCreationError("NONEXECUTBLEACTIONERROR"), {
    name: "TypeError",
    message: 'Cannot parse container creation error: unknown name "NONEXECUTBLEACTIONERROR"',
  });
  assert.throws(() => parseCreationError(""), TypeError);
  assert.throws(() => parseCreationError(42), /expected a string, got number/);
  assert.throws(() => parseCreationError(undefined), TypeError);
});

Deno.test("isWhiskError() matches reference §6.4", () => {
  const whisk: ContainerCreationError[] = [
    "NoAvailableInvokersError",
    "NoAvailableResourceInvokersError",
    "ResourceNotEnoughError",
    "WhiskError",
    "UnknownError",
    "TimeoutError",
    "ShuttingDownError",
    "ZeroNamespaceLimit",
  ];
  assert.deepEqual(CONTAINER_CREATION_ERRORS.filter(isWhiskError), whisk);
});

Deno.test("creationErrorMessage() gives upstream's default message", () => {
  assert.equal(creationErrorMessage("NoAvailableInvokersError"), "no available invoker is found");
  assert.equal(creationErrorMessage("ZeroNamespaceLimit"), "the namespace has 0 limit configured");
  for (const name of CONTAINER_CREATION_ERRORS) assert.ok(creationErrorMessage(name).length > 0);
});

Deno.test("ContainerCreationError rejects a misspelled name at compile time", () => {
  // @ts-expect-error upstream's misspelling is not a name
  const misspelled: ContainerCreationError = "NonExecutbleActionError";
  // @ts-expect-error a retry decision needs a delay
  const noDelay: CreationRetryDecision = { type: "retry", retryCount: 1 };
  assert.ok(misspelled && noDelay);
});
