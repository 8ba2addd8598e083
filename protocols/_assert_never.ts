/**
 * Exhaustiveness check for `switch` statements over protocol unions (STYLE practice 6).
 * Our own helper because std keeps `@std/assert` out of implementation code. No
 * upstream counterpart: Scala's sealed-trait match warnings play this role there.
 *
 * @module
 */

/**
 * Marks a branch the compiler proves unreachable; throws if it is reached anyway
 * (a value from outside the type system, e.g. an unchecked cast).
 *
 * @param value the value whose type has been narrowed to `never`
 * @param what optional name of the union, for the error message
 * @returns never
 * @example
 * ```ts
 * import { assertNever } from "./_assert_never.ts";
 * type Light = { type: "Red" } | { type: "Green" };
 * function next(l: Light): Light {
 *   switch (l.type) {
 *     case "Red": return { type: "Green" };
 *     case "Green": return { type: "Red" };
 *     default: return assertNever(l);
 *   }
 * }
 * next({ type: "Red" });
 * ```
 */
export function assertNever(value: never, what = "value"): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  throw new TypeError(`Unexpected ${what}: ${shown}`);
}
