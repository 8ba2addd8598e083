/**
 * Reads the JUnit report that `deno test --junit-path` wrote and prints the plain
 * closing line CI reads: `N passed, M failed` (`, K skipped` when some were ignored).
 * A non-zero test exit with no failed case counted (a type error before any test ran,
 * say) still counts as one failure, so the line never reads green on a red run.
 *
 * Usage: deno run -A scripts/test_summary.ts <junit.xml> <deno-test-exit-code>
 *        [<extra-passed> <extra-failed>]   (checks run outside deno test, e.g. the bench gate)
 */

/** Counts of one JUnit report. */
export interface TestCounts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/**
 * Counts the test cases of a JUnit XML document.
 *
 * @example
 * ```ts
 * import { countJUnit } from "./test_summary.ts";
 * const xml = '<testsuite><testcase name="a"/><testcase name="b"><failure message="x"/></testcase></testsuite>';
 * console.assert(countJUnit(xml).failed === 1);
 * ```
 */
export function countJUnit(xml: string): TestCounts {
  let passed = 0, failed = 0, skipped = 0;
  const caseRe = /<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(caseRe)) {
    const body = match[2] ?? "";
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return { passed, failed, skipped };
}

if (import.meta.main) {
  const [path = ".test-results/junit.xml", code = "0", extraPassed = "0", extraFailed = "0"] =
    Deno.args;
  let counts: TestCounts = { passed: 0, failed: 0, skipped: 0 };
  try {
    counts = countJUnit(await Deno.readTextFile(path));
  } catch (error) {
    console.error(`test_summary: cannot read ${path}: ${(error as Error).message}`);
  }
  const exitCode = Number(code);
  const failed = (exitCode !== 0 && counts.failed === 0 ? 1 : counts.failed) +
    Number(extraFailed);
  const passed = counts.passed + Number(extraPassed);
  const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : "";
  console.log(`${passed} passed, ${failed} failed${skipped}`);
  Deno.exit(failed > 0 ? 1 : 0);
}
