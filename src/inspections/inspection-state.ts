import { ConflictError } from '../core/errors';
import { type InspectionStatus, STATUS_CHANGES, type StatusChange } from '../core/vocabulary';

/**
 * The inspection's state machine (PRODUCT.md §2), in one place: draft → open → closed, and an
 * administrator's closed → open. Only an open inspection takes uploads, values, reviews and
 * findings; closed is read-only for everyone. Who may make a move is the policy's (auth/policy.ts).
 */

export const TRANSITIONS: Record<StatusChange, { from: InspectionStatus; to: InspectionStatus }> = {
  open: { from: 'draft', to: 'open' },
  close: { from: 'open', to: 'closed' },
  reopen: { from: 'closed', to: 'open' },
};

/** The change that applies to an inspection in each status: each status has exactly one way on. */
export const CHANGE_FROM = Object.fromEntries(STATUS_CHANGES.map((change) => [TRANSITIONS[change].from, change])) as Record<InspectionStatus, StatusChange>;

/** 409 unless the inspection is open: only then does it take uploads, values, reviews and findings. */
export function requireOpen(inspection: { code: string; status: InspectionStatus }): void {
  if (inspection.status !== 'open') {
    throw new ConflictError('inspection.notOpen', { code: inspection.code, status: { key: `inspectionStatus.${inspection.status}` } });
  }
}

/** 409 naming the current status unless `change` applies to it. */
export function requireChangeApplies(inspection: { code: string; status: InspectionStatus }, change: StatusChange): void {
  if (inspection.status !== TRANSITIONS[change].from) {
    throw new ConflictError('inspection.wrongStatus', { code: inspection.code, status: { key: `inspectionStatus.${inspection.status}` }, action: { key: `action.${change}` } });
  }
}
