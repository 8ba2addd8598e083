/** Tests of scripts/role_options.ts: every controller setting reaches the role. */
import assert from "node:assert/strict";
import { loadConfig } from "../../runtime/config.ts";
import { controllerRoleOptions } from "../../scripts/role_options.ts";

Deno.test("controllerRoleOptions() carries the forced-completion, retention and REST settings", () => {
  const config = loadConfig([
    "--controller-forced-completion-floor-ms",
    "1000",
    "--queue-max-blackbox-retention-ms",
    "7000",
    "--controller-blocking-wait-ms",
    "2500",
    "--cluster-name",
    "c1",
  ], () => undefined);
  const options = controllerRoleOptions(config, 3);
  assert.equal(options.controllerId, 3);
  assert.equal(options.cluster, "c1");
  assert.equal(options.forcedCompletionFloorMs, 1000);
  assert.equal(options.blackboxQueueRetentionMs, 7000);
  assert.equal(options.createQueueAttempts, config.controller.createQueueRetries + 1);
  assert.equal(options.rest.maxBlockingWaitMs, 2500);
});
