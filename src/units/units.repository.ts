import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

type Conn = Kysely<Database>;

function unitsWithParent(db: Conn) {
  return db
    .selectFrom('units')
    .leftJoin('units as parent', 'parent.id', 'units.parent_id')
    .select(['units.id', 'units.code', 'units.name', 'units.parent_id', 'parent.code as parent_code']);
}

export type UnitWithParent = NonNullable<Awaited<ReturnType<typeof findUnitByCode>>>;

export async function findUnitByCode(db: Conn, code: string) {
  return unitsWithParent(db).where('units.code', '=', code).executeTakeFirst();
}

export async function findUnitsByCodes(db: Conn, codes: string[]) {
  if (codes.length === 0) return [];
  return unitsWithParent(db).where('units.code', 'in', codes).execute();
}

export async function listUnits(db: Conn) {
  return unitsWithParent(db).orderBy('units.code').execute();
}

export async function insertUnit(db: Conn, row: { code: string; name: string; parent_id: number | null; created_at: string }) {
  const { id } = await db.insertInto('units').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateUnit(db: Conn, id: number, patch: { name?: string; parent_id?: number | null }): Promise<void> {
  await db.updateTable('units').set(patch).where('id', '=', id).execute();
}

/** The ids of `unitId` and every unit above it, nearest first (to refuse cycles). */
export async function ancestorIds(db: Conn, unitId: number): Promise<number[]> {
  const ids: number[] = [];
  let current: number | null = unitId;
  while (current !== null && !ids.includes(current)) {
    ids.push(current);
    const row: { parent_id: number | null } | undefined = await db
      .selectFrom('units')
      .select('parent_id')
      .where('id', '=', current)
      .executeTakeFirst();
    current = row?.parent_id ?? null;
  }
  return ids;
}

/** A unit's code and name by id (a secretary's own unit). */
export async function unitById(db: Conn, unitId: number) {
  return db.selectFrom('units').select(['code', 'name']).where('id', '=', unitId).executeTakeFirst();
}
