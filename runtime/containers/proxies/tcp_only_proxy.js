/**
 * An "upstream-style" action proxy: like the stock `openwhisk-runtime-nodejs` image
 * it only listens on TCP `0.0.0.0:8080`, with no way to choose another address or a
 * Unix socket. It stands in for an unmodified upstream runtime; the sandbox runs it
 * in a private network namespace behind `unix_tcp_relay.js`, so several can run at
 * once on the same port number.
 *
 * Mirrors `openwhisk-runtime-nodejs` `core/nodejsActionBase/app.js` (hard-coded port
 * 8080); differences: reuses our `nodejs_proxy.js` protocol handler instead of Express.
 *
 * Usage: `node tcp_only_proxy.js`.
 */
"use strict";

const { createActionServer } = require("./nodejs_proxy.js");

createActionServer().listen(8080, "0.0.0.0");
