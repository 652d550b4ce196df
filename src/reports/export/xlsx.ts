import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import type { EntryStatus } from '../../core/vocabulary';
import { type MessageKey, t } from '../../i18n/messages';
import { sheetValue } from './cells';
import type { ProgressMatrix } from './export.model';
import { type ColumnRole, type ProgressColumn, progressColumns, progressRows } from './progress-table';

/** Light fills a printout keeps readable; the same meaning as the coloured cells of the web matrix. */
const STATUS_FILL: Record<EntryStatus, string> = {
  missing: 'FFF2F2F2',
  submitted: 'FFFFF2CC',
  accepted: 'FFD9EAD3',
  returned: 'FFF4CCCC',
  waived: 'FFDDEBF7',
};
const STATUSES = Object.keys(STATUS_FILL) as EntryStatus[];
const HEADER_FILL = 'FFE7E6E6';
const ITEM_WIDTH = 20;
const POINTS_PER_LINE = 15;

/**
 * Streams the progress matrix to `out` as an XLSX workbook: the matrix sheet (frozen header row
 * and code/name columns, autofilter, one coloured cell per entry) and a legend sheet. Rows are
 * written and committed one at a time, so a large inspection never sits in memory as a workbook.
 * Ends `out` and settles when it has finished.
 */
export async function writeProgressXlsx(matrix: ProgressMatrix, out: NodeJS.WritableStream): Promise<void> {
  // exceljs only waits for the end of the stream it writes to; going through a pipeline makes an
  // error or early close of `out` (a client hanging up) reject instead of hanging.
  const through = new PassThrough();
  const delivered = pipeline(through, out);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: through, useStyles: true, useSharedStrings: false });
  writeMatrixSheet(workbook, matrix);
  writeLegendSheet(workbook, matrix);
  await Promise.all([workbook.commit(), delivered]);
}

function writeMatrixSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, matrix: ProgressMatrix): void {
  const columns = progressColumns(matrix);
  const sheet = workbook.addWorksheet(t(matrix.lang, 'export.sheet.progress'), {
    views: [{ state: 'frozen', xSplit: 2, ySplit: 1, topLeftCell: 'C2', activeCell: 'C2' }],
  });
  columns.forEach((column, index) => {
    sheet.getColumn(index + 1).width = columnWidth(column.role, matrix);
  });
  sheet.autoFilter = {
    from: { row: 1, column: 1 },
    to: { row: matrix.units.length + 1, column: columns.length },
  };

  const header = sheet.addRow(columns.map((column) => sheetValue(column.header)));
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'top' };
  header.height = headerHeight(columns);
  header.eachCell((cell) => {
    cell.fill = solidFill(HEADER_FILL);
  });
  header.commit();

  for (const cells of progressRows(matrix)) {
    const row = sheet.addRow(cells.map((cell) => sheetValue(cell.value)));
    row.alignment = { vertical: 'top' };
    row.getCell(3).numFmt = '0.0';
    cells.forEach((cell, index) => {
      if (cell.status) row.getCell(index + 1).fill = solidFill(STATUS_FILL[cell.status]);
    });
    row.commit();
  }
  sheet.commit();
}

function writeLegendSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, { inspection, lang }: ProgressMatrix): void {
  const sheet = workbook.addWorksheet(t(lang, 'export.sheet.legend'));
  sheet.getColumn(1).width = 24;
  sheet.getColumn(2).width = 100;
  const say = (key: MessageKey) => t(lang, key);

  const title = sheet.addRow([say('export.legend.inspection'), sheetValue(`${inspection.code} - ${inspection.title}`)]);
  title.font = { bold: true };
  title.commit();
  sheet.addRow([]).commit();
  const header = sheet.addRow([say('export.legend.term'), say('export.legend.meaning')]);
  header.font = { bold: true };
  header.commit();
  for (const status of STATUSES) {
    const row = sheet.addRow([t(lang, `status.${status}`), say(`export.legend.${status}`)]);
    row.getCell(1).fill = solidFill(STATUS_FILL[status]);
    row.commit();
  }
  const notes: [string, string][] = [
    [say('export.legend.valueTerm'), say('export.legend.value')],
    [say('export.column.percent'), say('export.legend.percent')],
    [say('export.legend.quoteTerm'), say('export.legend.quote')],
  ];
  for (const note of notes) sheet.addRow(note).commit();
  sheet.commit();
}

function columnWidth(role: ColumnRole, { units }: ProgressMatrix): number {
  switch (role) {
    case 'unitCode':
      return clamp(longest(units.map((unit) => unit.code)) + 2, 12, 24);
    case 'unitName':
      return clamp(longest(units.map((unit) => unit.name)) + 2, 24, 60);
    case 'figure':
      return 12;
    case 'item':
      return ITEM_WIDTH;
  }
}

/** Tall enough for the longest wrapped item header, within reason. */
function headerHeight(columns: ProgressColumn[]): number {
  const lines = Math.ceil(longest(columns.map((column) => column.header)) / (ITEM_WIDTH - 2));
  return clamp(lines, 2, 8) * POINTS_PER_LINE;
}

function solidFill(argb: string): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

function longest(texts: string[]): number {
  return texts.reduce((max, text) => Math.max(max, text.length), 0);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
