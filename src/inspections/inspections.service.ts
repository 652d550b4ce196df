import type { Kysely } from 'kysely';
import { latestAuditEventId } from '../audit/audit.repository';
import { recordEvent } from '../audit/audit.service';
import { authorize, INSPECTIONS, inspectionScope, ownUnitOnly } from '../auth/policy';
import type { Actor } from '../core/actor';
import { nowIso } from '../core/clock';
import { ConflictError, NotFoundError, ReferenceNotFoundError, ValidationError } from '../core/errors';
import { inTransaction } from '../core/transaction';
import { VersionedCache } from '../core/versioned-cache';
import { ENTRY_STATUSES, isUnitRole, type Role, type StatusChange } from '../core/vocabulary';
import type { Database, InspectionRow } from '../db/schema';
import { findTemplateByCode, templateItems } from '../templates/templates.repository';
import { findUnitsByCodes } from '../units/units.repository';
import { findUsersByUsernames } from '../users/users.repository';
import { inspectionFor } from './inspection-access';
import { requireChangeApplies, TRANSITIONS } from './inspection-state';
import * as repo from './inspections.repository';
import type { CreateInspectionInput, InspectionView, ProgressView } from './inspections.schemas';
import { emptyCounts, percentOf, progressOf } from './progress';


/** A due date is passed once its whole day (or its exact time) is over and the inspection is not closed. */
export function isOverdue(inspection: Pick<InspectionRow, 'due_at' | 'status'>, now: Date): boolean {
  if (!inspection.due_at || inspection.status === 'closed') return false;
  const end = inspection.due_at.length === 10 ? Date.parse(`${inspection.due_at}T23:59:59.999Z`) : Date.parse(inspection.due_at);
  return now.getTime() > end;
}

type ScopeUnit = Awaited<ReturnType<typeof repo.scopeUnits>>[number];

async function presentInspection(db: Kysely<Database>, row: InspectionRow, scope?: ScopeUnit[]): Promise<InspectionView> {
  const [units, team, itemCount] = await Promise.all([scope ?? repo.scopeUnits(db, row.id), repo.members(db, row.id), repo.countItems(db, row.id)]);
  return {
    code: row.code,
    title: row.title,
    teamName: row.team_name,
    status: row.status,
    templateCode: row.template_code,
    templateTitle: row.template_title,
    dueAt: row.due_at,
    overdue: isOverdue(row, new Date()),
    parentBody: row.parent_body,
    place: row.place,
    reportNumber: row.report_number,
    createdAt: row.created_at,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    unitCodes: units.map((u) => u.code),
    members: team.map((m) => ({ username: m.username, displayName: m.display_name, role: m.role })),
    itemCount,
  };
}

/** Who may be on an inspection team: an active account of the team's side (an inspector or an administrator). */
export function mayJoinTeam(user: { role: Role; active: boolean }): boolean {
  return user.active && !isUnitRole(user.role);
}

function firstDuplicate(values: string[]): string | undefined {
  return values.find((v, i) => values.indexOf(v) !== i);
}

/**
 * Creates a draft inspection: copies the template's items (later template edits never reach it),
 * fixes the units in scope and the team, and creates a `missing` entry for every unit × item.
 */
