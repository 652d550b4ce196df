import type { Kysely } from 'kysely';
import type { Database, InspectionRow, InspectionsTable } from '../db/schema';
import type { EntryStatus, MemberRole } from '../core/vocabulary';
import type { Insertable } from 'kysely';
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

/** Inspections visible to the caller: all for an admin, the team's for an inspector, the unit's once open for a secretary. */
export async function listVisibleInspections(db: Conn, viewer: { role: string; id: number; unitId: number | null }) {
  let q = db.selectFrom('inspections').selectAll('inspections');
  if (viewer.role === 'inspector') {
    q = q.where((eb) =>
      eb.exists(
        eb.selectFrom('inspection_members as m').select('m.user_id').whereRef('m.inspection_id', '=', 'inspections.id').where('m.user_id', '=', viewer.id),
      ),
    );
  } else if (viewer.role === 'secretary') {
    q = q.where('inspections.status', '!=', 'draft').where((eb) =>
      eb.exists(
        eb.selectFrom('inspection_units as iu').select('iu.unit_id').whereRef('iu.inspection_id', '=', 'inspections.id').where('iu.unit_id', '=', viewer.unitId ?? -1),
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
