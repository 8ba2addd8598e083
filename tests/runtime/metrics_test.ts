/** Tests of runtime/metrics.ts: counters, gauges, histograms and the text format. */
import assert from "node:assert/strict";
import { MetricsRegistry } from "../../runtime/metrics.ts";

Deno.test("MetricsRegistry.render() prints counters and gauges with sorted, escaped labels", () => {
  const metrics = new MetricsRegistry();
  const started = metrics.counter("whisk_started_total", "Started");
  started.inc({ b: "2", a: 'x"y' });
  started.inc({ b: "2", a: 'x"y' }, 2);
  metrics.gauge("whisk_queue_size", "Queue size").set(7);
  const text = metrics.render();
  assert.match(text, /# TYPE whisk_started_total counter/);
  assert.match(text, /whisk_started_total\{a="x\\"y",b="2"\} 3/);
  assert.match(text, /whisk_queue_size 7/);
  assert.equal(started.get({ a: 'x"y', b: "2" }), 3);
});

Deno.test("Histogram.observe() fills cumulative buckets, sum and count", () => {
  const metrics = new MetricsRegistry();
  const h = metrics.histogram("whisk_latency_ms", "Latency", [1, 10]);
  h.observe(0.5);
  h.observe(5);
  h.observe(50);
  const text = metrics.render();
  assert.match(text, /whisk_latency_ms_bucket\{le="1"\} 1/);
  assert.match(text, /whisk_latency_ms_bucket\{le="10"\} 2/);
  assert.match(text, /whisk_latency_ms_bucket\{le="\+Inf"\} 3/);
  assert.match(text, /whisk_latency_ms_sum 55.5/);
  assert.equal(h.count(), 3);
});

Deno.test("MetricsRegistry returns the same metric by name and refuses a type clash", () => {
  const metrics = new MetricsRegistry();
  assert.equal(metrics.counter("c", "h"), metrics.counter("c", "h"));
  assert.throws(() => metrics.gauge("c", "h"), TypeError);
});

Deno.test("Counter.inc() escapes a single label and keeps plain values apart from escaped ones", () => {
  const metrics = new MetricsRegistry();
  const calls = metrics.counter("whisk_calls_total", "Calls");
  calls.inc({ path: "a\\b\nc" });
  calls.inc({ path: "plain" }, 2);
  const text = metrics.render();
  assert.match(text, /whisk_calls_total\{path="a\\\\b\\nc"\} 1/);
  assert.match(text, /whisk_calls_total\{path="plain"\} 2/);
  assert.equal(calls.get({ path: "a\\b\nc" }), 1);
  assert.equal(calls.get({}), 0);
});
