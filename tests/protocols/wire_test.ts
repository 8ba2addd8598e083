import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeWire,
  encodeWire,
  isWireMessageType,
  WIRE_HEADERS,
  WIRE_MESSAGE_TYPES,
  type WireMessageType,
  wireTransactionId,
} from "../../protocols/mod.ts";
import {
  ACK_FAILURE_JSON,
  ACK_SUCCESS_JSON,
  ACTIVATION_MESSAGE_JSON,
  CACHE_INVALIDATION_JSON,
  COMBINED_JSON,
  COMBINED_SHRUNK_JSON,
  COMPLETION_JSON,
  CREATION_JSON,
  DELETION_JSON,
  RESULT_JSON,
  WIRE_SAMPLES,
} from "./_fixtures.ts";

Deno.test("WIRE_HEADERS names the envelope headers of ARCHITECTURE", () => {
  assert.deepEqual(Object.values(WIRE_HEADERS), [
    "type",
    "to",
    "tid",
    "traceparent",
    "reply-to",
    "correlation-id",
    "forwarded-from",
  ]);
});

Deno.test("encodeWire() then decodeWire() returns every sample message unchanged", () => {
  const seen = new Set<string>();
  for (const msg of WIRE_SAMPLES) {
    const { type, value } = encodeWire(msg);
    assert.equal(type, msg.type);
    assert.deepEqual(decodeWire(type, value), msg);
    assert.deepEqual(decodeWire(type, new TextEncoder().encode(value)), msg);
    seen.add(type);
  }
  assert.deepEqual([...seen].sort(), [...WIRE_MESSAGE_TYPES].sort());
});

Deno.test("encodeWire() writes no type tag into the value", () => {
  for (const msg of WIRE_SAMPLES) {
    assert.equal(Object.hasOwn(JSON.parse(encodeWire(msg).value), "type"), false, msg.type);
  }
});

const UPSTREAM_EXAMPLES: ReadonlyArray<[WireMessageType, string]> = [
  ["ActivationMessage", ACTIVATION_MESSAGE_JSON],
  ["ContainerCreationMessage", CREATION_JSON],
  ["ContainerDeletionMessage", DELETION_JSON],
  ["ContainerCreationAckMessage", ACK_SUCCESS_JSON],
  ["ContainerCreationAckMessage", ACK_FAILURE_JSON],
  ["CombinedCompletionAndResultMessage", COMBINED_JSON],
  ["CombinedCompletionAndResultMessage", COMBINED_SHRUNK_JSON],
  ["CompletionMessage", COMPLETION_JSON],
  ["ResultMessage", RESULT_JSON],
  ["CacheInvalidationMessage", CACHE_INVALIDATION_JSON],
];

Deno.test("decodeWire() decodes upstream-shaped values and they round-trip", () => {
  for (const [type, json] of UPSTREAM_EXAMPLES) {
    const msg = decodeWire(type, json);
    assert.equal(msg.type, type);
    const again = encodeWire(msg);
    assert.deepEqual(decodeWire(again.type, again.value), msg, type);
  }
});

Deno.test("decodeWire() rejects an unknown or missing type header with a TypeError", () => {
  assert.throws(() => decodeWire("Nope", "{}"), {
    name: "TypeError",
    message: 'Cannot decode wire message: unknown "type" header "Nope"',
  });
  assert.throws(() => decodeWire(undefined, "{}"), TypeError);
  assert.equal(isWireMessageType("toString"), false);
});

Deno.test("decodeWire() names the field and the expected kind in its TypeError", () => {
  const bad = JSON.parse(ACTIVATION_MESSAGE_JSON);
  bad.action.path = 7;
  assert.throws(() => decodeWire("ActivationMessage", JSON.stringify(bad)), {
    name: "TypeError",
    message: 'Cannot decode ActivationMessage: "action.path" must be a string, got number',
  });
});

Deno.test("decodeWire() answers bad JSON and bad UTF-8 with a SyntaxError", () => {
  assert.throws(() => decodeWire("CompletionMessage", '{"transid":'), {
    name: "SyntaxError",
    message: /^Cannot decode CompletionMessage: invalid JSON/,
  });
  assert.throws(() => decodeWire("CompletionMessage", new Uint8Array([0xff, 0xfe])), SyntaxError);
});

Deno.test("wireTransactionId() reads the transid, none for cache invalidations", () => {
  const ids = WIRE_SAMPLES.map(wireTransactionId);
  assert.equal(ids[0], "t2");
  assert.equal(wireTransactionId(WIRE_SAMPLES.find((m) => m.type === "DeadLetter")!), undefined);
});

// --- Property: malformed inputs are always rejected with TypeError or SyntaxError ----

type Sample = { readonly type: WireMessageType; readonly value: Record<string, unknown> };
const SAMPLES: Sample[] = WIRE_SAMPLES.map((m) => {
  const e = encodeWire(m);
  return { type: e.type, value: JSON.parse(e.value) };
});

