/**
 * Runs the data-services contract against a real etcd (`WSK_ETCD`, default
 * 127.0.0.1:2379) through `runtime/kv/etcd_kv.ts`. Set `WSK_SKIP_REAL=1` to skip.
 *
 * @module
 */
import { EtcdKv } from "../../runtime/kv/etcd_kv.ts";
import { silentLogger } from "../../runtime/log.ts";
import { runDataServicesContract } from "./data_services_contract.ts";

const ENDPOINT = Deno.env.get("WSK_ETCD") ?? "127.0.0.1:2379";
const SKIP = Deno.env.get("WSK_SKIP_REAL") === "1";

async function assertReachable(endpoint: string): Promise<void> {
  try {
    const res = await fetch(`http://${endpoint}/health`, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    if (res.ok) return;
  } catch {
    // reported below
  }
  throw new Error(
    `etcd is not reachable at ${endpoint} (WSK_ETCD): start it with ` +
      "`deno run -A scripts/services/etcd.ts up`, or set WSK_SKIP_REAL=1 to skip real-service tests",
  );
}

runDataServicesContract("etcd", async () => {
  await assertReachable(ENDPOINT);
  return new EtcdKv({ endpoint: ENDPOINT, logger: silentLogger });
}, { ignore: SKIP });
