/**
 * Reading request bodies with a size limit: JSON bodies as upstream's controller reads
 * them (an empty body counts as `{}`, a body past the limit answers 413, bad JSON 400).
 * Mirrors the entity-size checks of `core/controller/.../RestAPIs.scala`.
 *
 * @module
 */
import { HttpError } from "./http_error.ts";

/**
 * Reads a request body as bytes, stopping as soon as it passes `limitBytes`.
 *
 * @throws {HttpError} 413 when the body is larger than the limit
 */
export async function readBodyBytes(request: Request, limitBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(declared, limitBytes);
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(size, limitBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(size: number, limit: number): HttpError {
  return new HttpError(
    413,
    `The request content was malformed:\nRequest entity too large: ${size} bytes exceeds the limit of ${limit} bytes.`,
  );
}

/**
 * Reads a JSON request body; an empty body is `{}`.
 *
 * @throws {HttpError} 413 past the limit, 400 on malformed JSON or bad UTF-8
 *
 * @example
 * ```ts
 * import { readJsonBody } from "./body.ts";
 * const value = await readJsonBody(new Request("http://x/", { method: "POST", body: "" }), 100);
 * console.assert(JSON.stringify(value) === "{}");
 * ```
 */
export async function readJsonBody(request: Request, limitBytes: number): Promise<unknown> {
  const bytes = await readBodyBytes(request, limitBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(
      400,
      "The request content was malformed:\nThe request content is not valid UTF-8.",
    );
  }
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(
      400,
      "The request content was malformed:\nThe request content is not valid JSON.",
    );
  }
}

/**
 * Reads a JSON body that must be an object.
 *
 * @throws {HttpError} as {@link readJsonBody}, and 400 when the JSON is not an object
 */
export async function readJsonObject(
  request: Request,
  limitBytes: number,
): Promise<Record<string, unknown>> {
  const value = await readJsonBody(request, limitBytes);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(
      400,
      "The request content was malformed:\nThe request content must be a JSON object.",
    );
  }
  return value as Record<string, unknown>;
}
