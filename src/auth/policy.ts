import type { Actor } from '../core/actor';
import { type AppError, ForbiddenError, NotFoundError } from '../core/errors';
import { type InspectionStatus, isUnitRole, type MemberRole } from '../core/vocabulary';

/*
 * The one access policy (PRODUCT.md §3). Every question "may this person do that?" is answered
 * here, by `can()`, for the API, the pages (which buttons they show), the documents and the
 * exports alike; `authorize()` is `can()` that throws. The rules are plain functions of facts the
 * caller has loaded (inspections/inspection-access.ts loads them for an inspection and a unit), so
 * they never touch the database and a page can ask them for every button it draws.
 *
 * What is a matter of state rather than of who asks (an inspection that is not open, an entry an
 * inspector has accepted) is not decided here: those are 409s of the state machines
 * (inspections/inspection-state.ts, dossiers/entry-state.ts).
 */

/** Units, users and checklist templates. */
export interface DirectorySubject {
  kind: 'directory';
}
/** Inspections as a whole: creating them, the administrators' list. */
export interface InspectionsSubject {
  kind: 'inspections';
}
/** The whole audit log and its chain. */
export interface AuditSubject {
  kind: 'audit';
}

/** One inspection, with the caller's place in it. */
export interface InspectionSubject {
  kind: 'inspection';
  code: string;
  status: InspectionStatus;
  /** The caller's role on the team; null when not a member (an admin need not be one). */
  teamRole: MemberRole | null;
  /** The caller's own unit (a secretary's) is one of the inspection's units. */
  coversOwnUnit: boolean;
}

/** One unit of an inspection. */
export interface UnitSubject {
  kind: 'unit';
  inspection: InspectionSubject;
  unitCode: string;
  /** The caller's own unit (a secretary's). */
  ownUnit: boolean;
}

export const DIRECTORY: DirectorySubject = { kind: 'directory' };
export const INSPECTIONS: InspectionsSubject = { kind: 'inspections' };
export const AUDIT: AuditSubject = { kind: 'audit' };

export type Subject = DirectorySubject | InspectionsSubject | AuditSubject | InspectionSubject | UnitSubject;

/** What may be asked of each kind of subject. */
interface Actions {
  directory: 'read' | 'manage';
  inspections: 'manage';
  audit: 'read';
  /**
   * view: see it at all (and its progress: every unit's row for the team, the caller's own for a unit);
   * open, close: the lead's; reopen: an administrator's; team: act as the inspection team (review,
   * findings, the summary report, the exports, the inspection's audit trail).
   */
  inspection: 'view' | 'open' | 'close' | 'reopen' | 'team';
  /**
   * view: the unit's entries and files; submit: upload, set values, withdraw (the unit's own
   * secretary); review: decisions and findings (the team); readFindings: the team's findings;
   * readReport: the unit's report; requestLetter, bundle: the team's documents about the unit.
   */
  unit: 'view' | 'submit' | 'review' | 'readFindings' | 'readReport' | 'requestLetter' | 'bundle';
}

export type ActionOn<S extends Subject> = Actions[S['kind']];

const isAdmin = (actor: Actor) => actor.role === 'admin';

/** The inspection team: its members, and administrators, who act with the lead's rights. */
function onTeam(actor: Actor, inspection: InspectionSubject): boolean {
  return isAdmin(actor) || (actor.role === 'inspector' && inspection.teamRole !== null);
}

function leads(actor: Actor, inspection: InspectionSubject): boolean {
  return isAdmin(actor) || (actor.role === 'inspector' && inspection.teamRole === 'lead');
}

/** A unit's own people see an inspection only from the moment it opens (§3). */
function unitSeesInspection(actor: Actor, inspection: InspectionSubject): boolean {
  return isUnitRole(actor.role) && inspection.status !== 'draft' && inspection.coversOwnUnit;
}

function canOnInspection(actor: Actor, action: Actions['inspection'], s: InspectionSubject): boolean {
  switch (action) {
    case 'view':
      return onTeam(actor, s) || unitSeesInspection(actor, s);
    case 'open':
    case 'close':
      return leads(actor, s);
    case 'reopen':
      return isAdmin(actor);
    case 'team':
      return onTeam(actor, s);
  }
}

function canOnUnit(actor: Actor, action: Actions['unit'], s: UnitSubject): boolean {
  const team = onTeam(actor, s.inspection);
  const ownUnit = unitSeesInspection(actor, s.inspection) && s.ownUnit;
  switch (action) {
    case 'view':
      return team || ownUnit;
    case 'submit':
      return ownUnit;
    case 'review':
    case 'requestLetter':
    case 'bundle':
      return team;
    // The unit reads the team's findings, and its report, once the inspection is closed.
    case 'readFindings':
    case 'readReport':
      return team || (ownUnit && s.inspection.status === 'closed');
  }
}

/** Whether `actor` may do `action` to `subject`. */
export function can<S extends Subject>(actor: Actor, action: ActionOn<S>, subject: S): boolean {
  switch (subject.kind) {
    case 'directory':
      return action === 'read' ? isAdmin(actor) || actor.role === 'inspector' : isAdmin(actor);
    case 'inspections':
    case 'audit':
      return isAdmin(actor);
    case 'inspection':
      return canOnInspection(actor, action as Actions['inspection'], subject);
    case 'unit':
      return canOnUnit(actor, action as Actions['unit'], subject);
  }
}

/** What a caller who may not see the subject is told: that it does not exist (§3: never reveal it). */
function hidden(subject: Subject): AppError | undefined {
  switch (subject.kind) {
    case 'inspection':
      return new NotFoundError('inspection.notFound', { code: subject.code });
    case 'unit':
      return new NotFoundError('inspection.unitNotInScope', { code: subject.unitCode });
    default:
      return undefined;
  }
}

/** Whether the subject exists for `actor` at all; a subject they cannot see answers 404, never 403. */
function visible(actor: Actor, subject: Subject): boolean {
  switch (subject.kind) {
    case 'inspection':
      return can(actor, 'view', subject);
    case 'unit':
      return can(actor, 'view', subject.inspection) && can(actor, 'view', subject);
    default:
      return true;
  }
}

/**
 * `can()`, or the typed error that says no: 404 when the caller may not even see the subject (its
 * existence is not revealed), 403 when they see it but may not do this.
 */
export function authorize<S extends Subject>(actor: Actor, action: ActionOn<S>, subject: S): void {
  if (can(actor, action, subject)) return;
  if (!visible(actor, subject)) throw hidden(subject) ?? new NotFoundError();
  throw new ForbiddenError();
}

/**
 * Which inspections a list shows the caller: every one for an administrator, the team's for an
 * inspector, those covering a secretary's unit once they are open. The same rule as `view`, as a
 * filter the repository turns into SQL.
 */
export type InspectionScope = { all: true } | { memberId: number } | { unitId: number };

export function inspectionScope(actor: Actor): InspectionScope {
  if (isAdmin(actor)) return { all: true };
  if (actor.role === 'inspector') return { memberId: actor.id };
  return { unitId: actor.unitId ?? -1 };
}

/** The units of an inspection the caller sees rows for: every one for the team, their own for a unit. */
export function ownUnitOnly(actor: Actor, inspection: InspectionSubject): number | undefined {
  return onTeam(actor, inspection) ? undefined : (actor.unitId ?? -1);
}
