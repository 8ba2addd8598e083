/**
 * The checks of `PUT /actions/{name}` for a sequence: every component is a fully
 * qualified name (`_` becomes the caller's namespace in the stored document), exists
 * and is readable by the caller, the sequence does not reach itself, and the atomic
 * actions it would run (inner sequences expanded) are at most the sequence limit.
 * Mirrors `checkSequenceActionLimits` / `countAtomicActionsAndCheckCycle` of
 * `core/controller/.../Actions.scala`.
 *
 * @module
 */
import type { WhiskAction } from "../../../protocols/mod.ts";
import { refOfFqn, resolveAction } from "./action_resolution.ts";
import type { ActionRef } from "./entity_names.ts";
import { ApiError } from "./errors.ts";
import type { RequestContext } from "./request_context.ts";
import { SequenceMessages } from "./sequence.ts";

const MALFORMED_FQN =
  "The fully qualified name of the entity must contain at least the namespace and the name of the entity.";

function componentRef(component: string, callerNamespace: string): ActionRef {
  const ref = refOfFqn(component, callerNamespace);
  if (!ref) throw new ApiError(400, MALFORMED_FQN);
  return ref;
}

/** `/ns/pkg/name` of a reference. */
function fqnOf(ref: ActionRef): string {
  return `/${ref.docId}`;
}

async function countAtomic(
  ctx: RequestContext,
  callerNamespace: string,
  self: string,
  components: readonly string[],
  budget: { left: number },
): Promise<void> {
  for (const component of components) {
    const ref = componentRef(component, callerNamespace);
    if (ref.docId === self) throw new ApiError(400, SequenceMessages.cyclic);
    const resolved = await resolveAction(ctx, callerNamespace, ref).catch((error) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    });
    if (!resolved) throw new ApiError(400, SequenceMessages.componentNotFound);
    const action = resolved.entry.value;
    if (`${action.namespace}/${action.name}` === self) {
      throw new ApiError(400, SequenceMessages.cyclic);
    }
    if (action.exec.kind === "sequence") {
      await countAtomic(ctx, callerNamespace, self, action.exec.components, budget);
    } else {
      budget.left -= 1;
      if (budget.left < 0) throw new ApiError(400, SequenceMessages.tooLong);
    }
  }
}

/**
 * Checks a sequence about to be written and returns it with its components resolved;
 * any other action is returned as it is.
 *
 * @throws {ApiError} 400 with upstream's sequence messages, 403 for an unreadable component
 */
export async function checkSequence(
  ctx: RequestContext,
  callerNamespace: string,
  ref: ActionRef,
  action: WhiskAction,
): Promise<WhiskAction> {
  if (action.exec.kind !== "sequence") return action;
  const components = action.exec.components.map((c) => fqnOf(componentRef(c, callerNamespace)));
  if (components.length === 0) throw new ApiError(400, SequenceMessages.noComponent);
  if (components.length > ctx.options.sequenceLength) {
    throw new ApiError(400, SequenceMessages.tooLong);
  }
  await countAtomic(ctx, callerNamespace, ref.docId, components, {
    left: ctx.options.sequenceLength,
  });
  return { ...action, exec: { kind: "sequence", components } };
}
