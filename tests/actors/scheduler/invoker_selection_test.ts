/**
 * Tests of invoker selection: health filtering, memory deduction across a batch (the
 * upstream over-placement of reference §9.3 must not happen), tag policies, dedicated
 * namespaces, the blackbox partition and the no-invoker errors (reference §4.7, §8.5).
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  deductMemory,
  MIN_MEMORY_MB,
  partitionSizes,
  selectInvokers,
} from "../../../actors/scheduler/invoker_selection.ts";
import type {
  CreationRequest,
  InvokerCandidate,
  InvokerSelectionConfig,
  SelectionResult,
} from "../../../protocols/container_manager.ts";

/** A random source that returns `values` in turn, cycling. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

function config(random: () => number = () => 0): InvokerSelectionConfig {
  return { managedFraction: 0.9, blackboxFraction: 0.1, minMemoryMb: MIN_MEMORY_MB, random };
}

function invoker(id: number, overrides: Partial<InvokerCandidate> = {}): InvokerCandidate {
  return { id, status: "up", freeMemoryMb: 512, tags: [], dedicatedNamespaces: [], ...overrides };
}

function request(creationId: string, overrides: Partial<CreationRequest> = {}): CreationRequest {
  return {
    creationId,
    invocationNamespace: "guest",
    action: "guest/hello",
    memoryMb: 256,
    isBlackbox: false,
    resourceTags: [],
    strictTags: true,
    ...overrides,
  };
}

function requests(n: number, overrides: Partial<CreationRequest> = {}): CreationRequest[] {
  return Array.from({ length: n }, (_, i) => request(`c${i}`, overrides));
}

/** `creationId → invokerId` for placements and `creationId → error` for failures. */
function outcome(result: SelectionResult): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const p of result.placed) out[p.request.creationId] = p.invokerId;
  for (const f of result.failed) out[f.request.creationId] = f.error;
  return out;
}

// ---------------------------------------------------------------------------
// Health and availability
// ---------------------------------------------------------------------------

Deno.test("selectInvokers() uses only invokers whose status is up", () => {
  const candidates = [
    invoker(0, { status: "unhealthy" }),
    invoker(1, { status: "down" }),
    invoker(2, { status: "unresponsive" }),
    invoker(3, { freeMemoryMb: 2048 }),
  ];
  for (const r of [0, 0.3, 0.6, 0.99]) {
    const result = selectInvokers(requests(4), candidates, config(() => r));
    assert.deepEqual(result.placed.map((p) => p.invokerId), [3, 3, 3, 3]);
    assert.deepEqual(result.failed, []);
  }
});

Deno.test("selectInvokers() fails every request with NoAvailableInvokersError when no invoker is up", () => {
  const candidates = [invoker(0, { status: "down" }), invoker(1, { status: "unhealthy" })];
  assert.deepEqual(outcome(selectInvokers(requests(2), candidates, config())), {
    c0: "NoAvailableInvokersError",
    c1: "NoAvailableInvokersError",
  });
});

Deno.test("selectInvokers() fails every request with NoAvailableInvokersError when there is no invoker", () => {
  const result = selectInvokers(requests(3), [], config());
  assert.deepEqual(result.placed, []);
  assert.deepEqual(result.failed.map((f) => f.error), Array(3).fill("NoAvailableInvokersError"));
});

Deno.test("selectInvokers() assigns every message to a known invoker over 3 invokers or 1", () => {
  const three = [invoker(0), invoker(1), invoker(2)];
  const overThree = selectInvokers(requests(3, { memoryMb: 512 }), three, config(Math.random));
  assert.equal(overThree.placed.length, 3);
  // Each invoker holds exactly one 512 MB container, whatever the random picks.
  assert.deepEqual(overThree.placed.map((p) => p.invokerId).sort(), [0, 1, 2]);

  const one = [invoker(0, { freeMemoryMb: 1024 })];
  const overOne = selectInvokers(requests(3, { memoryMb: 128 }), one, config(Math.random));
  assert.deepEqual(overOne.placed.map((p) => p.invokerId), [0, 0, 0]);
});

