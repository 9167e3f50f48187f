// NetBackup dates on the command line (mm/dd/yyyy [hh:mm[:ss]], local time) and the date forms reports print.

import { OpenbpError } from '../protocol/errors.js';

const DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Parses `mm/dd/yyyy [hh:mm[:ss]]` (also `mm/dd/yy`, years 00-69 → 20xx, 70-99 → 19xx) in local time
 * and returns epoch seconds. Throws OpenbpError INVALID_PARAMETER (20) for anything else.
 */
export function parseNbDate(text: string, what = 'date'): number {
  const m = DATE.exec(text.trim());
  if (!m) throw new OpenbpError('INVALID_PARAMETER', `${what}: '${text}' is not a date of the form mm/dd/yyyy [hh:mm:ss]`);
  const mon = Number(m[1]);
  const day = Number(m[2]);
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 70 ? 2000 : 1900;
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const d = new Date(year, mon - 1, day, h, mi, s);
  if (mon < 1 || mon > 12 || day < 1 || d.getMonth() !== mon - 1 || d.getDate() !== day || h > 23 || mi > 59 || s > 59) {
    throw new OpenbpError('INVALID_PARAMETER', `${what}: '${text}' is not a valid date`);
  }
  return Math.floor(d.getTime() / 1000);
}

/** Parses a date option value when present. */
export function optionalNbDate(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  return parseNbDate(String(value), what);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `MM/DD/YYYY` (local time). */
export function formatNbDate(epoch: number): string {
  const d = new Date(epoch * 1000);
  return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${d.getFullYear()}`;
}

/** `MM/DD/YYYY HH:MM` (local time). */
export function formatNbDateMinutes(epoch: number): string {
  const d = new Date(epoch * 1000);
  return `${formatNbDate(epoch)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `MM/DD/YYYY HH:MM:SS` (local time). */
export function formatNbDateTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  return `${formatNbDateMinutes(epoch)}:${pad(d.getSeconds())}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Mon DD HH:MM` as ls -l prints it (day padded to 2 with a space). */
export function formatLsDate(epoch: number): string {
  const d = new Date(epoch * 1000);
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An end date (-e): a date alone means the end of that day (23:59:59), as NetBackup does. */
export function parseNbEndDate(text: string, what = 'end date'): number {
  const t = parseNbDate(text, what);
  return /\d:\d/.test(text) ? t : t + 86399;
}