/** Fields every decoder requires, per type (optional and defaulted fields excluded). */
const REQUIRED: Readonly<Record<WireMessageType, readonly string[]>> = {
  ActivationMessage: [
    "transid",
    "action",
    "revision",
    "user",
    "activationId",
    "rootControllerIndex",
    "blocking",
  ],
  CreateQueue: ["invocationNamespace", "fqn", "revision", "whiskActionMetaData"],
  CreateQueueResponse: ["invocationNamespace", "fqn", "success"],
  ContainerCreationMessage: [
    "transid",
    "invocationNamespace",
    "action",
    "revision",
    "whiskActionMetaData",
    "rootSchedulerIndex",
    "schedulerHost",
    "rpcPort",
    "creationId",
  ],
  ContainerDeletionMessage: [
    "transid",
    "invocationNamespace",
    "action",
    "revision",
    "whiskActionMetaData",
  ],
  ContainerCreationAckMessage: [
    "transid",
    "creationId",
    "invocationNamespace",
    "action",
    "revision",
    "actionMetaData",
    "rootInvokerIndex",
    "schedulerHost",
    "rpcPort",
  ],
  CombinedCompletionAndResultMessage: ["transid", "response", "instance"],
  CompletionMessage: ["transid", "activationId", "instance"],
  ResultMessage: ["transid", "response"],
  CacheInvalidationMessage: ["key", "instanceId"],
  DeadLetter: ["reason", "originalTopic", "headers", "valueBase64"],
};

const kind = (v: unknown) => v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
const CANDIDATES: unknown[] = [42, 1.5, -1, true, [], [1, "x"], {}, { a: 1 }, null, "§", ""];

/** A replacement value of another kind than the original that the field cannot accept. */
function wrongValues(field: string, original: unknown): unknown[] {
  return CANDIDATES.filter((c) => {
    if (kind(c) === kind(original)) return false;
    if (field === "revision" && (c === null || typeof c === "string")) return false; // any string or null
    if (field === "response" && typeof c === "string" && c !== "") return false; // an activation id
    return true;
  });
}

type Case = { readonly type: unknown; readonly input: unknown; readonly decoded?: boolean };

const sampleArb = fc.constantFrom(...SAMPLES);
const missingField: fc.Arbitrary<Case> = sampleArb.chain((s) =>
  fc.constantFrom(...REQUIRED[s.type]).map((f) => {
    const value = { ...s.value };
    delete value[f];
    return { type: s.type, input: JSON.stringify(value) };
  })
);
const wrongType: fc.Arbitrary<Case> = sampleArb.chain((s) =>
  fc.constantFrom(...REQUIRED[s.type]).chain((f) =>
    fc.constantFrom(...wrongValues(f, s.value[f])).map((bad) => ({
      type: s.type,
      input: JSON.stringify({ ...s.value, [f]: bad }),
    }))
  )
);
const truncated: fc.Arbitrary<Case> = sampleArb.chain((s) => {
  const bytes = new TextEncoder().encode(JSON.stringify(s.value));
  return fc.nat({ max: bytes.length - 1 }).map((n) => ({ type: s.type, input: bytes.slice(0, n) }));
});
const randomJson: fc.Arbitrary<Case> = fc.record({
  type: fc.constantFrom(...WIRE_MESSAGE_TYPES),
  input: fc.json(),
});
const randomBytes: fc.Arbitrary<Case> = fc.record({
  type: fc.constantFrom(...WIRE_MESSAGE_TYPES),
  input: fc.uint8Array({ maxLength: 64 }),
});
const randomValue: fc.Arbitrary<Case> = fc.record({
  type: fc.constantFrom(...WIRE_MESSAGE_TYPES),
  input: fc.anything(),
});
const unknownType: fc.Arbitrary<Case> = fc.record({
  type: fc.oneof(fc.string(), fc.anything()).filter((t) =>
    typeof t !== "string" || !isWireMessageType(t)
  ),
  input: fc.constantFrom(...SAMPLES).map((s) => JSON.stringify(s.value)),
});

Deno.test("decodeWire() rejects 1,000 malformed inputs with TypeError or SyntaxError only", () => {
  const counts = { TypeError: 0, SyntaxError: 0 };
  fc.assert(
    fc.property(
      fc.oneof(
        missingField,
        wrongType,
        truncated,
        randomJson,
        randomBytes,
        randomValue,
        unknownType,
      ),
      (c) => {
        try {
          decodeWire(c.type, c.input as string);
        } catch (e) {
          if (e instanceof SyntaxError) counts.SyntaxError++;
          else if (e instanceof TypeError) counts.TypeError++;
          else throw new Error(`unexpected ${String(e)}`, { cause: e });
          return true;
        }
        throw new Error(`accepted ${String(c.type)} ${String(c.input).slice(0, 200)}`);
      },
    ),
    { numRuns: 1000 },
  );
  assert.equal(counts.TypeError + counts.SyntaxError, 1000);
  assert.ok(counts.TypeError > 0 && counts.SyntaxError > 0);
});
