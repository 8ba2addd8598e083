/**
 * The dev console: one HTTP handler each role mounts (the page, `/trace` as server-sent
 * events, the merged trace of the cluster, the live actor tree and an aggregated state
 * view), the view types a composition root fills from its sources, and the `/trace`
 * reading side that `deno task trace` and the merged trace use.
 *
 * @module
 */
export {
  type ActorNode,
  actorTree,
  type ConsoleHandler,
  type ConsoleHandlerOptions,
  createConsoleHandler,
} from "./console_handler.ts";
export {
  type ActivationPath,
  type ActivationStatus,
  type ActivationView,
  type ConsoleSources,
  emptySources,
  type InvokerHealth,
  type InvokerView,
  type ProcessView,
  type QueueView,
} from "./console_views.ts";
export { type MergedTraceOptions, mergedTraceStream, type TraceSource } from "./merged_trace.ts";
export {
  encodeSseEvent,
  parseTraceQuery,
  traceMatches,
  type TraceQuery,
  traceStream,
  type TraceStreamOptions,
} from "./trace_stream.ts";
export {
  followTrace,
  type FollowTraceOptions,
  type FormatOptions,
  formatTraceLine,
  readTraceStream,
  type SourcedTraceEvent,
  type SseMessage,
  SseParser,
  traceUrl,
  TsMerger,
} from "./trace_client.ts";
