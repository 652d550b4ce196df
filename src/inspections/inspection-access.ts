import type { Kysely } from 'kysely';
import { authorize, type InspectionSubject, type UnitSubject } from '../auth/policy';
import type { Actor } from '../core/actor';
import { NotFoundError } from '../core/errors';
import { isUnitRole } from '../core/vocabulary';
import type { Database, InspectionRow } from '../db/schema';
import { findInspectionByCode, findScopeUnit, isUnitInScope, membership } from './inspections.repository';
import type { InspectionView } from './inspections.schemas';

/*
 * Loads what the access policy (auth/policy.ts) needs to know about an inspection and one of its
 * units, for the caller, and asks it whether they may see them: outside their scope, 404.
 */

/** An inspection the caller may see, with the facts the policy decides on. */
export interface InspectionAccess {
  inspection: InspectionRow;
  subject: InspectionSubject;
}

/** A unit of an inspection the caller may see. */
export interface ScopedUnit {
  id: number;
  code: string;
  name: string;
  subject: UnitSubject;
}

/** The policy's view of an inspection for `actor`, from facts already at hand (a page's list, say). */
export function inspectionSubject(
  inspection: Pick<InspectionRow, 'code' | 'status'>,
  facts: Pick<InspectionSubject, 'teamRole' | 'coversOwnUnit'>,
): InspectionSubject {
  return { kind: 'inspection', code: inspection.code, status: inspection.status, ...facts };
}

/**
 * The policy's view of an inspection the service has already shown to `actor` (a row of their list,
 * the inspection of their progress): its team role from the members, and, since they could see it,
 * a unit user's own unit is one of its units.
 */
export function subjectOfVisible(inspection: InspectionView, actor: Actor): InspectionSubject {
  return inspectionSubject(inspection, {
    teamRole: inspection.members.find((m) => m.username === actor.username)?.role ?? null,
    coversOwnUnit: isUnitRole(actor.role),
  });
}

/**
 * Loads an inspection the actor may see (§3): an admin sees all, an inspector the team's, a
 * secretary those covering their unit once open. Anything else is 404, so existence never leaks.
 */
export async function inspectionFor(db: Kysely<Database>, actor: Actor, code: string): Promise<InspectionAccess> {
  const inspection = await findInspectionByCode(db, code);
  if (!inspection) throw new NotFoundError('inspection.notFound', { code });
  // Only the facts the caller's role can make use of are read: this runs on every inspection request.
  const subject = inspectionSubject(inspection, {
    teamRole: actor.role === 'inspector' ? ((await membership(db, inspection.id, actor.id)) ?? null) : null,
    coversOwnUnit: isUnitRole(actor.role) && actor.unitId !== null && (await isUnitInScope(db, inspection.id, actor.unitId)),
  });
  authorize(actor, 'view', subject);
  return { inspection, subject };
}

/** A unit of the inspection the actor may see: secretaries only their own (404 otherwise). */
export async function unitFor(db: Kysely<Database>, actor: Actor, access: InspectionAccess, unitCode: string): Promise<ScopedUnit> {
  const unit = await findScopeUnit(db, access.inspection.id, unitCode);
  if (!unit) throw new NotFoundError('inspection.unitNotInScope', { code: unitCode });
  const subject: UnitSubject = { kind: 'unit', inspection: access.subject, unitCode: unit.code, ownUnit: unit.id === actor.unitId };
  authorize(actor, 'view', subject);
  return { ...unit, subject };
}