Deno.test("selectInvokers() returns placements and failures in request order", () => {
  const result = selectInvokers(requests(4), [invoker(0)], config());
  assert.deepEqual(result.placed.map((p) => p.request.creationId), ["c0", "c1"]);
  assert.deepEqual(result.failed.map((f) => f.request.creationId), ["c2", "c3"]);
});

// ---------------------------------------------------------------------------
// Memory across a batch (reference §9.3: upstream deducted from the original list)
// ---------------------------------------------------------------------------

Deno.test("selectInvokers() deducts memory across a batch and never over-commits one invoker", () => {
  // Upstream placed all four 256 MB containers on this 512 MB invoker.
  const result = selectInvokers(requests(4), [invoker(7)], config());
  assert.deepEqual(outcome(result), {
    c0: 7,
    c1: 7,
    c2: "NoAvailableInvokersError",
    c3: "NoAvailableInvokersError",
  });
  assert.deepEqual(result.remaining, []);
});

Deno.test("selectInvokers() spreads a batch by remaining memory whatever the random picks", () => {
  const candidates = [invoker(0), invoker(1), invoker(2)];
  for (const random of [() => 0, () => 0.999, sequence(0.5, 0.1, 0.9)]) {
    const result = selectInvokers(requests(6), candidates, config(random));
    const perInvoker = new Map<number, number>();
    for (const p of result.placed) {
      perInvoker.set(p.invokerId, (perInvoker.get(p.invokerId) ?? 0) + 1);
    }
    assert.deepEqual([...perInvoker.entries()].sort(), [[0, 2], [1, 2], [2, 2]]);
    assert.deepEqual(result.failed, []);
  }
});

Deno.test("selectInvokers() keeps an invoker while at least minMemoryMb remains and reports it in remaining", () => {
  const result = selectInvokers(
    requests(2),
    [invoker(0, { freeMemoryMb: 1024, busyMemoryMb: 0 })],
    config(),
  );
  assert.deepEqual(result.placed.map((p) => p.invokerId), [0, 0]);
  assert.deepEqual(result.remaining, [invoker(0, { freeMemoryMb: 512, busyMemoryMb: 512 })]);
});

Deno.test("selectInvokers() never chooses a candidate without enough memory", () => {
  const candidates = [
    invoker(0, { freeMemoryMb: 200 }),
    invoker(1),
    invoker(2, { freeMemoryMb: 255 }),
  ];
  for (const r of [0, 0.4, 0.99]) {
    const result = selectInvokers([request("c0")], candidates, config(() => r));
    assert.deepEqual(outcome(result), { c0: 1 });
  }
});

Deno.test("selectInvokers() fails with NoAvailableResourceInvokersError when invokers exist but lack memory", () => {
  const result = selectInvokers(
    [request("c0", { memoryMb: 1024 })],
    [invoker(0), invoker(1)],
    config(),
  );
  assert.deepEqual(outcome(result), { c0: "NoAvailableResourceInvokersError" });
});

