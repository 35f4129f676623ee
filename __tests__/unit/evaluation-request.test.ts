import type { LambdaClient } from '@aws-sdk/client-lambda';
import { readAlertFunctionName, readPollInterval } from '../../lib/ingest/config';
import { evaluationRequester } from '../../lib/ingest/evaluation-request';
import type { IngestSummary } from '../../lib/ingest/ingest';
import { isEvaluationRequest } from '../../lib/platform/job-events';
import type { AppLogger } from '../../lib/platform/logger';

describe('Function: readPollInterval', () => {
  it.each([
    [undefined, 0],
    ['', 0],
    ['0', 0],
    ['5s', 5000],
    ['1s', 1000],
    ['30s', 30_000],
  ])('INGEST_POLL_INTERVAL=%p → %p ms', (value, expected) => {
    expect(readPollInterval({ INGEST_POLL_INTERVAL: value })).toBe(expected);
  });

  it.each(['500ms', '31s', '1m', 'fast', '5'])('refuses INGEST_POLL_INTERVAL=%p, naming the variable and its range', (value) => {
    expect(() => readPollInterval({ INGEST_POLL_INTERVAL: value })).toThrow(`INGEST_POLL_INTERVAL must be a duration from 1s to 30s such as "5s", or 0`);
  });
});

describe('Function: readAlertFunctionName', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['none', null],
    ['NONE', null],
    ['logmon-prod-alert', 'logmon-prod-alert'],
  ])('ALERT_FUNCTION_NAME=%p → %p', (value, expected) => {
    expect(readAlertFunctionName({ ALERT_FUNCTION_NAME: value })).toBe(expected);
  });
});

describe('Function: isEvaluationRequest', () => {
  it.each<[string, unknown, boolean]>([
    ["ingest's request", { source: 'logmon.ingest', runId: 'r', entriesStored: 2 }, true],
    ["the schedule's event", { source: 'aws.events', 'detail-type': 'Scheduled Event' }, false],
    ['no event', undefined, false],
    ['a string', 'logmon.ingest', false],
  ])('%s → %p', (_name, event, expected) => {
    expect(isEvaluationRequest(event)).toBe(expected);
  });
});

function recordingLogger(lines: string[]): AppLogger {
  const log =
    (level: string) =>
    (message: string): void => {
      lines.push(`${level} ${message}`);
    };
  return { debug: log('DEBUG'), info: log('INFO'), warn: log('WARN'), error: log('ERROR') } as unknown as AppLogger;
}

const PASS = { runId: 'run-1', totals: { entriesStored: 4 } } as IngestSummary;

describe('Function: evaluationRequester', () => {
  it('sends an asynchronous invoke naming the run and what it stored', async () => {
    // Prepare
    const sent: Array<{ FunctionName?: string; InvocationType?: string; Payload?: Uint8Array }> = [];
    const lambda = {
      send: async (command: { input: (typeof sent)[number] }) => {
        sent.push(command.input);
        return { StatusCode: 202 };
      },
    };

    // Act
    await evaluationRequester({ lambda: lambda as unknown as Pick<LambdaClient, 'send'>, functionName: 'logmon-prod-alert' })(PASS);

    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ FunctionName: 'logmon-prod-alert', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(sent[0]!.Payload))).toEqual({ source: 'logmon.ingest', runId: 'run-1', entriesStored: 4 });
  });

  it('never throws: a failure is one WARN until requests work again', async () => {
    // Prepare
    const lines: string[] = [];
    const answers: Array<Error | { StatusCode: number; FunctionError?: string }> = [
      new Error('connect ECONNREFUSED 127.0.0.1:3002'),
      { StatusCode: 200, FunctionError: 'Unhandled' },
      { StatusCode: 202 },
    ];
    const lambda = {
      send: async () => {
        const answer = answers.shift()!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
    const request = evaluationRequester({ lambda: lambda as unknown as Pick<LambdaClient, 'send'>, functionName: 'f', logger: recordingLogger(lines) });

    // Act
    await request(PASS);
    await request(PASS);
    await request(PASS);

    // Assess
    expect(lines.filter((l) => !l.startsWith('DEBUG'))).toEqual([
      'WARN could not ask the alert function to evaluate now; its schedule evaluates within a minute',
      'INFO alert evaluation requests work again',
    ]);
  });
});
