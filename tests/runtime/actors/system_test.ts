import assert from "node:assert/strict";
import { silentLogger } from "../../../runtime/log.ts";
import {
  ManualClock,
  spawnActor,
  spawnFsm,
  startSystem,
  stopSystem,
  tell,
} from "../../../runtime/actors/mod.ts";

Deno.test("startSystem() lists live actors with parent, name, state name and spawn time", async () => {
  const clock = new ManualClock(5_000);
  const system = startSystem({ logger: silentLogger, clock });
  try {
    const parent = spawnActor(system, {
      name: "parent",
      initialState: null,
      handle: (s: null) => s,
      supervision: "restart",
    });
    clock.advance(10);
    spawnFsm<{ name: "Idle" }, { type: "Noop" }, never>(parent, {
      name: "child",
      initialState: { name: "Idle" },
      transition: (state) => ({ next: state, effects: [] }),
      supervision: "stop",
    });
    assert.deepEqual(system.actors(), [
      {
        path: `${system.name}://parent`,
        parentPath: system.path,
        name: "parent",
        spawnedAt: 5_000,
      },
      {
        path: `${system.name}://parent/child`,
        parentPath: `${system.name}://parent`,
        name: "child",
        stateName: "Idle",
        spawnedAt: 5_010,
      },
    ]);
  } finally {
    await stopSystem(system);
  }
});

Deno.test("stopSystem() empties the registry and turns later tells into dead letters", async () => {
  const system = startSystem({ logger: silentLogger, clock: new ManualClock() });
  const actor = spawnActor(system, {
    name: "a",
    initialState: null,
    handle: (s: null, _m: { type: "X" }) => s,
    supervision: "stop",
  });
  await stopSystem(system);
  assert.deepEqual(system.actors(), []);
  tell(system, actor, { type: "X" });
  assert.equal(system.deadLetters, 1);
  assert.throws(
    () => spawnActor(system, { name: "b", initialState: 0, handle: (n) => n, supervision: "stop" }),
    /system stopped/,
  );
});

Deno.test("startSystem() gives each system a distinct name", async () => {
  const a = startSystem({ logger: silentLogger });
  const b = startSystem({ logger: silentLogger });
  try {
    assert.notEqual(a.name, b.name);
    assert.equal(a.path, `${a.name}://`);
  } finally {
    await stopSystem(a);
    await stopSystem(b);
  }
});
