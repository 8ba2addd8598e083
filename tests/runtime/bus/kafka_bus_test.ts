/**
 * Tests of the Kafka adapter that need no broker: error mapping and log routing. Its
 * behaviour against a real broker is the contract suite (`tests/contract/bus_kafka_test.ts`).
 */
import assert from "node:assert/strict";
import {
  BusError,
  BusUnavailableError,
  KafkaBus,
  mapKafkaError,
} from "../../../runtime/bus/mod.ts";
import { capturingLogger } from "../../../runtime/log.ts";

function kafkaLikeError(name: string, retriable: boolean): Error {
  return Object.assign(new Error("boom"), { name, retriable });
}

Deno.test("mapKafkaError() maps connection failures to a retryable BusUnavailableError", () => {
  for (
    const name of [
      "KafkaJSConnectionError",
      "KafkaJSNumberOfRetriesExceeded",
      "KafkaJSRequestTimeoutError",
    ]
  ) {
    const mapped = mapKafkaError(kafkaLikeError(name, false), "Cannot send");
    assert.ok(mapped instanceof BusUnavailableError, name);
    assert.equal(mapped.retryable, true);
    assert.match(mapped.message, /^Cannot send: boom$/);
    assert.equal((mapped.cause as Error).name, name);
  }
});

Deno.test("mapKafkaError() keeps kafkajs' retriable flag on other errors", () => {
  const retriable = mapKafkaError(kafkaLikeError("KafkaJSProtocolError", true), "x");
  const fatal = mapKafkaError(kafkaLikeError("KafkaJSProtocolError", false), "x");
  assert.ok(retriable instanceof BusError && !(retriable instanceof BusUnavailableError));
  assert.equal(retriable.retryable, true);
  assert.equal(fatal.retryable, false);
});

Deno.test("KafkaBus.send() rejects with BusUnavailableError when no broker listens, logging via our logger", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // a port that was free a moment ago: nothing listens there now
  const logger = capturingLogger();
  const bus = new KafkaBus({
    brokers: [`127.0.0.1:${port}`],
    logger,
    retries: 0,
    connectionTimeoutMs: 500,
  });
  try {
    await assert.rejects(bus.send("t", [{ value: "x" }]), BusUnavailableError);
    assert.ok(logger.entries.some((e) => e.msg.startsWith("kafkajs: ")), "kafkajs logs routed");
  } finally {
    await bus.close();
  }
});
