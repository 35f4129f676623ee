/**
 * `YYYY-MM-DD HH:MM:SS` of `date` as a wall clock in `timeZone` (the log
 * format's timestamps, which carry no offset).
 *
 * @example
 *   formatLocalTimestamp(new Date('2026-11-23T15:00:00Z'), 'America/New_York') // '2026-11-23 10:00:00'
 */
export function formatLocalTimestamp(date: Date, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}
