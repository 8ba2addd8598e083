import assert from "node:assert/strict";
import {
  actionThrottlingKey,
  containerIdOf,
  creationIdOf,
  existingContainerActionPrefix,
  existingContainerKey,
  existingContainerNamespacePrefix,
  existingContainerRevisionPrefix,
  fqn,
  inProgressContainerKey,
  inProgressNamespacePrefix,
  inProgressQueueKey,
  inProgressRevisionPrefix,
  instanceLeaseKey,
  invokerIdOf,
  invokerInstance,
  invokerKey,
  invokersPrefix,
  namespaceThrottlingKey,
  parseExistingContainerKey,
  parseInProgressContainerKey,
  parseInvokerKey,
  parseWarmedContainerKey,
  queueFollowerKey,
  queueLeaderKey,
  queuePrefix,
  schedulerInstance,
  schedulerKey,
  schedulerPrefix,
  throttlingPrefix,
  warmedContainerActionPrefix,
  warmedContainerKey,
  warmedContainerRevisionPrefix,
  warmedPrefix,
} from "../../protocols/mod.ts";

const hello = fqn("guest", "hello", "0.0.1"); // the version never reaches a key
const pkgHello = fqn("guest/pkg", "hello");

Deno.test("etcd key builders produce the reference's keys (§3)", () => {
  const table: Array<[string, string]> = [
    [schedulerPrefix(), "whisk/scheduler/"],
    [schedulerKey(schedulerInstance(0)), "whisk/scheduler/0"],
    [schedulerKey("1"), "whisk/scheduler/1"],
    [queuePrefix(), "whisk/queue/"],
    [queueLeaderKey("guest", hello), "whisk/queue/guest/guest/hello/leader"],
    [queueLeaderKey("guest", "/guest/pkg/hello"), "whisk/queue/guest/guest/pkg/hello/leader"],
    [queueFollowerKey("guest", hello, 0), "whisk/queue/guest/guest/hello/follower/0"],
    [throttlingPrefix(), "whisk/throttling/"],
    [namespaceThrottlingKey("guest"), "whisk/throttling/guest"],
    [actionThrottlingKey("guest", hello), "whisk/throttling/guest/guest/hello"],
    [inProgressNamespacePrefix("guest"), "whisk/in-progress/guest/"],
    [
      inProgressRevisionPrefix("guest", hello, "1-abc"),
      "whisk/in-progress/guest/guest/hello/1-abc/",
    ],
    [
      inProgressContainerKey({
        invocationNamespace: "guest",
        action: hello,
        revision: "1-abc",
        sid: schedulerInstance(0),
        creationId: "c0ffee",
      }),
      "whisk/in-progress/guest/guest/hello/1-abc/scheduler/0/creationId/c0ffee",
    ],
    [existingContainerNamespacePrefix("guest"), "whisk/namespace/guest/"],
    [existingContainerActionPrefix("guest", hello), "whisk/namespace/guest/guest/hello/"],
    [
      existingContainerRevisionPrefix("guest", hello, "1-abc"),
      "whisk/namespace/guest/guest/hello/1-abc/",
    ],
    [
      existingContainerKey({
        invocationNamespace: "guest",
        action: hello,
        revision: "1-abc",
        invoker: 0,
        containerId: "c1",
      }),
      "whisk/namespace/guest/guest/hello/1-abc/invoker0/container/c1",
    ],
    [warmedPrefix(), "whisk/warmed/"],
    [warmedContainerActionPrefix("guest", hello), "whisk/warmed/guest/guest/hello/"],
    [
      warmedContainerRevisionPrefix("guest", hello, "1-abc"),
      "whisk/warmed/guest/guest/hello/1-abc/",
    ],
    [
      warmedContainerKey({
        invocationNamespace: "guest",
        action: hello,
        revision: "1-abc",
        invoker: 0,
        containerId: "c1",
      }),
      "whisk/warmed/guest/guest/hello/1-abc/invoker/0/container/c1",
    ],
    [invokersPrefix(), "whisk/invokers/"],
    [invokerKey(0), "whisk/invokers/0"],
    [invokerKey({ instance: 2, uniqueName: "u", displayedName: "d" }), "whisk/invokers/2/u/d"],
    [instanceLeaseKey(schedulerInstance(0)), "whisk/instance/scheduler0/lease"],
    [instanceLeaseKey(invokerInstance(0)), "whisk/instance/invoker0/lease"],
    [
      instanceLeaseKey({ ...invokerInstance(0), uniqueName: "u", displayedName: "d" }),
      "whisk/instance/invoker0/u/d/lease",
    ],
    [inProgressQueueKey("guest", hello), "whisk/in-progress/queue/guest/guest/hello"],
    [queueLeaderKey("guest", hello, "prod"), "prod/queue/guest/guest/hello/leader"],
  ];
  for (const [actual, expected] of table) assert.equal(actual, expected);
});

Deno.test("parseInProgressContainerKey() inverts inProgressContainerKey()", () => {
  const parts = {
    invocationNamespace: "guest",
    action: pkgHello,
    revision: "3-x",
    sid: "1",
    creationId: "abc",
  };
  assert.deepEqual(parseInProgressContainerKey(inProgressContainerKey(parts)), parts);
  assert.equal(
    creationIdOf("whisk/in-progress/guest/guest/hello/1-abc/scheduler/0/creationId/c0ffee"),
    "c0ffee",
  );
  assert.equal(
    parseInProgressContainerKey("whisk/in-progress/guest/guest/hello/1-abc/x/0/creationId/c"),
    undefined,
  );
});

Deno.test("parseExistingContainerKey() and parseWarmedContainerKey() invert their builders", () => {
  for (const action of [hello, pkgHello]) {
    const parts = {
      invocationNamespace: "other",
      action: fqn(action.path, action.name),
      revision: "1-abc",
      invoker: 12,
      containerId: "wsk12_7",
    };
    assert.deepEqual(parseExistingContainerKey(existingContainerKey(parts)), parts);
    assert.deepEqual(parseWarmedContainerKey(warmedContainerKey(parts)), parts);
    assert.equal(parseWarmedContainerKey(existingContainerKey(parts)), undefined);
    assert.equal(parseExistingContainerKey(warmedContainerKey(parts)), undefined);
  }
});

Deno.test("containerIdOf() and invokerIdOf() read keys 6, 7 and 8", () => {
  const k6 = "whisk/namespace/guest/guest/hello/1-abc/invoker0/container/c1";
  const k7 = "whisk/warmed/guest/guest/hello/1-abc/invoker/3/container/c2";
  assert.equal(containerIdOf(k6), "c1");
  assert.equal(containerIdOf(k7), "c2");
  assert.equal(invokerIdOf(k6), 0);
  assert.equal(invokerIdOf(k7), 3);
  assert.equal(invokerIdOf("whisk/invokers/5"), 5);
  assert.equal(invokerIdOf("whisk/invokers/5/u/d"), 5);
  assert.equal(invokerIdOf("whisk/scheduler/0"), undefined);
  assert.equal(
    containerIdOf("whisk/namespace/guest/guest/hello/1-abc/invokerX/container/c1"),
    undefined,
  );
});

Deno.test("parseInvokerKey() inverts invokerKey()", () => {
  assert.deepEqual(parseInvokerKey(invokerKey(4)), { instance: 4 });
  const full = { instance: 2, uniqueName: "u", displayedName: "d" };
  assert.deepEqual(parseInvokerKey(invokerKey(full)), full);
  assert.equal(parseInvokerKey("whisk/invokers/x"), undefined);
  assert.equal(parseInvokerKey("whisk/invokers/1/a/b/c"), undefined);
});
