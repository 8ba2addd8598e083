/**
 * Tests of the remote-actor bridge on the in-memory bus: envelopes, asks and their
 * timeouts (on a manual clock), replies, late replies, interceptors, dead letters.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../../runtime/actors/clock.ts";
import {
  AskTimeoutError,
  Bridge,
  type BridgeDeps,
  BusClosedError,
  contextHeaders,
  decodeDeadLetter,
  type Envelope,
  MemoryBus,
  REPLY_RECIPIENT,
} from "../../../runtime/bus/mod.ts";
import { capturingLogger } from "../../../runtime/log.ts";

const json = (_type: string, value: Uint8Array): unknown =>
  JSON.parse(new TextDecoder().decode(value));

function harness(deps: Partial<BridgeDeps> = {}) {
  const bus = new MemoryBus();
  const delivered: { to: string; message: unknown; envelope: Envelope }[] = [];
  const bridge = new Bridge({
    bus,
    decode: json,
    deliver: (to, message, envelope) =>
      to === "queue-manager" && delivered.push({ to, message, envelope }) > 0,
    ...deps,
  });
  const close = async () => {
    await bridge.close();
    await bus.close();
  };
  return { bus, bridge, delivered, close };
}

/** Yields macrotasks until `ready()` (bounded): the ask has sent its request. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; !ready(); i++) {
    if (i > 1000) assert.fail("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const reasons = (bus: MemoryBus) =>
  bus.sent("deadLetters").map((r) => decodeDeadLetter(r.value).reason);

Deno.test("Bridge.send() takes the type from the message and omits absent headers", async () => {
  const h = harness();
  await h.bridge.send("scheduler0", "queue-manager", { type: "CreateQueue", action: "a" });
  assert.deepEqual(h.bus.sent("scheduler0")[0]?.headers, {
    type: "CreateQueue",
    to: "queue-manager",
  });
  await h.bridge.send("scheduler0", "queue-manager", { action: "b" }, {
    type: "ActivationMessage",
  });
  assert.equal(h.bus.sent("scheduler0")[1]?.headers.type, "ActivationMessage");
  await h.close();
});

Deno.test("Bridge.send() rejects a message without a type", async () => {
  const h = harness();
  await assert.rejects(h.bridge.send("t", "queue-manager", { action: "a" }), TypeError);
  await h.close();
});

Deno.test("Bridge.listen() delivers the decoded message and envelope to the named actor", async () => {
  const h = harness();
  await h.bridge.listen("scheduler0", "scheduler0");
  await h.bridge.send("scheduler0", "queue-manager", { type: "Ping", n: 1 }, {
    tid: "t1",
    forwardedFrom: "scheduler1",
  });
  await h.bus.idle();
  assert.deepEqual(h.delivered, [{
    to: "queue-manager",
    message: { type: "Ping", n: 1 },
    envelope: { type: "Ping", to: "queue-manager", tid: "t1", forwardedFrom: "scheduler1" },
  }]);
  await h.close();
});

Deno.test("Bridge.listen() dead-letters an unknown actor with a warn log and goes on", async () => {
  const logger = capturingLogger();
  const h = harness({ logger });
  await h.bridge.listen("t", "g");
  await h.bridge.send("t", "nobody", { type: "Ping" });
  await h.bridge.send("t", "queue-manager", { type: "Ping" });
  await h.bus.idle();
  assert.deepEqual(reasons(h.bus), ['No local actor "nobody"']);
  assert.equal(h.delivered.length, 1);
  assert.ok(logger.entries.some((e) => e.level === "warn" && e.meta.reason !== undefined));
  await h.close();
});

Deno.test("Bridge.listen() dead-letters a record the decoder rejects with its error", async () => {
  const h = harness({
    decode: () => {
      throw new TypeError('"action" must be a string');
    },
  });
  await h.bridge.listen("t", "g");
  await h.bridge.send("t", "queue-manager", { type: "Ping" });
  await h.bus.idle();
  assert.deepEqual(reasons(h.bus), ['Cannot decode "Ping": TypeError: "action" must be a string']);
  await h.close();
});

Deno.test("Bridge.ask() resolves with the reply another bridge sends", async () => {
  const bus = new MemoryBus();
  const server: Bridge = new Bridge({
    bus,
    decode: json,
    deliver: (_to, message, envelope) => {
      void server.reply(envelope, { type: "Pong", n: (message as { n: number }).n + 1 });
      return true;
    },
  });
  await server.listen("scheduler0", "scheduler0");
  const client = new Bridge({ bus, decode: json, deliver: () => false, replyTopic: "completed0" });
  const answer = await client.ask("scheduler0", "queue-manager", { type: "Ping", n: 1 }, 1000, {
    tid: "t9",
  });
  assert.deepEqual(answer, { type: "Pong", n: 2 });
  const reply = bus.sent("completed0")[0];
  assert.equal(reply?.headers.to, REPLY_RECIPIENT);
  assert.equal(reply?.headers.tid, "t9");
  assert.equal(
    reply?.headers["correlation-id"],
    bus.sent("scheduler0")[0]?.headers["correlation-id"],
  );
  await client.close();
  await server.close();
  await bus.close();
});

Deno.test("Bridge.ask() rejects with AskTimeoutError when the clock passes the timeout", async () => {
  const clock = new ManualClock();
  const h = harness({ clock });
  const answer = h.bridge.ask("nowhere", "queue-manager", { type: "Ping" }, 500);
  await until(() => h.bus.sent("nowhere").length === 1);
  clock.advance(499);
  let settled = false;
  answer.catch(() => {}).finally(() => (settled = true));
  await Promise.resolve();
  assert.equal(settled, false);
  clock.advance(1);
  await assert.rejects(
    answer,
    (e) => e instanceof AskTimeoutError && /within 500 ms/.test(e.message),
  );
  await h.close();
});

Deno.test("Bridge dead-letters a reply that arrives after its ask timed out", async () => {
  const clock = new ManualClock();
  const h = harness({ clock, replyTopic: "replies" });
  const answer = h.bridge.ask("nowhere", "queue-manager", { type: "Ping" }, 10);
  await until(() => h.bus.sent("nowhere").length === 1);
  clock.advance(10);
  await assert.rejects(answer, AskTimeoutError);
  const request = h.bus.sent("nowhere")[0]!;
  const envelope: Envelope = {
    type: "Ping",
    to: "queue-manager",
    replyTo: request.headers["reply-to"]!,
    correlationId: request.headers["correlation-id"]!,
  };
  await h.bridge.reply(envelope, { type: "Pong" });
  await h.bus.idle();
  assert.match(reasons(h.bus)[0] ?? "", /No pending ask/);
  await h.close();
});

Deno.test("Bridge.close() rejects pending asks with BusClosedError", async () => {
  const h = harness();
  const answer = h.bridge.ask("nowhere", "queue-manager", { type: "Ping" }, 60_000);
  await until(() => h.bus.sent("nowhere").length === 1);
  await h.bridge.close();
  await assert.rejects(answer, BusClosedError);
  await h.bus.close();
});

Deno.test("Bridge.reply() rejects with TypeError for a message that was not an ask", async () => {
  const h = harness();
  await assert.rejects(h.bridge.reply({ type: "Ping", to: "x" }, { type: "Pong" }), TypeError);
  await h.close();
});

Deno.test("Bridge interceptors fill context headers out and see envelopes in", async () => {
  const seen: string[] = [];
  const h = harness({
    outbound: [contextHeaders(() => ({ tid: "ctx-tid", traceparent: "00-ab-cd-01" }))],
    inbound: [(call, next) => (seen.push(call.envelope.tid ?? "none"), next(call))],
  });
  await h.bridge.listen("t", "g");
  await h.bridge.send("t", "queue-manager", { type: "Ping" });
  await h.bridge.send("t", "queue-manager", { type: "Ping" }, { tid: "own" });
  await h.bus.idle();
  assert.deepEqual(h.bus.sent("t").map((r) => [r.headers.tid, r.headers.traceparent]), [
    ["ctx-tid", "00-ab-cd-01"],
    ["own", "00-ab-cd-01"],
  ]);
  assert.deepEqual(seen, ["ctx-tid", "own"]);
  await h.close();
});

Deno.test("Bridge lets the bus retry a delivery that threw", async () => {
  let calls = 0;
  const h = harness({
    deliver: () => {
      if (++calls === 1) throw new Error("actor busy");
      return true;
    },
  });
  await h.bridge.listen("t", "g");
  await h.bridge.send("t", "queue-manager", { type: "Ping" });
  await h.bus.idle();
  assert.equal(calls, 2);
  assert.deepEqual(h.bus.sent("deadLetters"), []);
  await h.close();
});
