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

/** One object an S3 event notification names (ObjectCreated:*), its key decoded. */
export interface S3EventObject {
  bucket: string;
  key: string;
  /** Without quotes; '' when the record has none. */
  etag: string;
  size: number;
  eventTime: Date;
}

/** The S3 event notification's shape, as far as ingest reads it. */
export interface S3NotificationEvent {
  Records: {
    eventSource?: string;
    eventName?: string;
    eventTime?: string;
    s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number; eTag?: string } };
  }[];
}

/**
 * The event is an S3 event notification (`Records[].s3`): ingest reads the
 * objects it names at once (lib/ingest/s3-event.ts). Anything else is a scheduled run.
 *
 * @example
 *   isS3Event({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'logs' }, object: { key: 'a.log' } } }] }); // → true
 */
export function isS3Event(event: unknown): event is S3NotificationEvent {
  if (typeof event !== 'object' || event === null) return false;
  const records = (event as { Records?: unknown }).Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => typeof r === 'object' && r !== null && 's3' in r);
}

/**
 * The objects an S3 event created: ObjectCreated:* records only (a removal
 * names nothing to read), keys URL-decoded as S3 encodes them (`+` is a space).
 *
 * @example
 *   s3EventObjects(event); // [{ bucket: 'logs', key: 'app/web 1/x.log', etag: '…', size: 120, eventTime }]
 */
export function s3EventObjects(event: S3NotificationEvent): S3EventObject[] {
  const out: S3EventObject[] = [];
  for (const r of event.Records) {
    if (!r.eventName?.startsWith('ObjectCreated:')) continue;
    const bucket = r.s3?.bucket?.name;
    const rawKey = r.s3?.object?.key;
    if (!bucket || rawKey === undefined) continue;
    let key: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    } catch {
      key = rawKey;
    }
    const time = r.eventTime ? new Date(r.eventTime) : new Date();
    out.push({
      bucket,
      key,
      etag: (r.s3?.object?.eTag ?? '').replace(/^"(.*)"$/, '$1'),
      size: r.s3?.object?.size ?? 0,
      eventTime: Number.isNaN(time.getTime()) ? new Date() : time,
    });
  }
  return out;
}
