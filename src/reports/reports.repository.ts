import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

type Conn = Kysely<Database>;

/**
 * Every entry of an inspection with its value: the cells of the progress matrix. The caller has
 * the items already; joining them here would cost a lookup per entry (40,000 for a province).
 */
export async function matrixCells(db: Conn, inspectionId: number) {
  return db
    .selectFrom('entries as e')
    .select(['e.id', 'e.unit_id', 'e.item_id', 'e.status', 'e.value_number', 'e.value_text'])
    .where('e.inspection_id', '=', inspectionId)
    .execute();
}

/** Current (not withdrawn) file counts per entry of an inspection, in one grouped query. */
export async function fileCounts(db: Conn, inspectionId: number) {
  return db
    .selectFrom('files as f')
    .innerJoin('entries as e', 'e.id', 'f.entry_id')
    .select((eb) => ['f.entry_id', eb.fn.countAll<number>().as('n')])
    .where('e.inspection_id', '=', inspectionId)
    .where('f.withdrawn_at', 'is', null)
    .groupBy('f.entry_id')
    .execute();
}

/**
 * Every number item summed over the units whose figure stands (submitted or accepted; a returned
 * figure was rejected by the team and does not count).
 */
export async function numberTotals(db: Conn, inspectionId: number) {
  return db
    .selectFrom('inspection_items as ii')
    .leftJoin('entries as e', (join) =>
      join.onRef('e.item_id', '=', 'ii.id').on('e.status', 'in', ['submitted', 'accepted']).on('e.value_number', 'is not', null),
    )
    .select((eb) => ['ii.code', 'ii.title', eb.fn.sum<number>('e.value_number').as('total'), eb.fn.count<number>('e.id').as('units')])
    .where('ii.inspection_id', '=', inspectionId)
    .where('ii.kind', '=', 'number')
    .groupBy(['ii.id', 'ii.code', 'ii.title', 'ii.position'])
    .orderBy('ii.position')
    .execute();
}

export async function conclusions(db: Conn, inspectionId: number) {
  return db.selectFrom('findings').select(['unit_id', 'conclusion']).where('inspection_id', '=', inspectionId).execute();
}
