/** Tests of scripts/bench/svg_chart.ts: the SVG writer on known inputs. */
import assert from "node:assert/strict";
import {
  cdfPoints,
  escapeXml,
  renderLineChart,
  sideBySide,
  ticks,
} from "../../../scripts/bench/svg_chart.ts";

Deno.test("cdfPoints() gives each sorted sample its cumulative fraction", () => {
  assert.deepEqual(cdfPoints([3, 1, 2, 4]), [[1, 0.25], [2, 0.5], [3, 0.75], [4, 1]]);
  assert.deepEqual(cdfPoints([]), []);
});

Deno.test("cdfPoints() thins long inputs but keeps the last point at 1", () => {
  const points = cdfPoints(Array.from({ length: 1001 }, (_, i) => i), 100);
  assert.ok(points.length <= 102);
  assert.deepEqual(points[0], [0, 1 / 1001]);
  assert.deepEqual(points[points.length - 1], [1000, 1]);
});

Deno.test("ticks() gives powers of ten on a log axis and even steps otherwise", () => {
  assert.deepEqual(ticks(0.1, 100, true), [0.1, 1, 10, 100]);
  assert.deepEqual(ticks(0, 100, false, 5), [0, 25, 50, 75, 100]);
});

Deno.test("escapeXml() escapes markup characters", () => {
  assert.equal(escapeXml(`<a & "b">`), "&lt;a &amp; &quot;b&quot;&gt;");
});

Deno.test("renderLineChart() maps points into the plot area and labels series", () => {
  const svg = renderLineChart({
    title: "T <1>",
    xLabel: "x",
    yLabel: "y",
    width: 200,
    height: 100,
    series: [{ name: "s&1", points: [[0, 0], [10, 10]] }],
  });
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"'));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.ok(svg.includes("T &lt;1&gt;"));
  assert.ok(svg.includes(">s&amp;1</text>"));
  // plot area: x 64..184, y 32..52; (0,0) is bottom-left, (10, 10) sits below the 5% headroom.
  const points = svg.match(/points="([^"]+)"/)![1];
  assert.equal(points, "64.0,52.0 184.0,33.0");
});

Deno.test("renderLineChart() places points on a log axis by decade", () => {
  const svg = renderLineChart({
    title: "t",
    xLabel: "x",
    yLabel: "y",
    logX: true,
    width: 264,
    height: 100,
    series: [{ name: "a", points: [[1, 1], [10, 1], [100, 1]] }],
  });
  const xs = svg.match(/points="([^"]+)"/)![1]!.split(" ").map((p) => Number(p.split(",")[0]));
  assert.deepEqual(xs, [64, 156, 248]);
});

Deno.test("sideBySide() shifts the right chart by one width", () => {
  const svg = sideBySide("<svg/>", "<svg/>", 300, 100);
  assert.ok(svg.includes('width="600" height="100"'));
  assert.ok(svg.includes('transform="translate(300 0)"'));
});

Deno.test("ticks() gives no log ticks for a range that is empty, zero or not finite", () => {
  assert.deepEqual(ticks(0, 100, true), []);
  assert.deepEqual(ticks(Infinity, -Infinity, true), []);
  assert.deepEqual(ticks(5, Number.NaN, true), []);
});
