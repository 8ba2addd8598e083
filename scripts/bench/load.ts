/**
 * The load generator: a closed loop of `concurrency` workers sending requests as fast
 * as answers come back, bounded both in requests and in seconds, measuring each request
 * from its send to its last body byte. Loopback only (the caller builds the requests).
 *
 * @module
 */

/** How much load to send. */
export interface LoadOptions {
  readonly concurrency: number;
  /** Stop after this many requests in total... */
  readonly maxRequests: number;
  /** ...or after this many seconds, whichever comes first. */
  readonly maxSeconds: number;
  /** Called about once a second with the requests done so far. */
  readonly onProgress?: (done: number, elapsedS: number) => void;
  /** Answers other than these count as errors (default: 200 only). */
  readonly okStatus?: (status: number) => boolean;
}

/** What a load run measured. */
export interface LoadResult {
  /** Latency of each successful request, ms. */
  readonly latenciesMs: number[];
  readonly errors: number;
  /** Error statuses (0 = network error) and their counts. */
  readonly errorStatuses: Record<string, number>;
  readonly elapsedS: number;
  /** Successful requests per second. */
  readonly perSecond: number;
}

/** Runs a closed loop of `send` calls. `send` must resolve with the HTTP status. */
export async function closedLoop(
  send: () => Promise<number>,
  options: LoadOptions,
): Promise<LoadResult> {
  const ok = options.okStatus ?? ((s: number) => s === 200);
  const latenciesMs: number[] = [];
  const errorStatuses: Record<string, number> = {};
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  let lastProgress = started;
  const worker = async () => {
    while (issued < options.maxRequests && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      let status = 0;
      try {
        status = await send();
      } catch {
        status = 0;
      }
      const t1 = performance.now();
      if (ok(status)) latenciesMs.push(t1 - t0);
      else {
        errors++;
        errorStatuses[status] = (errorStatuses[status] ?? 0) + 1;
      }
      if (options.onProgress && t1 - lastProgress >= 1000) {
        lastProgress = t1;
        options.onProgress(latenciesMs.length + errors, (t1 - started) / 1000);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  return { latenciesMs, errors, errorStatuses, elapsedS, perSecond: latenciesMs.length / elapsedS };
}

/** A `send` for {@link closedLoop} that fetches a fresh request and drains the body. */
export function fetchSender(
  makeRequest: () => Request,
  client?: Deno.HttpClient,
): () => Promise<number> {
  return async () => {
    const res = await fetch(makeRequest(), client ? { client } : {});
    await res.arrayBuffer();
    return res.status;
  };
}
