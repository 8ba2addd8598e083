/**
 * The platform process of a benchmark run: starts `startStandalone()` with the
 * benchmark's settings (either balancer), counts control-plane operations, and answers line commands on
 * stdin. Spawned by `platform.ts`; never run by hand.
 *
 * Protocol (one JSON object per line): it prints `{"ready":true,"url":…,"pid":…}` once
 * serving; then `{"cmd":"counters"}` → `{"counters":{…}}` and `{"cmd":"close"}` →
 * `{"closed":true}` before it exits; `{"cmd":"focus","action":"a"}` → `{"focused":"a"}`
 * makes later key-value counts tell the action's keys apart (see `op_counter.ts`). Platform logs (warn and above) go to stderr.
 *
 * Usage: `deno run -A platform_host.ts '<json of PlatformHostOptions>'`.
 *
 * @module
 */
import { loadConfig } from "../../runtime/config.ts";
import { EtcdKv, MemoryKv } from "../../runtime/kv/mod.ts";
import { KafkaBus, MemoryBus } from "../../runtime/bus/mod.ts";
import { jsonLineLogger } from "../../runtime/log.ts";
import { startStandalone } from "../standalone_platform.ts";
import { ControlPlaneCounter, instrumentBusClass, instrumentKvClass } from "./op_counter.ts";

/** What the parent asks for. */
export interface PlatformHostOptions {
  /** Config flags, e.g. `["--container-pool-user-memory-mb", "16384"]`. */
  readonly configArgs: readonly string[];
  readonly realEtcd: boolean;
  readonly realKafka: boolean;
  /** The controller's balancer (default `fpc`); `lean` always runs on the in-memory twins. */
  readonly balancer?: "fpc" | "lean";
}

async function main(): Promise<void> {
  const options = JSON.parse(Deno.args[0] ?? "{}") as PlatformHostOptions;
  const counter = new ControlPlaneCounter();
  type Proto = Record<string, unknown>;
  instrumentKvClass(MemoryKv.prototype as unknown as Proto, counter);
  instrumentKvClass(EtcdKv.prototype as unknown as Proto, counter);
  instrumentBusClass(MemoryBus.prototype as unknown as Proto, counter);
  instrumentBusClass(KafkaBus.prototype as unknown as Proto, counter);

  const platform = await startStandalone({
    config: loadConfig(options.configArgs),
    port: 0,
    realEtcd: options.realEtcd,
    realKafka: options.realKafka,
    logger: jsonLineLogger("warn"),
    ...(options.balancer ? { balancer: options.balancer } : {}),
  });
  const out = (o: unknown) => console.log(JSON.stringify(o));
  out({ ready: true, url: platform.url, pid: Deno.pid });

  const decoder = new TextDecoderStream();
  Deno.stdin.readable.pipeTo(decoder.writable).catch(() => {});
  let buffer = "";
  for await (const chunk of decoder.readable) {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      const { cmd } = JSON.parse(line) as { cmd: string };
      if (cmd === "counters") out({ counters: counter.snapshot() });
      if (cmd === "focus") {
        counter.focus = (JSON.parse(line) as { action?: string }).action;
        out({ focused: counter.focus ?? null });
      }
      if (cmd === "close") {
        await platform.close();
        out({ closed: true });
        Deno.exit(0);
      }
    }
  }
  await platform.close(); // stdin closed: the parent is gone
  Deno.exit(0);
}

if (import.meta.main) await main();
