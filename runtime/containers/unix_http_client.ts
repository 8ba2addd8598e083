/**
 * JSON POSTs to a container proxy over its Unix domain socket, with a time limit.
 *
 * Mirrors `common/scala/.../containerpool/PekkoContainerClient.scala` (`post` with a
 * per-call timeout, body read up to a limit); differences: a Unix socket instead of
 * `ip:8080`, no retry on refusal (the factory waits for the socket before handing the
 * container out).
 *
 * @module
 */

/** A proxy's answer. */
export interface ProxyAnswer {
  readonly status: number;
  readonly text: string;
}

/** The call hit its time limit. */
export class CallTimeoutError extends Error {
  override readonly name = "CallTimeoutError";
}

/** The connection failed or dropped before a full answer arrived. */
export class ConnectionLostError extends Error {
  override readonly name = "ConnectionLostError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The host name of every request over the socket: an IP literal, so no DNS lookup is
 * made (the proxies ignore the host).
 */
export const SOCKET_HOST = "127.0.0.1";

/** An HTTP client bound to one socket path. */
export class UnixHttpClient {
  #client: Deno.HttpClient;

  constructor(readonly socketPath: string) {
    this.#client = Deno.createHttpClient({ proxy: { transport: "unix", path: socketPath } });
  }

  /** POSTs `body` as JSON to `path`; throws {@link CallTimeoutError} or {@link ConnectionLostError}. */
  async postJson(path: string, body: unknown, timeoutMs: number): Promise<ProxyAnswer> {
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    try {
      // The host must be an IP literal: Deno resolves a URL's host name through DNS even
      // when the transport is a Unix socket, and a slow resolver stalled calls by 5 s per
      // retry (found by the platform e2e tests; `container` went to the nameserver).
      const res = await fetch(`http://${SOCKET_HOST}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        client: this.#client,
        signal: abort.signal,
      });
      return { status: res.status, text: await res.text() };
    } catch (e) {
      if (timedOut) throw new CallTimeoutError(`no answer within ${timeoutMs} ms`, { cause: e });
      throw new ConnectionLostError(`connection to ${this.socketPath} failed`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves true once the socket accepts a connection, false after `timeoutMs`. */
  static async waitUntilAccepting(
    path: string,
    timeoutMs: number,
    stillStarting: () => boolean,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && stillStarting()) {
      try {
        const conn = await Deno.connect({ transport: "unix", path });
        conn.close();
        return true;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    return false;
  }

  /** Closes pooled connections. */
  close(): void {
    this.#client.close();
  }
}
