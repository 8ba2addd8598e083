/** Tests of runtime/config.ts: defaults, flag and environment overrides, errors. */
import assert from "node:assert/strict";
import {
  ConfigError,
  describeConfig,
  envName,
  flagName,
  loadConfig,
} from "../../runtime/config.ts";

const noEnv = () => undefined;

Deno.test("loadConfig() returns upstream's defaults when nothing is set", () => {
  const config = loadConfig([], noEnv);
  assert.equal(config.scheduling.checkIntervalMs, 100);
  assert.equal(config.scheduling.staleThresholdMs, 100);
  assert.equal(config.scheduling.inProgressJobRetentionMs, 20_000);
  assert.equal(config.containerProxy.pauseGraceMs, 10_000);
  assert.equal(config.containerProxy.idleContainerMs, 600_000);
  assert.equal(config.etcd.leaseTtlSeconds, 10);
  assert.equal(config.invoker.healthBufferSize, 10);
  assert.equal(config.invoker.healthFailureTolerance, 3);
  assert.equal(config.controller.blockingWaitMs, 60_000);
});

Deno.test("loadConfig() lets a flag win over the environment and the environment over the default", () => {
  const env = (name: string) =>
    ({ WSK_QUEUE_IDLE_GRACE_MS: "700", WSK_ETCD_LEASE_TTL_SECONDS: "2" })[name];
  const config = loadConfig(["--queue-idle-grace-ms=500"], env);
  assert.equal(config.queue.idleGraceMs, 500);
  assert.equal(config.etcd.leaseTtlSeconds, 2);
  assert.equal(config.queue.stopGraceMs, 20_000);
});

Deno.test("loadConfig() parses booleans and strings from separate flag arguments", () => {
  const config = loadConfig(
    ["--scheduling-allow-over-provision-before-throttle", "true", "--invoker-tags", "gpu,fast"],
    noEnv,
  );
  assert.equal(config.scheduling.allowOverProvisionBeforeThrottle, true);
  assert.equal(config.invoker.tags, "gpu,fast");
});

Deno.test("loadConfig() throws ConfigError naming the flag when a number does not parse", () => {
  assert.throws(
    () => loadConfig(["--queue-idle-grace-ms", "soon"], noEnv),
    (e: unknown) => e instanceof ConfigError && e.message.includes("--queue-idle-grace-ms"),
  );
  assert.throws(
    () => loadConfig([], (n) => (n === "WSK_KAFKA_LINGER_MS" ? "" : undefined)),
    ConfigError,
  );
});

Deno.test("flagName() and envName() derive names from the setting path", () => {
  assert.equal(flagName("containerPool", "userMemoryMb"), "--container-pool-user-memory-mb");
  assert.equal(envName("containerPool", "userMemoryMb"), "WSK_CONTAINER_POOL_USER_MEMORY_MB");
  const described = describeConfig();
  assert.ok(described.some((d) => d.flag === "--queue-max-retention-ms" && d.default === 60_000));
});
