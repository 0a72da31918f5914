/**
 * `2024-05-01`, `2024-05-01T10:20`, `2024-05-01T10:20:30.5Z`, `2024-05-01 10:20:30+02:00`,
 * `…+0200`: a calendar date, optionally a time, optionally a zone (none is UTC, so a reading never
 * depends on the machine's zone).
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/i;

/**
 * Seconds since the epoch of an ISO-8601 date-time, or undefined when `text` is not one or names
 * no real instant: `Date.parse` reads `2024-02-30` as 1 March and `T24:00` as the next day; here
 * each field must lie in its calendar range (the day within its month, leap years counted; hours
 * 0–23, minutes and seconds 0–59, zone offsets up to ±23:59).
 */
export function parseIsoDateTime(text: string): number | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone, sign, zh = '0', zm = '0'] = match;
  const [year, month, day, hour, minute, second, zoneHours, zoneMinutes] = [y, mo, d, h, mi, s, zh, zm].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || zoneHours > 23 || zoneMinutes > 59) return undefined;
  const offsetMinutes = zone === undefined || sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  // setUTCFullYear, because Date.UTC reads years 0–99 as 1900–1999.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  return (date.getTime() - offsetMinutes * 60_000) / 1000 + (fraction ? Number(`0${fraction}`) : 0);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
