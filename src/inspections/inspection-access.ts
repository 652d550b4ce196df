import type { Kysely } from 'kysely';
import type { Database, InspectionRow } from '../db/schema';
import type { MemberRole } from '../core/vocabulary';
import { ConflictError, ForbiddenError, NotFoundError } from '../core/errors';
import type { Actor } from '../core/actor';
import { findInspectionByCode, findScopeUnit, membership } from './inspections.repository';

/** An inspection as one caller may see it, with the caller's place on its team. */
export interface InspectionAccess {
  inspection: InspectionRow;
  /** The caller's team role; admins act with `lead` rights. */
  teamRole: MemberRole | null;
}

export interface ScopedUnit {
  id: number;
  code: string;
  name: string;
}

/**
 * Loads an inspection the actor may see (§3): an admin sees all, an inspector the team's, a
 * secretary those covering their unit once open. Anything else is 404, so existence never leaks.
 */
export async function inspectionFor(db: Kysely<Database>, actor: Actor, code: string): Promise<InspectionAccess> {
  const inspection = await findInspectionByCode(db, code);
  // Made only when thrown: an Error captures a stack, and this runs on every inspection request.
  const notFound = () => new NotFoundError('inspection.notFound', { code });
  if (!inspection) throw notFound();
  if (actor.role === 'admin') return { inspection, teamRole: 'lead' };
  if (actor.role === 'inspector') {
    const role = await membership(db, inspection.id, actor.id);
    if (!role) throw notFound();
    return { inspection, teamRole: role };
  }
  if (inspection.status === 'draft' || actor.unitId === null) throw notFound();
  const own = await db.selectFrom('units').select('code').where('id', '=', actor.unitId).executeTakeFirst();
  if (!own || !(await findScopeUnit(db, inspection.id, own.code))) throw notFound();
  return { inspection, teamRole: null };
}

/** A unit of the inspection the actor may see: secretaries only their own (404 otherwise). */
export async function unitFor(db: Kysely<Database>, actor: Actor, access: InspectionAccess, unitCode: string): Promise<ScopedUnit> {
  const unit = await findScopeUnit(db, access.inspection.id, unitCode);
  if (!unit || (actor.role === 'secretary' && unit.id !== actor.unitId)) {
    throw new NotFoundError('inspection.unitNotInScope', { code: unitCode });
  }
  return unit;
}

/** Reviews and findings: the team (admins included), never a secretary. */
export function requireReviewer(access: InspectionAccess): void {
  if (access.teamRole === null) throw new ForbiddenError();
}

/** Uploads, values and withdrawals: the unit's own secretary only. */
export function requireSubmitter(actor: Actor): void {
  if (actor.role !== 'secretary') throw new ForbiddenError();
}

/** Only an open inspection takes uploads, values, reviews and findings; closed is read-only. */
export function requireOpen(inspection: InspectionRow): void {
  if (inspection.status !== 'open') {
    throw new ConflictError('inspection.notOpen', { code: inspection.code, status: { key: `inspectionStatus.${inspection.status}` } });
  }
}
