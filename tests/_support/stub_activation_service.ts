/**
 * Both sides of the ActivationService HTTP contract for process tests: a stub service
 * (what an invoker's containers fetch from, serving activations the test hands it) and
 * pullers (what a scheduler's service is fetched by, playing containers that take
 * activations and follow the queue's leader key). Mirrors the gRPC `FetchActivation`
 * pair of upstream's `ActivationServiceImpl` and `ActivationClientProxy`; the real
 * client `httpActivationClient` does the pullers' HTTP.
 *
 * @module
 */
import {
  actionFqn,
  type ActivationMessage,
  decodeFetchRequest,
  decodeRescheduleRequest,
  DEFAULT_INTERNAL_CREDENTIAL,
  encodeFetchResponse,
  type FetchRequest,
  type FetchResponse,
  fqnString,
  isInternalCredential,
  type RescheduleRequest,
  type SchedulerEndpoints,
  type WhiskAction,
} from "../../protocols/mod.ts";
import type { ActivationClient } from "../../protocols/activation_client.ts";
import { httpActivationClient } from "../../runtime/activation_client/mod.ts";

/** A stub ActivationService on an ephemeral port. */
export interface StubActivationService {
  readonly endpoints: SchedulerEndpoints;
  /** Every fetch received, in order. */
  readonly fetches: FetchRequest[];
  /** Every reschedule received, in order. */
  readonly reschedules: RescheduleRequest[];
  /** Activations handed out, in order. */
  readonly served: ActivationMessage[];
  /** Queues `msg` for the next fetch of its action and revision. */
  enqueue(msg: ActivationMessage): void;
  close(): Promise<void>;
}

/**
 * Serves `POST /activations/fetch` (the next queued activation of the request's action
 * and revision, else `NoActivation` after `pollMs`) and `/activations/reschedule` (the
 * activation goes back to the queue), with the internal credential required.
 */
export function startStubActivationService(pollMs = 300): StubActivationService {
  const queue: ActivationMessage[] = [];
  const fetches: FetchRequest[] = [];
  const reschedules: RescheduleRequest[] = [];
  const served: ActivationMessage[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });
  const take = (request: FetchRequest): ActivationMessage | undefined => {
    const at = queue.findIndex((m) =>
      fqnString(m.action) === fqnString(request.action) && m.revision === request.revision
    );
    return at < 0 ? undefined : queue.splice(at, 1)[0];
  };
  const answer = async (request: FetchRequest): Promise<FetchResponse> => {
    if (!request.alive) return { type: "NoActivation" };
    for (const deadline = Date.now() + pollMs; Date.now() < deadline; await wait(20)) {
      const msg = take(request);
      if (msg) {
        served.push(msg);
        return { type: "Activation", activation: msg };
      }
    }
    return { type: "NoActivation" };
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (!isInternalCredential(req.headers.get("authorization"), DEFAULT_INTERNAL_CREDENTIAL)) {
      return Response.json({ error: "unauthorized" }, { status: 401 });
    }
    const path = new URL(req.url).pathname;
    if (path === "/activations/fetch") {
      const request = decodeFetchRequest(await req.text());
      fetches.push(request);
      return Response.json(encodeFetchResponse(await answer(request)));
    }
    if (path === "/activations/reschedule") {
      const request = decodeRescheduleRequest(await req.text());
      reschedules.push(request);
      queue.unshift(request.activation);
      return Response.json({ isRescheduled: true });
    }
    return Response.json({ error: "not found" }, { status: 404 });
  });
  return {
    endpoints: { host: "127.0.0.1", rpcPort: server.addr.port },
    fetches,
    reschedules,
    served,
    enqueue: (msg) => void queue.push(msg),
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await server.shutdown();
    },
  };
}

/** One activation a puller got, with who got it and when. */
export interface Pulled {
  readonly activationId: string;
  readonly puller: number;
  readonly from: string;
  readonly at: number;
}

/** Options of {@link startPullers}. */
export interface PullerOptions {
  readonly count: number;
  readonly action: WhiskAction;
  readonly revision: string;
  /** Where to fetch: read again after `NoMemoryQueue`, `ActionMismatch` or a failed call. */
  readonly endpoint: () => Promise<SchedulerEndpoints | undefined>;
  /** Distinguishes container ids of several puller groups. */
  readonly name?: string;
}

/** Concurrent pullers of a scheduler's ActivationService. */
export interface Pullers {
  /** Every activation handed out, in arrival order. */
  readonly pulled: Pulled[];
  /** Answers other than activations, by type (plus `error`). */
  readonly answers: Map<string, number>;
  /** Stops fetching (in-flight long polls are aborted) and waits for the loops. */
  stop(): Promise<void>;
}

/** Starts `count` containers that keep fetching activations of one action and revision. */
export function startPullers(options: PullerOptions): Pullers {
  const pulled: Pulled[] = [];
  const answers = new Map<string, number>();
  const clients = new Set<ActivationClient>();
  let stopped = false;
  const count = (type: string) => answers.set(type, (answers.get(type) ?? 0) + 1);
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const credential = {
    user: DEFAULT_INTERNAL_CREDENTIAL.uuid,
    password: DEFAULT_INTERNAL_CREDENTIAL.key,
  };

  const loop = async (puller: number) => {
    let client: ActivationClient | undefined;
    while (!stopped) {
      if (!client) {
        const endpoint = await options.endpoint().catch(() => undefined);
        if (!endpoint) {
          await pause(50);
          continue;
        }
        client = httpActivationClient(endpoint, { credential });
        clients.add(client);
      }
      const from = `${client.endpoint.host}:${client.endpoint.rpcPort}`;
      let answer: FetchResponse | undefined;
      try {
        answer = await client.fetch({
          type: "FetchRequest",
          invocationNamespace: "guest",
          action: actionFqn(options.action),
          revision: options.revision,
          containerId: `${options.name ?? "puller"}-${puller}`,
          warmed: true,
          alive: true,
        });
      } catch {
        count("error");
      }
      if (answer?.type === "Activation") {
        pulled.push({ activationId: answer.activation.activationId, puller, from, at: Date.now() });
        continue;
      }
      if (answer) count(answer.type);
      if (answer?.type === "NoActivation") continue;
      clients.delete(client);
      await client.close();
      client = undefined;
      if (!stopped) await pause(50);
    }
    if (client) {
      clients.delete(client);
      await client.close();
    }
  };

  const loops = Array.from({ length: options.count }, (_, i) => loop(i));
  return {
    pulled,
    answers,
    async stop() {
      stopped = true;
      for (const client of clients) await client.close();
      await Promise.all(loops);
    },
  };
}
