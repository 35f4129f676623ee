/**
 * `bgl`: the RAS log of IBM Blue Gene supercomputers (LogHub's BGL),
 * `LABEL EPOCH YYYY.MM.DD NODE YYYY-MM-DD-HH.MM.SS.ffffff NODE TYPE COMPONENT LEVEL message`
 * (`- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO …`).
 * Levels INFO WARNING SEVERE ERROR FAILURE FATAL; the time is the epoch
 * seconds (UTC) with the fraction of the written time.
 */
import { levelOfWord } from './severity';
import type { Level } from './severity';
import { epochTime } from './timestamp';
import type { LineFormat, ParsedLine } from './types';

const FIELD = /^(\S+) (\d{9,11}) \d{4}\.\d{2}\.\d{2} \S+ \d{4}-\d{2}-\d{2}-\d{2}\.\d{2}\.\d{2}\.(\d{6}) \S+ (RAS|NULL) (\S+) ([A-Z]+) /;

function levelOf(text: string): Level | null {
  return text === 'FAILURE' ? 'ERROR' : levelOfWord(text);
}

function parseBgl(line: string): ParsedLine | null {
  // The label is `-` or an upper-case alert category (`APPREAD`, `KERNDTLB`…).
  const c = line.charCodeAt(0);
  if (c !== 45 && (c < 65 || c > 90)) return null;
  if (line.length < 60 || line.length > 65_536) return null;
  const m = FIELD.exec(line);
  if (m === null) return null;
  const level = levelOf(m[6]!);
  if (level === null) return null;
  const time = epochTime(Number(`${m[2]}.${m[3]}`));
  if (time === '') return null;
  return { format: 'bgl', time, level, levelText: m[6]!, message: `${m[5]}: ${line.slice(m[0].length)}`, fields: null };
}

/**
 * Blue Gene RAS log lines.
 *
 * @example
 *   BGL_FORMAT.parse('- 1117838570 2005.06.03 R02-M1-N0 2005-06-03-15.42.50.675872 R02-M1-N0 RAS KERNEL FATAL boom', { referenceMs: 0 })?.level // 'FATAL'
 */
export const BGL_FORMAT: LineFormat = { name: 'bgl', parse: parseBgl };
