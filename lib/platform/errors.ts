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

/** A monitored file could not be read. */
export class SourceReadError extends LogmonError {
  public constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, context, options);
    this.name = 'SourceReadError';
  }
}

/** SNS did not accept a notification. */
export class PublishError extends LogmonError {
  public constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, context, options);
    this.name = 'PublishError';
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
