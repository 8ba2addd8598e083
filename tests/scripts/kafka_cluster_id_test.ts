// Tests the KRaft cluster id the Kafka service formats storage with (scripts/services/kafka.ts).
import assert from "node:assert/strict";
import { clusterId } from "../../scripts/services/kafka.ts";

Deno.test("kafka cluster ids are 22 base64url characters and never start with '-'", () => {
  // One id in 64 used to start with "-", which the storage tool read as an option.
  for (let i = 0; i < 5_000; i++) {
    const id = clusterId();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  }
});