export async function createInspection(db: Kysely<Database>, actor: Actor, input: CreateInspectionInput): Promise<InspectionView> {
  authorize(actor, 'manage', INSPECTIONS);
  const duplicate = firstDuplicate(input.unitCodes) ?? firstDuplicate(input.members.map((m) => m.username));
  if (duplicate) throw new ValidationError([{ field: 'unitCodes', message: `duplicate ${duplicate}` }], 'inspection.duplicate', { value: duplicate });
  if (input.members.filter((m) => m.role === 'lead').length !== 1) {
    throw new ValidationError([{ field: 'members', message: 'exactly one lead' }], 'inspection.oneLead');
  }
  return inTransaction(db, async (trx) => {
    if (await repo.findInspectionByCode(trx, input.code)) throw new ConflictError('inspection.exists', { code: input.code });
    const template = await findTemplateByCode(trx, input.templateCode);
    if (!template) throw new ReferenceNotFoundError('templateCode', 'template.notFound', { code: input.templateCode });
    const units = await unitsByCodes(trx, input.unitCodes);
    const users = await findUsersByUsernames(trx, input.members.map((m) => m.username));
    const missingUsers = input.members.map((m) => m.username).filter((u) => !users.some((x) => x.username === u));
    if (missingUsers.length) throw new ReferenceNotFoundError('members', 'inspection.unknownMembers', { usernames: missingUsers.join(', ') });
    const notInspector = users.find((u) => !mayJoinTeam({ role: u.role, active: u.active === 1 }));
    if (notInspector) throw new ValidationError([{ field: 'members', message: `${notInspector.username} cannot be a member` }], 'inspection.memberNotInspector', { username: notInspector.username });

    const now = nowIso();
    const id = await repo.insertInspection(trx, {
      code: input.code, title: input.title, team_name: input.teamName, template_code: template.code, template_title: template.title,
      status: 'draft', due_at: input.dueAt ?? null, parent_body: input.parentBody ?? null, place: input.place ?? null,
      report_number: input.reportNumber ?? null, created_by: actor.id, created_at: now, opened_at: null, closed_at: null,
    });
    const items = await templateItems(trx, template.id);
    await repo.insertInspectionItems(trx, id, items.map(({ id: _id, template_id: _t, ...columns }) => columns));
    await repo.insertInspectionUnits(trx, id, units.map((u) => u.id));
    await repo.insertMembers(trx, id, input.members.map((m) => ({ userId: users.find((u) => u.username === m.username)?.id ?? 0, role: m.role })));
    await repo.createMissingEntries(trx, id, now);
    await recordEvent(trx, actor, {
      action: 'inspection.create', objectType: 'inspection', objectId: input.code, inspectionCode: input.code,
      details: { title: input.title, templateCode: input.templateCode, units: input.unitCodes.length, items: items.length, members: input.members },
    });
    const row = await repo.findInspectionByCode(trx, input.code);
    return presentInspection(trx, row as InspectionRow);
  });
}

async function unitsByCodes(db: Kysely<Database>, codes: string[]) {
  const found: Awaited<ReturnType<typeof findUnitsByCodes>> = [];
  for (let i = 0; i < codes.length; i += 500) found.push(...(await findUnitsByCodes(db, codes.slice(i, i + 500))));
  if (found.length !== codes.length) {
    const known = new Set(found.map((u) => u.code));
    throw new ReferenceNotFoundError('unitCodes', 'inspection.unknownUnits', { codes: codes.filter((c) => !known.has(c)).slice(0, 20).join(', ') });
  }
  return found;
}

/**
 * Moves an inspection draft → open → closed (the admin or the team lead), or closed → open again
 * (the admin only). Any other move is 409 naming the current status; every move is audited.
 */
export async function changeInspectionStatus(db: Kysely<Database>, actor: Actor, code: string, change: StatusChange): Promise<InspectionView> {
  const { from, to } = TRANSITIONS[change];
  return inTransaction(db, async (trx) => {
    const { inspection, subject } = await inspectionFor(trx, actor, code);
    authorize(actor, change, subject);
    requireChangeApplies(inspection, change);
    const at = nowIso();
    await repo.updateInspection(trx, inspection.id, {
      status: to,
      ...(to === 'open' && !inspection.opened_at ? { opened_at: at } : {}),
      ...(to === 'closed' ? { closed_at: at } : {}),
    });
    await recordEvent(trx, actor, {
      action: `inspection.${change}`, objectType: 'inspection', objectId: code, inspectionCode: code, details: { from, to },
    });
    return presentInspection(trx, { ...inspection, status: to });
  });
}

export async function listInspections(db: Kysely<Database>, actor: Actor): Promise<InspectionView[]> {
  const rows = await repo.listVisibleInspections(db, inspectionScope(actor));
  return Promise.all(rows.map((row) => presentInspection(db, row)));
}

export async function getInspection(db: Kysely<Database>, actor: Actor, code: string): Promise<InspectionView> {
  const { inspection } = await inspectionFor(db, actor, code);
  return presentInspection(db, inspection);
}

type UnitProgress = ProgressView['units'][number];

