import { intVar } from '../platform/env';
import type { Env } from '../platform/env';

export interface RetentionConfig {
  /** Entries, anomalies and sent notifications older than this many days are removed. */
  days: number;
  /** Rows per DELETE; each batch is one short transaction. */
  batchSize: number;
  /** Stop this long before the Lambda time limit (the next run carries on). */
  stopMarginMs: number;
}

/**
 * Read the retention configuration from the environment.
 *
 * @example
 *   const config = readRetentionConfig({ RETENTION_DAYS: '14' }); // { days: 14, batchSize: 5000, ... }
 */
export function readRetentionConfig(env: Env): RetentionConfig {
  return {
    days: intVar(env, 'RETENTION_DAYS', 30, 1),
    batchSize: intVar(env, 'RETENTION_BATCH_SIZE', 5000, 1),
    stopMarginMs: 10000,
  };
}
