import { type EntryStatus, type Lang } from '../../core/vocabulary';
import { t } from '../../i18n/messages';
import type { MatrixCell, MatrixItem, ProgressMatrix } from './export.model';

/**
 * The progress matrix as a table, shared by the XLSX and CSV writers so both export the same
 * columns with the same words: unit code, unit name, percent, done, required, then one column
 * per checklist item. Values are raw here; each writer passes every cell through `sheetValue()`.
 */

/** What a column holds, so the XLSX writer can size and style it. */
export type ColumnRole = 'unitCode' | 'unitName' | 'figure' | 'item';

export interface ProgressColumn {
  header: string;
  role: ColumnRole;
}

export interface ProgressCell {
  value: string | number | null;
  /** Set on item columns: the entry's status, also when the cell shows a submitted value. */
  status?: EntryStatus;
}

export function progressColumns({ items, lang }: ProgressMatrix): ProgressColumn[] {
  return [
    { header: t(lang, 'export.column.unitCode'), role: 'unitCode' },
    { header: t(lang, 'export.column.unitName'), role: 'unitName' },
    { header: t(lang, 'export.column.percent'), role: 'figure' },
    { header: t(lang, 'export.column.done'), role: 'figure' },
    { header: t(lang, 'export.column.required'), role: 'figure' },
    ...items.map((item): ProgressColumn => ({ header: itemHeader(item, lang), role: 'item' })),
  ];
}

/** One row per unit, in the matrix's order; produced lazily so a writer can stream them. */
export function* progressRows({ items, units, lang }: ProgressMatrix): Generator<ProgressCell[]> {
  for (const unit of units) {
    const cellByItem = new Map(unit.cells.map((cell) => [cell.itemCode, cell]));
    yield [
      { value: unit.code },
      { value: unit.name },
      { value: unit.percent },
      { value: unit.done },
      { value: unit.required },
      ...items.map((item) => entryCell(cellByItem.get(item.code), lang)),
    ];
  }
}

function itemHeader(item: MatrixItem, lang: Lang): string {
  const header = `${item.code} - ${item.title}`;
  return item.required ? header : `${header} ${t(lang, 'export.column.optional')}`;
}

/**
 * A submitted or accepted figure/text is shown itself (numbers as numbers, so they can be summed);
 * everything else, including a returned value the team rejected, shows the status word.
 */
function entryCell(cell: MatrixCell | undefined, lang: Lang): ProgressCell {
  const status = cell?.status ?? 'missing';
  const value = cell?.value ?? null;
  const showsValue = value !== null && (status === 'submitted' || status === 'accepted');
  return { value: showsValue ? value : t(lang, `status.${status}`), status };
}
