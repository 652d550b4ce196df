import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sheetValue } from './cells';
import type { ProgressMatrix } from './export.model';
import { progressColumns, progressRows } from './progress-table';

/** Without it Excel reads a CSV in the system code page and garbles every Vietnamese letter. */
export const UTF8_BOM = '\uFEFF';

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One RFC 4180 record, CRLF-terminated: every value passes `sheetValue()` (formula neutralised,
 * numbers as plain numbers), and a field holding a quote, comma or line break is quoted.
 */
export function csvRecord(values: readonly (string | number | null)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

function csvField(raw: string | number | null): string {
  const value = sheetValue(raw);
  if (value === null) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Streams the progress matrix to `out` as UTF-8 CSV with a BOM, the same columns as the XLSX,
 * one record per unit, honouring back-pressure; ends `out` and settles when it has finished.
 */
export async function writeProgressCsv(matrix: ProgressMatrix, out: NodeJS.WritableStream): Promise<void> {
  function* records(): Generator<string> {
    yield UTF8_BOM + csvRecord(progressColumns(matrix).map((column) => column.header));
    for (const row of progressRows(matrix)) yield csvRecord(row.map((cell) => cell.value));
  }
  await pipeline(Readable.from(records(), { objectMode: false }), out);
}
