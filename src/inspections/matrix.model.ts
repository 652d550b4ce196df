import { can, type InspectionSubject } from '../auth/policy';
import type { Actor } from '../core/actor';
import { matchesSearch } from '../core/search-text';
import { ENTRY_STATUSES, isOneOf, type EntryStatus, type StatusChange } from '../core/vocabulary';
import { CHANGE_FROM } from './inspection-state';
import type { ProgressView } from './inspections.schemas';

/*
 * The shapes the dashboard and the matrix page show, built from what the services and
 * matrix.repository return. Pure functions: no database, no Express.
 */

/** One letter per status: the matrix has a cell per unit × item, so every byte counts (`c-a` …). */
export const CELL_CLASS: Record<EntryStatus, string> = { missing: 'm', submitted: 's', accepted: 'a', returned: 'r', waived: 'w' };

export type ProgressUnit = ProgressView['units'][number];

export interface MatrixFilter {
  /** Part of a unit's name or code, compared without case or diacritics. */
  q: string;
  /** Only units with at least one item in this status. */
  status: EntryStatus | undefined;
}

export function filterUnits(units: readonly ProgressUnit[], filter: MatrixFilter): ProgressUnit[] {
  return units.filter((u) => (!filter.status || u.counts[filter.status] > 0) && matchesSearch(filter.q, u.unitName, u.unitCode));
}

export interface PageSlice<T> {
  rows: T[];
  page: number;
  pageCount: number;
  /** 1-based positions of the first and last row shown, for "1–200 of 1,000". */
  from: number;
  to: number;
  total: number;
}

/** Rows `page` (1-based, clamped into range) of `all`, `size` per page. */
export function pageOf<T>(all: readonly T[], requested: number, size: number): PageSlice<T> {
  const pageCount = Math.max(1, Math.ceil(all.length / size));
  const page = Math.min(pageCount, Math.max(1, Number.isInteger(requested) ? requested : 1));
  const start = (page - 1) * size;
  const rows = all.slice(start, start + size);
  return { rows, page, pageCount, from: rows.length ? start + 1 : 0, to: start + rows.length, total: all.length };
}

/** Page numbers to link: the first, the last, and a few around the current one; 0 marks a gap. */
export function pageNumbers(page: number, pageCount: number): number[] {
  const wanted = new Set([1, pageCount, page - 2, page - 1, page, page + 1, page + 2].filter((n) => n >= 1 && n <= pageCount));
  const sorted = [...wanted].sort((a, b) => a - b);
  return sorted.flatMap((n, i) => (i > 0 && n - (sorted[i - 1] ?? n) > 1 ? [0, n] : [n]));
}

export interface MatrixItem {
  id: number;
  code: string;
  section: string;
  title: string;
}

/** Consecutive items under the same section heading, for the matrix's column groups. */
export function sectionSpans(items: readonly MatrixItem[]): { name: string; span: number }[] {
  const spans: { name: string; span: number }[] = [];
  for (const item of items) {
    const last = spans.at(-1);
    if (last && last.name === item.section) last.span += 1;
    else spans.push({ name: item.section, span: 1 });
  }
  return spans;
}

/**
 * The cell classes of each unit's row, in item order, from the page's cells. A cell the query did
 * not return (there is none while the data is whole) shows as missing.
 */
export function cellRows(
  unitCodes: readonly string[],
  items: readonly MatrixItem[],
  cells: readonly { unit_code: string; item_id: number; status: EntryStatus }[],
): Map<string, string[]> {
  const column = new Map(items.map((item, i) => [item.id, i]));
  const rows = new Map(unitCodes.map((code) => [code, items.map(() => CELL_CLASS.missing)]));
  for (const cell of cells) {
    const i = column.get(cell.item_id);
    const row = rows.get(cell.unit_code);
    if (row && i !== undefined && isOneOf(ENTRY_STATUSES, cell.status)) row[i] = CELL_CLASS[cell.status];
  }
  return rows;
}

/**
 * The status change the viewer may make now, to offer as a button: whichever change applies to the
 * inspection's status, if the policy lets them make it. The service decides again when the form is posted.
 */
export function statusActionFor(actor: Actor, inspection: InspectionSubject): StatusChange | undefined {
  const change = CHANGE_FROM[inspection.status];
  return can(actor, change, inspection) ? change : undefined;
}
