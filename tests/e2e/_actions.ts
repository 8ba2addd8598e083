/** Action sources shared by the end-to-end tests of the FPC and the lean path. */

/** An e2e action source. */
export const NODE_HELLO = `function main(p) {
  console.log("hello stdout " + p.name);
  console.error("hello stderr");
  return { greeting: "hi " + p.name };
}`;

/** An e2e action source. */
export const NODE_HELLO_V2 = `function main(p) { return { greeting: "v2 " + p.name }; }`;

/** An e2e action source. */
export const PYTHON_HELLO = `import sys

def main(args):
    print("py stdout " + args.get("name", "nobody"))
    print("py stderr", file=sys.stderr)
    return {"greeting": "py " + args.get("name", "nobody")}
`;

/** An e2e action source. */
export const FAILS = `function main() { return { error: "boom" }; }`;

/** An e2e action source. */
export const THROWS = `function main() { throw new Error("thrown on purpose"); }`;

/** An e2e action source. */
export const SLEEPY = `function main(p) {
  return new Promise((resolve) => setTimeout(() => resolve({ slept: p.ms }), p.ms));
}`;
