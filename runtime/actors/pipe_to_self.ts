/**
 * `pipeToSelf()`: start long I/O outside the handler and get its outcome back as a
 * message. Mirrors Pekko's `ActorContext.pipeToSelf` and OpenWhisk's `pipeTo(self)`.
 * nact awaits a handler's promise before it takes the next message, so awaiting a
 * two-second container create would stall every other message (STYLE practice 10).
 *
 * @module
 */
import type { Ref } from "./ref.ts";
import { tell } from "./tell.ts";

/**
 * When `promise` settles, tells `self` the message `onOk(value)` or `onError(error)`.
 * If the actor has stopped by then, the message counts as a dead letter.
 */
export function pipeToSelf<T, M>(
  self: Ref<M>,
  promise: Promise<T>,
  onOk: (value: T) => M,
  onError: (error: unknown) => M,
): void {
  promise.then(
    (value) => tell(self, self, onOk(value)),
    (error: unknown) => tell(self, self, onError(error)),
  );
}
