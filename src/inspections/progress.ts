import { ENTRY_STATUSES, type EntryStatus, isOneOf } from '../core/vocabulary';

/** The §2 progress rule, in one place: what the API, the pages, the reports and the exports show. */

export type StatusCounts = Record<EntryStatus, number>;

export interface Progress {
  required: number;
  done: number;
  percent: number;
  counts: StatusCounts;
}

export function emptyCounts(): StatusCounts {
  return Object.fromEntries(ENTRY_STATUSES.map((status) => [status, 0])) as StatusCounts;
}

/** Done over required, in percent with one decimal; nothing required counts as complete. */
export function percentOf(done: number, required: number): number {
  return required === 0 ? 100 : Math.round((1000 * done) / required) / 10;
}

/**
 * Progress from entry counts grouped by status and required: done (accepted + waived) over the
 * required items; counts by status over every item.
 */
export function progressOf(rows: Iterable<{ status: EntryStatus; required: number | boolean; n: number }>): Progress {
  const counts = emptyCounts();
  let required = 0;
  let done = 0;
  for (const row of rows) {
    const n = Number(row.n);
    if (isOneOf(ENTRY_STATUSES, row.status)) counts[row.status] += n;
    if (row.required === true || row.required === 1) {
      required += n;
      if (row.status === 'accepted' || row.status === 'waived') done += n;
    }
  }
  return { required, done, percent: percentOf(done, required), counts };
}
