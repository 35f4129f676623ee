import path from 'node:path';
import { wallClockMs } from '../../lib/ingest/formats/timestamp';
import { parseSourcesConfig, readConfigFile, templateGlob, templateMatcher } from '../../lib/ingest/sources';

const defaults = { timeZone: 'UTC', minLevel: 'ERROR' as const };

describe('Function: parseSourcesConfig', () => {
  it('fills the defaults of a one-line source', () => {
    const [s] = parseSourcesConfig({ sources: [{ path: '/var/log/app/*.log' }] }, defaults);
    expect(s).toMatchObject({ name: '/var/log/app/*.log', paths: ['/var/log/app/*.log'], format: { kind: 'auto' }, timeZone: 'UTC', minLevel: 'ERROR' });
    expect(s?.labels.service).toBe('{file}');
  });

  it.each([
    [{ sources: [{ path: 'a.log', format: 'nope' }] }, /source #1, field format/],
    [{ sources: [{ name: 'api', path: 'a.log', timezone: 'Mars/Olympus' }] }, /source #1 \(api\), field timezone: must be an IANA time zone/],
    [{ sources: [{ path: 'a.log', minLevel: 'LOUD' }] }, /field minLevel: must be a level/],
    [{ sources: [{ path: 'a.log', colour: 'red' }] }, /source #1, field \(the source\): unknown field "colour"/],
    [{ sources: [{ path: 'a.log', format: { regex: '(?<time>\\S+) (' } }] }, /field format/],
    [{ sources: [{ name: 'x' }] }, /source #1 \(x\), field path/],
    [
      {
        sources: [
          { name: 'x', path: 'a' },
          { name: 'x', path: 'b' },
        ],
      },
      /two sources are named "x"/,
    ],
    [{ sources: [] }, /sources/],
  ])('names the source and the field of a mistake in %j', (raw, message) => {
    expect(() => parseSourcesConfig(raw, defaults)).toThrow(message);
  });

  it('accepts a regular expression format with a level map', () => {
    const [s] = parseSourcesConfig({ sources: [{ path: 'a.log', format: { regex: '^(?<level>\\w) (?<message>.*)$', levels: { E: 'ERROR' } } }] }, defaults);
    expect(s?.format).toMatchObject({ kind: 'regex', levels: { E: 'ERROR' } });
  });
});

describe('Function: templateMatcher', () => {
  it.each([
    ['/mnt/logs/{host}/*.log', '/mnt/logs/web-1/api.log', { host: 'web-1' }],
    ['/mnt/logs/{host}/{service}.log', '/mnt/logs/web-1/api.log', { host: 'web-1', service: 'api' }],
    ['/mnt/**/app.log', '/mnt/a/b/app.log', {}],
    ['/mnt/logs/{host}/*.log', '/mnt/logs/web-1/sub/api.log', null],
  ])('matches %s against %s', (template, file, expected) => {
    expect(templateMatcher(template)(file)).toEqual(expected);
  });

  it('turns placeholders into globs for discovery', () => {
    expect(templateGlob('/mnt/logs/{host}/{service}.log')).toBe('/mnt/logs/*/*.log');
  });
});

describe('File: logmon.example.yml', () => {
  it('is a valid sources file', () => {
    const sources = parseSourcesConfig(readConfigFile(path.join(__dirname, '../../logmon.example.yml')), defaults);
    expect(sources.map((s) => s.name)).toEqual(['demo', 'api', 'nginx', 'legacy']);
  });
});

describe('Function: wallClockMs', () => {
  it.each([
    [Date.UTC(2026, 10, 22, 23, 30), 'Asia/Tokyo', Date.UTC(2026, 10, 23, 8, 30)],
    [Date.UTC(2026, 10, 23, 3, 0), 'America/New_York', Date.UTC(2026, 10, 22, 22, 0)],
    [Date.UTC(2026, 10, 23, 3, 0), 'UTC', Date.UTC(2026, 10, 23, 3, 0)],
  ])('shows %d in %s as the wall clock %d', (ms, zone, expected) => {
    expect(wallClockMs(ms, zone)).toBe(expected);
  });
});
