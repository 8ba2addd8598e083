/**
 * Tests `scripts/trace.ts` (`deno task trace`) as a real subprocess against two console
 * handlers: merged, filtered lines, and a clean exit on SIGINT.
 */
import assert from "node:assert/strict";
import { createConsoleHandler } from "../../../runtime/console/mod.ts";
import { tell } from "../../../runtime/actors/mod.ts";
import { actorHarness } from "../../_support/actor_harness.ts";
import { spawnDoor } from "./_sse.ts";

const SCRIPT = new URL("../../../scripts/trace.ts", import.meta.url).pathname;

function serve(h: ReturnType<typeof actorHarness>) {
  const handler = createConsoleHandler({ tracer: h.tracer, system: h.system });
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => handler(request) ?? new Response("not found", { status: 404 }),
  );
}

Deno.test("deno task trace prints filtered events of several processes and exits on SIGINT", async () => {
  await using one = actorHarness({ start: 1_000 });
  await using two = actorHarness({ start: 2_000 });
  await using serverOne = serve(one);
  await using serverTwo = serve(two);
  const doorOne = spawnDoor(one.system, "door");
  const doorTwo = spawnDoor(two.system, "door");
  tell(two.system, doorTwo, { type: "Open", tid: "tx" }); // ts 2000, buffered
  tell(one.system, doorOne, { type: "Open", tid: "tx" }); // ts 1000, buffered
  tell(one.system, doorOne, { type: "Close", tid: "other" }); // filtered out

  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      SCRIPT,
      "--url",
      `http://127.0.0.1:${serverOne.addr.port}`,
      "--url",
      `http://127.0.0.1:${serverTwo.addr.port}`,
      "--tid",
      "tx",
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  try {
    while (lines.length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      lines.push(...parts);
    }
  } finally {
    child.kill("SIGINT");
  }
  let rest = buffered;
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += r.value;
  const status = await child.status;
  const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
  assert.equal(status.code, 0, `trace did not exit cleanly:\n${stderr}`);
  assert.equal(rest.trim(), "", "nothing else passed the filter");
  assert.equal(lines.length, 2, stderr);
  const port = (s: Deno.HttpServer<Deno.NetAddr>) => `[127.0.0.1:${s.addr.port}]`;
  assert.ok(lines[0]!.includes(port(serverOne)) && lines[0]!.includes("Open  tx"), lines[0] ?? "");
  assert.ok(lines[1]!.includes(port(serverTwo)) && lines[1]!.includes("Open  tx"), lines[1] ?? "");
});
