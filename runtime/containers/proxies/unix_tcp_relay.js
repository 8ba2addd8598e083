/**
 * A relay from a Unix domain socket to `127.0.0.1:<port>`, run inside a container's
 * private network namespace so the invoker (outside it) can reach a runtime proxy
 * that only listens on TCP. It waits until the port accepts connections before it
 * creates the socket, so "socket accepts" means "runtime ready".
 *
 * No upstream counterpart (Docker publishes the container port through its bridge).
 *
 * Usage: `node unix_tcp_relay.js <socket path> [port=8080]`.
 */
"use strict";

const net = require("node:net");
const fs = require("node:fs");
const process = require("node:process");

const socketPath = process.argv[2];
const port = Number(process.argv[3] || 8080);

/** Resolves once `127.0.0.1:port` accepts a connection, polling every 20 ms. */
function waitForPort() {
  return new Promise((resolve) => {
    const attempt = () => {
      const probe = net.connect(port, "127.0.0.1");
      probe.once("connect", () => {
        probe.destroy();
        resolve();
      });
      probe.once("error", () => setTimeout(attempt, 20));
    };
    attempt();
  });
}

/** Pipes one accepted Unix connection to a fresh TCP connection and back. */
function relay(client) {
  const upstream = net.connect(port, "127.0.0.1");
  client.pipe(upstream);
  upstream.pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.once("error", close);
  upstream.once("error", close);
  client.once("close", close);
  upstream.once("close", close);
}

waitForPort().then(() => {
  try {
    fs.unlinkSync(socketPath);
  } catch {
    // no stale socket
  }
  net.createServer(relay).listen(socketPath);
});
