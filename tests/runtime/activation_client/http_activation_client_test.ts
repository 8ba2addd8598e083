/** The HTTP ActivationClient against a tiny local stub of the ActivationService. */
import assert from "node:assert/strict";
import { httpActivationClient } from "../../../runtime/activation_client/mod.ts";
import {
  ActivationClientClosedError,
  ActivationServiceRejectedError,
  ActivationServiceUnavailableError,
} from "../../../protocols/activation_client.ts";
import { decodeFetchRequest, type FetchRequest } from "../../../protocols/activation_service.ts";
import { activation } from "../../actors/invoker/_proxy_fixtures.ts";

const CRED = { user: "u", password: "p" };
const AUTH = "Basic " + btoa("u:p");
const REQUEST: FetchRequest = {
  type: "FetchRequest",
  invocationNamespace: "guest",
  action: { path: "guest", name: "hello" },
  revision: "1-abc",
  containerId: "c1",
  warmed: false,
  alive: true,
};

function stub(answer: (req: FetchRequest) => Promise<unknown>) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    if (req.headers.get("authorization") !== AUTH) return new Response("no", { status: 401 });
    const url = new URL(req.url);
    if (url.pathname === "/activations/reschedule") {
      await req.text();
      return Response.json({ isRescheduled: true });
    }
    return Response.json(await answer(decodeFetchRequest(await req.text())));
  });
  return { server, endpoint: { host: "127.0.0.1", rpcPort: server.addr.port } };
}

Deno.test("httpActivationClient() long-polls and decodes NoActivation and NoMemoryQueue", async () => {
  let calls = 0;
  const { server, endpoint } = stub(async (req) => {
    calls++;
    assert.equal(req.containerId, "c1");
    await new Promise((r) => setTimeout(r, 50)); // the service holds the poll
    return { type: calls === 1 ? "NoActivation" : "NoMemoryQueue" };
  });
  const client = httpActivationClient(endpoint, { credential: CRED });
  try {
    assert.deepEqual(await client.fetch(REQUEST), { type: "NoActivation" });
    assert.deepEqual(await client.fetch(REQUEST), { type: "NoMemoryQueue" });
    assert.deepEqual(
      await client.reschedule({
        type: "RescheduleRequest",
        invocationNamespace: "guest",
        action: REQUEST.action,
        revision: "1-abc",
        activation: activation(),
      }),
      { type: "RescheduleResponse", isRescheduled: true },
    );
  } finally {
    await client.close();
    await server.shutdown();
  }
});

Deno.test("httpActivationClient() maps 401 to a rejected error and a closed client to ClientClosed", async () => {
  const { server, endpoint } = stub(() => Promise.resolve({ type: "NoActivation" }));
  const bad = httpActivationClient(endpoint, { credential: { user: "x", password: "y" } });
  try {
    await assert.rejects(
      bad.fetch(REQUEST),
      (e) => e instanceof ActivationServiceRejectedError && e.status === 401,
    );
    await bad.close();
    await assert.rejects(bad.fetch(REQUEST), ActivationClientClosedError);
  } finally {
    await bad.close();
    await server.shutdown();
  }
});

Deno.test("httpActivationClient() maps a refused connection to a retryable unavailable error", async () => {
  const { server, endpoint } = stub(() => Promise.resolve({}));
  await server.shutdown(); // nothing listens on the port any more
  const client = httpActivationClient(endpoint, { credential: CRED });
  try {
    await assert.rejects(
      client.fetch(REQUEST),
      (e) => e instanceof ActivationServiceUnavailableError && e.retryable,
    );
  } finally {
    await client.close();
  }
});
