/** Tests of actors/controller/rest_api/sequence_put.ts: component checks on write. */
import assert from "node:assert/strict";
import { SequenceMessages } from "../../../../actors/controller/rest_api/sequence.ts";
import { restHarness } from "./_harness.ts";
import { JS } from "./_programming_fixtures.ts";

type Doc = Record<string, unknown>;
const ACTIONS = "/api/v1/namespaces/_/actions";
const seq = (...components: string[]) => ({ exec: { kind: "sequence", components } });

Deno.test("checkSequence() stores components with the namespace resolved", async () => {
  await using h = await restHarness();
  await h.call("PUT", `${ACTIONS}/a`, { body: { exec: JS } });
  const answer = await h.call("PUT", `${ACTIONS}/s`, { body: seq("/_/a", "/guest/a") });
  assert.equal(answer.status, 200);
  assert.deepEqual((answer.body as Doc).exec, {
    kind: "sequence",
    components: ["/guest/a", "/guest/a"],
  });
});

Deno.test("checkSequence() answers 400 for a missing component, a cycle, a malformed name, too many", async () => {
  await using h = await restHarness({ options: { sequenceLength: 3 } });
  await h.call("PUT", `${ACTIONS}/a`, { body: { exec: JS } });
  const error = async (body: unknown, name = "s") => {
    const answer = await h.call("PUT", `${ACTIONS}/${name}?overwrite=true`, { body });
    assert.equal(answer.status, 400);
    return (answer.body as Doc).error;
  };
  assert.equal(await error(seq("/_/a", "/_/none")), SequenceMessages.componentNotFound);
  assert.equal(await error(seq("/_/s")), SequenceMessages.cyclic);
  assert.equal(await error(seq("a")), await error(seq("/a")));
  assert.equal(await error(seq("/_/a", "/_/a", "/_/a", "/_/a")), SequenceMessages.tooLong);
  await h.call("PUT", `${ACTIONS}/pair`, { body: seq("/_/a", "/_/a") });
  assert.equal(await error(seq("/_/pair", "/_/pair")), SequenceMessages.tooLong);
  await h.call("PUT", `${ACTIONS}/outer`, { body: seq("/_/a") });
  await h.call("PUT", `${ACTIONS}/mid`, { body: seq("/_/outer") });
  assert.equal(await error(seq("/_/mid"), "outer"), SequenceMessages.cyclic);
});