Deno.test("selectInvokers() never places more memory on an invoker than it had free (property)", () => {
  const candidate = fc.record({
    id: fc.integer({ min: 0, max: 12 }),
    status: fc.constantFrom<InvokerCandidate["status"]>(
      "up",
      "up",
      "up",
      "down",
      "unhealthy",
      "unresponsive",
    ),
    freeMemoryMb: fc.integer({ min: 0, max: 4096 }),
    tags: fc.subarray(["cpu", "gpu", "disk"]),
    dedicatedNamespaces: fc.subarray(["ns-a", "ns-b"]),
  });
  const req = fc.record({
    creationId: fc.uuid(),
    invocationNamespace: fc.constantFrom("ns-a", "ns-b", "ns-c"),
    action: fc.constant("ns/action"),
    memoryMb: fc.integer({ min: 128, max: 2048 }),
    isBlackbox: fc.boolean(),
    resourceTags: fc.subarray(["cpu", "gpu", "disk"], { maxLength: 2 }),
    strictTags: fc.boolean(),
  });
  const randoms = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
    minLength: 1,
    maxLength: 10,
  });
  fc.assert(
    fc.property(
      fc.uniqueArray(candidate, { selector: (c) => c.id, maxLength: 8 }),
      fc.array(req, { maxLength: 12 }),
      randoms,
      (candidates, reqs, rs) => {
        const result = selectInvokers(reqs, candidates, config(sequence(...rs)));
        assert.equal(result.placed.length + result.failed.length, reqs.length);
        const used = new Map<number, number>();
        for (const { request: r, invokerId } of result.placed) {
          const c = candidates.find((x) => x.id === invokerId)!;
          assert.equal(c.status, "up");
          assert.ok(
            c.dedicatedNamespaces.length === 0 ||
              c.dedicatedNamespaces.includes(r.invocationNamespace),
          );
          if (r.strictTags) assert.ok(r.resourceTags.every((t) => c.tags.includes(t)));
          used.set(invokerId, (used.get(invokerId) ?? 0) + r.memoryMb);
        }
        for (const [id, mb] of used) {
          assert.ok(
            mb <= candidates.find((x) => x.id === id)!.freeMemoryMb,
            `invoker ${id} over-committed`,
          );
        }
      },
    ),
    { numRuns: 500 },
  );
});

// ---------------------------------------------------------------------------
// Tags and policies (reference §8.5 #60)
// ---------------------------------------------------------------------------

Deno.test("selectInvokers() picks the invoker whose tags are a superset of the required ones", () => {
  const candidates = [
    invoker(0, { tags: ["cpu", "memory"] }),
    invoker(1, { tags: ["memory", "disk"] }),
    invoker(2, { tags: ["disk", "cpu"] }),
    invoker(3),
  ];
  const batch = [
    request("c1", { resourceTags: ["cpu", "memory"] }),
    request("c2", { resourceTags: ["memory", "disk"] }),
    request("c3", { resourceTags: ["disk", "cpu"] }),
    request("c4"),
    request("c5", { resourceTags: ["fake"], strictTags: true }),
  ];
  for (const r of [0, 0.5, 0.99]) {
    assert.deepEqual(outcome(selectInvokers(batch, candidates, config(() => r))), {
      c1: 0,
      c2: 1,
      c3: 2,
      c4: 3,
      c5: "NoAvailableResourceInvokersError",
    });
  }
});

Deno.test("selectInvokers() chooses at random among every invoker holding the required tags", () => {
  const candidates = [
    invoker(0, { tags: ["cpu", "memory"] }),
    invoker(1),
    invoker(2, { tags: ["cpu"] }),
  ];
  const pick = (r: number) =>
    selectInvokers([request("c", { resourceTags: ["cpu"] })], candidates, config(() => r))
      .placed[0]!
      .invokerId;
  assert.equal(pick(0), 0);
  assert.equal(pick(0.99), 2);
});

Deno.test("selectInvokers() with a strict policy and no matching invoker fails with NoAvailableResourceInvokersError", () => {
  const candidates = [
    invoker(0, { freeMemoryMb: 256 }),
    invoker(1, { freeMemoryMb: 256, tags: ["cpu", "memory"] }),
  ];
  const result = selectInvokers(
    [request("c1", { resourceTags: ["non-exist"] })],
    candidates,
    config(),
  );
  assert.deepEqual(outcome(result), { c1: "NoAvailableResourceInvokersError" });
});

Deno.test("selectInvokers() with a non-strict policy and no match prefers untagged invokers", () => {
  const candidates = [
    invoker(0, { freeMemoryMb: 256 }),
    invoker(1, { freeMemoryMb: 256, tags: ["cpu", "memory"] }),
  ];
  for (const r of [0, 0.99]) {
    const result = selectInvokers(
      [request("c2", { resourceTags: ["non-exist"], strictTags: false })],
      candidates,
      config(() => r),
    );
    assert.deepEqual(outcome(result), { c2: 0 });
  }
});

