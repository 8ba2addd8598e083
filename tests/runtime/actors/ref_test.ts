import assert from "node:assert/strict";
import { type Ref, spawnActor, tell } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";

type Public = { readonly type: "Get" };
type Internal = { readonly type: "Tick" };

Deno.test("Ref<M> narrows to the public protocol and rejects other messages at compile time", async () => {
  await using h = actorHarness();
  const full: Ref<Public | Internal> = spawnActor(h.system, {
    name: "typed",
    initialState: 0,
    handle: (n: number, _msg: Public | Internal) => n + 1,
    supervision: "resume",
  });
  const handedOut: Ref<Public> = full; // contravariant: the wider inbox fits
  tell(h.system, handedOut, { type: "Get" });
  // @ts-expect-error a public ref does not accept private messages
  tell(h.system, handedOut, { type: "Tick" });
  // @ts-expect-error a narrow ref is not a wider one
  const _widened: Ref<Public | Internal> = handedOut;
  // @ts-expect-error a plain object is not a ref
  const _forged: Ref<Public> = { path: full.path };

  assert.equal(handedOut.path, `${h.system.name}://typed`);
  assert.equal(JSON.stringify(handedOut), JSON.stringify({ path: handedOut.path }));
  assert.ok(Object.isFrozen(handedOut));
});

Deno.test("tell() rejects a ref the actor kit did not make", () => {
  const forged = { path: "sys://nobody" } as unknown as Ref<Public>;
  assert.throws(() => tell(forged, forged, { type: "Get" }), TypeError);
});
