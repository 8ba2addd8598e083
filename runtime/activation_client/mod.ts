/**
 * `ActivationClient` adapters: HTTP to a scheduler's ActivationService, and in-process
 * for standalone mode.
 *
 * @module
 */
export {
  httpActivationClient,
  type HttpActivationClientOptions,
} from "./http_activation_client.ts";
export {
  inProcessActivationClient,
  type InProcessActivationService,
} from "./in_process_activation_client.ts";