/** Progress of every unit of an inspection as the database holds it now, for `getProgress` to serve from. */
interface ProgressSnapshot {
  /** Read with the counts, not taken from the caller, so the snapshot is all of one version. */
  row: InspectionRow;
  inspection: InspectionView;
  units: { id: number; progress: UnitProgress }[];
  /** The team's view as JSON, built on first use, for each value of `overdue` (a matter of time, not of data). */
  json: Partial<Record<'overdue' | 'onTime', string>>;
}

/**
 * A province's inspection has 40,000 entries; counting them on every request of the progress view
 * (and of the matrix page, the summary report and the exports, which start from it) is what made
 * them slow. Snapshots are kept until the next write, see `VersionedCache`.
 */
const progressSnapshots = new VersionedCache<number, ProgressSnapshot>(16, latestAuditEventId);

async function progressSnapshot(db: Kysely<Database>, inspectionId: number, code: string): Promise<ProgressSnapshot> {
  const row = await repo.findInspectionByCode(db, code);
  if (!row || row.id !== inspectionId) throw new NotFoundError('inspection.notFound', { code });
  const [units, counts] = await Promise.all([repo.scopeUnits(db, row.id), repo.progressCounts(db, row.id)]);
  const countsByUnit = new Map<number, typeof counts>();
  for (const c of counts) {
    const rows = countsByUnit.get(c.unit_id);
    if (rows) rows.push(c);
    else countsByUnit.set(c.unit_id, [c]);
  }
  return {
    row,
    inspection: await presentInspection(db, row, units),
    units: units.map((u) => ({ id: u.id, progress: { unitCode: u.code, unitName: u.name, ...progressOf(countsByUnit.get(u.id) ?? []) } })),
    json: {},
  };
}

/** The view of a snapshot: every unit, or one unit's row only. Fresh objects, the snapshot is shared. */
function progressView(snapshot: ProgressSnapshot, overdue: boolean, ownUnitOnly?: number): ProgressView {
  const units = snapshot.units
    .filter((u) => ownUnitOnly === undefined || u.id === ownUnitOnly)
    .map(({ progress }) => ({ ...progress, counts: { ...progress.counts } }));
  const totals = { required: 0, done: 0, percent: 0, counts: emptyCounts() };
  for (const row of units) {
    totals.required += row.required;
    totals.done += row.done;
    for (const s of ENTRY_STATUSES) totals.counts[s] += row.counts[s];
  }
  totals.percent = percentOf(totals.done, totals.required);
  const { inspection } = snapshot;
  return {
    inspection: { ...inspection, overdue, unitCodes: [...inspection.unitCodes], members: inspection.members.map((m) => ({ ...m })) },
    totals,
    units,
  };
}

/** The snapshot, and whose rows of it the caller sees: every unit's, or one unit's (`ownUnitOnly`). */
async function snapshotFor(db: Kysely<Database>, actor: Actor, code: string): Promise<{ snapshot: ProgressSnapshot; unitId: number | undefined }> {
  const { inspection, subject } = await inspectionFor(db, actor, code);
  const snapshot = await progressSnapshots.get(db, inspection.id, () => progressSnapshot(db, inspection.id, code));
  return { snapshot, unitId: ownUnitOnly(actor, subject) };
}

/**
 * Progress per unit and in total: counts by status over every item, and done (accepted + waived)
 * over the required items. A secretary gets their own unit's row only.
 */
export async function getProgress(db: Kysely<Database>, actor: Actor, code: string): Promise<ProgressView> {
  const { snapshot, unitId } = await snapshotFor(db, actor, code);
  return progressView(snapshot, isOverdue(snapshot.row, new Date()), unitId);
}

/**
 * `getProgress` as the JSON text of the API's answer. The team's view (200 KB for a province) is
 * the same for every member until the next write, so its text is built once per snapshot.
 */
export async function getProgressJson(db: Kysely<Database>, actor: Actor, code: string): Promise<string> {
  const { snapshot, unitId } = await snapshotFor(db, actor, code);
  const overdue = isOverdue(snapshot.row, new Date());
  if (unitId !== undefined) return JSON.stringify(progressView(snapshot, overdue, unitId));
  return (snapshot.json[overdue ? 'overdue' : 'onTime'] ??= JSON.stringify(progressView(snapshot, overdue)));
}
