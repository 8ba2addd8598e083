/**
 * The far ends of the `floor` probes, each run as its own process so every probe
 * crosses a process boundary as the platform's hops do: `http` (a `Deno.serve` that
 * reads the body and answers `{"ok":true}`), `tcp` (an echo server), `pipe` (echoes
 * stdin lines) and `ready` (prints one line and exits: the spawn floor).
 * `reference/performance.md` appendix D.
 *
 * Usage: `deno run -A floor_peer.ts http|tcp|pipe|ready`; servers print their port.
 *
 * @module
 */

async function pipeEcho(): Promise<void> {
  const reader = Deno.stdin.readable.getReader();
  const writer = Deno.stdout.writable.getWriter();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    await writer.write(value); // line-delimited: echoing chunks echoes lines
  }
}

async function tcpEcho(): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log((listener.addr as Deno.NetAddr).port);
  for await (const conn of listener) {
    conn.setNoDelay(true);
    conn.readable.pipeTo(conn.writable).catch(() => {});
  }
}

function httpServer(): void {
  const body = '{"ok":true}';
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    await req.arrayBuffer();
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
  console.log((server.addr as Deno.NetAddr).port);
}

if (import.meta.main) {
  const what = Deno.args[0];
  if (what === "http") httpServer();
  else if (what === "tcp") await tcpEcho();
  else if (what === "pipe") await pipeEcho();
  else if (what === "ready") console.log("ready");
  else throw new TypeError(`unknown peer "${what}"`);
}
