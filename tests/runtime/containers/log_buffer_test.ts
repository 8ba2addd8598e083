/** Unit tests of per-activation log collection. */

import assert from "node:assert/strict";
import {
  ACTIVATION_LOG_SENTINEL,
  LOG_COLLECTION_ISSUE_MESSAGE,
  LOG_DEVELOPER_ERROR_MESSAGE,
  logTruncatedMessage,
} from "../../../runtime/containers/mod.ts";
import { formatLogLine, LogBuffer } from "../../../runtime/containers/log_buffer.ts";

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0, 123);
const done = { ended: false, expectSentinels: true };

function buffer(cap = 1 << 20): LogBuffer {
  let t = T0;
  return new LogBuffer(cap, () => t++);
}

Deno.test("formatLogLine() pads the ISO time to 30 characters like upstream", () => {
  assert.equal(
    formatLogLine(T0, "stdout", "hello"),
    "2024-05-01T10:00:00.123Z       stdout: hello",
  );
});

Deno.test("collect() returns one activation's lines in arrival order without sentinels", () => {
  const b = buffer();
  b.push("stdout", "old");
  b.push("stdout", ACTIVATION_LOG_SENTINEL);
  b.push("stderr", ACTIVATION_LOG_SENTINEL);
  const mark = b.mark();
  b.push("stdout", "a");
  b.push("stderr", "b");
  b.push("stdout", "c");
  b.push("stdout", ACTIVATION_LOG_SENTINEL);
  b.push("stderr", ACTIVATION_LOG_SENTINEL);
  b.push("stdout", "next activation");
  assert.equal(b.hasSentinels(mark), true);
  const lines = b.collect(mark, 1000, done).map((l) => l.slice(31));
  assert.deepEqual(lines, ["stdout: a", "stderr: b", "stdout: c"]);
});

Deno.test("collect() cuts at the byte limit and appends the truncation notice", () => {
  const b = buffer();
  const mark = b.mark();
  for (const text of ["12345", "67890", "abcde"]) b.push("stdout", text);
  b.push("stdout", ACTIVATION_LOG_SENTINEL);
  b.push("stderr", ACTIVATION_LOG_SENTINEL);
  const lines = b.collect(mark, 12, done).map((l) => l.slice(31));
  assert.deepEqual(lines, ["stdout: 12345", "stdout: 67890", `stderr: ${logTruncatedMessage(12)}`]);
});

Deno.test("collect() notes missing sentinels, as a developer error once the process ended", () => {
  const b = buffer();
  const mark = b.mark();
  b.push("stdout", "partial");
  assert.equal(
    b.collect(mark, 100, done).at(-1)!.slice(31),
    `stderr: ${LOG_COLLECTION_ISSUE_MESSAGE}`,
  );
  const b2 = buffer();
  b2.push("stdout", "partial");
  const ended = b2.collect({ stdout: 0, stderr: 0 }, 100, { ended: true, expectSentinels: true });
  assert.equal(ended.at(-1)!.slice(31), `stderr: ${LOG_DEVELOPER_ERROR_MESSAGE}`);
  const b3 = buffer();
  b3.push("stdout", "concurrent");
  const loose = b3.collect({ stdout: 0, stderr: 0 }, 100, { ended: false, expectSentinels: false });
  assert.deepEqual(loose.map((l) => l.slice(31)), ["stdout: concurrent"]);
});

Deno.test("push() drops lines beyond the buffer cap and collect() reports truncation", () => {
  const b = buffer(10);
  const mark = b.mark();
  b.push("stdout", "123456");
  b.push("stdout", "789012");
  b.push("stdout", ACTIVATION_LOG_SENTINEL);
  b.push("stderr", ACTIVATION_LOG_SENTINEL);
  const lines = b.collect(mark, 1000, done).map((l) => l.slice(31));
  assert.deepEqual(lines, ["stdout: 123456", `stderr: ${logTruncatedMessage(1000)}`]);
});
