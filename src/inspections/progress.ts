import type { EntryStatus } from '../db/schema';

/** The §2 progress rule, in one place: what the API, the pages, the reports and the exports show. */

export const ENTRY_STATUSES: readonly EntryStatus[] = ['missing', 'submitted', 'accepted', 'returned', 'waived'];

export function isEntryStatus(value: unknown): value is EntryStatus {
  return ENTRY_STATUSES.includes(value as EntryStatus);
}

export type StatusCounts = Record<EntryStatus, number>;

export interface Progress {
  required: number;
  done: number;
  percent: number;
  counts: StatusCounts;
}

export function emptyCounts(): StatusCounts {
  return { missing: 0, submitted: 0, accepted: 0, returned: 0, waived: 0 };
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
    if (isEntryStatus(row.status)) counts[row.status] += n;
    if (row.required === true || row.required === 1) {
      required += n;
      if (row.status === 'accepted' || row.status === 'waived') done += n;
    }
  }
  return { required, done, percent: percentOf(done, required), counts };
}
