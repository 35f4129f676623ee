import { ConfigError } from '../../lib/platform/errors';
import { createMetricEmitter, formatMetrics } from '../../lib/platform/metrics';
import type { Metric } from '../../lib/platform/metrics';

/** The units CloudWatch accepts (MetricDatum.Unit), which the EMF specification refers to. */
const CLOUDWATCH_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
];

/**
 * Every way `doc` breaks the Embedded Metric Format specification
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * a root `_aws` with an integer `Timestamp` (ms) and `CloudWatchMetrics`, an array of
 * directives { Namespace, Dimensions: DimensionSet[] (each at most 30 names), Metrics:
 * at most 100 { Name, Unit? } }; each dimension names a root member holding a string,
 * each metric a root member holding a number.
 */
function emfProblems(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const aws = doc._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (typeof aws !== 'object' || aws === null) return ['no _aws object'];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 0) problems.push('_aws.Timestamp is not a non-negative integer');
  if (!Array.isArray(aws.CloudWatchMetrics)) return [...problems, '_aws.CloudWatchMetrics is not an array'];
  for (const directive of aws.CloudWatchMetrics as Record<string, unknown>[]) {
    if (typeof directive.Namespace !== 'string' || !/^\S.{0,1023}$/.test(directive.Namespace)) problems.push('Namespace is not a 1-1024 character string');
    if (!Array.isArray(directive.Dimensions)) problems.push('Dimensions is not an array');
    for (const set of (directive.Dimensions as unknown[]) ?? []) {
      if (!Array.isArray(set) || set.length > 30) problems.push('a DimensionSet is not an array of at most 30 names');
      for (const name of (set as unknown[]) ?? [])
        if (typeof doc[String(name)] !== 'string') problems.push(`dimension ${String(name)} is not a string root member`);
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length > 100) problems.push('Metrics is not an array of at most 100');
    for (const m of (directive.Metrics as { Name?: unknown; Unit?: unknown }[]) ?? []) {
      if (typeof m.Name !== 'string' || m.Name.length === 0 || m.Name.length > 1024) problems.push('a metric Name is not a 1-1024 character string');
      if (m.Unit !== undefined && !CLOUDWATCH_UNITS.includes(String(m.Unit)))
        problems.push(`${String(m.Name)}: unit ${String(m.Unit)} is not a CloudWatch unit`);
      if (typeof doc[String(m.Name)] !== 'number') problems.push(`${String(m.Name)} is not a number root member`);
    }
  }
  return problems;
}

const METRICS: Metric[] = [
  { name: 'UnsentNotifications', unit: 'Count', value: 2 },
  { name: 'OldestUnsentAgeSeconds', unit: 'Seconds', value: 185.5 },
  { name: 'BytesLost', unit: 'Bytes', value: 0 },
];
const DIMENSIONS = { Service: 'logmon', Function: 'logmon-prod-alert' };
const AT = Date.parse('2026-12-01T10:00:00.123Z');

describe('Function: formatMetrics', () => {
  it('builds one EMF directive in the logmon namespace, dimensions Service and Function, each metric with its unit and value', () => {
    const doc = formatMetrics(METRICS, DIMENSIONS, AT);

    expect(doc).toEqual({
      _aws: {
        Timestamp: AT,
        CloudWatchMetrics: [
          {
            Namespace: 'logmon',
            Dimensions: [['Service', 'Function']],
            Metrics: [
              { Name: 'UnsentNotifications', Unit: 'Count' },
              { Name: 'OldestUnsentAgeSeconds', Unit: 'Seconds' },
              { Name: 'BytesLost', Unit: 'Bytes' },
            ],
          },
        ],
      },
      Service: 'logmon',
      Function: 'logmon-prod-alert',
      UnsentNotifications: 2,
      OldestUnsentAgeSeconds: 185.5,
      BytesLost: 0,
    });
    expect(emfProblems(doc)).toEqual([]);
  });

  it.each([NaN, Infinity, -Infinity])('leaves out a metric whose value is %p, which CloudWatch would reject with the whole line', (value) => {
    const doc = formatMetrics([...METRICS, { name: 'Broken', unit: 'Count', value }], DIMENSIONS, AT);

    expect(doc.Broken).toBeUndefined();
    expect(doc._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).not.toContain('Broken');
    expect(emfProblems(doc)).toEqual([]);
  });

  it('keeps at most the 100 metrics a directive may hold, and a whole-millisecond timestamp', () => {
    const many = Array.from({ length: 120 }, (_, i): Metric => ({ name: `M${i}`, unit: 'Count', value: i }));

    const doc = formatMetrics(many, DIMENSIONS, AT + 0.4);

    expect(doc._aws.CloudWatchMetrics[0]!.Metrics).toHaveLength(100);
    expect(doc._aws.Timestamp).toBe(AT);
    expect(emfProblems(doc)).toEqual([]);
  });
});

describe('Function: createMetricEmitter', () => {
  const emitted = (env: Record<string, string | undefined>, metrics: Metric[] = METRICS): string[] => {
    const lines: string[] = [];
    createMetricEmitter('alert', { env, now: () => AT, write: (line) => lines.push(line) }).emit(metrics);
    return lines;
  };

  it('writes one JSON line per call, naming the Lambda function and the service', () => {
    const lines = emitted({ AWS_LAMBDA_FUNCTION_NAME: 'logmon-prod-alert', POWERTOOLS_SERVICE_NAME: 'logmon' });

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\{.*\}\n$/);
    expect(lines[0]!.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(lines[0]!)).toEqual(formatMetrics(METRICS, DIMENSIONS, AT));
  });

  it('names the job and the logmon service outside Lambda', () => {
    const [line] = emitted({});

    expect(JSON.parse(line!)).toMatchObject({ Service: 'logmon', Function: 'alert' });
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['', 1],
    [undefined, 1],
  ])('with LOGMON_METRICS=%p writes %p line(s)', (setting, count) => {
    expect(emitted({ LOGMON_METRICS: setting })).toHaveLength(count);
  });

  it('writes nothing for an empty list', () => {
    expect(emitted({}, [])).toEqual([]);
  });

  it('throws a ConfigError naming LOGMON_METRICS on any other value', () => {
    expect(() => createMetricEmitter('ingest', { env: { LOGMON_METRICS: 'off' } })).toThrow(new ConfigError('LOGMON_METRICS must be 0 or 1, got "off"'));
  });
});
