/**
 * Runs the message-bus contract against the in-memory twin (`runtime/bus/memory_bus.ts`).
 * The "other process" of the bridge case is a second bridge on the same twin: one process
 * cannot hold two twins that share records.
 *
 * @module
 */
import { MemoryBus } from "../../runtime/bus/mod.ts";
import { runBusContract } from "./bus_contract.ts";
import { startEchoBridge } from "./fixtures/bus_echo.ts";

runBusContract("MemoryBus", {
  makeBus: (settings) => Promise.resolve(new MemoryBus(settings)),
  startEcho: async (bus, topic, group, deadLetterTopic) => {
    const bridge = await startEchoBridge(bus, topic, group, deadLetterTopic);
    return { pid: Deno.pid, close: () => bridge.close() };
  },
  waitMs: 2000,
  sanitize: true,
});
