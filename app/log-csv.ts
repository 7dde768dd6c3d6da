/**
 * The request log as CSV (RFC 4180), for a spreadsheet. Every cell a client
 * controls (path, user agent, referer) is made safe to open: a cell starting
 * with = + - @ (or a tab or carriage return) would run as a formula in Excel,
 * LibreOffice or Sheets, so it gets a leading ' (OWASP's advice).
 */
import type { LogEntry } from './contract';

const COLUMNS = ['Time', 'Method', 'Path', 'Status', 'Bytes', 'Duration (ms)', 'Client IP', 'User agent', 'Referer', 'Upstream'];

/** One cell: formula-safe, then quoted when it holds a comma, quote or line break. */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const row = (cells: Array<string | number>) => cells.map(csvCell).join(',');

/** The log as CSV text: a header row, then one row per entry, oldest first, CRLF line ends. */
export function logCsv(entries: readonly LogEntry[]): string {
  const lines = [row(COLUMNS)];
  for (const entry of entries) {
    lines.push(
      row([
        new Date(entry.time).toISOString(),
        entry.method,
        entry.path,
        entry.status,
        entry.bytes,
        Math.round(entry.ms * 10) / 10,
        entry.ip,
        entry.userAgent,
        entry.referer,
        entry.upstream ?? '',
      ]),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
