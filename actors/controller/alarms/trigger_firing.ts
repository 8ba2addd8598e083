/**
 * Firing an alarm's trigger through the same path as `POST .../triggers/{name}`: a
 * request handed to the controller's own REST handler with the credentials of the
 * namespace's owner, so the fire rate, the rules, the trigger's activation record and
 * the metrics are exactly those of a client's fire. Mirrors `fireTrigger` of upstream's
 * `openwhisk-package-alarms` `provider/lib/utils.js` (which posts to the controller
 * with the apikey stored at CREATE); differences: no network hop, and the owner's
 * current key is looked up at each fire rather than stored with the alarm.
 *
 * @module
 */
import { authKeyString, type JsonObject } from "../../../protocols/mod.ts";
import type { AlarmTarget, FireOutcome } from "../../../protocols/alarm_service.ts";
import type { Logger } from "../../../runtime/log.ts";
import type { EntityStore } from "../../../runtime/store/mod.ts";
import { identityOfNamespace } from "../rest_api/caller_identity.ts";

/** The REST handler (`createRestApi`). */
export type RestHandler = (request: Request) => Promise<Response>;

/** The fire outcome an answer of `POST .../triggers/{name}` means. */
export async function fireOutcomeOf(response: Response): Promise<FireOutcome> {
  const body = await response.text();
  const parsed = (() => {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return {};
    }
  })();
  switch (response.status) {
    case 202:
      return { type: "Fired", activationId: String(parsed.activationId ?? "") };
    case 204:
      return { type: "NoActiveRule" };
    case 404:
      return { type: "TriggerGone" };
    default:
      return {
        type: "Refused",
        status: response.status,
        message: typeof parsed.error === "string" ? parsed.error : body,
      };
  }
}

/**
 * The `fire` dep of the AlarmService over `handler`.
 *
 * @example
 * ```ts ignore
 * const fire = fireThroughApi((request) => handler(request), store, logger);
 * await fire({ namespace: "guest", trigger: "t1" }, { tick: 1 });
 * ```
 */
export function fireThroughApi(handler: RestHandler, store: EntityStore, logger: Logger) {
  return async (target: AlarmTarget, payload: JsonObject): Promise<FireOutcome> => {
    const owner = await identityOfNamespace(store, target.namespace, logger);
    if (!owner) return { type: "TriggerGone" };
    const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/triggers/` +
      encodeURIComponent(target.trigger);
    const response = await handler(
      new Request(`http://controller.internal${path}`, {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa(authKeyString(owner.authkey))}`,
          "content-type": "application/json",
          "user-agent": "whisk-alarms",
        },
        body: JSON.stringify(payload),
      }),
    );
    return await fireOutcomeOf(response);
  };
}
