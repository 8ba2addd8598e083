/**
 * Tests of runtime/containers/proxies/nodejs_proxy.js that need no container: the
 * server never times out idle keep-alive connections (a container thawed after a
 * pause longer than Node's 5 s default closed the invoker's connection under its
 * first `/run`, which then failed as "exited unexpectedly").
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

Deno.test("createActionServer() never times out an idle keep-alive connection", () => {
  const { createActionServer } = require("../../../runtime/containers/proxies/nodejs_proxy.js");
  const server = createActionServer();
  try {
    assert.equal(server.keepAliveTimeout, 0);
  } finally {
    server.close();
  }
});