Deno.test("selectInvokers() with a non-strict policy falls back to other tagged invokers, then fails", () => {
  const candidates = [invoker(1, { freeMemoryMb: 256, tags: ["cpu", "memory"] })];
  const batch = requests(2, { resourceTags: ["non-exist"], strictTags: false });
  assert.deepEqual(outcome(selectInvokers(batch, candidates, config())), {
    c0: 1,
    c1: "NoAvailableInvokersError",
  });
});

Deno.test("selectInvokers() with a non-strict policy skips untagged invokers that lack memory", () => {
  const candidates = [invoker(0, { freeMemoryMb: 128 }), invoker(1, { tags: ["gpu"] })];
  const result = selectInvokers(
    [request("c", { resourceTags: ["cpu"], strictTags: false })],
    candidates,
    config(),
  );
  assert.deepEqual(outcome(result), { c: 1 });
});

Deno.test("selectInvokers() lets an untagged action use a tagged invoker when no untagged one exists", () => {
  const candidates = [invoker(0, { freeMemoryMb: 256, tags: ["cpu", "memory"] })];
  assert.deepEqual(outcome(selectInvokers(requests(2), candidates, config())), {
    c0: 0,
    c1: "NoAvailableInvokersError",
  });
});

// ---------------------------------------------------------------------------
// Dedicated namespaces (reference §8.5 #67)
// ---------------------------------------------------------------------------

Deno.test("selectInvokers() never places another namespace on a dedicated invoker", () => {
  const candidates = [invoker(0, { dedicatedNamespaces: ["ns-a"] }), invoker(1)];
  for (const r of [0, 0.5, 0.99]) {
    const result = selectInvokers(
      [request("b", { invocationNamespace: "ns-b" })],
      candidates,
      config(() => r),
    );
    assert.deepEqual(outcome(result), { b: 1 });
  }
});

Deno.test("selectInvokers() places a namespace on the invokers dedicated to it", () => {
  const candidates = [invoker(0, { dedicatedNamespaces: ["ns-a", "ns-z"] }), invoker(1)];
  const result = selectInvokers(
    [request("a", { invocationNamespace: "ns-a" })],
    candidates,
    config(() => 0),
  );
  assert.deepEqual(outcome(result), { a: 0 });
});

Deno.test("selectInvokers() fails with NoAvailableInvokersError when only other namespaces' invokers exist", () => {
  const candidates = [invoker(0, { dedicatedNamespaces: ["ns-a"] })];
  const result = selectInvokers(
    [request("b", { invocationNamespace: "ns-b" })],
    candidates,
    config(),
  );
  assert.deepEqual(outcome(result), { b: "NoAvailableInvokersError" });
});

// ---------------------------------------------------------------------------
// Managed and blackbox partitions (reference §8.5 #62, #64)
// ---------------------------------------------------------------------------

Deno.test("selectInvokers() sends blackbox actions to the blackbox partition and others to the managed one", () => {
  const candidates = Array.from({ length: 10 }, (_, i) => invoker(i, { freeMemoryMb: 4096 }));
  for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
    const bb = selectInvokers([request("bb", { isBlackbox: true })], candidates, config(() => r));
    assert.deepEqual(outcome(bb), { bb: 9 });
    const managed = selectInvokers([request("m")], candidates, config(() => r));
    assert.ok(
      managed.placed[0]!.invokerId <= 8,
      `managed action placed on ${managed.placed[0]!.invokerId}`,
    );
  }
});

Deno.test("selectInvokers() partitions by numeric invoker id, not by etcd key order", () => {
  // etcd lists keys as 0, 1, 10, 11, 2, …; the last invoker by number is 11.
  const ids = [0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9];
  const candidates = ids.map((i) => invoker(i));
  const result = selectInvokers(
    [request("bb", { isBlackbox: true })],
    candidates,
    config(() => 0.5),
  );
  assert.deepEqual(outcome(result), { bb: 11 });
});

