import { encodeCopyRow } from '../../lib/ingest/copy-encoder';
import type { EntryRecord } from '../../lib/ingest/entry-scanner';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';

const entry = (over: Partial<EntryRecord> = {}): EntryRecord => ({
  offset: 0,
  timestamp: '2026-11-23 10:00:00',
  level: 'ERROR',
  message: 'boom',
  severity: 17,
  levelText: '',
  fields: null,
  timeSource: 'line',
  ...over,
});

/** The column list of a `COPY table (a, b, …) FROM STDIN` statement. */
function copyColumns(sql: string): string[] {
  const list = /\(([^)]*)\)/.exec(sql)?.[1] ?? '';
  return list.split(',').map((c) => c.trim());
}

describe('Function: encodeCopyRow', () => {
  it('writes one field per column of copyEntries, the template id last', () => {
    // Act
    const row = encodeCopyRow(entry({ message: 'a\tb\nc' }), 7, '-5296940549557852182');

    // Assess
    const fields = row.slice(0, -1).split('\t');
    expect(row.endsWith('\n')).toBe(true);
    expect(fields).toHaveLength(copyColumns(SQL.copyEntries).length);
    expect(copyColumns(SQL.copyEntries).at(-1)).toBe('template_id');
    expect(fields).toEqual(['2026-11-23 10:00:00', 'ERROR', 'a\\tb\\nc', '7', '0', '17', '\\N', '\\N', 'line', '-5296940549557852182']);
  });

  it('writes the level as written and the fields, escaped, when there are some', () => {
    const row = encodeCopyRow(entry({ levelText: 'err', fields: '{"path":"C:\\\\x"}' }), 1, '42');

    expect(row).toBe('2026-11-23 10:00:00\tERROR\tboom\t1\t0\t17\terr\t{"path":"C:\\\\\\\\x"}\tline\t42\n');
  });
});

describe('Constant: INGEST_SQL.insertEntry', () => {
  it('names the same columns as copyEntries, with one parameter each', () => {
    const columns = copyColumns(SQL.insertEntry);

    expect(columns).toEqual(copyColumns(SQL.copyEntries));
    expect(SQL.insertEntry).toContain(`$${columns.length})`);
  });
});
