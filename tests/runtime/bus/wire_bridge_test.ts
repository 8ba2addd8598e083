/** Tests of runtime/bus/wire_bridge.ts: wire messages by name, and dead letters. */
import assert from "node:assert/strict";
import { decodeWire, type WireMessage } from "../../../protocols/wire.ts";
import {
  ActorDirectory,
  createWireBridge,
  decodeDeadLetter,
  MemoryBus,
} from "../../../runtime/bus/mod.ts";
import { ACK_SUCCESS_JSON, ACTIVATION_MESSAGE_JSON } from "../../protocols/_fixtures.ts";

Deno.test("createWireBridge() delivers a decoded ActivationMessage to the named local actor", async () => {
  const bus = new MemoryBus();
  const directory = new ActorDirectory();
  const received: { message: WireMessage; tid: string | undefined }[] = [];
  directory.register(
    "queue-manager",
    (message, envelope) => received.push({ message, tid: envelope.tid }),
  );
  const bridge = createWireBridge({ bus, directory });
  const sub = await bridge.listen("scheduler0", "scheduler0");
  const activation = decodeWire("ActivationMessage", ACTIVATION_MESSAGE_JSON);
  await bridge.send("scheduler0", "queue-manager", activation, { tid: "tid-1" });
  await bus.idle();
  assert.equal(received.length, 1);
  assert.deepEqual(received[0]!.message, activation);
  assert.equal(received[0]!.tid, "tid-1");
  await sub.close();
  await bridge.close();
  await bus.close();
});

Deno.test("createWireBridge() dead-letters a record that does not decode or names nobody", async () => {
  const bus = new MemoryBus();
  const directory = new ActorDirectory();
  const bridge = createWireBridge({ bus, directory });
  const sub = await bridge.listen("scheduler0", "scheduler0");
  await bus.send("scheduler0", [
    { value: "{broken", headers: { type: "ActivationMessage", to: "queue-manager" } },
    { value: ACTIVATION_MESSAGE_JSON, headers: { type: "ActivationMessage", to: "nobody" } },
  ]);
  await bus.idle();
  const reasons = bus.sent("deadLetters").map((r) => decodeDeadLetter(r.value).reason);
  assert.equal(reasons.length, 2);
  assert.match(reasons[0]!, /JSON|decode/i);
  assert.match(reasons[1]!, /nobody/);
  await sub.close();
  await bridge.close();
  await bus.close();
});

Deno.test("createWireBridge() dead-letters a record its receiver refuses by returning false", async () => {
  const bus = new MemoryBus();
  const directory = new ActorDirectory();
  const taken: string[] = [];
  directory.register("completions", (message) => {
    if (message.type !== "ActivationMessage") return false;
    return taken.push(message.activationId) > 0;
  });
  const bridge = createWireBridge({ bus, directory });
  const sub = await bridge.listen("completed0", "completed0");
  const activation = decodeWire("ActivationMessage", ACTIVATION_MESSAGE_JSON);
  await bridge.send("completed0", "completions", activation);
  await bridge.send(
    "completed0",
    "completions",
    decodeWire("ContainerCreationAckMessage", ACK_SUCCESS_JSON),
  );
  await bus.idle();
  assert.deepEqual(taken, [activation.type === "ActivationMessage" && activation.activationId]);
  const letters = bus.sent("deadLetters").map((r) => decodeDeadLetter(r.value));
  assert.deepEqual(letters.map((l) => [l.headers.type, l.headers.to]), [
    ["ContainerCreationAckMessage", "completions"],
  ]);
  await sub.close();
  await bridge.close();
  await bus.close();
});

Deno.test("ActorDirectory.deliver() is false for an unknown name or a refusal, true otherwise", () => {
  const directory = new ActorDirectory();
  directory.register("accepts", () => {});
  directory.register("says-true", () => true);
  directory.register("refuses", () => false);
  const message = {} as WireMessage;
  const envelope = { type: "X", to: "" };
  assert.equal(directory.deliver("accepts", message, envelope), true);
  assert.equal(directory.deliver("says-true", message, envelope), true);
  assert.equal(directory.deliver("refuses", message, envelope), false);
  assert.equal(directory.deliver("nobody", message, envelope), false);
});

Deno.test("ActorDirectory.register() refuses a taken name and unregisters", () => {
  const directory = new ActorDirectory();
  const off = directory.register("a", () => {});
  assert.throws(() => directory.register("a", () => {}), TypeError);
  off();
  assert.deepEqual(directory.names(), []);
});
