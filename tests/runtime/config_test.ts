/** Tests of runtime/config.ts: defaults, flag and environment overrides, errors. */
import assert from "node:assert/strict";
import {
  ConfigError,
  describeConfig,
  envName,
  flagName,
  loadConfig,
  parsePrewarm,
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

Deno.test("loadConfig() defaults containerPool.prewarm to no stem cells", () => {
  const config = loadConfig([], noEnv);
  assert.equal(config.containerPool.prewarm, "");
  assert.deepEqual(parsePrewarm(config.containerPool.prewarm), []);
});

Deno.test("loadConfig() takes containerPool.prewarm from the flag or the environment", () => {
  const env = (name: string) =>
    name === "WSK_CONTAINER_POOL_PREWARM" ? "python:3:128:1" : undefined;
  assert.equal(loadConfig([], env).containerPool.prewarm, "python:3:128:1");
  const flagged = loadConfig(["--container-pool-prewarm", "nodejs:20:256:1"], env);
  assert.equal(flagged.containerPool.prewarm, "nodejs:20:256:1");
});

Deno.test("loadConfig() throws ConfigError naming the source when a prewarm entry is bad", () => {
  assert.throws(
    () => loadConfig(["--container-pool-prewarm=nodejs:20:256"], noEnv),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes("--container-pool-prewarm") &&
      e.message.includes(`"nodejs:20:256"`),
  );
  assert.throws(
    () => loadConfig([], (n) => (n === "WSK_CONTAINER_POOL_PREWARM" ? "ruby:3:256:1" : undefined)),
    (e: unknown) => e instanceof ConfigError && e.message.includes("WSK_CONTAINER_POOL_PREWARM"),
  );
});

Deno.test("parsePrewarm() reads kind:memoryMb:count entries and resolves default kinds", () => {
  assert.deepEqual(parsePrewarm(" nodejs:20:256:2 , python:default:128:1"), [
    { kind: "nodejs:20", memoryMb: 256, initialCount: 2 },
    { kind: "python:3", memoryMb: 128, initialCount: 1 },
  ]);
  assert.deepEqual(parsePrewarm("  "), []);
});

Deno.test("parsePrewarm() throws ConfigError naming the bad entry", () => {
  const cases: [string, string][] = [
    ["nodejs:20:256:1,deno:2:abc:1", `"deno:2:abc:1"`],
    ["nodejs:20:0:1", `"nodejs:20:0:1"`],
    ["nodejs:20:256:0", `"nodejs:20:256:0"`],
    ["nodejs:20:256:1.5", `"nodejs:20:256:1.5"`],
    ["blackbox:256:1", `"blackbox:256:1"`],
    ["nodejs:18:256:1", `"nodejs:18:256:1"`],
    ["256:1", `"256:1"`],
    ["nodejs:20:256:1,", `""`],
    ["nodejs:20:256:1,nodejs:default:256:2", "nodejs:20:256 repeats"],
  ];
  for (const [text, named] of cases) {
    assert.throws(
      () => parsePrewarm(text, "--container-pool-prewarm"),
      (e: unknown) => e instanceof ConfigError && e.message.includes(named),
      text,
    );
  }
});
