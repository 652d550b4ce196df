import { ConflictError, ValidationError } from '../core/errors';
import type { EntryStatus, ReviewDecision } from '../core/vocabulary';

/**
 * The entry state machine of PRODUCT.md §2, in one place:
 *   missing → submitted (enough files / a value) → accepted | returned (note) | waived (note)
 *   returned → submitted on a new upload or value
 *   accepted, waived → refuse uploads and values until reopened
 *   reopen → submitted if it still holds files or a value, else missing
 *   a file may be withdrawn unless the entry is accepted (§2); a waived entry stays waived
 */

/** Whether the entry takes an upload or a value: not while an inspector's decision holds. */
export function acceptsSubmission(status: EntryStatus): boolean {
  return status !== 'accepted' && status !== 'waived';
}

/** Whether a file of the entry may be withdrawn: what the team accepted stays as it was accepted. */
export function acceptsWithdrawal(status: EntryStatus): boolean {
  return status !== 'accepted';
}

/** Refuses a submission (an upload or a value) while an inspector's decision holds. */
export function assertSubmittable(status: EntryStatus): void {
  if (!acceptsSubmission(status)) {
    throw new ConflictError('entry.locked', { status: { key: `status.${status}` } });
  }
}

/** The status after the unit's content changed: complete content is submitted, else missing. */
export function statusAfterSubmission(status: EntryStatus, complete: boolean): EntryStatus {
  assertSubmittable(status);
  if (complete) return 'submitted';
  // A returned entry keeps its inspector's verdict until the unit sends enough to look at again.
  return status === 'returned' ? 'returned' : 'missing';
}

/** Refuses a withdrawal from an accepted entry. */
export function assertWithdrawable(status: EntryStatus): void {
  if (!acceptsWithdrawal(status)) throw new ConflictError('file.withdrawAccepted');
}

/** The status after a file was withdrawn: a waiver still holds; otherwise what the entry still holds decides. */
export function statusAfterWithdrawal(status: EntryStatus, complete: boolean): EntryStatus {
  assertWithdrawable(status);
  return status === 'waived' ? 'waived' : statusAfterSubmission(status, complete);
}

const allowedFrom: Record<ReviewDecision, EntryStatus[]> = {
  accept: ['submitted'],
  return: ['submitted'],
  waive: ['missing', 'submitted', 'returned'],
  reopen: ['accepted', 'waived'],
};

/** Whether `decision` may be taken on an entry in `status` (pages offer only these buttons). */
export function decisionApplies(status: EntryStatus, decision: ReviewDecision): boolean {
  return allowedFrom[decision].includes(status);
}

/** The status after an inspector's decision; 409 names the current status when it does not apply. */
export function statusAfterReview(status: EntryStatus, decision: ReviewDecision, note: string | null, complete: boolean): EntryStatus {
  if ((decision === 'return' || decision === 'waive') && !note) {
    throw new ValidationError([{ field: 'note', message: 'required' }], 'entry.noteRequired');
  }
  if (!decisionApplies(status, decision)) {
    throw new ConflictError('entry.illegalTransition', { decision: { key: `decision.${decision}` }, status: { key: `status.${status}` } }, { status });
  }
  switch (decision) {
    case 'accept':
      return 'accepted';
    case 'return':
      return 'returned';
    case 'waive':
      return 'waived';
    case 'reopen':
      return complete ? 'submitted' : 'missing';
  }
}