Deno.test("selectInvokers() computes partitions from untagged invokers only", () => {
  const candidates = [invoker(0), invoker(1), invoker(2, { tags: ["gpu"] })];
  // Untagged n = 2: blackbox = the last untagged invoker (1), never the tagged one.
  const result = selectInvokers(
    [request("bb", { isBlackbox: true })],
    candidates,
    config(() => 0.99),
  );
  assert.deepEqual(outcome(result), { bb: 1 });
});

Deno.test("selectInvokers() keeps partitions fixed while the batch fills invokers", () => {
  const candidates = Array.from({ length: 10 }, (_, i) => invoker(i));
  const batch = requests(3, { isBlackbox: true });
  // Invoker 9 takes two 256 MB containers and is full; the blackbox partition does not
  // move to invoker 8, so the third request finds no blackbox invoker.
  assert.deepEqual(outcome(selectInvokers(batch, candidates, config())), {
    c0: 9,
    c1: 9,
    c2: "NoAvailableInvokersError",
  });
});

Deno.test("partitionSizes() overlaps managed and blackbox only for small n", () => {
  // [blackbox fraction, managed fraction, n below which the pools overlap by one]
  const cases = [[0.1, 0.9, 10], [0.2, 0.8, 5], [0.3, 0.7, 4], [0.4, 0.6, 3], [0.5, 0.5, 2]];
  for (const [bf, mf, smallBelow] of cases as [number, number, number][]) {
    for (let n = 1; n <= 100; n++) {
      const { managed, blackbox } = partitionSizes(n, mf, bf);
      assert.ok(managed <= n);
      assert.equal(blackbox, Math.max(1, Math.trunc(bf * n)));
      assert.equal(managed + blackbox, n < smallBelow ? n + 1 : n, `bf ${bf}, n ${n}`);
    }
  }
});

Deno.test("partitionSizes() gives identical pools when both fractions are 1.0", () => {
  assert.deepEqual(partitionSizes(100, 1, 1), { managed: 100, blackbox: 100 });
});

Deno.test("partitionSizes() clamps the fractions so that blackbox ≥ 1 − managed", () => {
  assert.deepEqual(partitionSizes(10, 1.5, -1), { managed: 10, blackbox: 1 });
  assert.deepEqual(partitionSizes(10, 0.5, 0.1), { managed: 5, blackbox: 5 });
  assert.deepEqual(partitionSizes(0, 0.9, 0.1), { managed: 1, blackbox: 1 });
});

Deno.test("selectInvokers() keeps the random index below the candidate count for any random value", () => {
  const candidates = [invoker(0), invoker(1), invoker(2)];
  for (const r of [0, 0.9999999999, 1, 7, -0.5, Number.NaN]) {
    const placed = selectInvokers([request("c")], candidates, config(() => r)).placed;
    assert.equal(placed.length, 1);
    assert.ok([0, 1, 2].includes(placed[0]!.invokerId));
  }
});

// ---------------------------------------------------------------------------
// deductMemory (upstream updateInvokerMemory)
// ---------------------------------------------------------------------------

Deno.test("deductMemory() deducts from the chosen invoker only", () => {
  const out = deductMemory([invoker(0), invoker(1, { busyMemoryMb: 100 })], 1, 256, 128);
  assert.deepEqual(out, [invoker(0), invoker(1, { freeMemoryMb: 256, busyMemoryMb: 356 })]);
});

Deno.test("deductMemory() drops an invoker left below the minimum memory", () => {
  assert.deepEqual(deductMemory([invoker(0, { freeMemoryMb: 383 })], 0, 256, 128), []);
  assert.deepEqual(deductMemory([invoker(0, { freeMemoryMb: 384 })], 0, 256, 128), [
    invoker(0, { freeMemoryMb: 128 }),
  ]);
});

Deno.test("deductMemory() leaves the list unchanged for an unknown invoker", () => {
  const list = [invoker(0)];
  assert.deepEqual(deductMemory(list, 5, 256, 128), list);
});
