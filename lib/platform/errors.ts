/** Base of logmon's errors: a name, a message that says what failed, and context. */
export class LogmonError extends Error {
  public readonly context: Record<string, unknown>;
  public constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LogmonError';
    this.context = context;
  }
}

/** A configuration value is missing or invalid; raised at start-up. */
export class ConfigError extends LogmonError {
  public constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, context, options);
    this.name = 'ConfigError';
  }
}

/** The database could not be reached or a statement failed. */
export class DatabaseError extends LogmonError {
  public constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, context, options);
    this.name = 'DatabaseError';
  }
}

/**
 * The errno codes opening, fstat'ing or reading a monitored file can fail
 * with (open(2), read(2), fstat(2); ESTALE and ETIMEDOUT from NFS/EFS).
 */
export const FILE_ERRNO_CODES = [
  'ENOENT',
  'EACCES',
  'EPERM',
  'EIO',
  'ELOOP',
  'ENAMETOOLONG',
  'ENOTDIR',
  'EISDIR',
  'EMFILE',
  'ENFILE',
  'ENXIO',
  'ENODEV',
  'EOVERFLOW',
  'EAGAIN',
  'EINTR',
  'EBADF',
  'EINVAL',
  'ENOMEM',
  'ESTALE',
  'ETIMEDOUT',
] as const;
export type FileErrnoCode = (typeof FILE_ERRNO_CODES)[number];

/**
 * logmon's own codes, for what is not an errno: `ENOTFILE` the path is not a
 * regular file (a FIFO, a device, a directory); `ECHANGED` the file's first
 * bytes changed while a batch read it (the batch is rolled back).
 */
export const LOGMON_READ_CODES = ['ENOTFILE', 'ECHANGED'] as const;
export type LogmonReadCode = (typeof LOGMON_READ_CODES)[number];

export const SOURCE_READ_ERROR_CODES = [...FILE_ERRNO_CODES, ...LOGMON_READ_CODES] as const;
export type SourceReadErrorCode = FileErrnoCode | LogmonReadCode;

/**
 * The typed code for a code met at run time (`err.code` of a failed fs call,
 * a discovery problem's reason). A code not listed is carried as `EIO`, the
 * generic I/O failure: callers keep the original text in their message.
 *
 * @example
 *   sourceReadErrorCode('EACCES'); // 'EACCES'
 *   sourceReadErrorCode('EWHATEVER'); // 'EIO'
 */
export function sourceReadErrorCode(raw: unknown): SourceReadErrorCode {
  return SOURCE_READ_ERROR_CODES.find((code) => code === raw) ?? 'EIO';
}

/** A monitored file could not be read; `code` says why (the file's outcome is decided from it). */
export class SourceReadError extends LogmonError {
  public readonly code: SourceReadErrorCode;
  public constructor(message: string, code: SourceReadErrorCode, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, context, options);
    this.name = 'SourceReadError';
    this.code = code;
  }
}

/** No configured file exists: an ingest run read nothing and could not do its job (the run is recorded first). */
export class NoSourcesError extends LogmonError {
  public constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, context, options);
    this.name = 'NoSourcesError';
  }
}

/** SNS did not accept a notification. */
export class PublishError extends LogmonError {
  public constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, context, options);
    this.name = 'PublishError';
  }
}

/** A notification channel other than SNS (SMTP, a webhook, Slack, PagerDuty) did not accept a notification. */
export class ChannelDeliveryError extends LogmonError {
  public readonly channel: string;
  public constructor(message: string, context: { channel: string; outboxId: number; rule: string; status?: number }, options?: ErrorOptions) {
    super(message, context, options);
    this.name = 'ChannelDeliveryError';
    this.channel = context.channel;
  }
}

/** One line for humans: the message plus its causes. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (current instanceof AggregateError && current.errors.length > 0) {
      parts.push(current.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; '));
      break;
    }
    if (current instanceof Error) {
      if (current.message) parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(': ') || 'unknown error';
}

/** An S3 source's location could not be listed (denied, no such bucket, throttled or timed out past the retries): the run could not do its job for it (it is recorded first). */
export class S3ListingError extends LogmonError {
  public constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, context, options);
    this.name = 'S3ListingError';
  }
}
