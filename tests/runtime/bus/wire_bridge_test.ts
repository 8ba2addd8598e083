/** Tests of runtime/bus/wire_bridge.ts: wire messages by name, and dead letters. */
import assert from "node:assert/strict";
import { decodeWire, type WireMessage } from "../../../protocols/wire.ts";
import {
  ActorDirectory,
  createWireBridge,
  decodeDeadLetter,
  MemoryBus,
} from "../../../runtime/bus/mod.ts";
import { ACTIVATION_MESSAGE_JSON } from "../../protocols/_fixtures.ts";

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

Deno.test("ActorDirectory.register() refuses a taken name and unregisters", () => {
  const directory = new ActorDirectory();
  const off = directory.register("a", () => {});
  assert.throws(() => directory.register("a", () => {}), TypeError);
  off();
  assert.deepEqual(directory.names(), []);
});
