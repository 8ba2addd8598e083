import assert from "node:assert/strict";
import {
  createSchedulerServerHandler,
  queueManagerAdmin,
  type SchedulerServerDeps,
} from "../../../actors/scheduler/scheduler_server.ts";
import { spawnActor, startSystem, stopSystem, systemClock } from "../../../runtime/actors/mod.ts";
import { silentLogger } from "../../../runtime/log.ts";
import type { QueueStatus } from "../../../protocols/memory_queue.ts";
import type { QueueManagerCommand } from "../../../protocols/queue_manager.ts";
import {
  basicAuthorization,
  DEFAULT_INTERNAL_CREDENTIAL,
} from "../../../protocols/scheduler_admin.ts";

const AUTH = basicAuthorization(DEFAULT_INTERNAL_CREDENTIAL);
const WRONG = basicAuthorization({ uuid: DEFAULT_INTERNAL_CREDENTIAL.uuid, key: "y".repeat(64) });

const STATUS: QueueStatus = {
  type: "QueueStatus",
  invocationNamespace: "guest",
  action: "guest/hello@0.0.1",
  revision: "1-abc",
  waitingActivation: ["a1"],
  stateName: "Running",
  containers: 2,
  creationIds: 1,
};

/** The server on an ephemeral port, with the queue routes answered by a fake QueueManager. */
function serverHarness() {
  const system = startSystem({ logger: silentLogger, clock: systemClock });
  const queueManager = spawnActor<null, QueueManagerCommand>(system, {
    name: "queue-manager",
    initialState: null,
    supervision: "resume",
    handle: (state, msg, ctx) => {
      if (msg.type === "QueueSize") {
        ctx.tell(msg.replyTo, { type: "QueueSizeResult", size: 3, leaders: 2 });
      } else if (msg.type === "GetState") {
        ctx.tell(msg.replyTo, { type: "QueueStates", queues: [STATUS] });
      }
      return state;
    },
  });
  const calls: string[] = [];
  const deps: SchedulerServerDeps = {
    credential: DEFAULT_INTERNAL_CREDENTIAL,
    activationService: (request) => {
      calls.push(`activations ${new URL(request.url).pathname}`);
      return Promise.resolve(Response.json({ type: "NoActivation" }));
    },
    disable: () => void calls.push("disable"),
    state: () => Promise.resolve({ sid: { asString: "0" }, queueSize: 3 }),
    ...queueManagerAdmin(system, queueManager, 1_000),
    metrics: () => "# TYPE up gauge\nup 1\n",
    health: () => ({ healthy: true }),
    trace: () => Response.json({ events: [] }),
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    createSchedulerServerHandler(deps),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const call = async (method: string, path: string, authorization: string | null = AUTH) => {
    const headers: Record<string, string> = authorization === null ? {} : { authorization };
    const response = await fetch(`${base}${path}`, { method, headers });
    const text = await response.text();
    return { status: response.status, text, headers: response.headers };
  };
  return {
    calls,
    call,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await stopSystem(system);
    },
  };
}

const ADMIN_ROUTES = [
  ["POST", "/disable"],
  ["GET", "/state"],
  ["GET", "/queue/total"],
  ["GET", "/queue/status"],
  ["GET", "/trace"],
] as const;

Deno.test("createSchedulerServerHandler() answers 401 on every admin route without or with a wrong credential", async () => {
  await using h = serverHarness();
  for (const [method, path] of ADMIN_ROUTES) {
    for (const authorization of [null, WRONG, "Basic !!!"]) {
      const { status, text, headers } = await h.call(method, path, authorization);
      assert.equal(status, 401, `${method} ${path} ${authorization}`);
      assert.equal(JSON.parse(text).error, "The supplied authentication is invalid");
      assert.ok(headers.get("www-authenticate"));
    }
  }
  assert.deepEqual(h.calls, []);
});

Deno.test("createSchedulerServerHandler() disables the scheduler on POST /disable", async () => {
  await using h = serverHarness();
  const { status, text } = await h.call("POST", "/disable");
  assert.equal(status, 200);
  assert.deepEqual(JSON.parse(text), { disabled: true });
  assert.deepEqual(h.calls, ["disable"]);
});

Deno.test("createSchedulerServerHandler() serves the state, the queue count and the queue list", async () => {
  await using h = serverHarness();
  assert.deepEqual(JSON.parse((await h.call("GET", "/state")).text), {
    sid: { asString: "0" },
    queueSize: 3,
  });
  assert.deepEqual(JSON.parse((await h.call("GET", "/queue/total")).text), {
    total: 3,
    leaders: 2,
  });
  assert.deepEqual(JSON.parse((await h.call("GET", "/queue/status")).text), [STATUS]);
  assert.deepEqual(JSON.parse((await h.call("GET", "/trace")).text), { events: [] });
});

Deno.test("createSchedulerServerHandler() serves /metrics and /health without a credential", async () => {
  await using h = serverHarness();
  const metrics = await h.call("GET", "/metrics", null);
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /^up 1$/m);
  assert.match(metrics.headers.get("content-type") ?? "", /text\/plain/);
  const health = await h.call("GET", "/health", null);
  assert.deepEqual(JSON.parse(health.text), { healthy: true });
});

Deno.test("createSchedulerServerHandler() hands /activations/* to the ActivationService", async () => {
  await using h = serverHarness();
  const { status, text } = await h.call("POST", "/activations/fetch", null);
  assert.equal(status, 200);
  assert.deepEqual(JSON.parse(text), { type: "NoActivation" });
  assert.deepEqual(h.calls, ["activations /activations/fetch"]);
});

Deno.test("createSchedulerServerHandler() answers 405 for a wrong method and 404 for an unknown path", async () => {
  await using h = serverHarness();
  const wrong = await h.call("GET", "/disable");
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "POST");
  assert.equal((await h.call("GET", "/nope")).status, 404);
  assert.deepEqual(h.calls, []);
});
