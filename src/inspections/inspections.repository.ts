import { type Kysely, type Insertable } from 'kysely';
import type { InspectionScope } from '../auth/policy';
import type { EntryStatus, MemberRole } from '../core/vocabulary';
import type { Database, InspectionRow, InspectionsTable } from '../db/schema';
import type { ItemColumns } from '../templates/checklist-items';

type Conn = Kysely<Database>;

/** SQLite limits bound parameters per statement; rows are inserted in chunks below it. */
const CHUNK = 100;

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

export async function findInspectionByCode(db: Conn, code: string): Promise<InspectionRow | undefined> {
  return db.selectFrom('inspections').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertInspection(db: Conn, row: Insertable<InspectionsTable>): Promise<number> {
  const { id } = await db.insertInto('inspections').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateInspection(db: Conn, id: number, patch: Partial<Omit<InspectionRow, 'id'>>): Promise<void> {
  await db.updateTable('inspections').set(patch).where('id', '=', id).execute();
}

export async function insertInspectionItems(db: Conn, inspectionId: number, items: ItemColumns[]): Promise<void> {
  await insertChunked(items, (chunk) =>
    db.insertInto('inspection_items').values(chunk.map((item) => ({ ...item, inspection_id: inspectionId }))).execute(),
  );
}

export async function insertInspectionUnits(db: Conn, inspectionId: number, unitIds: number[]): Promise<void> {
  await insertChunked(unitIds, (chunk) =>
    db.insertInto('inspection_units').values(chunk.map((unit_id) => ({ inspection_id: inspectionId, unit_id }))).execute(),
  );
}

export async function insertMembers(db: Conn, inspectionId: number, members: { userId: number; role: MemberRole }[]): Promise<void> {
  await db
    .insertInto('inspection_members')
    .values(members.map((m) => ({ inspection_id: inspectionId, user_id: m.userId, role: m.role })))
    .execute();
}

/** One `missing` entry for every (unit, item) pair of the inspection, written set-wise. */
export async function createMissingEntries(db: Conn, inspectionId: number, at: string): Promise<void> {
  await db
    .insertInto('entries')
    .columns(['inspection_id', 'unit_id', 'item_id', 'status', 'updated_at'])
    .expression((eb) =>
      eb
        .selectFrom('inspection_units as iu')
        .innerJoin('inspection_items as ii', 'ii.inspection_id', 'iu.inspection_id')
        .select((sb) => [
          'iu.inspection_id',
          'iu.unit_id',
          'ii.id',
          sb.val<EntryStatus>('missing').as('status'),
          sb.val(at).as('updated_at'),
        ])
        .where('iu.inspection_id', '=', inspectionId),
    )
    .execute();
}

export async function inspectionItems(db: Conn, inspectionId: number) {
  return db.selectFrom('inspection_items').selectAll().where('inspection_id', '=', inspectionId).orderBy('position').execute();
}

export async function findItem(db: Conn, inspectionId: number, code: string) {
  return db.selectFrom('inspection_items').selectAll().where('inspection_id', '=', inspectionId).where('code', '=', code).executeTakeFirst();
}

export async function countItems(db: Conn, inspectionId: number): Promise<number> {
  const { n } = await db
    .selectFrom('inspection_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('inspection_id', '=', inspectionId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

export async function scopeUnits(db: Conn, inspectionId: number) {
  return db
    .selectFrom('inspection_units as iu')
    .innerJoin('units', 'units.id', 'iu.unit_id')
    .select(['units.id', 'units.code', 'units.name'])
    .where('iu.inspection_id', '=', inspectionId)
    .orderBy('units.code')
    .execute();
}

export async function findScopeUnit(db: Conn, inspectionId: number, unitCode: string) {
  return db
    .selectFrom('inspection_units as iu')
    .innerJoin('units', 'units.id', 'iu.unit_id')
    .select(['units.id', 'units.code', 'units.name'])
    .where('iu.inspection_id', '=', inspectionId)
    .where('units.code', '=', unitCode)
    .executeTakeFirst();
}

export async function members(db: Conn, inspectionId: number) {
  return db
    .selectFrom('inspection_members as m')
    .innerJoin('users', 'users.id', 'm.user_id')
    .select(['users.id', 'users.username', 'users.display_name', 'm.role'])
    .where('m.inspection_id', '=', inspectionId)
    .orderBy('m.role')
    .orderBy('users.username')
    .execute();
}

export async function membership(db: Conn, inspectionId: number, userId: number): Promise<MemberRole | undefined> {
  const row = await db
    .selectFrom('inspection_members')
    .select('role')
    .where('inspection_id', '=', inspectionId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role;
}

export async function isUnitInScope(db: Conn, inspectionId: number, unitId: number): Promise<boolean> {
  const row = await db
    .selectFrom('inspection_units')
    .select('unit_id')
    .where('inspection_id', '=', inspectionId)
    .where('unit_id', '=', unitId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Inspections in `scope` (auth/policy.ts `inspectionScope`): every one, a member's, or those covering a unit once open. */
export async function listVisibleInspections(db: Conn, scope: InspectionScope) {
  let q = db.selectFrom('inspections').selectAll('inspections');
  if ('memberId' in scope) {
    q = q.where((eb) =>
      eb.exists(
        eb.selectFrom('inspection_members as m').select('m.user_id').whereRef('m.inspection_id', '=', 'inspections.id').where('m.user_id', '=', scope.memberId),
      ),
    );
  } else if ('unitId' in scope) {
    q = q.where('inspections.status', '!=', 'draft').where((eb) =>
      eb.exists(
        eb.selectFrom('inspection_units as iu').select('iu.unit_id').whereRef('iu.inspection_id', '=', 'inspections.id').where('iu.unit_id', '=', scope.unitId),
      ),
    );
  }
  return q.orderBy('inspections.created_at', 'desc').orderBy('inspections.id', 'desc').execute();
}

/** Entry counts per unit, status and required flag over every unit of the inspection, in one grouped query. */
export async function progressCounts(db: Conn, inspectionId: number) {
  return db
    .selectFrom('entries as e')
    .innerJoin('inspection_items as ii', 'ii.id', 'e.item_id')
    .select((eb) => ['e.unit_id', 'e.status', 'ii.required', eb.fn.countAll<number>().as('n')])
    .where('e.inspection_id', '=', inspectionId)
    .groupBy(['e.unit_id', 'e.status', 'ii.required'])
    .execute();
}

/*
 * The dashboard's and the matrix page's reads. They look inspections up by code and never check
 * access themselves: the page calls the inspections service first (getProgress, listInspections),
 * which answers 404 outside the caller's scope.
 */

/** The checklist of an inspection in order: the matrix's columns. */
export async function matrixItems(db: Conn, inspectionCode: string) {
  return db
    .selectFrom('inspection_items as ii')
    .innerJoin('inspections as i', 'i.id', 'ii.inspection_id')
    .select(['ii.id', 'ii.code', 'ii.section', 'ii.title', 'ii.required'])
    .where('i.code', '=', inspectionCode)
    .orderBy('ii.position')
    .execute();
}

/** The status of every entry of the given units (one page of the matrix), in one query. */
export async function matrixCells(db: Conn, inspectionCode: string, unitCodes: readonly string[]) {
  if (unitCodes.length === 0) return [];
  return db
    .selectFrom('entries as e')
    .innerJoin('inspections as i', 'i.id', 'e.inspection_id')
    .innerJoin('units as u', 'u.id', 'e.unit_id')
    .select(['u.code as unit_code', 'e.item_id', 'e.status'])
    .where('i.code', '=', inspectionCode)
    .where('u.code', 'in', [...unitCodes])
    .execute();
}

/**
 * Entry counts per inspection, status and required flag, for several inspections in one grouped
 * query (the dashboard's progress bars); only `unitId`'s entries when given (a secretary's view).
 */
export async function inspectionCounts(db: Conn, inspectionCodes: readonly string[], unitId?: number) {
  if (inspectionCodes.length === 0) return [];
  let q = db
    .selectFrom('entries as e')
    .innerJoin('inspections as i', 'i.id', 'e.inspection_id')
    .innerJoin('inspection_items as ii', 'ii.id', 'e.item_id')
    .select((eb) => ['i.code', 'e.status', 'ii.required', eb.fn.countAll<number>().as('n')])
    .where('i.code', 'in', [...inspectionCodes])
    .groupBy(['i.code', 'e.status', 'ii.required']);
  if (unitId !== undefined) q = q.where('e.unit_id', '=', unitId);
  return q.execute();
}
