/** A cell as both spreadsheet writers take it: text, a number, or empty. */
export type SheetValue = string | number | null;

/** Excel refuses to open a workbook (and cuts a CSV field) with a longer cell. */
const MAX_CELL_CHARS = 32_767;

/**
 * Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP "CSV
 * injection"): a unit name or uploaded file name like `=HYPERLINK(…)` must stay text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** `text` prefixed with `'` when a spreadsheet would otherwise run it as a formula. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * The one gate every exported cell passes, in the XLSX, the CSV and the bundle's manifest: text is
 * neutralised and cut to what Excel accepts; numbers stay numbers (NaN and ±Infinity, which no
 * spreadsheet can hold, become empty).
 */
export function sheetValue(value: string | number | null | undefined): SheetValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const safe = neutraliseFormula(value);
  if (safe.length <= MAX_CELL_CHARS) return safe;
  // Never cut between the two halves of a surrogate pair (an emoji would turn into garbage).
  const end = isHighSurrogate(safe.charCodeAt(MAX_CELL_CHARS - 2)) ? MAX_CELL_CHARS - 2 : MAX_CELL_CHARS - 1;
  return `${safe.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
