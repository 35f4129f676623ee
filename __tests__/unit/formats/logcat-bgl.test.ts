import { BGL_FORMAT } from '../../../lib/ingest/formats/bgl';
import { LOGCAT_FORMAT } from '../../../lib/ingest/formats/logcat';
import { TIMESTAMP_LEVEL_FORMAT } from '../../../lib/ingest/formats/timestamp-level';

const CONTEXT = { referenceMs: Date.UTC(2026, 2, 18) };

describe('Format: logcat', () => {
  it.each([
    ['03-17 16:13:46.764  2227  2794 E KeyguardUpdateMonitor: isSimPinSecure mSimDatas is null', 'ERROR', 'E', '2026-03-17 16:13:46.764'],
    ['03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs', 'DEBUG', 'D', '2026-03-17 16:13:38.811'],
    ['03-17 16:13:38.811 F/libc    ( 1234): Fatal signal 11 (SIGSEGV)', 'FATAL', 'F', '2026-03-17 16:13:38.811'],
  ])('reads %s', (line, level, levelText, time) => {
    expect(LOGCAT_FORMAT.parse(line, CONTEXT)).toMatchObject({ level, levelText, time });
  });

  it.each(['2026-03-17 16:13:46.764 ERROR x', '03-17 16:13:46.764  2227  2794 Q Tag: unknown letter', '\tat com.x.Y(Y.java:1)'])('rejects %s', (line) => {
    expect(LOGCAT_FORMAT.parse(line, CONTEXT)).toBeNull();
  });
});

describe('Format: bgl', () => {
  it('reads the level, the component and the epoch time of a RAS line', () => {
    const line =
      'APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 R04-M1-N4-I:J18-U11 RAS APP FATAL ciod: failed to read message prefix';
    expect(BGL_FORMAT.parse(line, CONTEXT)).toMatchObject({
      level: 'FATAL',
      time: '2005-06-04 07:24:32.432192Z',
      message: 'APP: ciod: failed to read message prefix',
    });
  });

  it('takes FAILURE as ERROR and rejects other lines', () => {
    expect(BGL_FORMAT.parse('- 1117838570 2005.06.03 R02 2005-06-03-15.42.50.675872 R02 RAS KERNEL FAILURE x', CONTEXT)?.level).toBe('ERROR');
    expect(BGL_FORMAT.parse('- not a bgl line at all, but long enough to be looked at by the parser', CONTEXT)).toBeNull();
  });
});

describe('Format: timestamp-level, more timestamp shapes', () => {
  it.each([
    ['17/06/09 20:10:40 ERROR executor.Executor: Exception in task 0.0', 'ERROR', '2017-06-09 20:10:40'],
    ['081109 203615 148 WARN dfs.DataNode$PacketResponder: slow', 'WARN', '2008-11-09 20:36:15'],
    ['2016-09-28 04:30:30, Error                 CBS    Failed to resolve package', 'ERROR', '2016-09-28 04:30:30'],
  ])('reads %s', (line, level, time) => {
    expect(TIMESTAMP_LEVEL_FORMAT.parse(line, CONTEXT)).toMatchObject({ level, time });
  });

  it('does not take a Title-case word followed by one space as a level', () => {
    expect(TIMESTAMP_LEVEL_FORMAT.parse('2016-09-28 04:30:30, Error reading the file', CONTEXT)?.level ?? null).toBeNull();
  });
});
