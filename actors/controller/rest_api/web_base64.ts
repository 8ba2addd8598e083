/**
 * Base64 for web action bodies: binary request bodies reach the action as base64, and a
 * base64 `body` of a binary `.http` result is decoded before it is sent. Strict: only
 * the standard alphabet with padding is accepted. No upstream counterpart (the JVM's
 * `java.util.Base64`).
 *
 * @module
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Encodes bytes as standard base64.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "./web_base64.ts";
 * console.assert(encodeBase64(new Uint8Array([104, 105])) === "aGk=");
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Decodes standard base64 (whitespace around it is ignored).
 *
 * @returns the bytes, or undefined when the text is not base64
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed)) return undefined;
  const binary = atob(trimmed);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
