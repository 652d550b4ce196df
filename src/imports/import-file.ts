import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { UnsupportedMediaTypeError, ValidationError } from '../core/errors';
import { type Lang } from '../core/vocabulary';
import { type MessageKey, t } from '../i18n/messages';

/*
 * Reads the lists admins keep in Excel: an .xlsx workbook (first sheet with data) or a CSV saved
 * by Excel or LibreOffice (UTF-8, with or without a BOM, `,` or `;` between fields). The first row
 * holds the column headers, in Vietnamese or English.
 */

export const MAX_IMPORT_ROWS = 2000;

/** One line of the file as text cells; `line` is what a spreadsheet shows beside it (header = 1). */
export interface TableRow {
  line: number;
  cells: string[];
}

/** A data row, its cells keyed by the field their column maps to. */
export interface ImportRecord {
  line: number;
  values: Record<string, string>;
}

export interface ImportColumn {
  field: string;
  /** The column's name as shown to people (also the first accepted header). */
  label: MessageKey;
  /** Header spellings accepted besides the label (in either language) and the field name; compared without accents, case or spaces. */
  aliases: readonly string[];
  required: boolean;
}

function fileError(key: MessageKey, params: Record<string, string | number> = {}): ValidationError {
  return new ValidationError([{ field: 'file', message: key }], key, params);
}

/** `Mã đơn vị cấp trên` → `madonvicaptren`: headers and words match whatever the accents, case or spacing. */
export function looseKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

function readRows(data: Buffer, fileName: string): Promise<TableRow[]> | TableRow[] {
  const magic = data.subarray(0, 4);
  if (magic.equals(ZIP_MAGIC)) return readXlsx(data);
  if (magic.equals(OLE_MAGIC) || /\.xls$/i.test(fileName)) throw new UnsupportedMediaTypeError('import.oldExcel');
  if (/\.(csv|txt)$/i.test(fileName)) return readCsv(data);
  throw new UnsupportedMediaTypeError('import.unsupportedType');
}

/** The rows of an uploaded .xlsx or .csv file, empty lines left out. */
export async function readTable(data: Buffer, fileName: string): Promise<TableRow[]> {
  const rows = (await readRows(data, fileName)).filter((row) => row.cells.some((c) => c.trim() !== ''));
  if (rows.length < 2) throw fileError('import.noRows');
  if (rows.length - 1 > MAX_IMPORT_ROWS) throw fileError('import.tooManyRows', { max: MAX_IMPORT_ROWS });
  return rows;
}

async function readXlsx(data: Buffer): Promise<TableRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs declares its own Buffer type; a Node Buffer is what it reads.
    await workbook.xlsx.load(data as unknown as ExcelJS.Buffer);
  } catch {
    throw fileError('import.unreadable');
  }
  const sheet = workbook.worksheets.find((ws) => ws.actualRowCount > 0);
  if (!sheet) throw fileError('import.noRows');
  const rows: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    for (let col = 1; col <= row.cellCount; col++) cells.push(row.getCell(col).text.trim());
    rows.push({ line, cells });
  });
  return rows;
}

/** Excel writes `;` between fields where the decimal mark is a comma (as in Vietnamese), else `,`. */
function delimiterOf(firstLine: string): ';' | ',' {
  const count = (ch: string) => firstLine.split(ch).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

function readCsv(data: Buffer): TableRow[] {
  let text: string;
  try {
    // fatal: a file saved in a legacy code page must be refused, not imported as mojibake.
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw fileError('import.notUtf8');
  }
  text = text.replace(/^\uFEFF/, '');
  try {
    const records = parse(text, {
      delimiter: delimiterOf(text.split(/\r?\n/, 1)[0] ?? ''),
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map(({ record, info }) => ({ line: info.lines, cells: record }));
  } catch {
    throw fileError('import.unreadable');
  }
}

/** Every header accepted for `column`: its label in either language, its field name, its aliases. */
function headerNames(column: ImportColumn): string[] {
  return [t('vi', column.label), t('en', column.label), column.field, ...column.aliases].map(looseKey);
}

/**
 * Maps the header row onto `columns` and turns the other rows into records. Unknown columns (a
 * running number, notes) are ignored; a missing required column is an error naming it.
 */
export function toRecords(rows: TableRow[], columns: readonly ImportColumn[], lang: Lang): ImportRecord[] {
  const [header, ...data] = rows;
  if (!header) throw fileError('import.noRows');
  const fieldAt = header.cells.map((cell) => columns.find((c) => headerNames(c).includes(looseKey(cell)))?.field);
  const missing = columns.filter((c) => c.required && !fieldAt.includes(c.field));
  if (missing.length) throw fileError('import.missingColumns', { columns: missing.map((c) => t(lang, c.label)).join(', ') });
  return data.map((row) => {
    const values: Record<string, string> = {};
    row.cells.forEach((cell, i) => {
      const field = fieldAt[i];
      // The first column mapped to a field wins when a header appears twice.
      if (field && values[field] === undefined) values[field] = cell;
    });
    return { line: row.line, values };
  });
}
