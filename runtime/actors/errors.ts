/**
 * Error classes of the actor kit. Few and std-styled (STYLE practice 12).
 *
 * @module
 */

/** An {@link ask} got no reply in time. Retryable: the target may just be slow. */
export class AskTimeoutError extends Error {
  override readonly name = "AskTimeoutError";
  readonly retryable = true;

  constructor(
    /** Path of the actor that was asked. */
    readonly target: string,
    /** The `type` of the message sent, when it had one. */
    readonly messageType: string | undefined,
    readonly timeoutMs: number,
  ) {
    super(
      `Ask to "${target}" with message "${messageType ?? "(untyped)"}" got no reply ` +
        `within ${timeoutMs} ms`,
    );
  }
}
