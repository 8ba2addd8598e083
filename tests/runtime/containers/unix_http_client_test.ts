/**
 * Tests of `runtime/containers/unix_http_client.ts` against a Deno server on a Unix
 * socket.
 */
import assert from "node:assert/strict";
import { SOCKET_HOST, UnixHttpClient } from "../../../runtime/containers/unix_http_client.ts";

Deno.test("UnixHttpClient.postJson() names an IP literal as host, so no DNS lookup can stall a call", async () => {
  // Regression (platform e2e): with the host `container`, Deno asked the nameserver for
  // it on every call, and a dropped DNS query stalled `/init` for 5 s per retry.
  const dir = await Deno.makeTempDir({ prefix: "unix_http_client_" });
  const path = `${dir}/proxy.sock`;
  const hosts: string[] = [];
  const server = Deno.serve({ path, transport: "unix", onListen: () => {} }, async (req) => {
    hosts.push(req.headers.get("host") ?? "");
    return Response.json({ echo: await req.json() });
  });
  const client = new UnixHttpClient(path);
  try {
    assert.equal(await UnixHttpClient.waitUntilAccepting(path, 2_000, () => true), true);
    const answer = await client.postJson("/init", { value: { code: "x" } }, 2_000);
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.text), { echo: { value: { code: "x" } } });
    assert.equal(SOCKET_HOST, "127.0.0.1");
    assert.deepEqual(hosts, [SOCKET_HOST]);
  } finally {
    client.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
