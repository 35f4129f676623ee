import { ConfigError } from './errors';
import type { Env } from './env';

/** CloudWatch namespace of logmon's own metrics (the alarms in serverless.yml watch it). */
export const METRICS_NAMESPACE = 'logmon';

/** The units of the CloudWatch API that logmon uses (MetricDatum.Unit). */
export const METRIC_UNITS = { count: 'Count', bytes: 'Bytes', seconds: 'Seconds' } as const;
export type MetricUnit = (typeof METRIC_UNITS)[keyof typeof METRIC_UNITS];

/** One value of one run, e.g. `{ name: 'BytesLost', unit: 'Bytes', value: 0 }`. */
export interface Metric {
  name: string;
  unit: MetricUnit;
  value: number;
}

/** The dimension values every metric of a function carries. */
export interface MetricDimensions {
  /** POWERTOOLS_SERVICE_NAME, `logmon` by default. */
  Service: string;
  /** The Lambda function's name (`logmon-prod-ingest`): one per stage, like the AWS/Lambda metrics' FunctionName. */
  Function: string;
}

/** A CloudWatch Embedded Metric Format document (one log line). */
export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: MetricUnit }[] }[];
  };
  [member: string]: unknown;
}

/** A maximum of the EMF specification: metrics per directive. */
const MAX_METRICS = 100;

/**
 * The EMF document of `metrics` at `timestamp` (ms since the epoch): one
 * directive, namespace `logmon`, one dimension set (Service, Function), each
 * metric's value a root member named after it. A metric whose value is not a
 * finite number is left out (CloudWatch would reject the whole line).
 *
 * @example
 *   formatMetrics([{ name: 'RowsDeleted', unit: 'Count', value: 3 }], { Service: 'logmon', Function: 'logmon-prod-retention' }, Date.now());
 *   // { _aws: { Timestamp, CloudWatchMetrics: [{ Namespace: 'logmon', Dimensions: [['Service', 'Function']], Metrics: [{ Name: 'RowsDeleted', Unit: 'Count' }] }] },
 *   //   Service: 'logmon', Function: 'logmon-prod-retention', RowsDeleted: 3 }
 */
export function formatMetrics(metrics: readonly Metric[], dimensions: MetricDimensions, timestamp: number): EmfDocument {
  const kept = metrics.filter((m) => Number.isFinite(m.value)).slice(0, MAX_METRICS);
  const doc: EmfDocument = {
    _aws: {
      Timestamp: Math.round(timestamp),
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['Service', 'Function']], Metrics: kept.map((m) => ({ Name: m.name, Unit: m.unit })) }],
    },
    Service: dimensions.Service,
    Function: dimensions.Function,
  };
  for (const m of kept) doc[m.name] = m.value;
  return doc;
}

export interface MetricEmitter {
  /** Prints one EMF line with `metrics` (nothing when metrics are off or the list is empty). */
  emit: (metrics: readonly Metric[]) => void;
}

export interface MetricEmitterOptions {
  /** Where LOGMON_METRICS, AWS_LAMBDA_FUNCTION_NAME and POWERTOOLS_SERVICE_NAME are read (default process.env). */
  env?: Env;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Receives each line, newline included (default: stdout). */
  write?: (line: string) => void;
}

/**
 * The metrics writer of one function. Lines go straight to stdout, not
 * through the logger: Lambda ships stdout to CloudWatch Logs, which turns the
 * `_aws` lines into metrics (no API call, no IAM permission, no network path
 * from the VPC), and the logger's level must never silence what the alarms
 * watch. `LOGMON_METRICS=0` turns them off (the tests' quiet output);
 * anything but blank, `0` or `1` fails the cold start.
 *
 * @example
 *   const metrics = createMetricEmitter('retention');
 *   metrics.emit([{ name: 'RowsDeleted', unit: 'Count', value: 42 }]);
 */
export function createMetricEmitter(job: string, options: MetricEmitterOptions = {}): MetricEmitter {
  const env = options.env ?? process.env;
  const setting = env.LOGMON_METRICS?.trim() ?? '';
  if (!['', '0', '1'].includes(setting)) throw new ConfigError(`LOGMON_METRICS must be 0 or 1, got "${env.LOGMON_METRICS}"`, { name: 'LOGMON_METRICS' });
  const dimensions: MetricDimensions = {
    Service: env.POWERTOOLS_SERVICE_NAME?.trim() || 'logmon',
    Function: env.AWS_LAMBDA_FUNCTION_NAME?.trim() || job,
  };
  const now = options.now ?? Date.now;
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  return {
    emit: (metrics) => {
      if (setting === '0' || metrics.length === 0) return;
      write(`${JSON.stringify(formatMetrics(metrics, dimensions, now()))}\n`);
    },
  };
}
