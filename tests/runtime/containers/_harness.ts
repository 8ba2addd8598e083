/**
 * Shared helpers of the container tests: fixtures per runtime kind, a factory with
 * its own invoker id and run directory, and a check that nothing was left behind.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Container,
  type ContainerFactory,
  createProcessFactory,
  type ProcessFactoryOptions,
} from "../../../runtime/containers/mod.ts";

/** The runtime kinds served by our own proxies, with their fixture folder and suffix. */
export const KINDS = [
  { kind: "nodejs:20", dir: "nodejs", ext: "js" },
  { kind: "python:3", dir: "python", ext: "py" },
  { kind: "deno:2", dir: "deno", ext: "ts" },
] as const;

/** One entry of {@link KINDS}. */
export type KindFixture = (typeof KINDS)[number];

/** Where test containers keep their sockets. */
export const TEST_RUN_DIR = "/tmp/wsk-containers-test";

/** Set to skip tests that need real cgroups and namespaces. */
export const SKIP_REAL = Deno.env.get("WSK_SKIP_REAL") === "1";

/** Source of a fixture action. */
export function fixture(k: KindFixture, name: string): string {
  return Deno.readTextFileSync(new URL(`./fixtures/${k.dir}/${name}.${k.ext}`, import.meta.url));
}

/** A factory whose containers are named `wsk<invokerId>_…`. */
export async function testFactory(
  invokerId: number,
  options: Partial<ProcessFactoryOptions> = {},
): Promise<{ factory: ContainerFactory; prefix: string }> {
  const factory = await createProcessFactory({ invokerId, runDir: TEST_RUN_DIR, ...options });
  return { factory, prefix: `wsk${invokerId}_` };
}

/** A `/run` body as the invoker sends it. */
export function runBody(value: unknown, activationId = "0123456789abcdef0123456789abcdef") {
  return {
    value,
    namespace: "guest",
    action_name: "/guest/test",
    action_version: "0.0.1",
    activation_id: activationId,
    transaction_id: "tid-test",
    deadline: String(Date.now() + 60_000),
  };
}

/** Creates a container and initializes it with a fixture; asserts the init worked. */
export async function started(
  factory: ContainerFactory,
  k: KindFixture,
  name: string,
  code: string,
  options: { memoryMb?: number; env?: Record<string, string>; main?: string } = {},
): Promise<Container> {
  const c = await factory.create({
    name,
    kind: k.kind,
    memoryMb: options.memoryMb ?? 256,
    env: options.env ?? {},
  });
  const init = await c.initialize(
    { value: { name, main: options.main ?? "main", code, binary: false, env: {} } },
    10_000,
  );
  if (!init.ok) await c.destroy();
  assert.equal(init.status, 200, `init failed: ${JSON.stringify(init.body)}`);
  return c;
}

/** Whether a process with this pid exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Asserts that no cgroup, run directory or process of `prefix` is left. */
export function assertNoLeftovers(prefix: string): void {
  for (const controller of ["memory", "freezer", "pids"]) {
    const dir = `/sys/fs/cgroup/${controller}`;
    const left = listNames(dir).filter((n) => n.startsWith(prefix));
    assert.deepEqual(left, [], `cgroups left in ${dir}`);
  }
  assert.deepEqual(listNames(TEST_RUN_DIR).filter((n) => n.startsWith(prefix)), []);
  const strays: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cwd = Deno.readLinkSync(`/proc/${entry.name}/cwd`);
      if (cwd.startsWith(`${TEST_RUN_DIR}/${prefix}`)) strays.push(Number(entry.name));
    } catch {
      // gone
    }
  }
  assert.deepEqual(strays, [], "processes left running");
}

function listNames(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch {
    return [];
  }
}

/** Runs `body` with a container and always destroys it and checks for leftovers. */
export async function withContainer(
  prefix: string,
  make: () => Promise<Container>,
  body: (c: Container) => Promise<void>,
): Promise<void> {
  const c = await make();
  try {
    await body(c);
  } finally {
    await c.destroy();
    assertNoLeftovers(prefix);
  }
}

/** Tells whether a promise has settled within `ms`. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([
    p.then(() => true, () => true),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms)),
  ]);
  clearTimeout(timer);
  return settled;
}
