import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/*
 * Read-only queries behind the dashboard and the inspection matrix. They look inspections up by
 * code and never check access themselves: the page calls the inspections service first (getProgress,
 * listInspections), which answers 404 outside the caller's scope.
 */

type Conn = Kysely<Database>;

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

/** A unit's code and name by id (a secretary's own unit). */
export async function unitById(db: Conn, unitId: number) {
  return db.selectFrom('units').select(['code', 'name']).where('id', '=', unitId).executeTakeFirst();
}
