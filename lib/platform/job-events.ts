// Events the jobs send each other (besides the schedule's). Shared here so
// the sender (ingest) and the receiver (alert) read one definition.

/** `source` of the event ingest sends the alert function after a pass that stored entries. */
export const EVALUATION_REQUEST_SOURCE = 'logmon.ingest';

/** Ingest asks the alert function to evaluate now (lib/ingest/evaluation-request.ts). */
export interface EvaluationRequestEvent {
  source: typeof EVALUATION_REQUEST_SOURCE;
  /** The ingest run (pass) that stored the entries. */
  runId: string;
  entriesStored: number;
}

/**
 * The event is an evaluation request. Anything else (the schedule's event,
 * `serverless invoke` without data, a malformed payload) is a scheduled run.
 *
 * @example
 *   isEvaluationRequest({ source: 'logmon.ingest', runId: 'r', entriesStored: 3 }); // → true
 */
export function isEvaluationRequest(event: unknown): event is EvaluationRequestEvent {
  return typeof event === 'object' && event !== null && (event as { source?: unknown }).source === EVALUATION_REQUEST_SOURCE;
}
